using System.Diagnostics;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;
using Serilog;

namespace Piximi.Sweep.Engine;

/// <summary>How a supervisor of local workers runs: the sweep's heartbeat grace, how often it polls, how long workers get to stop.</summary>
/// <param name="CouldNotStartExitCode">The exit code of a worker that could not start at all (its data, its device): the sweep stops.</param>
internal sealed record SupervisorSettings(TimeSpan HeartbeatGrace, TimeSpan PollInterval, TimeSpan ShutdownGrace, int CouldNotStartExitCode);

/// <summary>How supervising ended.</summary>
internal enum SupervisionOutcome
{
    /// <summary>Every trial finished.</summary>
    Finished,
    /// <summary>Trials are left: a budget, the deadline, a cancellation, or another run taking over stopped it.</summary>
    Incomplete,
    /// <summary>Stopped on request (Ctrl+C, SIGTERM).</summary>
    Cancelled,
    /// <summary>Workers could not start.</summary>
    WorkersFailed,
}

/// <summary>A graceful stop (the first Ctrl+C: workers give their trials back) and an immediate one (the second).</summary>
internal sealed record StopTokens(CancellationToken Graceful, CancellationToken Immediate);

/// <summary>Starts a local worker process for a slot; <c>exited</c> is called when it exits.</summary>
internal interface IWorkerLauncher
{
    /// <returns>The process, and what its crash report said (the C++ exception that aborted it), once read.</returns>
    (Process Process, Func<NativeError?> Abort) Start(WorkerSlot slot, Action exited);

    /// <summary>Asks a worker to stop gracefully (SIGTERM): it gives its trial back, to resume after its last stored epoch.</summary>
    void AskToStop(Process process);
}

/// <summary>What the supervisor shows of a sweep as it runs (the CLI's progress lines).</summary>
internal interface ISweepProgress
{
    /// <summary>The trials the view last saw running: their changes are read on the next poll.</summary>
    IReadOnlyCollection<long> Watching { get; }

    /// <summary>Whether <paramref name="trials"/> (the changed ones) explain <paramref name="counts"/>; if not, all trials are read.</summary>
    bool Accounts(IReadOnlyList<TrialRecord> trials, TrialCounts counts);

    void Update(IReadOnlyList<TrialRecord> trials, IReadOnlyList<EpochRecord> epochs);

    void Update(IReadOnlyList<TrialRecord> trials, IReadOnlyList<EpochRecord> epochs, int totalTrials);
}

