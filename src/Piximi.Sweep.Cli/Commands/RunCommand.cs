using System.Diagnostics;
using System.Globalization;
using Piximi.Sweep.Cli.Output;
using Piximi.Sweep.Core;
using Piximi.Sweep.Engine;
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
    TimeSpan HeartbeatGrace)
{
    /// <summary>
    /// The budgets and retry rule given on the command line (null where not given): they replace the stored policy's,
    /// which every worker obeys. The file's <c>budget:</c> fills in what the command line leaves out.
    /// </summary>
    public RunPolicy Policy { get; init; } = RunPolicy.None;
}

/// <summary>
/// <c>piximi-sweep run</c> and <c>resume</c>: validate the sweep file (before anything is written) or read the sweep
/// back from the store, recover trials whose workers are gone, keep a pool of worker processes busy, show progress
/// from the store, and end with the ranked best trials. A first Ctrl+C or SIGTERM stops gracefully (workers give
/// their trials back, to resume after the last stored epoch); a second stops at once.
/// </summary>
internal sealed class RunCommand(TextWriter output)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(30);

    /// <summary>How to read a W&amp;B sweep file (--dataset, --model, --ignore-unknown).</summary>
    internal SweepFileOptions FileOptions { get; init; } = SweepFileOptions.None;

    /// <summary>--skip-bad-images: skip and count bad images (stored in the sweep's definition).</summary>
    internal bool SkipBadImages { get; init; }

    /// <summary>Where an unexpected error's details go; told the sweep's log once there is one.</summary>
    internal ErrorLog? Errors { get; init; }

    /// <summary>Where workers' own messages go (their stderr, sorted by <see cref="WorkerStderr"/>).</summary>
    internal TextWriter WorkerConsole { get; init; } = Console.Error;

    public async Task<int> ExecuteAsync(RunOptions options)
    {
        var input = CheckInput(options);
        using var store = options.File is null ? StoreAccess.OpenExisting(options.Db) : StoreAccess.Open(options.Db);
        var sweep = input.Loaded is null ? Resumed(store, options) : Created(store, options, input.Loaded);
        // One orchestrator per sweep: a second run (or resume) of a sweep being run is refused here, before anything
        // of it changes; from now on this one beats in the store until it ends.
        using var orchestration = Orchestration.Take(store, sweep, options.HeartbeatGrace);
        var logPath = SweepLog.PathFor(options.Db, sweep.Name);
        using var log = SweepLog.Create(logPath, sweep, "run", LogEventLevel.Information, consoleToStdErr: false);
        using var fileLog = SweepLog.CreateFileOnly(logPath, sweep, "run");
        if (Errors is not null) Errors.SweepLog = logPath;
        orchestration.BeatFailed += e => log.Warning("The orchestrator's heartbeat failed: {Problem}", e.Message);
        input.Counter.Log(log);
        var policy = StorePolicy(store, sweep, input.Asked, log);
        LiftCancellation(store, sweep, log);
        var state = Prepare(store, sweep, options, policy, log, logPath);
        if (state.Queued + state.ToPropose == 0 && state.Trials.All(t => t.State != TrialState.Running))
        {
            output.WriteLine($"Every trial of '{sweep.Name}' has already finished; nothing to run.");
            return Finish(store, sweep, log, logPath);
        }
        var plan = input.Workers.For(state.Queued + state.ToPropose);
        LogPlan(plan, policy, log);
        using var signals = new StopSignals();
        var progress = new ProgressPrinter(output, state.Trials, state.Epochs, Baselines.ProposedTotal(sweep.Definition));
        var launcher = new LocalWorkers(sweep, options, fileLog, TextWriter.Synchronized(WorkerConsole));
        var settings = new SupervisorSettings(options.HeartbeatGrace, PollInterval, ShutdownGrace, ExitCodes.WorkersFailed);
        var supervisor = new Supervisor(settings, store, sweep, plan, progress, state.Follower, log, launcher, new StopTokens(signals.Graceful, signals.Immediate), orchestration);
        var outcome = ExitCode(await supervisor.RunAsync());
        return outcome == ExitCodes.Ok ? Finish(store, sweep, log, logPath) : Stopped(store, sweep, supervisor, outcome, logPath);
    }

    /// <summary>What run was asked, checked before the store is even opened.</summary>
    /// <param name="Workers">The worker plan, judged against this machine's cores and devices.</param>
    /// <param name="Counter">What the dataset check found, to be said and logged.</param>
    /// <param name="Loaded">The sweep file, validated (null for resume).</param>
    /// <param name="Asked">The budgets asked: the command line's over the file's.</param>
    private sealed record RunInput(WorkerPlan Workers, DatasetCounter Counter, LoadedSweep? Loaded, RunPolicy Asked);

    /// <summary>
    /// Everything that can be wrong with the input is found here, before the store is even opened: the options (the
    /// worker plan against this machine's cores and devices too), then the sweep file.
    /// </summary>
    private RunInput CheckInput(RunOptions options)
    {
        if (options.HeartbeatGrace < TimeSpan.FromSeconds(2))
            throw new UserErrorException($"--heartbeat-grace must be at least 2s, got {options.HeartbeatGrace.TotalSeconds}s.");
        CheckDeadline(options.Policy);
        var workers = WorkerFlags.Plan(options);
        var counter = new DatasetCounter(SkipBadImages);
        var loaded = options.File is null ? null : counter.Apply(SweepFile.Load(LocalDisk.Instance, options.File, counter.Count, FileOptions));
        foreach (var line in counter.Lines()) output.WriteLine(line);
        foreach (var note in loaded?.Notes ?? []) output.WriteLine($"note: {note}");
        // The file's budget applies unless the command line says otherwise; both replace what the store holds.
        var asked = loaded is null ? options.Policy : options.Policy.Over(FilePolicy(loaded.Budget));
        CheckDeadline(asked);
        return new RunInput(workers, counter, loaded, asked);
    }

    private static void CheckDeadline(RunPolicy policy)
    {
        if (policy.Deadline is { } deadline && deadline <= DateTimeOffset.Now)
            throw new UserErrorException($"the deadline {deadline:yyyy-MM-dd HH:mm} has already passed.");
    }

    /// <summary>resume: the stored sweep, whose dataset must still be readable here.</summary>
    private static SweepRecord Resumed(ITrialStore store, RunOptions options)
    {
        var sweep = StoreAccess.ResolveSweep(store, options.Db, options.SweepName);
        CheckDatasetStillThere(sweep);
        return sweep;
    }

    /// <summary>run: the sweep of the file, created or, when the store has it already, resumed.</summary>
    private static SweepRecord Created(ITrialStore store, RunOptions options, LoadedSweep loaded)
    {
        try
        {
            return store.CreateSweep(loaded.Definition, loaded.Trials);
        }
        catch (SweepConflictException e)
        {
            // Said with what changed, field by field, as validate says it.
            throw new UserErrorException(StoreAccess.Conflict(store, options.Db, loaded.Definition) ?? StoreAccess.WithHint(e, options.Db));
        }
    }

    /// <summary>Running or resuming a cancelled sweep is the user asking it to go on: the cancellation is lifted.</summary>
    private void LiftCancellation(ITrialStore store, SweepRecord sweep, Logger log)
    {
        if (store.FindCancellation(sweep.Id) is not { } cancelled || !store.ClearCancellation(sweep.Id)) return;
        output.WriteLine($"Sweep '{sweep.Name}' was cancelled ({cancelled.Reason}, {cancelled.CancelledAt.ToLocalTime():yyyy-MM-dd HH:mm}); continuing it.");
        log.Information("Cancellation of {CancelledAt} lifted: {Reason}", cancelled.CancelledAt, cancelled.Reason);
    }

    /// <summary>Where the sweep stands when the supervisor takes over: its trials, the epochs stored so far, what is left.</summary>
    private sealed record SweepState(IReadOnlyList<TrialRecord> Trials, SweepFollower Follower, IReadOnlyList<EpochRecord> Epochs, int Queued, int ToPropose);

    private static SweepState Prepare(ITrialStore store, SweepRecord sweep, RunOptions options, RunPolicy policy, Logger log, string logPath)
    {
        // Trials left running by workers that are gone (a crash, a reboot, a killed run) go back to the queue now;
        // those of live workers elsewhere are judged by their heartbeats as the sweep goes on.
        var recovered = Recovery.Recover(store, sweep, options.HeartbeatGrace, policy.Retries, log, Recovery.DeadLocalHolders(store.ListTrials(sweep.Id)), "its worker was gone when the sweep was (re)started");
        var trials = store.ListTrials(sweep.Id);
        // The epochs stored so far, read once; from here on the supervisor reads only those stored since.
        var follower = new SweepFollower(store, sweep);
        var epochs = follower.CatchUp();
        var queued = trials.Count(t => t.State == TrialState.Queued);
        var toPropose = TrialSource.StillToPropose(sweep.Definition, trials.Count);
        log.Information("Sweep {Sweep}{From}: {Trials} trials, {Finished} finished, {Queued} queued, {ToPropose} still to propose, {Recovered} recovered; store {Db}, log {Log}",
            sweep.Name, options.File is null ? "" : $" from {options.File}", trials.Count,
            trials.Count(t => t.State is not (TrialState.Queued or TrialState.Running)), queued, toPropose, recovered,
            StoreLocations.Describe(options.Db), logPath);
        return new SweepState(trials, follower, epochs, queued, toPropose);
    }

    private static void LogPlan(IReadOnlyList<WorkerSlot> plan, RunPolicy policy, Logger log)
    {
        if (plan.Count == 0)
            log.Information("No local workers: watching the store while workers elsewhere train{Budgets}", policy.Describe());
        else
            log.Information("Starting {Workers} worker(s): {Plan}{Budgets}", plan.Count,
                string.Join(", ", plan.Select(w => $"{w.Device} × {w.Threads} thread(s)")), policy.Describe());
    }

    private static int ExitCode(SupervisionOutcome outcome) => outcome switch
    {
        SupervisionOutcome.Finished => ExitCodes.Ok,
        SupervisionOutcome.Incomplete => ExitCodes.Incomplete,
        SupervisionOutcome.Cancelled => ExitCodes.Cancelled,
        _ => ExitCodes.WorkersFailed,
    };

    /// <summary>A sweep stopped before its end: where it stands, and why and how to go on.</summary>
    private int Stopped(ITrialStore store, SweepRecord sweep, Supervisor supervisor, int outcome, string logPath)
    {
        output.WriteLine();
        foreach (var line in ResultsCommands.StatusLines(sweep, ResultsCommands.Summaries(store, sweep)))
            output.WriteLine(line);
        output.WriteLine(outcome switch
        {
            ExitCodes.Cancelled => $"Stopped on request. Continue with: piximi-sweep resume {sweep.Name}",
            ExitCodes.Incomplete when supervisor.Cancelled => $"Sweep cancelled ({supervisor.StoppedBy}); trials left wait in the store. Continue with: piximi-sweep resume {sweep.Name}",
            ExitCodes.Incomplete => $"Stopped by {supervisor.StoppedBy} with trials left. Continue with: piximi-sweep resume {sweep.Name}" +
                                    (supervisor.Stop?.Budget is Budget.Epochs or Budget.ComputeHours ? " (with a larger --max-epochs or --compute-hours)" : ""),
            _ => $"Workers could not run; see {logPath}",
        });
        return outcome;
    }

    /// <summary>The budgets a sweep file's <c>budget:</c> asks for (its deadline read now, as a time of day means the next one).</summary>
    private static RunPolicy FilePolicy(SweepBudget budget) => new(
        budget.Deadline is { } d ? TimeOptions.ParseDeadline(d, DateTimeOffset.Now, "budget.deadline") : null,
        budget.MaxTrials, budget.MaxEpochs, budget.ComputeHours);

    /// <summary>
    /// Stores what was asked over the sweep's stored policy (<see cref="PolicyUpdate"/>: every worker of the sweep,
    /// wherever it runs, obeys the stored one) and says so in one line when that changed it.
    /// </summary>
    private RunPolicy StorePolicy(ITrialStore store, SweepRecord sweep, RunPolicy asked, Logger log)
    {
        var update = PolicyUpdate.Store(store, sweep, asked, DateTimeOffset.UtcNow);
        if (update.Changes.Count == 0) return update.Policy;
        var line = string.Join("; ", update.Changes);
        output.WriteLine($"Budgets of '{sweep.Name}' stored, for every worker of the sweep: {line}" +
                         (update.Lifted ? " (a spent budget is lifted when the sweep is run again; give it again to keep it)." : "."));
        log.Information("Run policy changed: {Changes}", line);
        return update.Policy;
    }

    private static void CheckDatasetStillThere(SweepRecord sweep)
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
}
