namespace Piximi.Sweep.Core;

// These types live in Piximi.Sweep.Core, not Piximi.Sweep.Core.Pruners: a namespace named like the static class
// Pruners would make every `Pruners.Asha(...)` inside Piximi.Sweep.Core resolve to the namespace instead.

/// <summary>
/// Decides, after a trial stored an epoch, whether it should stop. Decisions are a pure function of what the store
/// holds, so every worker process on every machine reaches the same decision from the same store.
/// </summary>
public interface IPruner
{
    /// <summary>
    /// After trial <paramref name="trialId"/> stored epoch <paramref name="epoch"/> (1-based): should it stop now?
    /// <paramref name="valuesByTrial"/> holds every stored epoch of every trial of the sweep:
    /// <c>valuesByTrial[trial][k]</c> is the trial's value after epoch k + 1. Lower is better (a loss; convert at the
    /// edge, e.g. −val_accuracy).
    /// </summary>
    PruneDecision ShouldPrune(long trialId, int epoch, IReadOnlyDictionary<long, IReadOnlyList<double>> valuesByTrial);
}

/// <summary>
/// A pruner's answer. <paramref name="Reason"/> names the rung or median and the values compared, for the trial's
/// message. <paramref name="Rung"/> is the rung judged (0 = a bracket's first rung), null when no rung was judged.
/// </summary>
public sealed record PruneDecision(bool Prune, string Reason, int? Rung)
{
    internal static PruneDecision Continue(string reason, int? rung = null) => new(false, reason, rung);
}
