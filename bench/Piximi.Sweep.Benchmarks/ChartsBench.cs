using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Piximi.Sweep.Core;
using Piximi.Sweep.Reports;

namespace Piximi.Sweep.Benchmarks;

/// <summary>
/// Issue 14's choice of chart library, with figures: the same four charts of the same synthetic sweep (all trials'
/// curves, optimization history, four slice plots, parallel coordinates), drawn
/// (a) by ScottPlot as SVG on the server (the report's way so far): CPU time per chart and the SVG's size, then the
///     time Chromium takes to show those SVGs;
/// (b) by uPlot, Apache ECharts and Plotly, each from npm (<c>--libs</c>: a folder with their node_modules), inlined in a
///     page as the static report would have to: the library's size and Chromium's time from navigation to the first
///     frame painted after the charts are drawn, median of <c>--loads</c> fresh contexts.
/// Prints figures; never a test. Usage: charts --libs DIR [--trials 10000] [--epochs 20] [--loads 5] [--dir PATH]
/// </summary>
internal static class ChartsBench
{
    private const int Curves = 500, Sampled = 1000;

    private sealed record Data(double[][] Curves, bool[] Pruned, double[] History, double[][] Slices, string[][] Categories, double[] SliceScore);

    public static int Run(string[] args)
    {
        var libs = BenchArgs.Option(args, "--libs") ?? throw new ArgumentException("--libs <folder with node_modules of echarts, uplot, plotly.js-dist-min> is required");
        var trials = BenchArgs.IntOption(args, "--trials", 10_000);
        var epochs = BenchArgs.IntOption(args, "--epochs", 20);
        var loads = BenchArgs.IntOption(args, "--loads", 5);
        var dir = BenchArgs.Option(args, "--dir") ?? Path.Combine(Path.GetTempPath(), $"piximi-charts-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        Console.WriteLine($"bench-charts on {Environment.ProcessorCount} cores, {DateTimeOffset.Now:yyyy-MM-dd HH:mm zzz}: {trials} trials x {epochs} epochs; "
            + $"drawn: {Curves} curves, history of all {trials}, 4 slices and parallel coordinates of {Sampled}");
        var data = Make(trials, epochs);
        var scott = ScottPlot(data, epochs, dir);
        var pages = new List<(string Name, string File, long LibBytes)> { ("ScottPlot SVG (server)", scott, 0) };
        foreach (var (name, lib, code) in Libraries(libs))
        {
            var file = Path.Combine(dir, name.Split(' ')[0].ToLowerInvariant() + ".html");
            var script = File.ReadAllText(Path.Combine(libs, "node_modules", lib));
            File.WriteAllText(file, $"<!doctype html><meta charset=utf-8><body style=\"width:1280px\"><script>{script}</script>"
                + $"<script>const D={Json(data)};const E={epochs};</script><script>{code}\n{Done}</script>");
            pages.Add((name, file, new FileInfo(Path.Combine(libs, "node_modules", lib)).Length));
        }
        Paint(pages, loads).GetAwaiter().GetResult();
        return 0;
    }

