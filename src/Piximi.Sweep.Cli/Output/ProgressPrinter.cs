using Piximi.Sweep.Core;

namespace Piximi.Sweep.Cli.Output;

/// <summary>
/// Live progress of a sweep, read from the store (where the workers write): a line when a trial starts, after each
/// of its epochs, and when it ends, each prefixed with how much of the sweep is finished.
/// </summary>
internal sealed class ProgressPrinter
{
    private readonly TextWriter _output;
    private readonly Dictionary<long, (TrialState State, int Epochs)> _seen = [];

    public ProgressPrinter(TextWriter output, IReadOnlyList<TrialSummary> initial)
    {
        _output = output;
        foreach (var s in initial)
            _seen[s.Trial.Id] = (s.Trial.State, s.EpochsRun);
    }

    public void Update(IReadOnlyList<TrialSummary> summaries)
    {
        var finished = summaries.Count(s => s.Trial.State is not (TrialState.Queued or TrialState.Running));
        var prefix = $"[{DateTime.Now:HH:mm:ss}] [{finished}/{summaries.Count} done]";
        foreach (var s in summaries)
        {
            var before = _seen.GetValueOrDefault(s.Trial.Id, (State: TrialState.Queued, Epochs: 0));
            var t = s.Trial;
            var hp = t.Hyperparameters;
            if (before.State == TrialState.Queued && t.State != TrialState.Queued)
                _output.WriteLine($"{prefix} trial {t.Number} started on {t.WorkerId}: {hp.Optimizer}, {hp.Loss}, " +
                                  $"learning rate {Formats.Rate(hp.LearningRate)}, batch size {hp.BatchSize}, {Formats.Epochs(hp)} epochs, seed {hp.Seed}");
            if (s.EpochsRun > before.Epochs && s.Final is { } m)
                _output.WriteLine($"{prefix} trial {t.Number} epoch {m.Epoch}/{hp.Epochs}: loss {Formats.Metric(m.Loss)} " +
                                  $"accuracy {Formats.Metric(m.Accuracy)} val_loss {Formats.Metric(m.ValLoss)} " +
                                  $"val_accuracy {Formats.Metric(m.ValAccuracy)} ({Formats.Seconds(m.Seconds)}, {m.ImagesPerSecond:F0} images/s)");
            if (before.State != t.State && t.State is not (TrialState.Queued or TrialState.Running))
                _output.WriteLine($"{prefix} trial {t.Number} {Formats.State(t.State)}" + (t.Message is null ? "" : $": {t.Message}"));
            _seen[t.Id] = (t.State, s.EpochsRun);
        }
        _output.Flush();
    }
}
