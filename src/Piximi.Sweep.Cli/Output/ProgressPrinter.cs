using Piximi.Sweep.Core;
using Piximi.Sweep.Engine;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Cli.Output;

/// <summary>
/// Live progress of a sweep, read from the store (where the workers write): a line when a trial starts, after each
/// of its epochs, and when it ends, each prefixed with how much of the sweep was finished at that line: a poll may
/// find a trial started and ended since the last, and its "started" line must not count its end already.
/// Each update may be given every trial and epoch, or only what may have changed (the trials running or last seen
/// running, the epochs stored since the last update): a trial it is not given is taken as unchanged, so a poll costs
/// what is new, not what the sweep holds. <see cref="Accounts"/> tells whether such a partial read explains the counts.
/// </summary>
internal sealed class ProgressPrinter : ISweepProgress
{
    private readonly TextWriter _output;
    private readonly Dictionary<long, TrialState> _states = [];
    private readonly HashSet<(long TrialId, int Epoch)> _epochs = [];
    private readonly HashSet<long> _running = [];
    private readonly int _planned;

    // Trials whose last known state is final.
    private int _ended;

    /// <param name="plannedTrials">How many trials the sweep will have when a sampler adds them as it goes (TPE);
    /// null when they are all in the store from the start; <see cref="Baselines.OpenEnded"/> when it has no count.</param>
    public ProgressPrinter(TextWriter output, IReadOnlyList<TrialRecord> trials, IReadOnlyList<EpochRecord> epochs, int? plannedTrials = null)
    {
        _output = output;
        _planned = plannedTrials ?? 0;
        Remember(trials, epochs);
    }

    /// <summary>The trials last seen running: an update must be given them (whatever their state now) to see them end.</summary>
    public IReadOnlyCollection<long> Watching => _running;

    /// <summary>
    /// Whether <paramref name="trials"/>, with every other trial as last seen, make as many ended trials as
    /// <paramref name="counts"/> (read with them) say: then an update with those trials misses nothing that ended.
    /// </summary>
    public bool Accounts(IReadOnlyList<TrialRecord> trials, TrialCounts counts)
    {
        ArgumentNullException.ThrowIfNull(trials);
        ArgumentNullException.ThrowIfNull(counts);
        var ended = _ended;
        foreach (var t in trials)
        {
            if (Ended(Known(t.Id))) ended--;
            if (Ended(t.State)) ended++;
        }
        return ended == counts.Ended;
    }

    /// <summary>An update from every trial of the sweep (and any of its epochs: those already shown are skipped).</summary>
    public void Update(IReadOnlyList<TrialRecord> trials, IReadOnlyList<EpochRecord> epochs) => Update(trials, epochs, trials.Count);

    /// <summary>
    /// An update from <paramref name="trials"/> (every trial whose state may have changed; others are taken as last
    /// seen) and <paramref name="epochs"/> (at least those stored since the last update), in a sweep of
    /// <paramref name="totalTrials"/> trials.
    /// </summary>
    public void Update(IReadOnlyList<TrialRecord> trials, IReadOnlyList<EpochRecord> epochs, int totalTrials)
    {
        // Finished as of the last poll (a trial given back to the queue counts as not finished again), then one more
        // at each end line.
        var finished = _ended - trials.Count(t => Ended(Known(t.Id)) && !Ended(t.State));
        var time = DateTime.Now;
        // An open-ended sweep has no total to count towards: it runs until a budget, the deadline or Ctrl+C.
        int? total = _planned == Baselines.OpenEnded ? null : Math.Max(totalTrials, _planned);
        string Prefix() => $"[{time:HH:mm:ss}] [{finished}{(total is { } n ? $"/{n} done" : " done, no trial count")}]";
        var newEpochs = epochs.Where(e => !_epochs.Contains((e.TrialId, e.Metrics.Epoch))).ToLookup(e => e.TrialId);
        foreach (var t in trials)
        {
            var before = Known(t.Id);
            if (before == TrialState.Queued && t.State != TrialState.Queued)
                _output.WriteLine($"{Prefix()} trial {t.Number} started on {t.WorkerId}: {Display.Settings(t.Hyperparameters)}");
            foreach (var m in newEpochs[t.Id].Select(e => e.Metrics).OrderBy(m => m.Epoch))
                _output.WriteLine($"{Prefix()} trial {t.Number} epoch {m.Epoch}/{t.Hyperparameters.Epochs}: loss {Display.Metric(m.Loss)} " +
                                  $"accuracy {Display.Metric(m.Accuracy)} val_loss {Display.Metric(m.ValLoss)} " +
                                  $"val_accuracy {Display.Metric(m.ValAccuracy)} ({Formats.Seconds(m.Seconds)}, {m.ImagesPerSecond:F0} images/s)");
            if (before != t.State && Ended(t.State))
            {
                finished++;
                _output.WriteLine($"{Prefix()} trial {t.Number} {Display.State(t.State)}" + (t.Message is null ? "" : $": {t.Message}"));
            }
        }
        Remember(trials, epochs);
        _output.Flush();
    }

    private static bool Ended(TrialState state) => state is not (TrialState.Queued or TrialState.Running);

    private TrialState Known(long trialId) => _states.GetValueOrDefault(trialId, TrialState.Queued);

    private void Remember(IReadOnlyList<TrialRecord> trials, IReadOnlyList<EpochRecord> epochs)
    {
        foreach (var t in trials)
        {
            if (Ended(Known(t.Id)) != Ended(t.State)) _ended += Ended(t.State) ? 1 : -1;
            _states[t.Id] = t.State;
            if (t.State == TrialState.Running) _running.Add(t.Id);
            else _running.Remove(t.Id);
        }
        foreach (var e in epochs) _epochs.Add((e.TrialId, e.Metrics.Epoch));
    }
}
