using Piximi.Sweep.Cli.Output;
using Piximi.Sweep.Core;
using Piximi.Sweep.Training;
using Serilog.Events;

namespace Piximi.Sweep.Cli.Commands;

/// <summary>
/// <c>piximi-sweep worker</c>: one process owning one device. It claims trials from the store until none is queued,
/// trains each, and stores every epoch before training goes on. The store is its only channel to the orchestrator.
/// </summary>
internal sealed class WorkerCommand(TextWriter error)
{
    public int Execute(string dbPath, string sweepName, string device, int threads, CancellationToken cancellationToken)
    {
        if (threads < 1) throw new UserErrorException($"--threads must be at least 1, got {threads}.");
        using var store = StoreAccess.OpenExisting(dbPath);
        var sweep = StoreAccess.ResolveSweep(store, dbPath, sweepName);
        using var log = SweepLog.Create(SweepLog.PathFor(dbPath, sweep.Name), sweep, "worker", LogEventLevel.Warning, consoleToStdErr: true);
        var workerId = $"{Environment.MachineName}:{Environment.ProcessId}";

        TorchRuntime.Initialize(threads);
        ImageDataset data;
        try
        {
            // Loaded once and shared by every trial this worker trains; each trial splits it with its own seed.
            data = ImageDataset.Load(sweep.Definition.Dataset);
        }
        catch (DatasetException e)
        {
            log.Error("Worker {WorkerId} cannot load the dataset: {Problem}", workerId, e.Message);
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.WorkersFailed;
        }
        using var _ = data;
        log.Information("Worker {WorkerId} ready on {Device} with {Threads} thread(s): {Images} images, {Classes} classes",
            workerId, device, threads, data.Count, data.Classes);

        var trained = 0;
        while (!cancellationToken.IsCancellationRequested && store.ClaimNext(sweep.Id, workerId) is { } trial)
        {
            var trialLog = log.ForContext("TrialId", trial.Id).ForContext("TrialNumber", trial.Number);
            var hp = trial.Hyperparameters;
            trialLog.Information("Trial {TrialNumber} claimed by {WorkerId} (attempt {Attempt}): {Settings}",
                trial.Number, workerId, trial.Attempts, Formats.Settings(hp));
            TrainingOutcome outcome;
            try
            {
                outcome = Trainer.Train(data, sweep.Definition, hp, device, metrics =>
                {
                    // Stored before the next epoch starts: what the store holds is what was measured.
                    store.RecordEpoch(trial.Id, metrics);
                    trialLog.Information(
                        "Trial {TrialNumber} epoch {Epoch}/{Epochs}: loss {Loss:F4} accuracy {Accuracy:F4} val_loss {ValLoss:F4} val_accuracy {ValAccuracy:F4} in {Seconds:F1}s ({ImagesPerSecond:F0} images/s)",
                        trial.Number, metrics.Epoch, hp.Epochs, metrics.Loss, metrics.Accuracy, metrics.ValLoss, metrics.ValAccuracy,
                        metrics.Seconds, metrics.ImagesPerSecond);
                }, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                outcome = new TrainingOutcome(TrialState.Running, "interrupted", 0);
            }
            catch (Exception e)
            {
                trialLog.Error(e, "Trial {TrialNumber} failed", trial.Number);
                outcome = new TrainingOutcome(TrialState.Failed, $"{e.GetType().Name}: {e.Message}", 0);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                // Not an outcome of the hyperparameters: leave the trial running, the orchestrator re-queues it.
                trialLog.Warning("Trial {TrialNumber} interrupted; it will be re-queued", trial.Number);
                break;
            }
            store.Finish(trial.Id, outcome.State, outcome.Message);
            trained++;
            var level = outcome.State == TrialState.Completed ? LogEventLevel.Information : LogEventLevel.Warning;
            trialLog.Write(level, "Trial {TrialNumber} {State}{Reason}", trial.Number, outcome.State.ToString().ToLowerInvariant(),
                outcome.Message is null ? "" : $": {outcome.Message}");
        }
        log.Information("Worker {WorkerId} stops after {Trials} trial(s)", workerId, trained);
        return cancellationToken.IsCancellationRequested ? ExitCodes.Cancelled : ExitCodes.Ok;
    }
}
