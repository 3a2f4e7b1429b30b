using Piximi.Sweep.Cli.Output;
using Piximi.Sweep.Core;
using Piximi.Sweep.Engine;
using Piximi.Sweep.Storage;
using Piximi.Sweep.Training;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace Piximi.Sweep.Cli.Commands;

/// <summary>
/// What a worker is told: where the store is, which sweep, its device. Not the sweep's budgets: those it reads from
/// the store (<see cref="RunPolicy"/>), so that a worker started by Slurm or by hand obeys what a local one does.
/// </summary>
internal sealed record WorkerOptions(
    string Db,
    string Sweep,
    string Device,
    int Threads,
    TimeSpan HeartbeatInterval)
{
    /// <summary>Where this machine keeps the sweep's dataset, when not at the paths the sweep names.</summary>
    public PathMap PathMap { get; init; } = PathMap.None;
}

/// <summary>
/// <c>piximi-sweep worker</c>: one process owning one device. It claims trials from the store until none is queued
/// (or the sweep's stored policy forbids a claim: the store checks it in the claim itself), resumes each from its
/// last stored epoch, stores every epoch with its checkpoint before training goes on, and beats a heartbeat meanwhile.
/// The store is its only channel to the orchestrator, the run policy included.
/// </summary>
internal sealed class WorkerCommand(TextWriter error)
{
    /// <summary>Where an unexpected error's details go; told the sweep's log once there is one.</summary>
    internal ErrorLog? Errors { get; init; }

    public int Execute(WorkerOptions options, CancellationToken stop)
    {
        Check(options);
        // Benchmarks of the engine alone (scripts/bench-scale) train with the synthetic trainer: no libtorch, no dataset.
        var synthetic = Environment.GetEnvironmentVariable(SyntheticTrainer.Variable) == "1";
        // libtorch's native libraries load (a few hundred MB) while the store is opened and the sweep read: a
        // replacement worker, started on a core its dead predecessor left free, is ready that much sooner.
        var torchReady = synthetic ? Task.CompletedTask : Task.Run(() => TorchRuntime.Initialize(options.Threads));
        using var store = StoreAccess.OpenExisting(options.Db);
        var sweep = StoreAccess.ResolveSweep(store, options.Db, options.Sweep);
        var logPath = SweepLog.PathFor(options.Db, sweep.Name);
        using var log = SweepLog.Create(logPath, sweep, "worker", LogEventLevel.Warning, consoleToStdErr: true);
        if (Errors is not null) Errors.SweepLog = logPath;
        var workerId = WorkerIds.ForThisProcess();

        torchReady.GetAwaiter().GetResult();
        if (!TryLoadDataset(options, sweep, synthetic, log, workerId, out var data)) return ExitCodes.WorkersFailed;
        using var _ = data;
        ITrainer trainer = data is null ? new SyntheticTrainer() : new TorchTrainer(data, options.Device);
        log.Information("Worker {WorkerId} ready on {Device} with {Threads} thread(s): {Images} images, {Classes} classes",
            workerId, options.Device, options.Threads, data?.Count ?? 0, trainer.ClassNames.Count);

        var loop = new WorkerLoop(store, sweep, trainer, workerId, options.HeartbeatInterval, log, FaultInjection.BeforeStoringEpoch);
        loop.Run(stop);
        return Stopped(loop, store, sweep, workerId, log, stop);
    }

    /// <summary>
    /// The dataset, loaded once and shared by every trial this worker trains (each trial splits it with its own seed);
    /// none for the synthetic trainer. False, said and logged, when it cannot be read here.
    /// </summary>
    private bool TryLoadDataset(WorkerOptions options, SweepRecord sweep, bool synthetic, Logger log, string workerId, out ImageDataset? data)
    {
        data = null;
        try
        {
            // Read from this machine's copy when mapped; the trials still name the sweep's own paths (checkpoints
            // written on one machine resume on another), and the loaded images are checked by count and classes.
            // Decoded once per machine (cached beside the store), so a replacement worker maps the images it needs.
            if (!synthetic) data = DatasetCache.Load(options.PathMap.Apply(sweep.Definition.Dataset), StoreAccess.DatasetCacheFolder(options.Db));
            return true;
        }
        catch (DatasetException e)
        {
            log.Error("Worker {WorkerId} cannot load the dataset: {Problem}", workerId, e.Message);
            error.WriteLine($"error: {e.Message}");
            return false;
        }
    }

    /// <summary>Why the worker stopped, logged; its exit code.</summary>
    private int Stopped(WorkerLoop loop, ITrialStore store, SweepRecord sweep, string workerId, Logger log, CancellationToken stop)
    {
        log.Information("Worker {WorkerId} stops after {Trials} trial(s): {Reason}", workerId, loop.Trained, loop.StopReason);
        if (loop.StopReason == WorkerLoop.SweepCancelled && !stop.IsCancellationRequested)
        {
            // Not a failure: the user asked the sweep to stop (piximi-sweep cancel); a batch scheduler should see
            // the task end normally, and the trials wait in the queue for a resume.
            error.WriteLine($"Worker {workerId} stops after {loop.Trained} trial(s): sweep cancelled ({store.FindCancellation(sweep.Id)?.Reason ?? "the cancellation was lifted meanwhile"}).");
            return ExitCodes.Ok;
        }
        return stop.IsCancellationRequested ? ExitCodes.Cancelled : ExitCodes.Ok;
    }

    /// <summary>Every option, against this machine, before the store is opened.</summary>
    private static void Check(WorkerOptions options)
    {
        var cores = Environment.ProcessorCount;
        if (options.Threads < 1 || options.Threads > cores)
            throw new UserErrorException($"--threads must be 1 to {cores} (this machine's cores), got {options.Threads}.");
        WorkerFlags.CheckDevice(options.Device);
    }
}
