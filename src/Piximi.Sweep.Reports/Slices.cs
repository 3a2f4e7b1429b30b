using System.Globalization;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Reports;

/// <summary>
/// What the report's slice plots show: the hyperparameters a sweep's completed trials differ in, and which completed
/// trials are drawn (at most <see cref="MostDrawn"/>: the best fifth, then an even sample of the rest by number, as the
/// dashboard draws them).
/// </summary>
internal static class Slices
{
    public const int MostDrawn = 1000;

    /// <summary>A hyperparameter as a slice's x axis: a number (on a log scale for the learning rate) or categories.</summary>
    public sealed record Axis(string Name, bool Log, IReadOnlyList<string>? Categories, Func<Hyperparameters, double> Number, Func<Hyperparameters, string> Text)
    {
        /// <summary>The trial's x: its number, or its category's index.</summary>
        public double Value(Hyperparameters h, IReadOnlyList<string>? categories) =>
            categories is null ? Number(h) : IndexOf(categories, Text(h));

        private static int IndexOf(IReadOnlyList<string> categories, string value)
        {
            for (var i = 0; i < categories.Count; i++) if (categories[i] == value) return i;
            return -1;
        }
    }

    private static readonly (string Name, bool Log, bool Categorical, Func<Hyperparameters, double> Number, Func<Hyperparameters, string> Text)[] All =
    [
        ("learning rate", true, false, h => h.LearningRate, h => h.LearningRate.ToString("R", CultureInfo.InvariantCulture)),
        ("batch size", false, false, h => h.BatchSize, h => h.BatchSize.ToString(CultureInfo.InvariantCulture)),
        ("epochs", false, false, h => h.Epochs, h => h.Epochs.ToString(CultureInfo.InvariantCulture)),
        ("optimizer", false, true, _ => 0, h => h.Optimizer.ToString()),
        ("loss function", false, true, _ => 0, h => h.Loss.ToString()),
        ("model", false, true, _ => 0, h => h.Model.ToString()),
    ];

    /// <summary>The hyperparameters with more than one value among the completed trials, in a fixed order.</summary>
    public static IEnumerable<Axis> Varying(SweepReport report)
    {
        var completed = Completed(report).Select(l => l.Trial.Hyperparameters).ToList();
        foreach (var (name, log, categorical, number, text) in All)
        {
            var values = completed.Select(text).Distinct().Order(StringComparer.Ordinal).ToList();
            if (values.Count > 1) yield return new Axis(name, log, categorical ? values : null, number, text);
        }
    }

    /// <summary>The completed trials drawn, in trial order.</summary>
    public static IReadOnlyList<TrialLine> Drawn(SweepReport report)
    {
        var completed = Completed(report).ToList();
        if (completed.Count <= MostDrawn) return completed;
        var drawn = completed.OrderBy(l => l.Rank).Take(MostDrawn / 5).ToHashSet();
        drawn.UnionWith(Sampling.Evenly([.. completed.Where(l => !drawn.Contains(l))], MostDrawn - drawn.Count));
        return [.. completed.Where(drawn.Contains)];
    }

    private static IEnumerable<TrialLine> Completed(SweepReport report) =>
        report.Lines.Where(l => l.Rank is not null && l.Summary.Final is not null && double.IsFinite(MetricNames.ValueOf(l.Summary.Final, report.Metric)))
            .OrderBy(l => l.Trial.Number);
}
