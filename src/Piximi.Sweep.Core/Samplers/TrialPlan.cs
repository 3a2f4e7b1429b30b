namespace Piximi.Sweep.Core;

/// <summary>
/// Which trials a sweep holds before it runs: what the store is given when the sweep is created. The one place that
/// says so for every kind of sweep, whichever file format it was read from.
/// </summary>
public static class TrialPlan
{
    /// <summary>
    /// The baseline's trials first (<see cref="Baselines"/>), then the sampler's proposals (<see cref="Samplers.For"/>)
    /// at positions 0, 1, …: every point of the grid, or the <see cref="SweepDefinition.Trials"/> random draws. A sweep
    /// whose sampler proposes as it runs (<see cref="SweepDefinition.ProposesAsItRuns"/>: TPE, open-ended random)
    /// holds only its baseline's trials up front.
    /// </summary>
    /// <exception cref="ArgumentException">The space has an empty list, or a learning rate a sampler cannot draw from.</exception>
    public static IReadOnlyList<Hyperparameters> UpFront(SweepDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return Baselines.First(definition, definition.ProposesAsItRuns ? [] : Proposals(definition));
    }

    private static IReadOnlyList<Hyperparameters> Proposals(SweepDefinition definition)
    {
        var sampler = Samplers.For(definition);
        var count = definition.Method == SearchMethod.Grid ? checked((int)Grid.Count(definition.Parameters)) : definition.Trials!.Value;
        // Before any result, so no history: each at its own position, the very proposal a worker would make there.
        return [.. Enumerable.Range(0, count).Select(position => sampler.Propose([], position))];
    }
}
