namespace Piximi.Sweep.Core;

/// <summary>The pruners a sweep can use. See Pruners/README.md for each rule.</summary>
public static class Pruners
{
    /// <summary>
    /// Asynchronous successive halving (Optuna's SuccessiveHalvingPruner): rungs at epochs
    /// minEpochs·reductionFactor^k below <paramref name="maxEpochs"/>. The default maxEpochs means no cap, as Optuna's
    /// pruner has none.
    /// </summary>
    /// <param name="metric">The sweep's metric (one of <see cref="MetricNames.All"/>), to word reasons in it; null: as losses.</param>
    public static IPruner Asha(int minEpochs = 1, int reductionFactor = 3, int maxEpochs = int.MaxValue, string? metric = null) =>
        new AshaPruner(minEpochs, reductionFactor, maxEpochs, earlyStoppingRate: 0, ValueWords.For(metric));

    /// <summary>Hyperband (Optuna's HyperbandPruner): ASHA brackets whose first rungs are minEpochs·η^s.</summary>
    public static IPruner Hyperband(int minEpochs, int maxEpochs, int reductionFactor = 3, string? metric = null) =>
        new HyperbandPruner(minEpochs, maxEpochs, reductionFactor, ValueWords.For(metric));

    /// <summary>Optuna's MedianPruner, judged on the value at this epoch (see README).</summary>
    public static IPruner Median(int warmupEpochs = 1, int minTrials = 5, string? metric = null) =>
        new MedianPruner(warmupEpochs, minTrials, ValueWords.For(metric));

    /// <summary>Never prunes: every trial runs all its epochs.</summary>
    public static IPruner None { get; } = new NoPruner();

    private sealed class NoPruner : IPruner
    {
        public PruneDecision ShouldPrune(long trialId, int epoch, IReadOnlyDictionary<long, IReadOnlyList<double>> valuesByTrial)
        {
            PrunerInputs.OwnValue(trialId, epoch, valuesByTrial);
            return PruneDecision.Continue("no pruner");
        }
    }
}
