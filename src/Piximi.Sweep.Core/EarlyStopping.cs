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

    /// <summary>
    /// The setting that decides when this pruner first judges a trial: the first rung (ASHA, Hyperband: min_epochs,
    /// W&amp;B's min_iter) or the warm-up (median), with the least value it may take.
    /// </summary>
    internal (string Setting, int Value, int Least) FirstJudgement => Kind == PrunerKind.Median
        ? ("warmup_epochs", WarmupEpochs, 0)
        : ("min_epochs", MinEpochs, 1);

    /// <summary>
    /// Why this pruner could never stop a trial when trials run at most <paramref name="maxEpochs"/> epochs, or null
    /// when it can: ASHA and Hyperband never judge at a trial's last epoch (the trial is finished), so their first rung
    /// must come before it; the median rule judges only after its warm-up. The one rule every sweep format applies
    /// (the native <c>pruner:</c>, W&amp;B's <c>early_terminate</c>), each naming its own settings.
    /// </summary>
    /// <param name="written">The setting as the file gave it, e.g. "9", "the default min_epochs 1", "min_iter 5".</param>
    /// <param name="epochsFrom">Where <paramref name="maxEpochs"/> comes from, e.g. "from parameters.epochs".</param>
    /// <param name="withoutPruner">How the file says "no pruner", for trials of one epoch: "pruner: none".</param>
    internal string? NeverPrunes(int maxEpochs, string written, string epochsFrom, string withoutPruner)
    {
        var (_, value, least) = FirstJudgement;
        if (value < maxEpochs) return null;
        var why = Kind == PrunerKind.Median ? "no trial would ever be judged" : "there would be nothing to prune";
        var allowed = maxEpochs - 1 >= least
            ? $"a whole number from {least} to {maxEpochs - 1}"
            : $"none while trials run 1 epoch: give parameters.epochs more than 1, or {withoutPruner}";
        return $"{written} is not below the most epochs a trial runs ({maxEpochs}, {epochsFrom}), so {why}; allowed: {allowed}";
    }
}

/// <summary>
/// Early stopping within a trial (<see cref="Patience"/>): stop once <see cref="Patience"/> epochs in a row did not
/// improve <see cref="Metric"/> (one of <see cref="MetricNames.All"/>) by more than <see cref="MinDelta"/>, and keep
/// the best epoch's weights as the trial's model, its metrics as the trial's result.
/// </summary>
public sealed record EarlyStoppingSpec(string Metric, int Patience, double MinDelta = 0);
