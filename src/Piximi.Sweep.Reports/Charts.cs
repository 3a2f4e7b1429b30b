using System.Text;
using Piximi.Sweep.Core;
using ScottPlot;

namespace Piximi.Sweep.Reports;

/// <summary>The report's charts, drawn by ScottPlot as SVG (no browser-side library, nothing to download).</summary>
internal static class Charts
{
    private static readonly Lock FontGate = new();
    private static bool _fontSet;

    /// <summary>
    /// A chart as an &lt;img&gt; data URI rather than inline &lt;svg&gt;: each SVG keeps its own element ids (clip paths),
    /// which would clash between several inline SVGs in one page; a data URI is no network request.
    /// </summary>
    public static string ImageTag(string svg, string alt, int width, int height) =>
        $"<img class=\"chart\" width=\"{width}\" height=\"{height}\" alt=\"{Html.Escape(alt)}\" src=\"data:image/svg+xml;base64,"
        + Convert.ToBase64String(Encoding.UTF8.GetBytes(svg)) + "\">";

    /// <summary>
    /// Training and validation curves of one metric pair over the <paramref name="planned"/> epochs the trial was set to
    /// run, so a trial that stopped early visibly ends short. <paramref name="kept"/>: the epoch early stopping kept,
    /// marked by a dotted line and circles; <paramref name="pruned"/>: dashed curves ending in a cross.
    /// </summary>
    public static string Curves(IReadOnlyList<EpochMetrics> curve, bool accuracy, int width, int height,
        int? kept = null, int planned = 0, bool pruned = false)
    {
        var plot = NewPlot();
        var epochs = curve.Select(e => (double)e.Epoch).ToArray();
        var training = curve.Select(e => Finite(accuracy ? e.Accuracy : e.Loss)).ToArray();
        var validation = curve.Select(e => Finite(accuracy ? e.ValAccuracy : e.ValLoss)).ToArray();
        var train = plot.Add.Scatter(epochs, training, Color.FromHex("#2f6db5"));
        train.LegendText = accuracy ? "accuracy" : "loss";
        var val = plot.Add.Scatter(epochs, validation, Color.FromHex("#e07b22"));
        val.LegendText = accuracy ? "val_accuracy" : "val_loss";
        if (pruned)
        {
            train.LinePattern = LinePattern.Dashed;
            val.LinePattern = LinePattern.Dashed;
            if (curve.Count > 0)
            {
                var end = plot.Add.Marker(epochs[^1], validation[^1], MarkerShape.Eks, 12, Color.FromHex("#e07b22"));
                end.LegendText = "pruned";
                plot.Add.Marker(epochs[^1], training[^1], MarkerShape.Eks, 12, Color.FromHex("#2f6db5"));
            }
        }
        if (kept is { } k && curve.FirstOrDefault(e => e.Epoch == k) is { } keptEpoch)
        {
            var line = plot.Add.VerticalLine(k, 1, Color.FromHex("#777777"), LinePattern.Dotted);
            line.LegendText = $"kept epoch {Display.Int(k)}";
            plot.Add.Marker(k, Finite(accuracy ? keptEpoch.Accuracy : keptEpoch.Loss), MarkerShape.OpenCircle, 10, Color.FromHex("#2f6db5"));
            plot.Add.Marker(k, Finite(accuracy ? keptEpoch.ValAccuracy : keptEpoch.ValLoss), MarkerShape.OpenCircle, 10, Color.FromHex("#e07b22"));
        }
        plot.Title(accuracy ? "Accuracy" : "Loss", size: 13);
        plot.XLabel("epoch", size: 11);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        // Beside the plot, never over a point; the y axis spans the data, so trials between 0.80 and 0.84 look apart.
        plot.ShowLegend(Edge.Right);
        ZoomY(plot, training.Concat(validation), accuracy);
        var lastEpoch = Math.Max(planned, curve.Count > 0 ? curve[^1].Epoch : 1);
        if (curve.Count > 0) plot.Axes.SetLimitsX(0.5, lastEpoch + 0.5);
        return Svg(plot, width, height);
    }

