namespace Piximi.Sweep.Core;

/// <summary>The metrics a sweep can be ranked by, and which way is better for each.</summary>
public static class MetricNames
{
    public const string ValAccuracy = "val_accuracy";
    public const string ValLoss = "val_loss";
    public const string Accuracy = "accuracy";
    public const string Loss = "loss";

    public static IReadOnlyList<string> All { get; } = [ValAccuracy, ValLoss, Accuracy, Loss];

    public static bool IsKnown(string metric) => All.Contains(metric);

    public static bool HigherIsBetter(string metric) => metric is ValAccuracy or Accuracy;

    public static double ValueOf(EpochMetrics metrics, string metric) => metric switch
    {
        ValAccuracy => metrics.ValAccuracy,
        ValLoss => metrics.ValLoss,
        Accuracy => metrics.Accuracy,
        Loss => metrics.Loss,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, $"allowed: {string.Join(", ", All)}"),
    };
}

/// <summary>
/// A trial with what its epochs add up to: <see cref="Final"/> is its result epoch's metrics (the last epoch's, the
/// model Piximi would keep, unless early stopping kept the best epoch's weights), epochs run, time.
/// </summary>
public sealed record TrialSummary(TrialRecord Trial, EpochMetrics? Final, int EpochsRun, double TrainingSeconds);

public sealed record RankedTrial(int Rank, TrialSummary Summary, double Score);

public static class Ranking
{
    /// <summary>Pairs every trial with its epochs, in trial-number order.</summary>
    public static IReadOnlyList<TrialSummary> Summarize(IEnumerable<TrialRecord> trials, IEnumerable<EpochRecord> epochs)
    {
        var byTrial = epochs.GroupBy(e => e.TrialId).ToDictionary(g => g.Key, g => g.OrderBy(e => e.Metrics.Epoch).ToList());
        return trials
            .OrderBy(t => t.Number)
            .Select(t =>
            {
                var own = byTrial.GetValueOrDefault(t.Id) ?? [];
                var result = t.ResultEpoch is { } epoch ? own.FirstOrDefault(e => e.Metrics.Epoch == epoch) : own.LastOrDefault();
                return new TrialSummary(t, result?.Metrics, own.Count, own.Sum(e => e.Metrics.Seconds));
            })
            .ToList();
    }

    /// <summary>
    /// Completed trials ranked by their final epoch's <paramref name="metric"/>, best first; ties go to the lower
    /// trial number so the order is stable. Trials still running, failed or diverged are not ranked.
    /// </summary>
    public static IReadOnlyList<RankedTrial> Rank(IEnumerable<TrialSummary> summaries, string metric)
    {
        var sign = MetricNames.HigherIsBetter(metric) ? -1.0 : 1.0;
        return summaries
            .Where(s => s.Trial.State == TrialState.Completed && s.Final is not null)
            .Select(s => (Summary: s, Score: MetricNames.ValueOf(s.Final!, metric)))
            .Where(x => double.IsFinite(x.Score))
            .OrderBy(x => sign * x.Score)
            .ThenBy(x => x.Summary.Trial.Number)
            .Select((x, i) => new RankedTrial(i + 1, x.Summary, x.Score))
            .ToList();
    }
}

/// <summary>
/// Trials of the same settings but for the seed (replicates), as one result: the mean and sample standard deviation
/// (n − 1; NaN for one seed) of their scores, how many completed, with which seeds and trial numbers.
/// <see cref="Settings"/> carries seed 0.
/// </summary>
public sealed record ReplicateGroup(int Rank, Hyperparameters Settings, int N, double Mean, double StandardDeviation,
    IReadOnlyList<int> Seeds, IReadOnlyList<int> Trials);

public static class Replicates
{
    /// <summary>
    /// Whether a sweep's results are told by setting (each setting's mean over its seeds, as <see cref="Rank"/> ranks
    /// them) rather than by single trial: with several seeds, unless <paramref name="perTrial"/> asks for single trials.
    /// A setting is then judged by its mean, not by its luckiest seed.
    /// </summary>
    public static bool BySettings(SweepDefinition definition, bool perTrial = false)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return definition.Parameters.Seeds.Count > 1 && !perTrial;
    }

    /// <summary>
    /// Groups scored trials by their settings without the seed and ranks the groups by mean, best first
    /// (<paramref name="higherIsBetter"/> says which way); ties go to the group whose first trial has the lower number.
    /// </summary>
    public static IReadOnlyList<ReplicateGroup> Rank(IEnumerable<(TrialRecord Trial, double Score)> scored, bool higherIsBetter)
    {
        var sign = higherIsBetter ? -1.0 : 1.0;
        return scored
            .GroupBy(s => s.Trial.Hyperparameters with { Seed = 0 })
            .Select(g =>
            {
                var members = g.OrderBy(s => s.Trial.Number).ToList();
                var (mean, sd) = MeanAndSampleSd(members.Select(s => s.Score).ToList());
                return (Settings: g.Key, Members: members, Mean: mean, Sd: sd);
            })
            .OrderBy(x => sign * x.Mean)
            .ThenBy(x => x.Members[0].Trial.Number)
            .Select((x, i) => new ReplicateGroup(i + 1, x.Settings, x.Members.Count, x.Mean, x.Sd,
                [.. x.Members.Select(m => m.Trial.Hyperparameters.Seed).Order()], [.. x.Members.Select(m => m.Trial.Number)]))
            .ToList();
    }

    /// <summary>The mean and the sample standard deviation (n − 1); the deviation is NaN for a single value.</summary>
    public static (double Mean, double StandardDeviation) MeanAndSampleSd(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return (double.NaN, double.NaN);
        var mean = values.Average();
        var sd = values.Count < 2 ? double.NaN : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return (mean, sd);
    }
}