/// <summary>
/// Keeps the pool of workers full while trials are queued: a worker that dies is noticed the moment it exits, its
/// trial recovered (re-queued to resume from its checkpoint, failed once out of retries, or failed at once when
/// it died of the trial's own error) and a replacement started. Trials of workers that stop beating (hung, or on a
/// machine that went away) are recovered on the poll's timer, whether or not another trial starts. Workers' stderr
/// go through the launcher (<see cref="IWorkerLauncher"/>), which also tells of a native crash report.
/// </summary>
internal sealed class Supervisor(
    SupervisorSettings settings, ITrialStore store, SweepRecord sweep, IReadOnlyList<WorkerSlot> plan, ISweepProgress progress,
    SweepFollower follower, ILogger log, IWorkerLauncher launcher, StopTokens signals, Orchestration orchestration)
{
    private const int SigAbrtExit = 128 + 6;

    private readonly Dictionary<int, Worker> _workers = [];

    // Released by every worker's exit, so that a death is handled at once rather than at the next poll.
    private readonly SemaphoreSlim _exited = new(0);

    // Worker starts since the sweep last moved on (an epoch stored or a trial ended): bounded, so that workers
    // that cannot start at all end the sweep instead of looping, while any number of kills of workers that
    // train (a chaos drill, a flaky machine) is survived.
    private int _startsWithoutProgress;
    private int _progress = -1;

    // Epochs read from the store (by the follower, which reads each once) and not yet shown by the progress lines.
    private readonly List<EpochRecord> _unprinted = [];

    private sealed record Worker(Process Process, WorkerSlot Slot, Func<NativeError?> Abort);

    /// <summary>Which budget ended the run, once it returned <see cref="SupervisionOutcome.Incomplete"/>.</summary>
    public string StoppedBy { get; private set; } = "a budget";

    /// <summary>The stored policy's budget that ended the run, when one did.</summary>
    public BudgetStop? Stop { get; private set; }

    // The sweep's stored policy, read again on every poll: what the workers obey is what this judges by.
    private RunPolicy _policy = store.LoadPolicy(sweep.Id);

    /// <summary>The sweep was cancelled (piximi-sweep cancel) while this ran; then the outcome is <see cref="SupervisionOutcome.Incomplete"/>.</summary>
    public bool Cancelled { get; private set; }

    public async Task<SupervisionOutcome> RunAsync()
    {
        foreach (var slot in plan) Start(slot);
        var maxStarts = plan.Count * (_policy.Retries + 2);
        while (true)
        {
            await Task.WhenAny(Task.Delay(settings.PollInterval, signals.Graceful), _exited.WaitAsync(signals.Graceful));
            if (signals.Graceful.IsCancellationRequested) return await StopAsync();
            if (orchestration.TakenOver)
            {
                log.Error("Another run took sweep {Sweep} over (this one had not beaten for {Grace}s); stopping", sweep.Name, settings.HeartbeatGrace.TotalSeconds);
                StoppedBy = "another run taking the sweep over";
                await StopAsync();
                return SupervisionOutcome.Incomplete;
            }

            var ended = ShowProgress();
            var moved = follower.Usage.Epochs + ended;
            if (moved != _progress) (_progress, _startsWithoutProgress) = (moved, 0);

            if (store.FindCancellation(sweep.Id) is { } cancellation)
                return await StopCancelledAsync(cancellation);

            foreach (var (pid, worker) in _workers.Where(w => w.Value.Process.HasExited).ToList())
            {
                _workers.Remove(pid);
                // The rest of its stderr first: what killed it may be in the last lines.
                worker.Process.WaitForExit();
                if (worker.Process.ExitCode == settings.CouldNotStartExitCode)
                {
                    log.Error("Worker {WorkerPid} could not start (exit code {ExitCode}); stopping the sweep", pid, worker.Process.ExitCode);
                    await StopAsync();
                    return SupervisionOutcome.WorkersFailed;
                }
                if (worker.Process.ExitCode != 0) RecoverFrom(pid, worker);
            }
            _policy = store.LoadPolicy(sweep.Id);
            // Heartbeats, on every poll: cheap, and independent of whether anything else happens.
            Recovery.Recover(store, sweep, settings.HeartbeatGrace, _policy.Retries, log, [], $"no heartbeat for {settings.HeartbeatGrace.TotalSeconds:0}s");

            var counts = store.CountTrials(sweep.Id);
            // Trials a sampler has yet to propose count as queued: a worker will add and claim them.
            var queued = counts.Queued + TrialSource.StillToPropose(sweep.Definition, counts.Total);
            var running = counts.Running;
            // The stored policy's verdict on the figures the follower keeps (the store's own sums, read as they grow):
            // every claim checks it again in the store, so no worker (here or elsewhere) claims past it.
            var stop = _policy.Stop(counts.Started, follower.Usage.Epochs, follower.Usage.Seconds, DateTimeOffset.UtcNow);
            var claimable = stop is not null ? 0
                : _policy.MaxTrials is { } cap ? Math.Min(queued, Math.Max(0, cap - counts.Started))
                : queued;

            if (queued + running == 0 || (claimable == 0 && running == 0))
            {
                await WaitForWorkersAsync(settings.ShutdownGrace);
                ShowFinalProgress();
                Stop = stop;
                StoppedBy = stop?.Description ?? $"the trial budget ({_policy.MaxTrials} trials)";
                return queued + running == 0 ? SupervisionOutcome.Finished : SupervisionOutcome.Incomplete;
            }
            if (claimable == 0) continue;

            foreach (var slot in plan.Where(s => _workers.Values.All(w => w.Slot != s)).Take(claimable))
            {
                if (_startsWithoutProgress >= maxStarts)
                {
                    if (_workers.Count == 0)
                    {
                        log.Error("Workers were started {Starts} times without the sweep moving on and none is left; giving up with {Queued} trial(s) queued", _startsWithoutProgress, queued);
                        return SupervisionOutcome.WorkersFailed;
                    }
                    break;
                }
                log.Information("Starting a replacement worker on {Device}", slot.Device);
                Start(slot);
            }
        }
    }

    private void CatchUp() => _unprinted.AddRange(follower.CatchUp());

    /// <summary>
    /// The progress lines since the last poll, from what changed (<see cref="ITrialResults.ReadChanges"/>): the
    /// epochs stored since, the trials running now or last seen running or with a new epoch, and the counts by
    /// state, of one snapshot, all read by index. Only when the counts show a change those trials do not explain
    /// (a trial that started and ended between two polls without an epoch: an error at once) are all trials read.
    /// Returns how many trials have ended.
    /// </summary>
    private int ShowProgress()
    {
        var changes = store.ReadChanges(sweep.Id, follower.Position, progress.Watching);
        _unprinted.AddRange(follower.Take(changes.Epochs));
        if (progress.Accounts(changes.Trials, changes.Counts))
            progress.Update(changes.Trials, _unprinted, changes.Counts.Total);
        else
            progress.Update(store.ListTrials(sweep.Id), _unprinted);
        _unprinted.Clear();
        return changes.Counts.Ended;
    }

    /// <summary>The last progress lines, once the workers are gone: every trial read once more.</summary>
    private void ShowFinalProgress()
    {
        CatchUp();
        progress.Update(store.ListTrials(sweep.Id), _unprinted);
        _unprinted.Clear();
    }

    /// <summary>
    /// A worker died. Of an error of libtorch's in its trial (the C++ exception its crash report names): that
    /// trial fails at once, as an exception caught in the worker would have failed it. Otherwise (killed, out
    /// of memory, a crash without a report) it was lost, and the retry rule decides.
    /// </summary>
    private void RecoverFrom(int pid, Worker worker)
    {
        var how = Describe(worker.Process.ExitCode);
        var abort = worker.Abort();
        log.Warning("Worker {WorkerPid} on {Device} {How}{Abort}", pid, worker.Slot.Device, how, abort is null ? "" : $": {abort.Type}: {abort.Message}");
        if (worker.Process.ExitCode == SigAbrtExit && abort is { Recurs: true })
        {
            foreach (var failed in store.FailTrialsOf(sweep.Id, WorkerIds.For(pid), $"libtorch error: {abort.Message}"))
            {
                log.ForContext("TrialId", failed.TrialId).Error(
                    "Trial {TrialNumber} failed: libtorch error: {Reason} (it aborted worker {WorkerPid}; an error inside the trial, so it is not retried: it would recur)",
                    failed.Number, abort.Message, pid);
            }
            return;
        }
        Recovery.Recover(store, sweep, settings.HeartbeatGrace, _policy.Retries, log, [WorkerIds.For(pid)], $"worker {pid} {how}" + (abort is null ? "" : $" ({abort.Type}: {abort.Message})"));
    }

    private void Start(WorkerSlot slot)
    {
        var (process, abort) = launcher.Start(slot, () => _exited.Release());
        _startsWithoutProgress++;
        _workers[process.Id] = new Worker(process, slot, abort);
        log.Information("Worker {WorkerIndex} started: pid {WorkerPid} on {Device} with {Threads} thread(s)", slot.Index, process.Id, slot.Device, slot.Threads);
    }

    /// <summary>
    /// First signal: workers are asked to stop (SIGTERM); each gives its trial back to the queue, to resume after
    /// its last stored epoch. A second signal, or workers that do not stop in time: they are killed, and their trials
    /// are recovered as lost.
    /// </summary>
    private async Task<SupervisionOutcome> StopAsync()
    {
        log.Warning("Stopping: {Workers} worker(s) give their trials back (press Ctrl+C again to stop at once)", _workers.Count);
        await TerminateThenKillAsync("stopped at once on request");
        ShowFinalProgress();
        return SupervisionOutcome.Cancelled;
    }

    /// <summary>
    /// The sweep was cancelled: workers notice it themselves (before a claim, after an epoch, on their heartbeat)
    /// and give their trials back as "sweep cancelled"; those that do not within a grace are asked by SIGTERM.
    /// </summary>
    private async Task<SupervisionOutcome> StopCancelledAsync(SweepCancellation cancellation)
    {
        Cancelled = true;
        StoppedBy = cancellation.Reason;
        log.Warning("Sweep cancelled ({Reason}): {Workers} worker(s) give their trials back", cancellation.Reason, _workers.Count);
        if (!await WaitForWorkersAsync(Heartbeats.Interval(settings.HeartbeatGrace) + TimeSpan.FromSeconds(10), signals.Immediate))
            await TerminateThenKillAsync("stopped at once after the sweep was cancelled");
        ShowFinalProgress();
        return SupervisionOutcome.Incomplete;
    }

    /// <summary>
    /// SIGTERM to every live worker, which gives its trial back; those still alive after the grace, or at a second
    /// Ctrl+C, are killed, and their trials recovered as lost, <paramref name="killedBecause"/>.
    /// </summary>
    private async Task TerminateThenKillAsync(string killedBecause)
    {
        foreach (var worker in _workers.Values.Where(w => !w.Process.HasExited))
            launcher.AskToStop(worker.Process);
        if (await WaitForWorkersAsync(settings.ShutdownGrace, signals.Immediate)) return;
        log.Warning("Stopping at once: killing {Workers} worker(s)", _workers.Values.Count(w => !w.Process.HasExited));
        foreach (var worker in _workers.Values.Where(w => !w.Process.HasExited))
            worker.Process.Kill(entireProcessTree: true);
        await WaitForWorkersAsync(settings.ShutdownGrace);
        Recovery.Recover(store, sweep, settings.HeartbeatGrace, _policy.Retries, log, _workers.Keys.Select(WorkerIds.For).ToList(), killedBecause);
    }

    /// <returns>False when the wait was cut short (timeout or <paramref name="cancel"/>).</returns>
    private async Task<bool> WaitForWorkersAsync(TimeSpan timeout, CancellationToken cancel = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        limit.CancelAfter(timeout);
        try
        {
            await Task.WhenAll(_workers.Values.Select(w => w.Process.WaitForExitAsync(limit.Token)));
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static string Describe(int exitCode) => exitCode > 128
        ? $"was killed by signal {exitCode - 128}{(exitCode - 128) switch { 6 => " (SIGABRT)", 9 => " (SIGKILL)", 11 => " (SIGSEGV)", 15 => " (SIGTERM)", _ => "" }}"
        : $"exited with code {exitCode}";
}
