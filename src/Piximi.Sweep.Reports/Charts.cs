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
        plot.ShowLegend(Alignment.UpperRight);
        if (accuracy) plot.Axes.SetLimitsY(0, 1.02);
        var lastEpoch = Math.Max(planned, curve.Count > 0 ? curve[^1].Epoch : 1);
        if (curve.Count > 0) plot.Axes.SetLimitsX(0.5, lastEpoch + 0.5);
        return Svg(plot, width, height);
    }

    /// <summary>Mean val_accuracy per learning rate × batch size, each cell coloured (viridis, 0 to 1) and labelled with its value.</summary>
    public static string Heatmap(Heatmap map, int width, int height)
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
                cell.FillColor = double.IsNaN(value) ? Color.FromHex("#dddddd") : colormap.GetColor(Math.Clamp(value, 0, 1));
                cell.LineColor = Colors.White;
                cell.LineWidth = 1;
                var text = plot.Add.Text(double.IsNaN(value) ? "–" : Display.Metric(value), c + 0.5, top - 0.5);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = 12;
                text.LabelFontColor = double.IsNaN(value) || value > 0.6 ? Colors.Black : Colors.White;
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
