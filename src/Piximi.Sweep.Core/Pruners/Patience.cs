namespace Piximi.Sweep.Core;

/// <summary>
/// Within-trial early stopping's verdict. <paramref name="BestEpoch"/> (1-based) is the epoch with the lowest value,
/// the weights to restore; null when no epoch has a finite value. <paramref name="EpochsSinceImprovement"/> counts
/// epochs since the last one that improved by more than minDelta.
/// </summary>
public sealed record PatienceDecision(bool Stop, int? BestEpoch, int EpochsSinceImprovement, string Reason);

/// <summary>
/// Early stopping within one trial (lower is better, as for the pruners). An epoch improves iff its value is below
/// the last improving value by more than minDelta (the first finite value always improves; NaN never does), as
/// Keras's EarlyStopping counts. Stop once patience epochs in a row have not improved.
/// The epoch to restore is the lowest value's, not the last improving one's: an epoch that beat the best by less
/// than minDelta does not reset the patience, but it is still the better model. Ties go to the earlier epoch.
/// </summary>
public static class Patience
{
    public static PatienceDecision Check(IReadOnlyList<double> values, int patience, double minDelta = 0)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(patience, 1);
        if (!double.IsFinite(minDelta) || minDelta < 0)
            throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "must be finite and ≥ 0");

        var reference = double.PositiveInfinity;
        var lastImprovement = 0;
        int? best = null;
        for (var i = 0; i < values.Count; i++)
        {
            var v = values[i];
            if (!double.IsFinite(v))
                continue;
            if (v < reference - minDelta)
            {
                reference = v;
                lastImprovement = i + 1;
            }
            if (best is not { } b || v < values[b - 1])
                best = i + 1;
        }

        var since = values.Count - lastImprovement;
        var stop = since >= patience;
        var bestText = best is { } e ? $"best epoch {e} ({PrunerInputs.Show(values[e - 1])})" : "no finite value yet";
        var reason = lastImprovement == 0
            ? $"{since} epochs without a finite value; patience {patience}; {bestText}"
            : $"{since} epochs since epoch {lastImprovement} improved by more than {PrunerInputs.Show(minDelta)}; patience {patience}; {bestText}";
        return new PatienceDecision(stop, best, since, reason);
    }
}