    /// <summary>
    /// Optuna's optimization history: each completed trial's <paramref name="metric"/> by trial number, and the best so
    /// far as a step line.
    /// </summary>
    public static string History(IReadOnlyList<(int Trial, double Score)> points, string metric, int width, int height)
    {
        var plot = NewPlot();
        var higher = MetricNames.HigherIsBetter(metric);
        var xs = points.Select(p => (double)p.Trial).ToArray();
        var ys = points.Select(p => p.Score).ToArray();
        var trials = plot.Add.ScatterPoints(xs, ys, Color.FromHex("#2f6db5"));
        trials.LegendText = "trial";
        trials.MarkerSize = 6;
        var best = new double[ys.Length];
        for (var i = 0; i < ys.Length; i++) best[i] = i == 0 ? ys[0] : higher ? Math.Max(best[i - 1], ys[i]) : Math.Min(best[i - 1], ys[i]);
        var line = plot.Add.Scatter(xs, best, Color.FromHex("#e07b22"));
        line.ConnectStyle = ConnectStyle.StepHorizontal;
        line.MarkerSize = 0;
        line.LineWidth = 2;
        line.LegendText = "best so far";
        plot.Title("Optimization history", size: 13);
        plot.XLabel("trial", size: 11);
        plot.YLabel(metric, size: 11);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.ShowLegend(Edge.Right);
        ZoomY(plot, ys, higher /* the accuracies, within 0–1 */);
        return Svg(plot, width, height);
    }

