namespace Piximi.Sweep.Core;

/// <summary>What samplers and pruners learn from stored results, in their convention: a loss, smaller is better.</summary>
public static class Observations
{
    /// <summary>The value of <paramref name="metric"/> as a loss: accuracies negated, losses as they are.</summary>
    public static double AsLoss(EpochMetrics metrics, string metric) =>
        MetricNames.HigherIsBetter(metric) ? -MetricNames.ValueOf(metrics, metric) : MetricNames.ValueOf(metrics, metric);

    /// <summary>
    /// A sampler's history, in trial order: completed trials with their result's <paramref name="metric"/>; pruned
    /// trials as +∞ (they lost to the others at their rung, so they belong with the bad observations whatever their
    /// early value was, as Optuna's TPE puts pruned trials below every completed one); diverged trials as NaN (the
    /// worst). Failed, queued and running trials teach nothing yet and are left out.
    /// </summary>
    public static IReadOnlyList<Observation> History(IEnumerable<TrialSummary> summaries, string metric) =>
    [
        .. summaries
            .OrderBy(s => s.Trial.Number)
            .Select(s => s.Trial.State switch
            {
                TrialState.Completed when s.Final is { } final => new Observation(s.Trial.Hyperparameters, AsLoss(final, metric)),
                TrialState.Pruned => new Observation(s.Trial.Hyperparameters, double.PositiveInfinity),
                TrialState.Diverged => new Observation(s.Trial.Hyperparameters, double.NaN),
                _ => null,
            })
            .OfType<Observation>(),
    ];

    /// <summary>A pruner's input: every trial's stored values of <paramref name="metric"/> as losses, by epoch.</summary>
    public static IReadOnlyDictionary<long, IReadOnlyList<double>> ValuesByTrial(IEnumerable<EpochRecord> epochs, string metric) =>
        epochs
            .GroupBy(e => e.TrialId)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<double>)[.. g.OrderBy(e => e.Metrics.Epoch).Select(e => AsLoss(e.Metrics, metric))]);
}
