using Piximi.Sweep.Core;

namespace Piximi.Sweep.Cli.Output;

/// <summary>
/// Live progress of a sweep, read from the store (where the workers write): a line when a trial starts, after each
/// of its epochs, and when it ends, each prefixed with how much of the sweep was finished at that line: a poll may
/// find a trial started and ended since the last, and its "started" line must not count its end already.
/// </summary>
internal sealed class ProgressPrinter
{
    private readonly TextWriter _output;
    private readonly Dictionary<long, TrialState> _states = [];
    private readonly HashSet<(long TrialId, int Epoch)> _epochs = [];
    private readonly int _planned;

    /// <param name="plannedTrials">How many trials the sweep will have when a sampler adds them as it goes (TPE);
    /// null when they are all in the store from the start; <see cref="Baselines.OpenEnded"/> when it has no count.</param>
    public ProgressPrinter(TextWriter output, IReadOnlyList<TrialRecord> trials, IReadOnlyList<EpochRecord> epochs, int? plannedTrials = null)
    {
        _output = output;
        _planned = plannedTrials ?? 0;
        Remember(trials, epochs);
    }

    public void Update(IReadOnlyList<TrialRecord> trials, IReadOnlyList<EpochRecord> epochs)
    {
        static bool Ended(TrialState state) => state is not (TrialState.Queued or TrialState.Running);
        // Finished as of the last poll (a trial given back to the queue counts as not finished again), then one more
        // at each end line.
        var finished = trials.Count(t => Ended(t.State) && Ended(_states.GetValueOrDefault(t.Id, TrialState.Queued)));
        var time = DateTime.Now;
        // An open-ended sweep has no total to count towards: it runs until a budget, the deadline or Ctrl+C.
        int? total = _planned == Baselines.OpenEnded ? null : Math.Max(trials.Count, _planned);
        string Prefix() => $"[{time:HH:mm:ss}] [{finished}{(total is { } n ? $"/{n} done" : " done, no trial count")}]";
        var newEpochs = epochs.Where(e => !_epochs.Contains((e.TrialId, e.Metrics.Epoch))).ToLookup(e => e.TrialId);
        foreach (var t in trials)
        {
            var before = _states.GetValueOrDefault(t.Id, TrialState.Queued);
            if (before == TrialState.Queued && t.State != TrialState.Queued)
                _output.WriteLine($"{Prefix()} trial {t.Number} started on {t.WorkerId}: {Display.Settings(t.Hyperparameters)}");
            foreach (var m in newEpochs[t.Id].Select(e => e.Metrics))
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

    private void Remember(IReadOnlyList<TrialRecord> trials, IReadOnlyList<EpochRecord> epochs)
    {
        foreach (var t in trials) _states[t.Id] = t.State;
        foreach (var e in epochs) _epochs.Add((e.TrialId, e.Metrics.Epoch));
    }
}
