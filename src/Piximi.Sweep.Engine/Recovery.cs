using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;
using Serilog;
using Serilog.Events;

namespace Piximi.Sweep.Engine;

/// <summary>Trials whose holders are gone, given back to the queue (or failed, out of retries), each said in the log.</summary>
internal static class Recovery
{
    /// <summary>
    /// Recovers the sweep's running trials whose holders stopped beating for <paramref name="grace"/> or are among
    /// <paramref name="deadWorkers"/> (<see cref="ITrialClaims.RecoverLost"/>); returns how many.
    /// </summary>
    public static int Recover(ITrialClaims store, SweepRecord sweep, TimeSpan grace, int maxRetries, ILogger log, IReadOnlyCollection<string> deadWorkers, string reason)
    {
        var recovered = store.RecoverLost(sweep.Id, grace, deadWorkers, maxRetries, reason);
        foreach (var r in recovered)
        {
            var level = r.NewState == TrialState.Failed ? LogEventLevel.Error : LogEventLevel.Warning;
            log.ForContext("TrialId", r.TrialId).Write(level, "Trial {TrialNumber} {Outcome}: {Reason}", r.Number,
                r.NewState == TrialState.Failed ? "failed" : $"re-queued (lost {r.Lost} time(s))", r.Reason);
        }
        return recovered.Count;
    }

    /// <summary>Holders of running trials that were processes on this host and are gone.</summary>
    public static IReadOnlyCollection<string> DeadLocalHolders(IEnumerable<TrialRecord> trials) =>
        trials.Where(t => t.State == TrialState.Running && WorkerIds.IsDeadLocal(t.WorkerId)).Select(t => t.WorkerId!).Distinct().ToList();
}
