using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Cli.Commands;

/// <summary>
/// The sweep's pruning (<see cref="SweepPruning"/>: never a trial's last epoch, never a baseline trial), asked after
/// each stored epoch from what the store holds (every worker, on any machine, reaches the same verdict from the same
/// store).
/// </summary>
internal sealed class PruneJudge(ITrialStore store, SweepRecord sweep)
{
    private readonly SweepPruning _pruning = new(sweep.Definition);

    /// <summary>The decision to prune the trial after <paramref name="epoch"/>, or null to go on.</summary>
    public PruneDecision? Judge(TrialRecord trial, int epoch) =>
        _pruning.Judges(trial, epoch)
            ? _pruning.Judge(trial, epoch, Observations.ValuesByTrial(store.ListEpochs(sweep.Id), sweep.Definition.Metric))
            : null;
}
