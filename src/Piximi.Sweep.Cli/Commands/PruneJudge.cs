using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Cli.Commands;

/// <summary>
/// The sweep's pruner, asked after each stored epoch from what the store holds (every worker, on any machine, reaches
/// the same verdict from the same store). A trial's last epoch is never judged: it has nothing left to save.
/// </summary>
internal sealed class PruneJudge(ITrialStore store, SweepRecord sweep)
{
    private readonly IPruner? _pruner = sweep.Definition.Pruner?.Create(sweep.Definition.Parameters.Epochs.Max(), sweep.Definition.Metric);

    /// <summary>The decision to prune the trial after <paramref name="epoch"/>, or null to go on.</summary>
    public PruneDecision? Judge(TrialRecord trial, int epoch)
    {
        if (_pruner is null || epoch >= trial.Hyperparameters.Epochs) return null;
        var values = Observations.ValuesByTrial(store.ListEpochs(sweep.Id), sweep.Definition.Metric);
        var decision = _pruner.ShouldPrune(trial.Id, epoch, values);
        return decision.Prune ? decision : null;
    }
}
