namespace Piximi.Sweep.Core;

/// <summary>
/// A sweep's pruner with the rules around it, for whoever asks after a stored epoch (every worker, on any machine):
/// a trial's last epoch is never judged (it has nothing left to save), and a baseline trial never is: it is the
/// reference every other trial is measured against, so it runs all its epochs. Its epochs still count among the
/// others' at each rung.
/// </summary>
public sealed class SweepPruning(SweepDefinition definition)
{
    private readonly SweepDefinition _definition = definition ?? throw new ArgumentNullException(nameof(definition));
    private readonly IPruner? _pruner = definition.Pruner?.Create(definition.Parameters.Epochs.Max(), definition.Metric);

    /// <summary>Whether <paramref name="trial"/> is judged after <paramref name="epoch"/> at all (cheap: asks nothing of the store).</summary>
    public bool Judges(TrialRecord trial, int epoch)
    {
        ArgumentNullException.ThrowIfNull(trial);
        return _pruner is not null && epoch < trial.Hyperparameters.Epochs && !Baselines.IsBaseline(_definition, trial.Hyperparameters);
    }

    /// <summary>
    /// The decision to prune <paramref name="trial"/> after <paramref name="epoch"/>, or null to go on;
    /// <paramref name="valuesByTrial"/> as <see cref="IPruner.ShouldPrune"/> takes them (<see cref="Observations.ValuesByTrial"/>).
    /// </summary>
    public PruneDecision? Judge(TrialRecord trial, int epoch, IReadOnlyDictionary<long, IReadOnlyList<double>> valuesByTrial)
    {
        if (!Judges(trial, epoch)) return null;
        var decision = _pruner!.ShouldPrune(trial.Id, epoch, valuesByTrial);
        return decision.Prune ? decision : null;
    }
}
