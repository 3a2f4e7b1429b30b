using Piximi.Sweep.Core;

namespace Piximi.Sweep.Engine;

/// <summary>
/// The sweep's pruning (<see cref="SweepPruning"/>: never a trial's last epoch, never a baseline trial), asked after
/// each stored epoch from what the store holds (every worker, on any machine, reaches the same verdict from the same
/// store). What the store holds is followed (<see cref="SweepFollower"/>): each decision reads the epochs stored
/// since the last one, not every epoch of the sweep.
/// </summary>
internal sealed class PruneJudge(SweepFollower follower, SweepRecord sweep)
{
    private readonly SweepPruning _pruning = new(sweep.Definition);

    /// <summary>The decision to prune the trial after <paramref name="epoch"/>, or null to go on.</summary>
    public PruneDecision? Judge(TrialRecord trial, int epoch)
    {
        if (!_pruning.Judges(trial, epoch)) return null;
        follower.CatchUp();
        return _pruning.Judge(trial, epoch, follower.ValuesByTrial);
    }
}
