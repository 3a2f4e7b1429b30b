using System.Globalization;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Engine;

/// <summary>
/// This process as the one orchestrator of a sweep (<c>run</c> or <c>resume</c>): registered in the store, so that a
/// second one is refused while this one lives, beating every quarter of its grace period on a timer of its own, and
/// unregistered when disposed. After a crash the registration lapses: at once for a run on the same host (its process
/// is gone), after the grace period for one elsewhere.
/// </summary>
internal sealed class Orchestration : IDisposable
{
    private readonly ISweepCatalog _store;
    private readonly Timer _beat;
    private volatile bool _takenOver;

    private Orchestration(ISweepCatalog store, OrchestratorRecord record)
    {
        _store = store;
        Record = record;
        var interval = Heartbeats.Interval(record.Grace);
        _beat = new Timer(_ => Beat(), null, interval, interval);
    }

    public OrchestratorRecord Record { get; }

    /// <summary>Another orchestrator took the sweep over (this one had not beaten for its grace period): stop.</summary>
    public bool TakenOver => _takenOver;

    /// <summary>A beat failed (the store could not be reached); the next one may get through.</summary>
    public event Action<Exception>? BeatFailed;

    /// <exception cref="SweepBusyException">Another orchestrator runs the sweep; the message names its pid and host.</exception>
    public static Orchestration Take(ISweepCatalog store, SweepRecord sweep, TimeSpan grace)
    {
        // A registration left by a process of this host that is gone (killed, or the machine rebooted) is taken over
        // at once; one of another host only once it has not beaten for its grace period.
        var current = store.FindOrchestrator(sweep.Id);
        var gone = current is not null && WorkerIds.IsDeadLocal($"{current.Host}:{current.Pid.ToString(CultureInfo.InvariantCulture)}") ? current : null;
        var claim = store.ClaimOrchestration(sweep.Id, Environment.MachineName, Environment.ProcessId, grace, gone);
        if (!claim.Granted) throw new SweepBusyException(Busy(sweep, claim.Orchestrator, DateTimeOffset.UtcNow), sweep.Name);
        return new Orchestration(store, claim.Orchestrator);
    }

    /// <summary>Why a second orchestrator is refused, naming the first (what to do instead is the caller's to say).</summary>
    internal static string Busy(SweepRecord sweep, OrchestratorRecord o, DateTimeOffset now) =>
        $"sweep '{sweep.Name}' is already being run by piximi-sweep pid {o.Pid} on host {o.Host} " +
        $"(since {o.StartedAt.ToLocalTime():yyyy-MM-dd HH:mm:ss}, last heard from {Math.Max(0, (now - o.HeartbeatAt).TotalSeconds):F0}s ago); " +
        $"nothing was changed. If that process is gone, its registration lapses " +
        $"{o.Grace.TotalSeconds:0}s after its last heartbeat, at {(o.HeartbeatAt + o.Grace).ToLocalTime():HH:mm:ss}.";

    private void Beat()
    {
        try
        {
            if (!_store.BeatOrchestrator(Record)) _takenOver = true;
        }
        catch (Exception e)
        {
            // A missed beat is not fatal: the grace period is four beats long.
            BeatFailed?.Invoke(e);
        }
    }

    public void Dispose()
    {
        using (var stopped = new ManualResetEvent(false))
        {
            // Wait for a beat in flight, so that it cannot write after the registration is gone.
            if (_beat.Dispose(stopped)) stopped.WaitOne();
        }
        try
        {
            if (!_takenOver) _store.EndOrchestration(Record);
        }
        catch (Exception e) when (e is StoreUnavailableException or ObjectDisposedException)
        {
            // The store went away: the registration lapses after its grace period, as after a crash.
        }
    }
}

/// <summary>A second orchestrator of a sweep was refused; the message names the first (pid, host) and what to do.</summary>
internal sealed class SweepBusyException(string message, string sweepName) : Exception(message)
{
    /// <summary>The sweep another orchestrator runs, for the caller's advice on watching it or adding workers.</summary>
    public string SweepName => sweepName;
}

/// <summary>How often a process that holds something in the store (a trial's lease, a sweep's orchestration) beats.</summary>
internal static class Heartbeats
{
    /// <summary>Four beats per grace period, so that one late beat never looks like a death.</summary>
    public static TimeSpan Interval(TimeSpan grace) => grace / 4;
}
