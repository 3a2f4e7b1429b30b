namespace Piximi.Sweep.Core;

/// <summary>
/// Optuna's MedianPruner, reduced to what the store holds:
/// <list type="bullet">
/// <item>No decision while epoch ≤ warmupEpochs (Optuna's n_warmup_steps counts 0-based steps, so warm-up 1 there
/// also spares only the first epoch).</item>
/// <item>No decision until at least minTrials other trials have a value at this epoch (Optuna's n_min_trials).</item>
/// <item>Then prune iff the trial's value at this epoch is worse (greater) than the median of the other trials'
/// values at this epoch; equal to the median continues. With an even count the median is the mean of the middle
/// two, as numpy's percentile gives Optuna.</item>
/// </list>
/// Two deliberate differences from Optuna: the others are every trial that reached the epoch, in any state (the
/// store's values carry no state, and a pruned trial's early epochs are as real as a completed one's), where Optuna
/// counts completed trials only; and the trial is judged on its value at this epoch, as the sweep's spec says,
/// where Optuna uses its best value so far. A NaN value is pruned (as in Optuna); other trials' NaNs are left out
/// of the median and the count, as numpy's nanpercentile leaves them out.
/// </summary>
internal sealed class MedianPruner : IPruner
{
    private readonly int _warmupEpochs;
    private readonly int _minTrials;

    private readonly ValueWords _words;

    public MedianPruner(int warmupEpochs, int minTrials, ValueWords? words = null)
    {
        _words = words ?? ValueWords.Raw;
        ArgumentOutOfRangeException.ThrowIfNegative(warmupEpochs);
        ArgumentOutOfRangeException.ThrowIfLessThan(minTrials, 1);
        _warmupEpochs = warmupEpochs;
        _minTrials = minTrials;
    }

    public PruneDecision ShouldPrune(long trialId, int epoch, IReadOnlyDictionary<long, IReadOnlyList<double>> valuesByTrial)
    {
        var own = PrunerInputs.OwnValue(trialId, epoch, valuesByTrial);
        if (epoch <= _warmupEpochs)
            return PruneDecision.Continue($"epoch {epoch} is within the warm-up of {_warmupEpochs} epochs");
        if (double.IsNaN(own))
            return new PruneDecision(true, $"epoch {epoch}: value is NaN", null);

        var others = PrunerInputs.OthersAt(trialId, epoch, valuesByTrial);
        others.RemoveAll(double.IsNaN);
        if (others.Count < _minTrials)
            return PruneDecision.Continue($"epoch {epoch}: {others.Count} other trials reached it, fewer than {_minTrials}");

        // Selected, not sorted: every trial of the sweep may have reached this epoch.
        var middle = others.Count / 2;
        var median = others.Count % 2 == 1
            ? PrunerInputs.KthSmallest(others, middle)
            : (PrunerInputs.KthSmallest(others, middle - 1) + PrunerInputs.KthSmallest(others, middle)) / 2;
        var prune = own > median;
        return new PruneDecision(
            prune,
            $"epoch {epoch}: {_words.Compare(own, median, prune, "median")} of {others.Count} other trials",
            null);
    }
}
