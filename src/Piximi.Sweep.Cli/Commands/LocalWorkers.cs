using System.Diagnostics;
using System.Globalization;
using Piximi.Sweep.Core;
using Piximi.Sweep.Engine;
using Piximi.Sweep.Storage;
using Serilog.Core;

namespace Piximi.Sweep.Cli.Commands;

/// <summary>
/// Starts <c>piximi-sweep worker</c> processes of this same program for <c>run</c>'s supervisor. Their stderr passes
/// through <see cref="WorkerStderr"/>: their messages reach the console, crash reports only the log.
/// </summary>
internal sealed class LocalWorkers(SweepRecord sweep, RunOptions options, Logger fileLog, TextWriter console) : IWorkerLauncher
{
    public (Process Process, Func<NativeError?> Abort) Start(WorkerSlot slot, Action exited)
    {
        var start = RunCommand.SelfInvocation();
        var threads = slot.Threads.ToString(CultureInfo.InvariantCulture);
        // No budgets: the worker reads the sweep's policy from the store, as one started by Slurm or by hand does.
        var args = new List<string>
        {
            "worker", "--sweep", sweep.Name, "--device", slot.Device, "--threads", threads,
            "--heartbeat-interval", Heartbeats.Interval(options.HeartbeatGrace).TotalSeconds.ToString("R", CultureInfo.InvariantCulture),
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // The store goes by environment, not argument: a PostgreSQL password never shows in a process list.
        start.Environment[StoreLocations.EnvironmentVariable] =
            StoreLocations.SqlitePath(options.Db) is { } path ? Path.GetFullPath(path) : options.Db;
        // OpenMP and MKL pools follow the worker's share of the cores, so workers never oversubscribe them.
        start.Environment["OMP_NUM_THREADS"] = threads;
        start.Environment["MKL_NUM_THREADS"] = threads;
        start.RedirectStandardError = true;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var stderr = new WorkerStderr(console, line => fileLog.Warning("Worker {WorkerPid} stderr: {Line}", process.Id, line));
        process.ErrorDataReceived += (_, e) => stderr.Line(e.Data);
        process.Exited += (_, _) => exited();
        if (!process.Start()) throw new InvalidOperationException("could not start a worker process");
        process.BeginErrorReadLine();
        return (process, () => stderr.Abort);
    }

    public void AskToStop(Process process) => _ = Signals.Send(process.Id, Signals.Terminate);
}
