using Piximi.Sweep.Core;

namespace Piximi.Sweep.Engine;

/// <summary>
/// Whether a trial would end after a deadline, estimated from the epochs the sweep has measured so far: the mean
/// epoch time of trials with the same batch size (else of all), times the epochs the trial has left (capped by its
/// time budget). With nothing measured yet there is no estimate, and the trial starts.
/// </summary>
internal static class DeadlineEstimate
{
    /// <returns>The estimated time the trial still needs when that overruns the deadline; otherwise null.</returns>
    /// <remarks>From what <paramref name="follower"/> has seen, caught up: the epochs stored since it last looked, not every epoch.</remarks>
    public static TimeSpan? WouldOverrun(SweepFollower follower, TrialRecord trial, int epochsDone, DateTimeOffset deadline)
    {
        var needed = Needed(follower.EpochTimesByBatch(), trial.Hyperparameters, epochsDone);
        return needed is { } n && DateTimeOffset.Now + n > deadline ? n : null;
    }

    internal static TimeSpan? Needed(IReadOnlyList<TrialRecord> trials, IReadOnlyList<EpochRecord> epochs, Hyperparameters hp, int epochsDone)
    {
        var batchOf = trials.ToDictionary(t => t.Id, t => t.Hyperparameters.BatchSize);
        var byBatch = new Dictionary<int, EpochTimes>();
        foreach (var e in epochs)
        {
            var batch = batchOf.GetValueOrDefault(e.TrialId);
            byBatch[batch] = byBatch.GetValueOrDefault(batch, EpochTimes.None).Add(1, e.Metrics.Seconds);
        }
        return Needed(byBatch, hp, epochsDone);
    }

    /// <param name="byBatch">The epochs measured by their trial's batch size (0: a trial whose batch size is not known).</param>
    internal static TimeSpan? Needed(IReadOnlyDictionary<int, EpochTimes> byBatch, Hyperparameters hp, int epochsDone)
    {
        var all = byBatch.Values.Aggregate(EpochTimes.None, (sum, t) => sum.Add(t.Count, t.Seconds));
        if (all.Count == 0) return null;
        var alike = byBatch.GetValueOrDefault(hp.BatchSize, EpochTimes.None);
        var perEpoch = alike.Count > 0 ? alike.Mean : all.Mean;
        var seconds = perEpoch * Math.Max(0, hp.Epochs - epochsDone);
        if (hp.TimeBudget is { } budget) seconds = Math.Min(seconds, budget.TotalSeconds);
        return TimeSpan.FromSeconds(seconds);
    }
}

/// <summary>How many epochs were measured and their summed seconds (a NaN makes the mean NaN, as an average of them would).</summary>
internal sealed record EpochTimes(int Count, double Seconds)
{
    public static EpochTimes None { get; } = new(0, 0);

    public double Mean => Seconds / Count;

    public EpochTimes Add(int count, double seconds) => new(Count + count, Seconds + seconds);
}
