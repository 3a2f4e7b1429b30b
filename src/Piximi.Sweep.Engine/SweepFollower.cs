using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Engine;

/// <summary>
/// Follows a sweep's epochs as the store receives them (<see cref="ITrialResults.ListEpochsSince"/>): each call reads
/// only the epochs stored since the last, so a poll, a progress line or a pruning decision costs what is new, not
/// what the sweep holds. Keeps what its readers need of them: every trial's values of the sweep's metric as losses
/// (the pruner's input, <see cref="Observations.ValuesByTrial"/>'s shape) and the epochs and seconds spent (the
/// budgets, <see cref="ISweepCatalog.Usage"/>'s figures).
/// </summary>
internal sealed class SweepFollower(ITrialResults store, SweepRecord sweep)
{
    private readonly Dictionary<long, List<double>> _values = [];
    private readonly Dictionary<long, IReadOnlyList<double>> _view = [];
    private readonly Dictionary<long, EpochTimes> _timesByTrial = [];
    private readonly Dictionary<long, int> _batchOf = [];
    private long _position;
    private int _epochs;
    private double _seconds;

    /// <summary>Every trial's stored values of the sweep's metric, as losses, by epoch (as of the last <see cref="CatchUp"/>).</summary>
    public IReadOnlyDictionary<long, IReadOnlyList<double>> ValuesByTrial => _view;

    /// <summary>Epochs stored over the sweep and their summed seconds (as of the last <see cref="CatchUp"/>).</summary>
    public SweepUsage Usage => new(_epochs, _seconds);

    /// <summary>Where it stands: the position to read the next epochs from.</summary>
    public long Position => _position;

    /// <summary>Reads the epochs stored since the last call, takes them in, and returns them (in the order stored).</summary>
    public IReadOnlyList<EpochRecord> CatchUp() => Take(store.ListEpochsSince(sweep.Id, _position));

    /// <summary>Takes in epochs read from <see cref="Position"/> on (by <see cref="ITrialResults.ReadChanges"/>), and returns them.</summary>
    public IReadOnlyList<EpochRecord> Take(NewEpochs next)
    {
        ArgumentNullException.ThrowIfNull(next);
        foreach (var e in next.Epochs)
        {
            if (!_values.TryGetValue(e.TrialId, out var values))
            {
                values = [];
                _values[e.TrialId] = values;
                _view[e.TrialId] = values;
            }
            // A trial's epochs are stored one after another (the store refuses any other), so they arrive in order.
            if (values.Count != e.Metrics.Epoch - 1)
                throw new InvalidOperationException($"epoch {e.Metrics.Epoch} of trial {e.TrialId} arrived after {values.Count} of its epochs");
            values.Add(Observations.AsLoss(e.Metrics, sweep.Definition.Metric));
            _timesByTrial[e.TrialId] = _timesByTrial.GetValueOrDefault(e.TrialId, EpochTimes.None).Add(1, e.Metrics.Seconds);
            _epochs++;
            // As the store's sum does: a NaN or an infinity adds nothing.
            if (double.IsFinite(e.Metrics.Seconds)) _seconds += e.Metrics.Seconds;
        }
        _position = next.Position;
        return next.Epochs;
    }

    /// <summary>
    /// The epochs stored so far by their trial's batch size, caught up first (the deadline's estimate): the batch
    /// sizes of trials it has not met yet are read once, by id.
    /// </summary>
    public IReadOnlyDictionary<int, EpochTimes> EpochTimesByBatch()
    {
        CatchUp();
        var unknown = _timesByTrial.Keys.Where(id => !_batchOf.ContainsKey(id)).ToList();
        // A position past every epoch: the trials asked for (and the running ones), no epochs. In chunks, as SQLite
        // takes a bounded number of parameters per statement.
        foreach (var chunk in unknown.Chunk(500))
            foreach (var t in store.ReadChanges(sweep.Id, long.MaxValue, chunk).Trials)
                _batchOf[t.Id] = t.Hyperparameters.BatchSize;
        var byBatch = new Dictionary<int, EpochTimes>();
        foreach (var (trial, times) in _timesByTrial)
        {
            var batch = _batchOf.GetValueOrDefault(trial);
            byBatch[batch] = byBatch.GetValueOrDefault(batch, EpochTimes.None).Add(times.Count, times.Seconds);
        }
        return byBatch;
    }
}
