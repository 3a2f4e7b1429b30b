namespace Piximi.Sweep.Core;

public enum PrunerKind
{
    /// <summary>Asynchronous successive halving (<see cref="Pruners.Asha"/>).</summary>
    Asha,
    /// <summary>Brackets of ASHA (<see cref="Pruners.Hyperband"/>).</summary>
    Hyperband,
    /// <summary>Below the median of the other trials at the same epoch (<see cref="Pruners.Median"/>).</summary>
    Median,
}

/// <summary>
/// A sweep's pruner, as its file states it: which rule, and the rule's settings (each used only by the rules named).
/// Decisions are taken on the sweep's metric after every stored epoch (see <see cref="IPruner"/>).
/// </summary>
public sealed record PrunerSpec(PrunerKind Kind)
{
    /// <summary>ASHA, Hyperband: the first rung, in epochs.</summary>
    public int MinEpochs { get; init; } = 1;

    /// <summary>ASHA, Hyperband: η, the factor between rungs (and 1/η of a rung is promoted).</summary>
    public int ReductionFactor { get; init; } = 3;

    /// <summary>Median: epochs a trial always runs before it can be judged.</summary>
    public int WarmupEpochs { get; init; } = 1;

    /// <summary>Median: finished trials needed before any trial is judged.</summary>
    public int MinTrials { get; init; } = 5;

    /// <summary>
    /// The pruner for a sweep whose trials run at most <paramref name="maxEpochs"/> epochs; its reasons speak of
    /// <paramref name="metric"/> (the sweep's) when given.
    /// </summary>
    public IPruner Create(int maxEpochs, string? metric = null) => Kind switch
    {
        PrunerKind.Asha => Pruners.Asha(MinEpochs, ReductionFactor, maxEpochs, metric),
        PrunerKind.Hyperband => Pruners.Hyperband(MinEpochs, Math.Max(MinEpochs, maxEpochs), ReductionFactor, metric),
        PrunerKind.Median => Pruners.Median(WarmupEpochs, MinTrials, metric),
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "not a pruner"),
    };
}

/// <summary>
/// Early stopping within a trial (<see cref="Patience"/>): stop once <see cref="Patience"/> epochs in a row did not
/// improve <see cref="Metric"/> (one of <see cref="MetricNames.All"/>) by more than <see cref="MinDelta"/>, and keep
/// the best epoch's weights as the trial's model, its metrics as the trial's result.
/// </summary>
public sealed record EarlyStoppingSpec(string Metric, int Patience, double MinDelta = 0);
