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
        // Everything that can be wrong with the input is found here, before the store is even opened: the options
        // (the worker plan against this machine's cores and devices too), then the sweep file.
        if (options.HeartbeatGrace < TimeSpan.FromSeconds(2))
            throw new UserErrorException($"--heartbeat-grace must be at least 2s, got {options.HeartbeatGrace.TotalSeconds}s.");
        if (options.Policy.Deadline is { } given && given <= DateTimeOffset.Now)
            throw new UserErrorException($"the deadline {given:yyyy-MM-dd HH:mm} has already passed.");
        var workers = WorkerFlags.Plan(options);
        var counter = new DatasetCounter(SkipBadImages);
        var loaded = options.File is null ? null : counter.Apply(SweepFile.Load(options.File, counter.Count, FileOptions));
        foreach (var line in counter.Lines()) output.WriteLine(line);
        foreach (var note in loaded?.Notes ?? []) output.WriteLine($"note: {note}");
        // The file's budget applies unless the command line says otherwise; both replace what the store holds.
        var asked = loaded is null ? options.Policy : options.Policy.Over(FilePolicy(loaded.Budget));
        if (asked.Deadline is { } deadline && deadline <= DateTimeOffset.Now)
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

        // One orchestrator per sweep: a second run (or resume) of a sweep being run is refused here, before anything
        // of it changes; from now on this one beats in the store until it ends.
        using var orchestration = Orchestration.Take(store, sweep, options.HeartbeatGrace);
        var logPath = SweepLog.PathFor(options.Db, sweep.Name);
        using var log = SweepLog.Create(logPath, sweep, "run", LogEventLevel.Information, consoleToStdErr: false);
        using var fileLog = SweepLog.CreateFileOnly(logPath, sweep, "run");
        if (Errors is not null) Errors.SweepLog = logPath;
        orchestration.BeatFailed += e => log.Warning("The orchestrator's heartbeat failed: {Problem}", e.Message);
        counter.Log(log);
        var policy = StorePolicy(store, sweep, asked, log);
        // Running or resuming a cancelled sweep is the user asking it to go on: the cancellation is lifted.
        if (store.FindCancellation(sweep.Id) is { } cancelled && store.ClearCancellation(sweep.Id))
        {
            output.WriteLine($"Sweep '{sweep.Name}' was cancelled ({cancelled.Reason}, {cancelled.CancelledAt.ToLocalTime():yyyy-MM-dd HH:mm}); continuing it.");
            log.Information("Cancellation of {CancelledAt} lifted: {Reason}", cancelled.CancelledAt, cancelled.Reason);
        }
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

        if (queued + toPropose == 0 && trials.All(t => t.State != TrialState.Running))
        {
            output.WriteLine($"Every trial of '{sweep.Name}' has already finished; nothing to run.");
            return Finish(store, sweep, log, logPath);
        }

        var plan = workers.For(queued + toPropose);
        if (plan.Count == 0)
            log.Information("No local workers: watching the store while workers elsewhere train{Budgets}", policy.Describe());
        else
            log.Information("Starting {Workers} worker(s): {Plan}{Budgets}", plan.Count,
                string.Join(", ", plan.Select(w => $"{w.Device} × {w.Threads} thread(s)")), policy.Describe());

        using var signals = new StopSignals();
        var progress = new ProgressPrinter(output, trials, epochs, Baselines.ProposedTotal(sweep.Definition));
        var launcher = new LocalWorkers(sweep, options, fileLog, TextWriter.Synchronized(WorkerConsole));
        var settings = new SupervisorSettings(options.HeartbeatGrace, PollInterval, ShutdownGrace, ExitCodes.WorkersFailed);
        var supervisor = new Supervisor(settings, store, sweep, plan, progress, follower, log, launcher, new StopTokens(signals.Graceful, signals.Immediate), orchestration);
        var outcome = await supervisor.RunAsync() switch
        {
            SupervisionOutcome.Finished => ExitCodes.Ok,
            SupervisionOutcome.Incomplete => ExitCodes.Incomplete,
            SupervisionOutcome.Cancelled => ExitCodes.Cancelled,
            _ => ExitCodes.WorkersFailed,
        };
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
    /// Stores what was asked over the sweep's stored policy and says so in one line when that changed it: every worker
    /// of the sweep, wherever it runs, obeys the stored one. A stored budget not asked for stays, unless it is spent:
    /// running the sweep again after a budget stopped it is asking it to go on (as with a cancellation).
    /// </summary>
    private RunPolicy StorePolicy(ITrialStore store, SweepRecord sweep, RunPolicy asked, Logger log)
    {
        var stored = store.LoadPolicy(sweep.Id);
        var usage = store.Usage(sweep.Id);
        var started = store.CountTrials(sweep.Id).Started;
        var policy = asked.Over(stored.WithoutSpent(started, usage.Epochs, usage.Seconds, DateTimeOffset.UtcNow));
        var lifted = policy != asked.Over(stored);
        var before = store.SavePolicy(sweep.Id, policy);
        if (policy.Changes(before) is { Count: > 0 } changes)
        {
            var line = string.Join("; ", changes);
            output.WriteLine($"Budgets of '{sweep.Name}' stored, for every worker of the sweep: {line}" +
                             (lifted ? " (a spent budget is lifted when the sweep is run again; give it again to keep it)." : "."));
            log.Information("Run policy changed: {Changes}", line);
        }
        return policy;
    }

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
