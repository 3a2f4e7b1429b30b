using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Cli.Commands;

/// <summary>
/// Whether a trial would end after a deadline, estimated from the epochs the sweep has measured so far: the mean
/// epoch time of trials with the same batch size (else of all), times the epochs the trial has left (capped by its
/// time budget). With nothing measured yet there is no estimate, and the trial starts.
/// </summary>
internal static class DeadlineEstimate
{
    /// <returns>The estimated time the trial still needs when that overruns the deadline; otherwise null.</returns>
    public static TimeSpan? WouldOverrun(ITrialStore store, SweepRecord sweep, TrialRecord trial, int epochsDone, DateTimeOffset deadline)
    {
        var needed = Needed(store.ListTrials(sweep.Id), store.ListEpochs(sweep.Id), trial.Hyperparameters, epochsDone);
        return needed is { } n && DateTimeOffset.Now + n > deadline ? n : null;
    }

    internal static TimeSpan? Needed(IReadOnlyList<TrialRecord> trials, IReadOnlyList<EpochRecord> epochs, Hyperparameters hp, int epochsDone)
    {
        if (epochs.Count == 0) return null;
        var batchOf = trials.ToDictionary(t => t.Id, t => t.Hyperparameters.BatchSize);
        var alike = epochs.Where(e => batchOf.GetValueOrDefault(e.TrialId) == hp.BatchSize).ToList();
        var perEpoch = (alike.Count > 0 ? alike : epochs).Average(e => e.Metrics.Seconds);
        var seconds = perEpoch * Math.Max(0, hp.Epochs - epochsDone);
        if (hp.TimeBudget is { } budget) seconds = Math.Min(seconds, budget.TotalSeconds);
        return TimeSpan.FromSeconds(seconds);
    }
}
