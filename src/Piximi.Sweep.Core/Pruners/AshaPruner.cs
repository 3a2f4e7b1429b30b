namespace Piximi.Sweep.Core;

/// <summary>
/// Asynchronous successive halving (Li et al. 2018), following Optuna's SuccessiveHalvingPruner rule:
/// <list type="bullet">
/// <item>Rung k sits at epoch r·η^(s+k) (r = minEpochs, η = reductionFactor, s = the early-stopping rate: 0 for plain
/// ASHA, the bracket index in Hyperband). Only rungs strictly below maxEpochs count: a trial at maxEpochs has spent
/// its budget, pruning it would save nothing and would hide a finished model from the ranking. (Optuna reaches the
/// same place from the other side: its steps run 0..R−1, so a rung at R is never reached.)</item>
/// <item>At a rung epoch the trial competes with every trial of the sweep (of its bracket, in Hyperband) whose
/// store holds that epoch, itself included: n values. In Optuna those are the trials that recorded the rung before
/// it; here, the trials the store shows at that rung when the worker asks, which is the same set when the worker
/// asks right after storing the epoch.</item>
/// <item>It continues iff its value is ≤ the ⌊n/η⌋-th smallest competing value. When n &lt; η, ⌊n/η⌋ is 0 and
/// Optuna, which cannot pause a trial until enough others arrive, uses the smallest value instead: the trial
/// continues only if it is the best so far. Ties at the cut-off continue (≤, as in Optuna).</item>
/// <item>A NaN value at a rung is pruned, as in Optuna. A competitor's NaN sorts as +∞ (worst), so the order does
/// not depend on how NaN happens to compare.</item>
/// <item>Between rung epochs: no decision, continue.</item>
/// </list>
/// Optuna's bootstrap_count is not offered (its default, 0, is what this does).
/// </summary>
internal sealed class AshaPruner : IPruner
{
    private readonly int _minEpochs;
    private readonly int _reductionFactor;
    private readonly int _maxEpochs;
    private readonly int _earlyStoppingRate;
    private readonly ValueWords _words;

    public AshaPruner(int minEpochs, int reductionFactor, int maxEpochs, int earlyStoppingRate, ValueWords? words = null)
    {
        _words = words ?? ValueWords.Raw;
        ArgumentOutOfRangeException.ThrowIfLessThan(minEpochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(reductionFactor, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEpochs, minEpochs);
        ArgumentOutOfRangeException.ThrowIfNegative(earlyStoppingRate);
        _minEpochs = minEpochs;
        _reductionFactor = reductionFactor;
        _maxEpochs = maxEpochs;
        _earlyStoppingRate = earlyStoppingRate;
    }

    /// <summary>The rung epochs, in order (for the README's tables and for tests).</summary>
    public IReadOnlyList<int> RungEpochs()
    {
        var epochs = new List<int>();
        for (var e = FirstRungEpoch(); e < _maxEpochs; e *= _reductionFactor)
            epochs.Add((int)e);
        return epochs;
    }

    public PruneDecision ShouldPrune(long trialId, int epoch, IReadOnlyDictionary<long, IReadOnlyList<double>> valuesByTrial)
    {
        var own = PrunerInputs.OwnValue(trialId, epoch, valuesByTrial);
        if (RungAt(epoch) is not { } rung)
            return PruneDecision.Continue($"epoch {epoch} is not a rung epoch");

        var where = $"rung {rung} (epoch {epoch})";
        if (double.IsNaN(own))
            return new PruneDecision(true, $"{where}: value is NaN", rung);

        var competing = PrunerInputs.OthersAt(trialId, epoch, valuesByTrial);
        competing.Add(own);
        for (var i = 0; i < competing.Count; i++)
            if (double.IsNaN(competing[i])) competing[i] = double.PositiveInfinity;
        var n = competing.Count;
        var promotable = n / _reductionFactor;
        // Optuna: with fewer than η trials at the rung, only the best so far continues. Selected, not sorted: the
        // first rung holds every trial of the sweep.
        var cutoff = PrunerInputs.KthSmallest(competing, Math.Max(promotable, 1) - 1);
        var rule = promotable == 0
            ? $"{n} trials at this rung, fewer than η = {_reductionFactor}: only the best so far continues"
            : $"top ⌊{n}/{_reductionFactor}⌋ = {promotable} of {n} trials at this rung continue";
        var prune = own > cutoff;
        return new PruneDecision(
            prune,
            $"{where}: {_words.Compare(own, cutoff, prune, "cut-off")}; {rule}",
            rung);
    }

    private long FirstRungEpoch()
    {
        long e = _minEpochs;
        for (var i = 0; i < _earlyStoppingRate && e < _maxEpochs; i++)
            e *= _reductionFactor;
        return e;
    }

    private int? RungAt(int epoch)
    {
        if (epoch >= _maxEpochs)
            return null;
        // long: e < epoch ≤ int.MaxValue before each multiplication, so e·η cannot overflow.
        var e = FirstRungEpoch();
        var rung = 0;
        while (e < epoch)
        {
            e *= _reductionFactor;
            rung++;
        }
        return e == epoch ? rung : null;
    }
}
