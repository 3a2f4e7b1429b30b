using System.Diagnostics;
using System.Runtime.InteropServices;
using Piximi.Sweep.Cli.Output;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;
using Piximi.Sweep.Training;
using Serilog.Core;
using Serilog.Events;

namespace Piximi.Sweep.Cli.Commands;

internal sealed record RunOptions(string File, string Db, int? Workers, int? Threads, string Device);

/// <summary>
/// <c>piximi-sweep run</c>: validate the sweep file (before anything is written), create or resume the sweep in the
/// store, start worker processes, show progress from the store, and end with the ranked best trials.
/// </summary>
internal sealed partial class RunCommand(TextWriter output)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(20);

    public async Task<int> ExecuteAsync(RunOptions options, CancellationToken cancellationToken)
    {
        // Everything that can be wrong with the input is found here, before the store is even opened.
        var loaded = SweepFile.Load(options.File, ImageDataset.CountImages);
        var definition = loaded.Definition;

        using var store = TrialStores.OpenSqlite(options.Db);
        SweepRecord sweep;
        try
        {
            sweep = store.CreateSweep(definition, loaded.Trials);
        }
        catch (SweepConflictException e)
        {
            throw new UserErrorException(e.Message);
        }

        var logPath = SweepLog.PathFor(options.Db, sweep.Name);
        using var log = SweepLog.Create(logPath, sweep, "run", LogEventLevel.Information, consoleToStdErr: false);
        var requeued = store.RequeueRunning(sweep.Id);
        var trials = store.ListTrials(sweep.Id);
        var epochs = store.ListEpochs(sweep.Id);
        var summaries = Ranking.Summarize(trials, epochs);
        var queued = summaries.Count(s => s.Trial.State == TrialState.Queued);
        var finished = summaries.Count - queued;
        log.Information("Sweep {Sweep} from {File}: {Trials} trials, {Finished} already finished, {Requeued} re-queued; store {Db}, log {Log}",
            sweep.Name, options.File, summaries.Count, finished, requeued, Path.GetFullPath(options.Db), logPath);

        if (queued == 0)
        {
            output.WriteLine($"Every trial of '{sweep.Name}' has already finished; nothing to run.");
            return Finish(store, sweep, log, logPath);
        }

        var plan = WorkerPlan.Make(options.Device, options.Workers, options.Threads, queued, Environment.ProcessorCount, CudaDeviceCount);
        log.Information("Starting {Workers} worker(s): {Plan}", plan.Count,
            string.Join(", ", plan.Select(w => $"{w.Device} × {w.Threads} thread(s)")));

        var progress = new ProgressPrinter(output, trials, epochs);
        var outcome = await SuperviseAsync(options, store, sweep, plan, progress, log, cancellationToken);
        if (outcome != ExitCodes.Ok)
        {
            foreach (var line in ResultsCommands.StatusLines(sweep, ResultsCommands.Summaries(store, sweep)))
                output.WriteLine(line);
            return outcome;
        }
        return Finish(store, sweep, log, logPath);
    }

    /// <summary>
    /// Keeps workers running until every trial is finished. A worker that dies leaves its trial running; once no
    /// worker is left, running trials go back to the queue and a new round of workers starts (a bounded number of times).
    /// </summary>
    private async Task<int> SuperviseAsync(RunOptions options, ITrialStore store, SweepRecord sweep, IReadOnlyList<WorkerSlot> plan,
        ProgressPrinter progress, Logger log, CancellationToken cancellationToken)
    {
        var rounds = 0;
        const int maxRounds = 3;
        var processes = StartWorkers(options, sweep, plan, log);
        while (true)
        {
            try
            {
                await Task.Delay(PollInterval, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                log.Warning("Interrupted: stopping {Workers} worker(s); unfinished trials go back to the queue", processes.Count(p => !p.HasExited));
                await StopAsync(processes);
                var back = store.RequeueRunning(sweep.Id);
                log.Warning("{Requeued} trial(s) re-queued; run the same command again to resume", back);
                return ExitCodes.Cancelled;
            }

            var trials = store.ListTrials(sweep.Id);
            progress.Update(trials, store.ListEpochs(sweep.Id));
            var unfinished = trials.Count(t => t.State is TrialState.Queued or TrialState.Running);
            var alive = processes.Count(p => !p.HasExited);
            if (unfinished == 0)
            {
                await WaitForExitAsync(processes);
                return ExitCodes.Ok;
            }
            if (alive > 0) continue;

            foreach (var p in processes.Where(p => p.ExitCode != 0))
                log.Warning("Worker {WorkerPid} exited with code {ExitCode}", p.Id, p.ExitCode);
            if (++rounds >= maxRounds)
            {
                log.Error("Workers ended {Rounds} times with {Unfinished} trial(s) unfinished; giving up. See {Log}",
                    rounds, unfinished, SweepLog.PathFor(options.Db, sweep.Name));
                return ExitCodes.WorkersFailed;
            }
            var requeued = store.RequeueRunning(sweep.Id);
            log.Warning("No worker left with {Unfinished} trial(s) unfinished; {Requeued} re-queued, starting workers again", unfinished, requeued);
            processes = StartWorkers(options, sweep, plan, log);
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
        var ranked = Ranking.Rank(summaries, sweep.Definition.Metric);
        output.WriteLine();
        output.WriteLine($"Best trials by {sweep.Definition.Metric}:");
        if (ranked.Count == 0) output.WriteLine("none completed.");
        else TrialTables.Ranked(ranked.Take(5).ToList()).WriteTo(output);
        output.WriteLine();
        output.WriteLine($"All trials: piximi-sweep trials --sweep {sweep.Name}    Log: {logPath}");
        return failed > 0 ? ExitCodes.TrialsFailed : ExitCodes.Ok;
    }

    private List<Process> StartWorkers(RunOptions options, SweepRecord sweep, IReadOnlyList<WorkerSlot> plan, Logger log)
    {
        var processes = new List<Process>();
        foreach (var slot in plan)
        {
            var start = SelfInvocation();
            foreach (var arg in new[] { "worker", "--db", Path.GetFullPath(options.Db), "--sweep", sweep.Name, "--device", slot.Device, "--threads", slot.Threads.ToString(System.Globalization.CultureInfo.InvariantCulture) })
                start.ArgumentList.Add(arg);
            // OpenMP and MKL pools follow the worker's share of the cores, so workers never oversubscribe them.
            start.Environment["OMP_NUM_THREADS"] = slot.Threads.ToString(System.Globalization.CultureInfo.InvariantCulture);
            start.Environment["MKL_NUM_THREADS"] = slot.Threads.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var process = Process.Start(start) ?? throw new InvalidOperationException("could not start a worker process");
            log.Information("Worker {WorkerIndex} started: pid {WorkerPid} on {Device} with {Threads} thread(s)", slot.Index, process.Id, slot.Device, slot.Threads);
            processes.Add(process);
        }
        return processes;
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

    private static async Task StopAsync(List<Process> processes)
    {
        foreach (var p in processes.Where(p => !p.HasExited))
            _ = Kill(p.Id, SigTerm);
        using var grace = new CancellationTokenSource(ShutdownGrace);
        try
        {
            await WaitForExitAsync(processes, grace.Token);
        }
        catch (OperationCanceledException)
        {
            foreach (var p in processes.Where(p => !p.HasExited))
                p.Kill(entireProcessTree: true);
            await WaitForExitAsync(processes);
        }
    }

    private static Task WaitForExitAsync(List<Process> processes, CancellationToken cancellationToken = default) =>
        Task.WhenAll(processes.Select(p => p.WaitForExitAsync(cancellationToken)));

    /// <summary>CUDA devices, asked of TorchSharp only where an NVIDIA driver exists (loading libtorch costs a second).</summary>
    private static int CudaDeviceCount()
    {
        if (!Directory.Exists("/proc/driver/nvidia/gpus")) return 0;
        TorchRuntime.Initialize(1);
        return TorchRuntime.CudaDeviceCount();
    }

    private const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