    /// <summary>
    /// Optuna's slice plot: each completed trial's <paramref name="metric"/> against one hyperparameter. Numbers are
    /// placed by value (<paramref name="log"/>: on a log scale, labelled with the values tried); with
    /// <paramref name="categories"/>, each trial sits at its category, spread sideways a little by its number so equal
    /// settings do not hide each other.
    /// </summary>
    public static string Slice(
        IReadOnlyList<(int Trial, double X, double Score)> points, string parameter, bool log, IReadOnlyList<string>? categories,
        string metric, int width, int height)
    {
        var plot = NewPlot();
        var xs = points.Select(p => categories is null ? (log ? Math.Log10(p.X) : p.X) : p.X + ((p.Trial * 7919) % 100 / 100.0 - 0.5) * 0.3).ToArray();
        var ys = points.Select(p => p.Score).ToArray();
        var dots = plot.Add.ScatterPoints(xs, ys, Color.FromHex("#2f6db5"));
        dots.MarkerSize = 5;
        if (categories is not null)
        {
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                [.. Enumerable.Range(0, categories.Count).Select(i => (double)i)], [.. categories]);
            plot.Axes.SetLimitsX(-0.5, categories.Count - 0.5);
        }
        else if (log)
        {
            var values = points.Select(p => p.X).Distinct().Order().ToArray();
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                [.. values.Select(Math.Log10)], [.. values.Select(v => v.ToString("G4", System.Globalization.CultureInfo.InvariantCulture))]);
        }
        plot.Title($"{metric} by {parameter}", size: 12);
        plot.XLabel(parameter, size: 11);
        plot.YLabel(metric, size: 11);
        ZoomY(plot, ys, MetricNames.HigherIsBetter(metric));
        return Svg(plot, width, height);
    }

    /// <summary>
    /// Every trial's <paramref name="metric"/> per epoch in one chart: completed trials in blue (the best in orange, on
    /// top), pruned ones grey, dashed and ending in a cross, so where pruning cut in shows at a glance.
    /// </summary>
    public static string AllCurves(IReadOnlyList<(IReadOnlyList<EpochMetrics> Curve, bool Pruned, bool Best)> trials, string metric, int width, int height)
    {
        var plot = NewPlot();
        var values = new List<double>();
        var labelled = new HashSet<string>();
        foreach (var (curve, pruned, best) in trials.OrderBy(t => t.Best).ThenByDescending(t => t.Pruned))
        {
            var xs = curve.Select(e => (double)e.Epoch).ToArray();
            var ys = curve.Select(e => Finite(MetricNames.ValueOf(e, metric))).ToArray();
            values.AddRange(ys);
            var colour = best ? Color.FromHex("#e07b22") : pruned ? Color.FromHex("#9aa3ad") : Color.FromHex("#2f6db5").WithAlpha(0.55);
            var line = plot.Add.Scatter(xs, ys, colour);
            line.MarkerSize = 0;
            line.LineWidth = best ? 2.5f : 1.2f;
            if (pruned) line.LinePattern = LinePattern.Dashed;
            var kind = best ? "best" : pruned ? "pruned" : "completed or other";
            if (labelled.Add(kind)) line.LegendText = kind;
            if (pruned && xs.Length > 0) plot.Add.Marker(xs[^1], ys[^1], MarkerShape.Eks, 7, colour);
        }
        plot.Title($"{metric} of every trial", size: 13);
        plot.XLabel("epoch", size: 11);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.ShowLegend(Edge.Right);
        ZoomY(plot, values, MetricNames.HigherIsBetter(metric) /* the accuracies, within 0–1 */);
        return Svg(plot, width, height);
    }

    /// <summary>One axis of <see cref="Parallel"/>: per trial a number, or with <see cref="Categories"/> an index into them.</summary>
    public sealed record ParallelAxis(string Name, bool Log, IReadOnlyList<string>? Categories, IReadOnlyList<double> Values);

    /// <summary>
    /// Optuna's parallel coordinates: one vertical axis per hyperparameter and a last one for <paramref name="metric"/>,
    /// one line per trial through its values, coloured (viridis) from the worst to the best score of these trials, the
    /// best drawn last, on top. Numeric axes span their values (log ones on a log scale), labelled with each value tried
    /// when there are at most 8 (a ladder), else at both ends.
    /// </summary>
    public static string Parallel(IReadOnlyList<ParallelAxis> axes, IReadOnlyList<double> scores, string metric, bool higherIsBetter, int width, int height)
    {
        var plot = NewPlot();
        var all = axes.Append(new ParallelAxis(metric, false, null, scores)).ToList();
        // Each axis mapped onto 0–1: categories evenly, numbers (or their logs) over their range.
        var position = all.Select(a =>
        {
            if (a.Categories is { } c) return (Func<double, double>)(v => c.Count > 1 ? v / (c.Count - 1) : 0.5);
            var values = a.Values.Where(double.IsFinite).Select(v => a.Log ? Math.Log10(v) : v).DefaultIfEmpty(0).ToList();
            var (lo, hi) = (values.Min(), values.Max());
            return v => hi > lo ? ((a.Log ? Math.Log10(v) : v) - lo) / (hi - lo) : 0.5;
        }).ToList();
        var finite = scores.Where(double.IsFinite).DefaultIfEmpty(0).ToList();
        var (worst, bestScore) = higherIsBetter ? (finite.Min(), finite.Max()) : (finite.Max(), finite.Min());
        var colormap = new ScottPlot.Colormaps.Viridis();
        var order = Enumerable.Range(0, scores.Count).Where(i => double.IsFinite(scores[i]))
            .OrderBy(i => bestScore != worst ? (scores[i] - worst) / (bestScore - worst) : 1).ToList();
        var xs = Enumerable.Range(0, all.Count).Select(k => (double)k).ToArray();
        foreach (var i in order)
        {
            var shade = bestScore != worst ? (scores[i] - worst) / (bestScore - worst) : 1;
            var line = plot.Add.Scatter(xs, [.. all.Select((a, k) => position[k](a.Values[i]))], colormap.GetColor(shade).WithAlpha(0.7));
            line.MarkerSize = 0;
            line.LineWidth = 1.2f;
        }
        for (var k = 0; k < all.Count; k++)
        {
            var a = all[k];
            plot.Add.VerticalLine(k, 1, Color.FromHex("#555555"));
            var labels = a.Categories is { } c
                ? c.Select((name, j) => (At: c.Count > 1 ? (double)j / (c.Count - 1) : 0.5, Text: name))
                : a.Values.Where(double.IsFinite).Distinct().Order().ToList() is var tried && tried.Count <= 8
                    ? tried.Select(v => (At: position[k](v), Text: Label(v)))      // a ladder: every value tried
                    : [(0.0, Label(tried.FirstOrDefault())), (1.0, Label(tried.LastOrDefault()))];
            foreach (var (at, text) in labels)
            {
                var label = plot.Add.Text(text, k, at);
                label.LabelAlignment = Alignment.MiddleLeft;
                label.LabelFontSize = 11;
                label.LabelBackgroundColor = Colors.White.WithAlpha(0.8);
                label.OffsetX = 4;
            }
            string Label(double v) => a.Log ? v.ToString("G3", System.Globalization.CultureInfo.InvariantCulture) : Display.Metric(v);
        }
        plot.Axes.Bottom.SetTicks(xs, [.. all.Select(a => a.Name)]);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual();
        plot.Axes.SetLimits(-0.3, all.Count - 0.4, -0.05, 1.05);
        plot.Title($"Parallel coordinates (colour: {metric}, dark worst to yellow best)", size: 13);
        return Svg(plot, width, height);
    }

    /// <summary>
    /// The y axis over the data with a margin (accuracy kept within 0–1) rather than a fixed 0–1: five trials between
    /// 0.80 and 0.84 must not draw as one line.
    /// </summary>
    private static void ZoomY(Plot plot, IEnumerable<double> values, bool accuracy)
    {
        var finite = values.Where(double.IsFinite).ToList();
        if (finite.Count == 0) return;
        var (lo, hi) = (finite.Min(), finite.Max());
        var margin = Math.Max((hi - lo) * 0.08, accuracy ? 0.005 : Math.Abs(hi) * 0.02 + 1e-9);
        (lo, hi) = (lo - margin, hi + margin);
        if (accuracy) (lo, hi) = (Math.Max(0, lo), Math.Min(1.005, hi));
        plot.Axes.SetLimitsY(lo, hi);
    }

    /// <summary>
    /// Mean val_accuracy per learning rate × batch size, each cell labelled with its value and coloured (viridis) over
    /// the maps' own range (<paramref name="low"/> to <paramref name="high"/>), not 0 to 1, so 0.80 and 0.84 differ.
    /// </summary>
    public static string Heatmap(Heatmap map, int width, int height, double low = 0, double high = 1)
    {
        var plot = NewPlot();
        var rows = map.BatchSizes.Count;
        var columns = map.LearningRates.Count;
        // One filled rectangle per cell rather than ScottPlot's bitmap heatmap: the SVG embeds that bitmap a few pixels
        // wide, and browsers blur it when they scale it up; rectangles stay sharp and exact.
        var colormap = new ScottPlot.Colormaps.Viridis();
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                var value = map.Mean[r, c];
                var top = rows - r;
                var cell = plot.Add.Rectangle(c, c + 1, top - 1, top);
                var shade = high > low ? Math.Clamp((value - low) / (high - low), 0, 1) : 1;
                cell.FillColor = double.IsNaN(value) ? Color.FromHex("#dddddd") : colormap.GetColor(shade);
                cell.LineColor = Colors.White;
                cell.LineWidth = 1;
                var text = plot.Add.Text(double.IsNaN(value) ? "–" : Display.Metric(value), c + 0.5, top - 0.5);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = 12;
                text.LabelFontColor = double.IsNaN(value) || shade > 0.6 ? Colors.Black : Colors.White;
            }
        }
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, columns).Select(c => c + 0.5)], [.. map.LearningRates.Select(Display.Rate)]);
        plot.Axes.Left.SetTicks([.. Enumerable.Range(0, rows).Select(r => rows - r - 0.5)], [.. map.BatchSizes.Select(b => Display.Int(b))]);
        plot.Axes.SetLimits(0, columns, 0, rows);
        plot.XLabel("learning rate", size: 12);
        plot.YLabel("batch size", size: 12);
        plot.Title(PiximiNames.Optimizer(map.Optimizer), size: 13);
        return Svg(plot, width, height);
    }

    private static Plot NewPlot()
    {
        lock (FontGate)
        {
            // DejaVu Sans is installed with the SDK's fonts on Debian; ScottPlot's own default may not be.
            if (!_fontSet)
            {
                Fonts.Default = "DejaVu Sans";
                _fontSet = true;
            }
        }
        var plot = new Plot();
        plot.FigureBackground.Color = Colors.White;
        return plot;
    }

    private static string Svg(Plot plot, int width, int height)
    {
        var svg = plot.GetSvgXml(width, height);
        plot.Dispose();
        return svg;
    }

    /// <summary>A diverged epoch's NaN or infinite loss leaves a gap instead of stretching the axis to infinity.</summary>
    private static double Finite(double value) => double.IsFinite(value) ? value : double.NaN;
}
