namespace Piximi.Sweep.Core;

/// <summary>
/// Proposes the next trial's hyperparameters (Optuna's split: samplers propose, the store remembers). A sampler
/// keeps no history of its own: every call is given all finished observations, so a resumed sweep proposes exactly
/// what the interrupted one would have.
/// </summary>
public interface ISampler
{
    /// <summary>Proposes the next point given every finished observation so far (history may be empty).</summary>
    /// <remarks>
    /// The proposal is a function of the sampler's seed and of <paramref name="history"/> alone; its position in the
    /// sweep is <c>history.Count</c>. Two calls with the same history give the same point: workers proposing in
    /// parallel use the overload with a position (see the README).
    /// </remarks>
    Hyperparameters Propose(IReadOnlyList<Observation> history) => Propose(history, history.Count);

    /// <summary>
    /// Proposes the point at <paramref name="position"/> (0-based) of the sweep given the observations finished so far.
    /// Workers proposing in parallel each propose at their own position (the trial number they are about to add, less
    /// one), so they draw from different streams even when they see the same history; with one worker the position is
    /// the history's length, and both overloads agree.
    /// </summary>
    Hyperparameters Propose(IReadOnlyList<Observation> history, int position);
}

/// <summary>
/// One finished trial: where it was and how it did. One convention for every sampler: a loss, smaller is better;
/// convert at the edge (loss = −val_accuracy, or val_loss). A NaN loss (a diverged run) ranks as the worst.
/// </summary>
public sealed record Observation(Hyperparameters Point, double Loss);