    private static Data Make(int trials, int epochs)
    {
        var random = new Random(14);
        double[] rates = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1];
        int[] batches = [8, 16, 32, 64, 128];
        string[] optimizers = ["adam", "sgd", "rmsprop", "adagrad"], losses = ["categoricalCrossEntropy", "meanSquaredError", "hinge"];
        var curves = new double[trials][];
        var pruned = new bool[trials];
        var slices = new double[4][];
        for (var p = 0; p < 4; p++) slices[p] = new double[trials];
        for (var t = 0; t < trials; t++)
        {
            int r = random.Next(rates.Length), b = random.Next(batches.Length), o = random.Next(optimizers.Length), l = random.Next(losses.Length);
            var final = 0.62 + 0.2 * Math.Exp(-Math.Pow(Math.Log10(rates[r]) + 2, 2)) + (o == 0 ? 0.03 : 0) - 0.02 * Math.Abs(b - 2) / 2 - 0.01 * l
                + random.NextDouble() * 0.01;
            pruned[t] = random.NextDouble() < 0.3;
            var length = pruned[t] ? 2 + random.Next(6) : epochs;
            curves[t] = [.. Enumerable.Range(1, length).Select(e => Math.Round(final * (1 - Math.Exp(-e / 3.0)) + random.NextDouble() * 0.005, 4))];
            (slices[0][t], slices[1][t], slices[2][t], slices[3][t]) = (rates[r], batches[b], o, l);
        }
        var step = (double)trials / Sampled;
        var sample = Enumerable.Range(0, Math.Min(Sampled, trials)).Select(i => (int)(i * step)).ToArray();
        return new Data(
            [.. curves.Take(Curves)], [.. pruned.Take(Curves)],
            [.. curves.Select(c => c[^1])],
            [.. slices.Select(s => sample.Select(i => s[i]).ToArray())],
            [[.. rates.Select(v => v.ToString(CultureInfo.InvariantCulture))], [.. batches.Select(v => v.ToString(CultureInfo.InvariantCulture))], optimizers, losses],
            [.. sample.Select(i => curves[i][^1])]);
    }

    private static string Json(Data data) => JsonSerializer.Serialize(new
    {
        curves = data.Curves, pruned = data.Pruned, history = data.History, slices = data.Slices, categories = data.Categories, score = data.SliceScore,
    });

    // (a) ScottPlot on this machine's CPU, as the server would draw them for each change of a running sweep.
    private static string ScottPlot(Data data, int epochs, string dir)
    {
        var curves = data.Curves.Select((c, i) => ((IReadOnlyList<EpochMetrics>)[.. c.Select((v, e) => new EpochMetrics(e + 1, 0.5, v, 0.5, v, 1, 100))], data.Pruned[i], i == 0)).ToList();
        var history = data.History.Select((v, i) => (i + 1, v)).ToList();
        string[] names = ["learning rate", "batch size", "optimizer", "loss function"];
        var charts = new (string Name, Func<string> Draw)[]
        {
            ("all curves", () => Charts.AllCurves(curves, "val_accuracy", 860, 340)),
            ("history", () => Charts.History(history, "val_accuracy", 860, 300)),
            ("4 slices", () => string.Concat(Enumerable.Range(0, 4).Select(p => Charts.Slice(
                [.. data.Slices[p].Select((x, i) => (i, x, data.SliceScore[i]))], names[p], p == 0, p >= 2 ? data.Categories[p] : null, "val_accuracy", 400, 260)))),
            ("parallel", () => Charts.Parallel(
                [.. names.Select((n, p) => new Charts.ParallelAxis(n, p == 0, p >= 1 ? data.Categories[p] : null,
                    p == 1 ? [.. data.Slices[p].Select(b => (double)Array.IndexOf(data.Categories[1], b.ToString(CultureInfo.InvariantCulture)))] : data.Slices[p]))],
                data.SliceScore, "val_accuracy", higherIsBetter: true, 860, 320)),
        };
        var body = new StringBuilder("<!doctype html><meta charset=utf-8><body style=\"width:1280px\">");
        var line = new StringBuilder("  ScottPlot SVG, server CPU (median of 5, warm) and size:");
        foreach (var (name, draw) in charts)
        {
            draw();
            var times = new List<double>();
            string svg = "";
            for (var i = 0; i < 5; i++)
            {
                var clock = Stopwatch.StartNew();
                svg = draw();
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
            line.Append(CultureInfo.InvariantCulture, $" {name} {Figures.Median(times):F0} ms, {svg.Length / 1024.0:F0} KB;");
            body.Append(Charts.ImageTag(svg, name, 860, 340));
        }
        Console.WriteLine(line.ToString().TrimEnd(';'));
        var file = Path.Combine(dir, "scottplot.html");
        File.WriteAllText(file, body + "<script>" + Done + "</script>");
        return file;
    }

    // The pages' drawing code: the same four charts in each library's own way, no animation.
    private static IEnumerable<(string Name, string Library, string Code)> Libraries(string libs)
    {
        const string common = """
            const box = (w, h) => { const d = document.createElement('div'); d.style.width = w + 'px'; d.style.height = h + 'px'; document.body.appendChild(d); return d; };
            const best = []; D.history.forEach((v, i) => best.push(i ? Math.max(best[i - 1], v) : v));
            const names = ['learning rate', 'batch size', 'optimizer', 'loss function'];
            const jitter = (p, i) => p >= 1 ? D.categories[p].indexOf(String(D.slices[p][i])) + ((i * 7919) % 100 / 100 - 0.5) * 0.3 : D.slices[p][i];
            """;
        yield return ("uPlot 1.6 (no parallel coordinates)", "uplot/dist/uPlot.iife.min.js", common + """
            const xs = Array.from({ length: E }, (_, i) => i + 1);
            new uPlot({ width: 860, height: 340, legend: { show: false }, scales: { x: { time: false } },
              series: [{}].concat(D.curves.map((c, i) => ({ stroke: D.pruned[i] ? '#9aa3ad' : '#2f6db5', width: 1, dash: D.pruned[i] ? [4, 3] : undefined, points: { show: false } }))) },
              [xs].concat(D.curves.map(c => xs.map((_, k) => k < c.length ? c[k] : null))), box(860, 340));
            const n = D.history.map((_, i) => i + 1);
            new uPlot({ width: 860, height: 300, legend: { show: false }, scales: { x: { time: false } },
              series: [{}, { stroke: '#2f6db5', paths: () => null, points: { show: true, size: 4 } }, { stroke: '#e07b22', width: 2, paths: uPlot.paths.stepped({ align: 1 }), points: { show: false } }] },
              [n, D.history, best], box(860, 300));
            for (let p = 0; p < 4; p++) {
              const pts = D.score.map((s, i) => [jitter(p, i), s]).sort((a, b) => a[0] - b[0]);
              new uPlot({ width: 400, height: 260, legend: { show: false }, scales: { x: { time: false, distr: p === 0 ? 3 : 1 } },
                series: [{}, { stroke: '#2f6db5', paths: () => null, points: { show: true, size: 4 } }] },
                [pts.map(q => q[0]), pts.map(q => q[1])], box(400, 260));
            }
            """);
        yield return ("ECharts 6.1", "echarts/dist/echarts.min.js", common + """
            const chart = (w, h, option) => echarts.init(box(w, h), null, { renderer: 'canvas' }).setOption(Object.assign({ animation: false }, option));
            chart(860, 340, { grid: { right: 140 }, legend: { right: 0, orient: 'vertical' }, tooltip: {}, xAxis: { type: 'value', min: 1, max: E }, yAxis: { type: 'value', scale: true },
              series: D.curves.map((c, i) => ({ type: 'line', showSymbol: false, data: c.map((v, k) => [k + 1, v]),
                lineStyle: { width: 1, type: D.pruned[i] ? 'dashed' : 'solid', color: D.pruned[i] ? '#9aa3ad' : '#2f6db5' } })) });
            chart(860, 300, { grid: { right: 140 }, legend: { right: 0, orient: 'vertical' }, tooltip: {}, xAxis: { type: 'value' }, yAxis: { type: 'value', scale: true },
              series: [{ name: 'trial', type: 'scatter', symbolSize: 4, large: true, data: D.history.map((v, i) => [i + 1, v]) },
                       { name: 'best so far', type: 'line', step: 'end', showSymbol: false, data: best.map((v, i) => [i + 1, v]) }] });
            for (let p = 0; p < 4; p++)
              chart(400, 260, { tooltip: {}, xAxis: p === 0 ? { type: 'log' } : { type: 'value', min: -0.5, max: D.categories[p].length - 0.5 }, yAxis: { type: 'value', scale: true },
                series: [{ type: 'scatter', symbolSize: 4, data: D.score.map((s, i) => [jitter(p, i), s]) }] });
            chart(860, 320, { parallelAxis: names.map((n, p) => p === 0 ? { dim: 0, name: n, type: 'log' } : { dim: p, name: n, type: 'category', data: D.categories[p] })
                .concat([{ dim: 4, name: 'val_accuracy', scale: true }]),
              visualMap: { show: false, dimension: 4, min: Math.min(...D.score), max: Math.max(...D.score), inRange: { color: ['#440154', '#21918c', '#fde725'] } },
              series: [{ type: 'parallel', lineStyle: { width: 1, opacity: 0.6 },
                data: D.score.map((s, i) => [D.slices[0][i], String(D.slices[1][i]), D.categories[2][D.slices[2][i]], D.categories[3][D.slices[3][i]], s]) }] });
            """);
        yield return ("Plotly 3 (SVG traces; parcoords needs WebGL)", "plotly.js-dist-min/plotly.min.js", common + """
            const plot = (w, h, traces, layout) => Plotly.newPlot(box(w, h), traces, Object.assign({ width: w, height: h, showlegend: false, margin: { t: 20, r: 20 } }, layout), { staticPlot: false });
            const all = [
              plot(860, 340, D.curves.map((c, i) => ({ type: 'scatter', mode: 'lines', x: c.map((_, k) => k + 1), y: c,
                line: { width: 1, dash: D.pruned[i] ? 'dash' : 'solid', color: D.pruned[i] ? '#9aa3ad' : '#2f6db5' } }))),
              plot(860, 300, [{ type: 'scatter', mode: 'markers', x: D.history.map((_, i) => i + 1), y: D.history, marker: { size: 4 } },
                { type: 'scatter', mode: 'lines', line: { shape: 'hv' }, x: best.map((_, i) => i + 1), y: best }]),
            ];
            for (let p = 0; p < 4; p++)
              all.push(plot(400, 260, [{ type: 'scatter', mode: 'markers', marker: { size: 4 }, x: D.score.map((_, i) => jitter(p, i)), y: D.score }],
                { xaxis: { type: p === 0 ? 'log' : 'linear' } }));
            all.push(plot(860, 320, [{ type: 'parcoords', line: { color: D.score, colorscale: 'Viridis' },
              dimensions: names.map((n, p) => ({ label: n, values: D.slices[p] })).concat([{ label: 'val_accuracy', values: D.score }]) }]));
            window.__wait = Promise.allSettled(all);
            """);
    }

    // Set at the end of each page: the time of the first frame after everything above ran (and Plotly's promises settled).
    private const string Done = "Promise.resolve(window.__wait).then(() => requestAnimationFrame(() => setTimeout(() => { window.__painted = performance.now(); }, 0)));";

    private static async Task Paint(List<(string Name, string File, long LibBytes)> pages, int loads)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Args = ["--no-sandbox"] });
        foreach (var (name, file, libBytes) in pages)
        {
            var times = new List<double>();
            var errors = new List<string>();
            for (var load = 0; load <= loads; load++)
            {
                await using var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
                var page = await context.NewPageAsync();
                page.PageError += (_, e) => errors.Add(e);
                page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
                await page.GotoAsync("file://" + file);
                await page.WaitForFunctionAsync("() => window.__painted", null, new() { Timeout = 120_000 });
                var painted = await page.EvaluateAsync<double>("() => window.__painted");
                if (load > 0) times.Add(painted);
            }
            Console.WriteLine($"  {name}: page {new FileInfo(file).Length / 1e6:F2} MB (library {libBytes / 1e3:F0} KB), drawn and painted in "
                + $"{Figures.Median(times):F0} ms (median of {loads}; range {times.Min():F0}–{times.Max():F0})"
                + (errors.Count > 0 ? $"; page errors: {string.Join(" | ", errors.Distinct().Take(2))}" : ""));
        }
    }

}
