using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Piximi.Sweep.Cli.Output;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;
using Piximi.Sweep.Training;
using Serilog.Core;
using Serilog.Events;

namespace Piximi.Sweep.Cli.Commands;

/// <summary>How <c>run</c> and <c>resume</c> were asked to run a sweep.</summary>
internal sealed record RunOptions(
    string? File,
    string? SweepName,
    string Db,
    int? Workers,
    int? Threads,
    string Devices,
    int PerDevice,
    DateTimeOffset? Deadline,
    int? MaxTrials,
    int MaxRetries,
    TimeSpan HeartbeatGrace)
{
    /// <summary>The sweep-wide epoch and compute-hour budgets (command line, else the file's budget).</summary>
    public SweepLimits Limits { get; init; } = SweepLimits.None;
}

/// <summary>
/// <c>piximi-sweep run</c> and <c>resume</c>: validate the sweep file (before anything is written) or read the sweep
/// back from the store, recover trials whose workers are gone, keep a pool of worker processes busy, show progress
/// from the store, and end with the ranked best trials. A first Ctrl+C or SIGTERM stops gracefully (workers give
/// their trials back, to resume after the last stored epoch); a second stops at once.
/// </summary>
internal sealed partial class RunCommand(TextWriter output)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(30);

    /// <summary>How to read a W&amp;B sweep file (--dataset, --model, --ignore-unknown).</summary>
    internal SweepFileOptions FileOptions { get; init; } = SweepFileOptions.None;

    /// <summary>--skip-bad-images: skip and count bad images (stored in the sweep's definition).</summary>
    internal bool SkipBadImages { get; init; }

    /// <summary>Where an unexpected error's details go; told the sweep's log once there is one.</summary>
    internal ErrorLog? Errors { get; init; }

    public async Task<int> ExecuteAsync(RunOptions options)
    {
        // Everything that can be wrong with the input is found here, before the store is even opened: the options
        // (the worker plan against this machine's cores and devices too), then the sweep file.
        if (options.MaxRetries < 0) throw new UserErrorException($"--max-retries must be 0 or more, got {options.MaxRetries}.");
        if (options.MaxTrials is < 1) throw new UserErrorException($"--max-trials must be at least 1, got {options.MaxTrials}.");
        if (options.HeartbeatGrace < TimeSpan.FromSeconds(2))
            throw new UserErrorException($"--heartbeat-grace must be at least 2s, got {options.HeartbeatGrace.TotalSeconds}s.");
        if (options.Deadline is { } given && given <= DateTimeOffset.Now)
            throw new UserErrorException($"the deadline {given:yyyy-MM-dd HH:mm} has already passed.");
        var workers = WorkerPlan.Check(options.Devices, options.PerDevice, options.Workers, options.Threads, Environment.ProcessorCount, WorkerPlan.CudaDeviceCount);
        var counter = new DatasetCounter(SkipBadImages);
        var loaded = options.File is null ? null : counter.Apply(SweepFile.Load(options.File, counter.Count, FileOptions));
        foreach (var line in counter.Lines()) output.WriteLine(line);
        foreach (var note in loaded?.Notes ?? []) output.WriteLine($"note: {note}");
        // The file's budget applies unless the command line says otherwise.
        if (loaded?.Budget is { } budget)
        {
            options = options with
            {
                Deadline = options.Deadline ?? (budget.Deadline is { } d ? TimeOptions.ParseDeadline(d, DateTimeOffset.Now, "budget.deadline") : null),
                MaxTrials = options.MaxTrials ?? budget.MaxTrials,
                Limits = new SweepLimits(options.Limits.MaxEpochs ?? budget.MaxEpochs, options.Limits.ComputeHours ?? budget.ComputeHours),
            };
        }
        if (options.Deadline is { } deadline && deadline <= DateTimeOffset.Now)
            throw new UserErrorException($"the deadline {deadline:yyyy-MM-dd HH:mm} has already passed.");

        using var store = options.File is null ? StoreAccess.OpenExisting(options.Db) : StoreAccess.Open(options.Db);
        SweepRecord sweep;
        if (loaded is null)
        {
            sweep = StoreAccess.ResolveSweep(store, options.Db, options.SweepName);
            CheckDatasetStillThere(sweep);
        }
        else
        {
            try
            {
                sweep = store.CreateSweep(loaded.Definition, loaded.Trials);
            }
            catch (SweepConflictException e)
            {
                // Said with what changed, field by field, as validate says it.
                throw new UserErrorException(StoreAccess.Conflict(store, options.Db, loaded.Definition) ?? e.Message);
            }
        }

        var logPath = SweepLog.PathFor(options.Db, sweep.Name);
        using var log = SweepLog.Create(logPath, sweep, "run", LogEventLevel.Information, consoleToStdErr: false);
        if (Errors is not null) Errors.SweepLog = logPath;
        counter.Log(log);
        // Running or resuming a cancelled sweep is the user asking it to go on: the cancellation is lifted.
        if (store.FindCancellation(sweep.Id) is { } cancelled && store.ClearCancellation(sweep.Id))
        {
            output.WriteLine($"Sweep '{sweep.Name}' was cancelled ({cancelled.Reason}, {cancelled.CancelledAt.ToLocalTime():yyyy-MM-dd HH:mm}); continuing it.");
            log.Information("Cancellation of {CancelledAt} lifted: {Reason}", cancelled.CancelledAt, cancelled.Reason);
        }
        // Trials left running by workers that are gone (a crash, a reboot, a killed run) go back to the queue now;
        // those of live workers elsewhere are judged by their heartbeats as the sweep goes on.
        var recovered = Recover(store, sweep, options, log, DeadLocalHolders(store.ListTrials(sweep.Id)), "its worker was gone when the sweep was (re)started");
        var trials = store.ListTrials(sweep.Id);
        var epochs = store.ListEpochs(sweep.Id);
        var queued = trials.Count(t => t.State == TrialState.Queued);
        var toPropose = TrialSource.StillToPropose(sweep.Definition, trials.Count);
        log.Information("Sweep {Sweep}{From}: {Trials} trials, {Finished} finished, {Queued} queued, {ToPropose} still to propose, {Recovered} recovered; store {Db}, log {Log}",
            sweep.Name, options.File is null ? "" : $" from {options.File}", trials.Count,
            trials.Count(t => t.State is not (TrialState.Queued or TrialState.Running)), queued, toPropose, recovered,
            StoreLocations.Describe(options.Db), logPath);

        if (queued + toPropose == 0 && trials.All(t => t.State != TrialState.Running))
        {
            output.WriteLine($"Every trial of '{sweep.Name}' has already finished; nothing to run.");
            return Finish(store, sweep, log, logPath);
        }

        var plan = workers.For(queued + toPropose);
        if (plan.Count == 0)
            log.Information("No local workers: watching the store while workers elsewhere train{Budgets}", Budgets(options));
        else
            log.Information("Starting {Workers} worker(s): {Plan}{Budgets}", plan.Count,
                string.Join(", ", plan.Select(w => $"{w.Device} × {w.Threads} thread(s)")), Budgets(options));

        using var signals = new StopSignals();
        var progress = new ProgressPrinter(output, trials, epochs, Baselines.ProposedTotal(sweep.Definition));
        var supervisor = new Supervisor(options, store, sweep, plan, progress, log, signals);
        var outcome = await supervisor.RunAsync();
        if (outcome == ExitCodes.Ok)
            return Finish(store, sweep, log, logPath);

        output.WriteLine();
        foreach (var line in ResultsCommands.StatusLines(sweep, ResultsCommands.Summaries(store, sweep)))
            output.WriteLine(line);
        output.WriteLine(outcome switch
        {
            ExitCodes.Cancelled => $"Stopped on request. Continue with: piximi-sweep resume {sweep.Name}",
            ExitCodes.Incomplete when supervisor.Cancelled => $"Sweep cancelled ({supervisor.StoppedBy}); trials left wait in the store. Continue with: piximi-sweep resume {sweep.Name}",
            ExitCodes.Incomplete => $"Stopped by {supervisor.StoppedBy} with trials left. Continue with: piximi-sweep resume {sweep.Name}" +
                                    (options.Limits.Spent(store, sweep) is null ? "" : " (with a larger --max-epochs or --compute-hours)"),
            _ => $"Workers could not run; see {logPath}",
        });
        return outcome;
    }

    private static string Budgets(RunOptions o) =>
        (o.Deadline is { } d ? $"; deadline {d:yyyy-MM-dd HH:mm}" : "") + (o.MaxTrials is { } m ? $"; at most {m} trials" : "") + o.Limits.Describe();

    private void CheckDatasetStillThere(SweepRecord sweep)
    {
        try
        {
            ImageDataset.CountImages(sweep.Definition.Dataset);
        }
        catch (DatasetException e)
        {
            throw new UserErrorException($"sweep '{sweep.Name}' cannot resume here: {e.Message}");
        }
    }

    internal static int Recover(ITrialStore store, SweepRecord sweep, RunOptions options, Logger log, IReadOnlyCollection<string> deadWorkers, string reason)
    {
        var recovered = store.RecoverLost(sweep.Id, options.HeartbeatGrace, deadWorkers, options.MaxRetries, reason);
        foreach (var r in recovered)
        {
            var level = r.NewState == TrialState.Failed ? LogEventLevel.Error : LogEventLevel.Warning;
            log.ForContext("TrialId", r.TrialId).Write(level, "Trial {TrialNumber} {Outcome}: {Reason}", r.Number,
                r.NewState == TrialState.Failed ? "failed" : $"re-queued (lost {r.Lost} time(s))", r.Reason);
        }
        return recovered.Count;
    }

    /// <summary>Holders of running trials that were processes on this host and are gone.</summary>
    internal static IReadOnlyCollection<string> DeadLocalHolders(IEnumerable<TrialRecord> trials) =>
        trials.Where(t => t.State == TrialState.Running && WorkerIds.IsDeadLocal(t.WorkerId)).Select(t => t.WorkerId!).Distinct().ToList();

    private int Finish(ITrialStore store, SweepRecord sweep, Logger log, string logPath)
    {
        var summaries = ResultsCommands.Summaries(store, sweep);
        var failed = summaries.Count(s => s.Trial.State == TrialState.Failed);
        log.Information("Sweep {Sweep} finished: {Completed} completed, {Failed} failed, {Diverged} diverged",
            sweep.Name, summaries.Count(s => s.Trial.State == TrialState.Completed), failed,
            summaries.Count(s => s.Trial.State == TrialState.Diverged));
        output.WriteLine();
        foreach (var line in ResultsCommands.StatusLines(sweep, summaries))
            output.WriteLine(line);
        var metric = sweep.Definition.Metric;
        var ranked = Ranking.Rank(summaries, metric);
        var marks = BaselineMarks.Of(sweep.Definition, summaries);
        output.WriteLine();
        if (Replicates.BySettings(sweep.Definition))
        {
            // Replicates: settings ranked by their mean over seeds, as best ranks them.
            output.WriteLine($"Best settings by mean {metric} over their seeds:");
            var groups = Replicates.Rank(ranked.Select(r => (r.Summary.Trial, r.Score)), MetricNames.HigherIsBetter(metric));
            if (groups.Count == 0) output.WriteLine("none completed.");
            else TrialTables.Replicates([.. groups.Take(5)], metric, marks).WriteTo(output);
        }
        else
        {
            output.WriteLine($"Best trials by {metric}:");
            if (ranked.Count == 0) output.WriteLine("none completed.");
            else TrialTables.Ranked(ranked.Take(5).ToList(), marks).WriteTo(output);
        }
        output.WriteLine();
        output.WriteLine($"All trials: piximi-sweep trials --sweep {sweep.Name}    Log: {logPath}");
        return failed > 0 ? ExitCodes.TrialsFailed : ExitCodes.Ok;
    }

    /// <summary>How to start this same program again: the apphost directly, or <c>dotnet piximi-sweep.dll</c>.</summary>
    internal static ProcessStartInfo SelfInvocation()
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot find this program's path");
        var start = new ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
            start.ArgumentList.Add(typeof(RunCommand).Assembly.Location);
        return start;
    }

    /// <summary>
    /// Keeps the pool of workers full while trials are queued: a worker that dies is noticed at the next poll, its
    /// trial recovered (re-queued to resume from its checkpoint, or failed once out of retries) and a replacement
    /// started. Trials of workers that stop beating (hung, or on a machine that went away) are recovered on the same
    /// timer, whether or not another trial starts.
    /// </summary>
    private sealed class Supervisor(
        RunOptions options, ITrialStore store, SweepRecord sweep, IReadOnlyList<WorkerSlot> plan, ProgressPrinter progress,
        Logger log, StopSignals signals)
    {
        private readonly Dictionary<int, (Process Process, WorkerSlot Slot)> _workers = [];
        private int _starts;

        /// <summary>Which budget ended the run, once it returned <see cref="ExitCodes.Incomplete"/>.</summary>
        public string StoppedBy { get; private set; } = "a budget";

        /// <summary>The sweep was cancelled (piximi-sweep cancel) while this ran; then the outcome is <see cref="ExitCodes.Incomplete"/>.</summary>
        public bool Cancelled { get; private set; }

        public async Task<int> RunAsync()
        {
            foreach (var slot in plan) Start(slot);
            // Every worker start beyond the first round replaces one that died; bounded so that a worker that cannot
            // start at all ends the sweep instead of looping.
            var maxStarts = plan.Count * (options.MaxRetries + 2) + store.ListTrials(sweep.Id).Count;
            while (true)
            {
                try
                {
                    await Task.Delay(PollInterval, signals.Graceful);
                }
                catch (OperationCanceledException)
                {
                    return await StopAsync();
                }

                var trials = store.ListTrials(sweep.Id);
                progress.Update(trials, store.ListEpochs(sweep.Id));

                if (store.FindCancellation(sweep.Id) is { } cancellation)
                    return await StopCancelledAsync(cancellation);

                var exited = _workers.Values.Where(w => w.Process.HasExited).ToList();
                foreach (var (process, slot) in exited)
                {
                    _workers.Remove(process.Id);
                    if (process.ExitCode == ExitCodes.WorkersFailed)
                    {
                        log.Error("Worker {WorkerPid} could not start (exit code {ExitCode}); stopping the sweep", process.Id, process.ExitCode);
                        await StopAsync();
                        return ExitCodes.WorkersFailed;
                    }
                    if (process.ExitCode != 0)
                    {
                        var how = Describe(process.ExitCode);
                        log.Warning("Worker {WorkerPid} on {Device} {How}", process.Id, slot.Device, how);
                        Recover(store, sweep, options, log, [WorkerIds.For(process.Id)], $"worker {process.Id} {how}");
                    }
                }
                // Heartbeats, on every poll: cheap, and independent of whether anything else happens.
                Recover(store, sweep, options, log, [], $"no heartbeat for {options.HeartbeatGrace.TotalSeconds:0}s");

                trials = store.ListTrials(sweep.Id);
                // Trials a sampler has yet to propose count as queued: a worker will add and claim them.
                var queued = trials.Count(t => t.State == TrialState.Queued) + TrialSource.StillToPropose(sweep.Definition, trials.Count);
                var running = trials.Count(t => t.State == TrialState.Running);
                var claimable = options.MaxTrials is { } cap ? Math.Min(queued, Math.Max(0, cap - trials.Count(t => t.State != TrialState.Queued))) : queued;
                var pastDeadline = options.Deadline is { } deadline && DateTimeOffset.Now >= deadline;
                var spent = options.Limits.Spent(store, sweep);

                if (queued + running == 0 || ((claimable == 0 || pastDeadline || spent is not null) && running == 0))
                {
                    await WaitForWorkersAsync(ShutdownGrace);
                    progress.Update(store.ListTrials(sweep.Id), store.ListEpochs(sweep.Id));
                    StoppedBy = pastDeadline ? "the deadline" : spent ?? $"the trial budget ({options.MaxTrials} trials)";
                    return queued + running == 0 ? ExitCodes.Ok : ExitCodes.Incomplete;
                }
                if (pastDeadline || claimable == 0 || spent is not null) continue;

                foreach (var slot in plan.Where(s => _workers.Values.All(w => w.Slot != s)).Take(claimable))
                {
                    if (_starts >= maxStarts)
                    {
                        if (_workers.Count == 0)
                        {
                            log.Error("Workers were started {Starts} times and none is left; giving up with {Queued} trial(s) queued", _starts, queued);
                            return ExitCodes.WorkersFailed;
                        }
                        break;
                    }
                    log.Information("Starting a replacement worker on {Device}", slot.Device);
                    Start(slot);
                }
            }
        }

        private void Start(WorkerSlot slot)
        {
            var start = SelfInvocation();
            var threads = slot.Threads.ToString(CultureInfo.InvariantCulture);
            var args = new List<string>
            {
                "worker", "--sweep", sweep.Name, "--device", slot.Device, "--threads", threads,
                "--max-retries", options.MaxRetries.ToString(CultureInfo.InvariantCulture),
                "--heartbeat-interval", HeartbeatInterval(options.HeartbeatGrace).TotalSeconds.ToString("R", CultureInfo.InvariantCulture),
            };
            if (options.Deadline is { } deadline) args.AddRange(["--deadline", deadline.ToString("O", CultureInfo.InvariantCulture)]);
            if (options.MaxTrials is { } cap) args.AddRange(["--max-trials", cap.ToString(CultureInfo.InvariantCulture)]);
            if (options.Limits.MaxEpochs is { } epochs) args.AddRange(["--max-epochs", epochs.ToString(CultureInfo.InvariantCulture)]);
            if (options.Limits.ComputeHours is { } hours) args.AddRange(["--compute-hours", hours.ToString("R", CultureInfo.InvariantCulture)]);
            foreach (var arg in args) start.ArgumentList.Add(arg);
            // The store goes by environment, not argument: a PostgreSQL password never shows in a process list.
            start.Environment[StoreLocations.EnvironmentVariable] =
                StoreLocations.SqlitePath(options.Db) is { } path ? Path.GetFullPath(path) : options.Db;
            // OpenMP and MKL pools follow the worker's share of the cores, so workers never oversubscribe them.
            start.Environment["OMP_NUM_THREADS"] = threads;
            start.Environment["MKL_NUM_THREADS"] = threads;
            var process = Process.Start(start) ?? throw new InvalidOperationException("could not start a worker process");
            _starts++;
            _workers[process.Id] = (process, slot);
            log.Information("Worker {WorkerIndex} started: pid {WorkerPid} on {Device} with {Threads} thread(s)", slot.Index, process.Id, slot.Device, slot.Threads);
        }

        /// <summary>
        /// First signal: workers are asked to stop (SIGTERM); each gives its trial back to the queue, to resume after
        /// its last stored epoch. A second signal, or workers that do not stop in time: they are killed, and their trials
        /// are recovered as lost.
        /// </summary>
        private async Task<int> StopAsync()
        {
            log.Warning("Stopping: {Workers} worker(s) give their trials back (press Ctrl+C again to stop at once)", _workers.Count);
            foreach (var (process, _) in _workers.Values.Where(w => !w.Process.HasExited))
                _ = Kill(process.Id, SigTerm);
            if (!await WaitForWorkersAsync(ShutdownGrace, signals.Immediate))
            {
                log.Warning("Stopping at once: killing {Workers} worker(s)", _workers.Values.Count(w => !w.Process.HasExited));
                foreach (var (process, _) in _workers.Values.Where(w => !w.Process.HasExited))
                    process.Kill(entireProcessTree: true);
                await WaitForWorkersAsync(ShutdownGrace);
                Recover(store, sweep, options, log, _workers.Keys.Select(WorkerIds.For).ToList(), "stopped at once on request");
            }
            progress.Update(store.ListTrials(sweep.Id), store.ListEpochs(sweep.Id));
            return ExitCodes.Cancelled;
        }

        /// <summary>
        /// The sweep was cancelled: workers notice it themselves (before a claim, after an epoch, on their heartbeat)
        /// and give their trials back as "sweep cancelled"; those that do not within a grace are asked by SIGTERM.
        /// </summary>
        private async Task<int> StopCancelledAsync(SweepCancellation cancellation)
        {
            Cancelled = true;
            StoppedBy = cancellation.Reason;
            log.Warning("Sweep cancelled ({Reason}): {Workers} worker(s) give their trials back", cancellation.Reason, _workers.Count);
            if (!await WaitForWorkersAsync(HeartbeatInterval(options.HeartbeatGrace) + TimeSpan.FromSeconds(10), signals.Immediate))
            {
                foreach (var (process, _) in _workers.Values.Where(w => !w.Process.HasExited))
                    _ = Kill(process.Id, SigTerm);
                if (!await WaitForWorkersAsync(ShutdownGrace, signals.Immediate))
                {
                    foreach (var (process, _) in _workers.Values.Where(w => !w.Process.HasExited))
                        process.Kill(entireProcessTree: true);
                    await WaitForWorkersAsync(ShutdownGrace);
                    Recover(store, sweep, options, log, _workers.Keys.Select(WorkerIds.For).ToList(), "stopped at once after the sweep was cancelled");
                }
            }
            progress.Update(store.ListTrials(sweep.Id), store.ListEpochs(sweep.Id));
            return ExitCodes.Incomplete;
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

    /// <summary>Workers beat four times per grace period, so one late beat never looks like a death.</summary>
    internal static TimeSpan HeartbeatInterval(TimeSpan grace) => grace / 4;

    private const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
