namespace Piximi.Sweep.Core.Tests;

/// <summary>
/// A sweep's stored epochs, written one epoch at a time in a scripted order, as workers would. Each Report stores
/// the epoch and asks the pruner about it, like a worker does right after storing.
/// </summary>
internal sealed class ScriptedStore(IPruner pruner)
{
    private readonly Dictionary<long, List<double>> _values = [];

    public PruneDecision Report(long trialId, double value)
    {
        if (!_values.TryGetValue(trialId, out var own))
            _values[trialId] = own = [];
        own.Add(value);
        return pruner.ShouldPrune(trialId, own.Count, Snapshot());
    }

    public IReadOnlyDictionary<long, IReadOnlyList<double>> Snapshot() =>
        _values.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<double>)kv.Value.ToList());
}
