using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;
using Piximi.Sweep.Training;

namespace Piximi.Sweep.Benchmarks;

/// <summary>
/// Issue 14's dashboard targets, measured with the real <c>piximi-sweep serve</c> (<c>--cli</c>):
/// (a) first paint of a sweep's page over a synthetic store of N trials × E epochs (<see cref="ReportBench"/>'s) in the
/// system Chromium through Playwright: from navigation to the first frame painted after the trials table and the
/// all-trials curves exist (a MutationObserver in the page, then requestAnimationFrame + a task), median of
/// <c>--loads</c> loads in fresh browser contexts, with the JSON's size and time (target &lt; 1 s);
/// (b) a running sweep's training with <c>--clients</c> HTTP pollers against none: the real <c>piximi-sweep run</c> on
/// <c>--sweep</c> (the quick Fashion-MNIST sweep), a fresh store each run, the runs with and without pollers
/// interleaved (ABBA); <c>serve</c> runs in both, so only the clients differ. A poller is what the page's script
/// asks for, at its interval: the page, its assets and the whole sweep once, then the changes since its position one
/// second after each answer, the whole sweep again when only the counts moved. Pollers, not 20 Chromium pages: the
/// pages would draw on the same 2 cores as the training, which measures 20 browsers rather than what 20 users' own
/// browsers cost the machine that trains (its server); the browser's side is (a). serve is warmed first, in both modes,
/// on an earlier sweep of the same store for <c>--warm</c> seconds (the clients' pattern when there are clients), as a
/// dashboard open before the run: its start-up compiling is paid once per serve, not per sweep. Target: &lt; 5 % slower.
/// Prints figures; never a test.
/// Usage: dashboard --cli PATH [--trials 10000] [--epochs 20] [--loads 7] [--sweep sweeps/fashion-mnist-quick.yaml]
///        [--runs 3] [--clients 20] [--warm 10] [--dir PATH] [--skip-paint] [--skip-poll]
/// </summary>
internal static class DashboardBench
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(2) };

    public static int Run(string[] args)
    {
        var cli = BenchArgs.Option(args, "--cli") ?? throw new ArgumentException("--cli <path to the piximi-sweep program> is required");
        var dir = BenchArgs.Option(args, "--dir");
        var folder = dir ?? Path.Combine(Path.GetTempPath(), $"piximi-dashboard-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        Console.WriteLine($"bench-dashboard on {Environment.ProcessorCount} cores, {DateTimeOffset.Now:yyyy-MM-dd HH:mm zzz}, load {Load()}; {cli}");
        try
        {
            if (!args.Contains("--skip-paint"))
                FirstPaint(cli, folder, BenchArgs.IntOption(args, "--trials", 10_000), BenchArgs.IntOption(args, "--epochs", 20),
                    BenchArgs.IntOption(args, "--loads", 7)).GetAwaiter().GetResult();
            if (!args.Contains("--skip-poll"))
                Polling(cli, folder, Path.GetFullPath(BenchArgs.Option(args, "--sweep") ?? "sweeps/fashion-mnist-quick.yaml"),
                    BenchArgs.IntOption(args, "--runs", 3), BenchArgs.IntOption(args, "--clients", 20), BenchArgs.IntOption(args, "--warm", 10));
            Console.WriteLine($"load after: {Load()}");
            return 0;
        }
        finally
        {
            if (dir is null) Directory.Delete(folder, recursive: true);
        }
    }

    // ---- (a) first paint ----

    // Set before the page's own script runs: notes when the table and the curves are in the document, then the time of
    // the first frame after that (a requestAnimationFrame callback runs before the frame is painted, a task queued
    // from it after).
    private const string PaintProbe = """
        (() => {
          const ready = () => document.querySelector('#trial-table tbody tr') && document.querySelector('#curves-chart canvas');
          const observer = new MutationObserver(() => {
            if (window.__ready || !ready()) return;
            window.__ready = performance.now();
            observer.disconnect();
            requestAnimationFrame(() => setTimeout(() => { window.__painted = performance.now(); }, 0));
          });
          observer.observe(document, { childList: true, subtree: true });
        })();
        """;

    private static async Task FirstPaint(string cli, string folder, int trials, int epochs, int loads)
    {
        var path = Path.Combine(folder, "dashboard-bench.db");
        SweepRecord sweep;
        if (File.Exists(path) && ExistingSweep(path, trials, epochs) is { } existing)
        {
            sweep = existing;
            Console.WriteLine($"(a) first paint: the synthetic store in {path}, kept from an earlier run ({trials} trials x {epochs} epochs)");
        }
        else
        {
            foreach (var file in new[] { path, path + "-wal", path + "-shm" }) File.Delete(file);
            var build = Stopwatch.StartNew();
            using (var store = TrialStores.OpenSqlite(path)) sweep = ReportBench.Fill(store, trials, epochs);
            Console.WriteLine($"(a) first paint: synthetic store of {trials} trials x {epochs} epochs built in {build.Elapsed.TotalSeconds:F1} s");
        }
        // What the server does for a page's first load when it has no answer kept (a sweep that changed since), in process, warm.
        using (var store = TrialStores.OpenSqlite(path))
        {
            var parts = new List<(double Epochs, double Trials, double Summaries, double Whole, double Json)>();
            for (var i = 0; i < 4; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                store.ListEpochsSince(sweep.Id, 0);
                var t1 = Stopwatch.GetTimestamp();
                store.ListTrials(sweep.Id);
                var t2 = Stopwatch.GetTimestamp();
                store.SummarizeTrials(sweep.Id);
                var t3 = Stopwatch.GetTimestamp();
                var view = Piximi.Sweep.Reports.Dashboard.DashboardData.Sweep(store, sweep);
                var t4 = Stopwatch.GetTimestamp();
                JsonSerializer.SerializeToUtf8Bytes(view, new JsonSerializerOptions(JsonSerializerDefaults.Web));
                var t5 = Stopwatch.GetTimestamp();
                if (i > 0) parts.Add((Ms(t0, t1), Ms(t1, t2), Ms(t2, t3), Ms(t3, t4), Ms(t4, t5)));
            }
            Console.WriteLine($"  the whole-sweep answer unkept, in process (median of 3, warm): DashboardData.Sweep {Figures.Median(parts.Select(p => p.Whole)):F0} ms + JSON {Figures.Median(parts.Select(p => p.Json)):F0} ms; "
                + $"for scale, every epoch read {Figures.Median(parts.Select(p => p.Epochs)):F0} ms, every trial {Figures.Median(parts.Select(p => p.Trials)):F0} ms, every trial's summary {Figures.Median(parts.Select(p => p.Summaries)):F0} ms");
        }
        await using var serve = ServeProcess.Start(cli, path);
        var api = $"{serve.Url}api/sweeps/{Uri.EscapeDataString(sweep.Name)}";
        // The JSON the page loads, timed from here (the first answer pays the server's JIT, the rest do not).
        var times = new List<double>();
        long bytes = 0, position = 0;
        for (var i = 0; i < 6; i++)
        {
            var clock = Stopwatch.StartNew();
            var json = await Http.GetByteArrayAsync(api);
            times.Add(clock.Elapsed.TotalMilliseconds);
            bytes = json.Length;
            position = JsonDocument.Parse(json).RootElement.GetProperty("position").GetInt64();
        }
        var changes = await Http.GetByteArrayAsync($"{api}/changes?after={position}&running=");
        var changesTimes = new List<double>();
        for (var i = 0; i < 10; i++)
        {
            var clock = Stopwatch.StartNew();
            await Http.GetByteArrayAsync($"{api}/changes?after={position}&running=");
            changesTimes.Add(clock.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine($"  /api/sweeps/{sweep.Name}: {bytes / 1e6:F2} MB, first {times[0]:F0} ms, then median {Figures.Median(times.Skip(1)):F0} ms; "
            + $"an idle poll (changes): {changes.Length} B, median {Figures.Median(changesTimes):F1} ms");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Args = ["--no-sandbox"] });
        var page = $"sweeps/{Uri.EscapeDataString(sweep.Name)}";
        var warm = new List<double>();
        for (var load = 0; load <= loads; load++)
            if (await Load(browser, serve.Url + page, load == 0 ? $"load {load} (warm-up, not counted)" : $"load {load}") is { } ms && load > 0) warm.Add(ms);
        Summary("a warm serve (its answer kept: the sweep did not change)", warm);
        // A reader coming back: the same browser, its cache holding the assets (their addresses carry their hash).
        await using (var returning = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } }))
        {
            var again = new List<double>();
            for (var load = 0; load <= loads; load++)
                if (await Load(browser, serve.Url + page, load == 0 ? "revisit 0 (fills the cache, not counted)" : $"revisit {load}", returning) is { } ms && load > 0) again.Add(ms);
            Summary("a warm serve, the same browser coming back (assets from its cache)", again);
        }
        // The worst case: each load the first request of a serve just started (its JIT, no answer kept).
        var cold = new List<double>();
        for (var load = 1; load <= Math.Max(3, loads / 2); load++)
        {
            await using var fresh = ServeProcess.Start(cli, path);
            if (await Load(browser, fresh.Url + page, $"cold load {load}") is { } ms) cold.Add(ms);
        }
        Summary("a serve just started (the page is its first request)", cold);
    }

    private static void Summary(string what, List<double> painted)
    {
        if (painted.Count == 0) return;
        var sorted = painted.Order().ToList();
        Console.WriteLine($"  first paint with the trials table and curves, {what}: median {Figures.Median(painted):F0} ms ({sorted[0]:F0}–{sorted[^1]:F0}) of {painted.Count} loads (target < 1,000 ms)");
    }

    /// <summary>
    /// One load in a fresh browser context (no cached script or styles, as a first visit), or in <paramref name="returning"/>
    /// (a browser that has been there): its first paint in ms, or null.
    /// </summary>
    private static async Task<double?> Load(IBrowser browser, string url, string label, IBrowserContext? returning = null)
    {
        await using var fresh = returning is null ? await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } }) : null;
        var page = await (returning ?? fresh!).NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        page.PageError += (_, e) => errors.Add(e);
        await page.AddInitScriptAsync(PaintProbe);
        await page.GotoAsync(url, new() { WaitUntil = WaitUntilState.Commit });
        try
        {
            await page.WaitForFunctionAsync("() => window.__painted !== undefined", null, new() { Timeout = 60_000, PollingInterval = 50 });
        }
        catch (TimeoutException)
        {
            var text = await page.InnerTextAsync("main");
            Console.WriteLine($"  {label}: no paint with the table and curves within 60 s; the page's errors: "
                + (errors.Count > 0 ? string.Join("; ", errors) : "none") + $"; it shows: {text[..Math.Min(200, text.Length)]}");
            return null;
        }
        var r = await page.EvaluateAsync<JsonElement>("""
            () => {
              const api = performance.getEntriesByType('resource').filter(e => e.name.includes('/api/sweeps/'))[0];
              return { painted: window.__painted, ready: window.__ready, apiStart: api ? api.startTime : -1, apiEnd: api ? api.responseEnd : -1,
                rows: document.querySelectorAll('#trial-table tbody tr').length, lines: echarts.getInstanceByDom(document.getElementById('curves-chart')).getOption().series.filter(s => s.type === 'line').length,
                nodes: document.getElementsByTagName('*').length };
            }
            """);
        if (errors.Count > 0) throw new InvalidOperationException("The page logged errors: " + string.Join("; ", errors));
        double P(string n) => r.GetProperty(n).GetDouble();
        if (returning is not null) await page.CloseAsync(); // its polls stop; the browser's cache stays
        Console.WriteLine($"  {label}: first paint {P("painted"),6:F0} ms = JSON asked at {P("apiStart"):F0} ms, received at {P("apiEnd"):F0} ms, "
            + $"drawn at {P("ready"):F0} ms; {P("rows"):F0} table rows, {P("lines"):F0} curves, {P("nodes"):F0} elements (the charts below drawn after)");
        return P("painted");
    }

    private static SweepRecord? ExistingSweep(string path, int trials, int epochs)
    {
        using var store = TrialStores.OpenSqlite(path);
        return store.FindSweep("report-bench") is { } sweep && store.CountTrials(sweep.Id).Total == trials
            && store.ListEpochsSince(sweep.Id, 0).Epochs.Count == trials * epochs ? sweep : null;
    }

    // ---- (b) pollers against a running sweep ----

    private static void Polling(string cli, string folder, string sweepFile, int runs, int clients, int warm)
    {
        var name = SweepFile.Load(LocalDisk.Instance, sweepFile).Definition.Name;
        Console.WriteLine($"(b) {Path.GetFileName(sweepFile)} with `piximi-sweep run` (its defaults), serve running in every run, "
            + $"0 against {clients} pollers, {runs} runs each, interleaved; serve warmed for {warm} s on an earlier sweep of the store first");
        var results = new Dictionary<int, List<PollRun>> { [0] = [], [clients] = [] };
        for (var round = 0; round < runs; round++)
        {
            foreach (var n in round % 2 == 0 ? new[] { 0, clients } : [clients, 0])
            {
                var run = OneRun(cli, folder, sweepFile, name, n, $"{round}-{n}", warm);
                results[n].Add(run);
                Console.WriteLine($"  run {round + 1}, {n,2} pollers: wall {run.Wall:F1} s, {run.Epochs} epochs, mean epoch {run.EpochSeconds:F3} s, "
                    + $"{run.ImagesPerSecond:F0} images/s; serve's CPU {run.ServeCpu:F2} s over {run.Requests} requests "
                    + $"(the pollers' own, on the same cores: {run.PollersCpu:F2} s), load {run.Load}");
            }
        }
        var baseline = results[0];
        var loaded = results[clients];
        double Med(List<PollRun> r, Func<PollRun, double> f) => Figures.Median(r.Select(f));
        Console.WriteLine($"  median wall {Med(baseline, r => r.Wall):F2} s → {Med(loaded, r => r.Wall):F2} s "
            + $"({(Med(loaded, r => r.Wall) / Med(baseline, r => r.Wall) - 1) * 100:+0.0;-0.0} %); images/s {Med(baseline, r => r.ImagesPerSecond):F0} → {Med(loaded, r => r.ImagesPerSecond):F0} "
            + $"({(1 - Med(loaded, r => r.ImagesPerSecond) / Med(baseline, r => r.ImagesPerSecond)) * 100:+0.0;-0.0} % slower); "
            + $"mean epoch {Med(baseline, r => r.EpochSeconds):F3} → {Med(loaded, r => r.EpochSeconds):F3} s (target < 5 % slower)");
    }

    private sealed record PollRun(double Wall, int Epochs, double EpochSeconds, double ImagesPerSecond, double ServeCpu, double PollersCpu, int Requests, string Load);

    private static PollRun OneRun(string cli, string folder, string sweepFile, string name, int clients, string tag, int warm)
    {
        var db = Path.Combine(folder, $"poll-{tag}.db");
        foreach (var file in new[] { db, db + "-wal", db + "-shm" }) File.Delete(file);
        // The store holds an earlier sweep (2 trials of 2 epochs, one still running), as a dashboard's store usually does,
        // so that serve starts before the run and is warmed on real answers, in both modes, as a dashboard that was open
        // before the run: the JIT and tier-up of its first requests (once per serve, not per sweep) are not the clients'.
        using (var earlierStore = TrialStores.OpenSqlite(db))
        {
            var earlier = SweepFile.Load(LocalDisk.Instance, sweepFile);
            var earlierSweep = earlierStore.CreateSweep(earlier.Definition with { Name = "earlier" }, earlier.Trials);
            for (var t = 0; t < 2 && earlierStore.ClaimNext(earlierSweep.Id, "bench") is { } trial; t++)
            {
                var lease = TrialLease.Of(trial);
                for (var e = 1; e <= 2; e++) earlierStore.RecordEpoch(lease, new EpochMetrics(e, 1.0 / e, 0.5 + 0.1 * e, 1.1 / e, 0.5 + 0.1 * e, 0.5, 900), checkpoint: null);
                if (t == 0) earlierStore.Finish(lease, TrialState.Completed, null);
            }
        }
        using var serve = ServeProcess.Start(cli, db);
        foreach (var path in new[] { "", "sweeps/earlier", "assets/dashboard.js", "api/sweeps", "api/sweeps/earlier", "api/sweeps/earlier/fanova",
                     $"api/sweeps/{Uri.EscapeDataString(name)}/changes?after=0&running=" })
            for (var i = 0; i < 100; i++) Http.GetAsync(serve.Url + path).GetAwaiter().GetResult().Dispose();
        // Polls that read the store (a new question each, so none is answered from the half second's shared answers),
        // then the clients' own pattern on the earlier sweep for --warm seconds: a just-started serve compiles for its
        // first seconds of traffic (~1 s of CPU, mostly the JIT), once per serve, not per sweep watched.
        for (var i = 0; i < 300; i++) Http.GetAsync($"{serve.Url}api/sweeps/earlier/changes?after={i % 4}&running={1_000_000 + i}").GetAwaiter().GetResult().Dispose();
        if (warm > 0 && clients > 0)
        {
            using var warming = new CancellationTokenSource(TimeSpan.FromSeconds(warm));
            var warmers = Enumerable.Range(0, clients).Select(_ => Task.Run(() => Poll(serve.Url, "earlier", warming.Token, () => { }))).ToArray();
            try { Task.WaitAll(warmers); } catch (AggregateException e) when (e.InnerExceptions.All(x => x is OperationCanceledException)) { }
        }
        else if (warm > 0) Thread.Sleep(TimeSpan.FromSeconds(warm)); // the same wait without clients, so both modes start alike
        using var stop = new CancellationTokenSource();
        var requests = 0;
        var pollers = Enumerable.Range(0, clients).Select(_ => Task.Run(() => Poll(serve.Url, name, stop.Token, () => Interlocked.Increment(ref requests)))).ToList();
        var cpuBefore = serve.Cpu;
        var ownBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var start = new ProcessStartInfo(cli) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        foreach (var a in new[] { "run", sweepFile, "--db", db }) start.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using (var process = Process.Start(start)!)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            if (process.ExitCode is not (0 or 1))
                throw new InvalidOperationException($"piximi-sweep run exited {process.ExitCode}:\n{error.Result}\n{output.Result[^Math.Min(2000, output.Result.Length)..]}");
        }
        var wall = clock.Elapsed.TotalSeconds;
        var serveCpu = (serve.Cpu - cpuBefore).TotalSeconds;
        var pollersCpu = (Process.GetCurrentProcess().TotalProcessorTime - ownBefore).TotalSeconds;
        var load = Load();
        stop.Cancel();
        try { Task.WaitAll([.. pollers]); } catch (AggregateException e) when (e.InnerExceptions.All(x => x is OperationCanceledException)) { }
        using var store = TrialStores.OpenSqlite(db);
        var sweep = store.FindSweep(name)!;
        var epochs = store.ListEpochs(sweep.Id);
        var images = epochs.Sum(e => e.Metrics.Seconds * e.Metrics.ImagesPerSecond);
        return new PollRun(wall, epochs.Count, epochs.Average(e => e.Metrics.Seconds), images / wall, serveCpu, pollersCpu, requests, load);
    }

    /// <summary>What the sweep page's script asks for: the page and assets, the whole sweep, then the changes a second after each answer.</summary>
    private static async Task Poll(string url, string name, CancellationToken stop, Action counted)
    {
        var api = $"{url}api/sweeps/{Uri.EscapeDataString(name)}";
        async Task<JsonDocument?> Get(string address)
        {
            using var response = await Http.GetAsync(address, stop);
            counted();
            return response.IsSuccessStatusCode ? JsonDocument.Parse(await response.Content.ReadAsStringAsync(stop)) : null;
        }
        foreach (var asset in new[] { $"sweeps/{Uri.EscapeDataString(name)}", "assets/dashboard.js", "assets/dashboard.css" })
        {
            await Http.GetStringAsync(url + asset, stop);
            counted();
        }
        var running = new Dictionary<long, string>();
        long position = 0;
        string counts = "";
        async Task<bool> Reload()
        {
            using var whole = await Get(api);
            if (whole is null) return false; // the sweep is not in the store yet
            var root = whole.RootElement;
            running.Clear();
            foreach (var t in root.GetProperty("trials").EnumerateArray()) running[t.GetProperty("id").GetInt64()] = t.GetProperty("state").GetString()!;
            position = root.GetProperty("position").GetInt64();
            counts = root.GetProperty("counts").GetRawText();
            return true;
        }
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (!await Reload()) { await Task.Delay(1000, stop); continue; }
                while (!stop.IsCancellationRequested)
                {
                    await Task.Delay(1000, stop);
                    var ids = string.Join(',', running.Where(t => t.Value == "running").Select(t => t.Key));
                    using var delta = await Get($"{api}/changes?after={position}&running={ids}");
                    if (delta is null) continue;
                    var root = delta.RootElement;
                    var newEpochs = root.GetProperty("epochs").GetArrayLength();
                    var moved = root.GetProperty("trials").GetArrayLength();
                    foreach (var t in root.GetProperty("trials").EnumerateArray()) running[t.GetProperty("id").GetInt64()] = t.GetProperty("state").GetString()!;
                    position = root.GetProperty("position").GetInt64();
                    var nowCounts = root.GetProperty("counts");
                    var changed = nowCounts.GetRawText() != counts;
                    counts = nowCounts.GetRawText();
                    var active = nowCounts.GetProperty("queued").GetInt32() + nowCounts.GetProperty("running").GetInt32() > 0;
                    if (changed && active && newEpochs == 0 && moved == 0) await Reload();
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
            catch (HttpRequestException) { await Task.Delay(1000, stop); }
        }
    }

    // ---- helpers ----

    /// <summary><c>piximi-sweep serve --db PATH --port 0</c>, its URL read from what it prints; killed when disposed.</summary>
    private sealed class ServeProcess : IDisposable, IAsyncDisposable
    {
        private readonly Process _process;
        public string Url { get; }
        public TimeSpan Cpu { get { _process.Refresh(); return _process.TotalProcessorTime; } }

        private ServeProcess(Process process, string url) { _process = process; Url = url; }

        public static ServeProcess Start(string cli, string db)
        {
            var start = new ProcessStartInfo(cli) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "serve", "--db", db, "--port", "0" }) start.ArgumentList.Add(a);
            var process = Process.Start(start)!;
            process.ErrorDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            while (process.StandardOutput.ReadLine() is { } line)
            {
                var at = line.IndexOf(" at http://", StringComparison.Ordinal);
                if (at < 0) continue;
                var url = line[(at + 4)..].Trim();
                _ = process.StandardOutput.ReadToEndAsync();
                return new ServeProcess(process, url.EndsWith('/') ? url : url + "/");
            }
            process.WaitForExit();
            throw new InvalidOperationException($"piximi-sweep serve --db {db} exited {process.ExitCode} without printing its address");
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill();
            _process.WaitForExit();
            _process.Dispose();
        }

        public ValueTask DisposeAsync() { Dispose(); return ValueTask.CompletedTask; }
    }

    private static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;


    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]) : "?";
}
