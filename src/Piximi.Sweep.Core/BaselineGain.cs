using System.Globalization;

namespace Piximi.Sweep.Core;

/// <summary>
/// Completed trials of one setting as one result: the mean of their scores, the sample standard deviation (n − 1;
/// NaN for a single trial, which has no spread to show), how many, and which trials by number.
/// </summary>
public sealed record ScoreGroup(double Mean, double StandardDeviation, int N, IReadOnlyList<int> Trials)
{
    internal static ScoreGroup Of(IReadOnlyList<(int Number, double Score)> scored)
    {
        var (mean, sd) = Replicates.MeanAndSampleSd([.. scored.Select(s => s.Score)]);
        return new ScoreGroup(mean, sd, scored.Count, [.. scored.Select(s => s.Number)]);
    }

    /// <summary>"0.8520 ± 0.0040 (n = 3: trials 4, 5, 6)", or "0.8520 (n = 1: trial 5)": the spread only where there is one.</summary>
    public string Text =>
        Display.Metric(Mean) + (N >= 2 ? $" ± {Display.Metric(StandardDeviation)}" : "")
        + $" (n = {Display.Int(N)}: trial{(Trials.Count == 1 ? "" : "s")} {string.Join(", ", Trials)})";
}

/// <summary>Where the user's settings stand in a sweep.</summary>
public enum BaselineStanding
{
    /// <summary>No baseline trial has a result yet (queued, running, failed, diverged): there is nothing to measure against.</summary>
    NotCompleted,
    /// <summary>The best result is the baseline's own: the user's settings are the best found.</summary>
    Best,
    /// <summary>Another setting did better; <see cref="BaselineGain.Difference"/> says by how much.</summary>
    Beaten,
}

/// <summary>
/// "How much better than what I have?": the sweep's winner, as <c>best</c> ranks (each setting's mean over its seeds
/// when the sweep has several, else single trials), against the baseline's completed trials, in <see cref="Metric"/>.
/// <see cref="Winner"/> is null only when nothing has completed. Made by <see cref="Baselines.Gain"/>.
/// </summary>
public sealed record BaselineGain(
    string Metric,
    BaselineSpec Settings,
    IReadOnlyList<TrialRecord> Trials,
    ScoreGroup? Baseline,
    Hyperparameters? WinnerSettings,
    ScoreGroup? Winner,
    BaselineStanding Standing)
{
    /// <summary>
    /// The winner is a setting over its seeds (<see cref="WinnerSettings"/> with seed 0, <see cref="Winner"/> its
    /// replicates), as <c>best</c> ranks a sweep of several seeds; otherwise a single trial.
    /// </summary>
    public bool BySettings { get; init; }

    /// <summary>Accuracies are shown in percentage points; losses in their own units.</summary>
    public bool InPercentagePoints => MetricNames.HigherIsBetter(Metric);

    /// <summary>
    /// The winner's mean less the baseline's, signed so that positive is better whichever way the metric runs (an
    /// accuracy's rise, a loss's fall), as a fraction for accuracies; 0 when the baseline is the winner; null before
    /// any baseline trial completed.
    /// </summary>
    public double? Difference => Winner is { } winner ? Over(winner.Mean) : null;

    /// <summary>How much better than the baseline's mean <paramref name="score"/> is (signed as <see cref="Difference"/>); null before any baseline trial completed.</summary>
    public double? Over(double score) => Baseline is { } baseline
        ? (MetricNames.HigherIsBetter(Metric) ? score - baseline.Mean : baseline.Mean - score)
        : null;

    /// <summary>A signed gain as it is read: "+2.4 pp" for accuracies, "+0.0312" for losses.</summary>
    public string Show(double gain) => InPercentagePoints
        ? (gain * 100).ToString("+0.0;-0.0;+0.0", CultureInfo.InvariantCulture) + " pp"
        : gain.ToString("+0.0000;-0.0000;+0.0000", CultureInfo.InvariantCulture);

    /// <summary>
    /// The answer in one line, the same wherever it is shown: "+2.4 pp val_accuracy over your settings: 0.8520 ± 0.0040
    /// (n = 3: trials 4, 5, 6) against 0.8280 ± 0.0050 (n = 3: trials 1, 2, 3)", "your settings are the best found:
    /// …", or "your settings have no completed trial yet (trial 1 running)".
    /// </summary>
    public string Text => Standing switch
    {
        BaselineStanding.NotCompleted => $"your settings have no completed trial yet{(Trials.Count == 0 ? "" : $" ({StatesOf(Trials)})")}",
        BaselineStanding.Best => $"your settings are the best found: {Metric} {Baseline!.Text}{LeftOut()}",
        _ => $"{Show(Difference!.Value)} {Metric} over your settings{(InPercentagePoints ? "" : " (lower is better)")}: "
             + $"{Winner!.Text} against {Baseline!.Text}{LeftOut()}",
    };

    /// <summary>Baseline trials the mean does not count (still running, queued, failed …), so a partial mean says so.</summary>
    private string LeftOut()
    {
        var counted = Baseline?.Trials ?? [];
        var rest = Trials.Where(t => !counted.Contains(t.Number)).ToList();
        return rest.Count == 0 ? "" : $"; not counted yet: {StatesOf(rest)}";
    }

    private static string StatesOf(IReadOnlyList<TrialRecord> trials) =>
        string.Join(", ", trials.Select(t => $"trial {Display.Int(t.Number)} {Display.State(t.State)}"));
}
