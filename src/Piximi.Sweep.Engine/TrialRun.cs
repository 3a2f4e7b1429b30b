using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;
using Serilog;
using Serilog.Events;

namespace Piximi.Sweep.Engine;

/// <summary>
/// A worker's part of the study: claim the next trial (the queue, or a sampler proposing into the store; the store
/// refuses a claim the sweep's stored policy forbids), train it through <paramref name="trainer"/> with its epochs
/// stored and judged as they come, and go on until nothing is left to claim, the policy says no, the sweep is
/// cancelled or <see cref="Run"/> is told to stop. With nothing to claim while other workers' trials still run and a
/// live orchestrator watches them, it waits rather than ends: a trial whose worker dies is given back to the queue
/// only after the heartbeat grace, and the workers that finished the rest meanwhile would have left it to no one.
/// </summary>
internal sealed class WorkerLoop(
    ITrialStore store, SweepRecord sweep, ITrainer trainer, string workerId, TimeSpan heartbeatInterval, ILogger log,
    Action<int, int>? beforeStoringEpoch = null)
{
    /// <summary>Why a worker stops, and the reason its trial is given back with, when the sweep was cancelled.</summary>
    public const string SweepCancelled = "sweep cancelled";

    /// <summary>Trials this worker brought to a final state.</summary>
    public int Trained { get; private set; }

    /// <summary>Why <see cref="Run"/> returned.</summary>
    public string StopReason { get; private set; } = "no trial left to claim";

    public void Run(CancellationToken stop)
    {
        var source = new TrialSource(store, sweep, workerId);
        // One follower of the sweep's epochs for the pruner and the deadline's estimate: each reads what was stored since either last looked.
        var follower = new SweepFollower(store, sweep);
        var judge = new PruneJudge(follower, sweep);
        while (true)
        {
            if (stop.IsCancellationRequested) { StopReason = "interrupted"; return; }
            if (store.FindCancellation(sweep.Id) is not null) { StopReason = SweepCancelled; return; }
            if (source.Next() is not { } trial)
            {
                // Nothing claimed: the queue is empty, or the stored policy said no (its budget, for the log).
                if (store.PolicyStop(sweep.Id) is { } budget) { StopReason = $"{budget.Description} (the sweep's stored policy)"; return; }
                if (!OthersMayGiveBack()) return;
                if (stop.WaitHandle.WaitOne(WaitForOthers)) { StopReason = "interrupted"; return; }
                continue;
            }

            var run = new TrialRun(store, sweep, trial, trainer, heartbeatInterval, judge, follower, log.ForContext("TrialId", trial.Id), workerId, beforeStoringEpoch);
            var result = run.Run(stop);
            if (result == TrialRunResult.Finished) Trained++;
            if (result == TrialRunResult.Stopped) { StopReason = run.StopReason ?? "stopped"; return; }
        }
    }

    /// <summary>How often a worker with nothing to claim looks again while other workers' trials run.</summary>
    private TimeSpan WaitForOthers => TimeSpan.FromMilliseconds(Math.Clamp(heartbeatInterval.TotalMilliseconds / 2, 100, 1000));

    /// <summary>
    /// Whether a trial may still come back to the queue: one is running, and a live orchestrator (the only one that
    /// gives back the trials of workers that are gone) watches the sweep. Without one, a lost trial waits for the next
    /// <c>run</c> or <c>resume</c>, which brings workers of its own.
    /// </summary>
    private bool OthersMayGiveBack() =>
        store.CountTrials(sweep.Id).Running > 0 && store.FindOrchestrator(sweep.Id) is { } orchestrator && orchestrator.IsLive(DateTimeOffset.UtcNow);
}

internal enum TrialRunResult
{
    /// <summary>Ended in a final state.</summary>
    Finished,
    /// <summary>Given back to the queue (interrupted, or the deadline); the worker should stop.</summary>
    Stopped,
    /// <summary>Lost to another holder (the trial was re-queued meanwhile); the worker may go on.</summary>
    Abandoned,
}

/// <summary>
/// One claimed trial in a worker: resume, train with a heartbeat, store, finish — or give it back. An exception from
/// the training (our checks, bad shapes or data, TorchSharp) fails the trial at once: training is seeded, so a retry
/// would meet it again. One from the store is not the trial's: it ends the worker, whose trial is then recovered
/// as lost, like that of a worker killed.
/// </summary>
internal sealed class TrialRun(
    ITrialStore store, SweepRecord sweep, TrialRecord trial, ITrainer trainer, TimeSpan heartbeatInterval, PruneJudge judge, SweepFollower follower,
    ILogger log, string workerId, Action<int, int>? beforeStoringEpoch = null)
{
    private readonly TrialLease _lease = TrialLease.Of(trial);
    private volatile bool _leaseLost;
    private volatile string? _budgetSpent;
    private volatile bool _sweepCancelled;

    /// <summary>The exception a store call threw, if one did: the store failed, not the trial.</summary>
    private Exception? _storeFailure;

    /// <summary>Why the trial was given back, when <see cref="Run"/> returned <see cref="TrialRunResult.Stopped"/>.</summary>
    public string? StopReason { get; private set; }

    public TrialRunResult Run(CancellationToken stop)
    {
        var hp = trial.Hyperparameters;
        var checkpoint = Stored(() => store.LoadCheckpoint(trial.Id));
        var resume = checkpoint is null ? null : new TrainingResume(checkpoint.Epoch, checkpoint.Data);
        log.Information("Trial {TrialNumber} claimed by {WorkerId} (attempt {Attempt}{Resume}): {Settings}",
            trial.Number, workerId, trial.Attempts, resume is null ? "" : $", resuming after epoch {resume.Epoch}", Display.Settings(hp));

        // The deadline as the store holds it now (the claim itself was refused past it).
        var deadline = Stored(() => store.LoadPolicy(sweep.Id)).Deadline;
        if (deadline is { } d0 && Stored(() => DeadlineEstimate.WouldOverrun(follower, trial, resume?.Epoch ?? 0, d0)) is { } estimate)
        {
            Stored(() => store.Release(_lease, $"would not finish before the deadline {d0.ToLocalTime():yyyy-MM-dd HH:mm} (needs about {estimate.TotalMinutes:F0} min)"));
            log.Information("Trial {TrialNumber} left queued: it would not finish before the deadline", trial.Number);
            StopReason = "deadline reached";
            return TrialRunResult.Stopped;
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stop);
        // A timer reaches about 49 days at most (CancelAfter throws beyond): a deadline further off is left to the
        // check after every epoch (StopAfterEpoch), which stops the trial at the first epoch past it.
        if (deadline is { } d && d - DateTimeOffset.Now is var left && left < MaxTimer) cancel.CancelAfter(Max(TimeSpan.Zero, left));
        try
        {
            TrainingOutcome outcome;
            PruneDecision? pruned = null;
            using (new Timer(_ => Beat(cancel), null, heartbeatInterval, heartbeatInterval))
            {
                outcome = trainer.Train(sweep.Definition, hp, resume, epoch =>
                {
                    beforeStoringEpoch?.Invoke(trial.Number, epoch.Metrics.Epoch);
                    // Stored with its checkpoint before the next epoch starts: what the store holds is what was measured.
                    Stored(() => store.RecordEpoch(_lease, epoch.Metrics, epoch.Checkpoint));
                    var m = epoch.Metrics;
                    log.Information(
                        "Trial {TrialNumber} epoch {Epoch}/{Epochs}: loss {Loss:F4} accuracy {Accuracy:F4} val_loss {ValLoss:F4} val_accuracy {ValAccuracy:F4} in {Seconds:F1}s ({ImagesPerSecond:F0} images/s)",
                        trial.Number, m.Epoch, hp.Epochs, m.Loss, m.Accuracy, m.ValLoss, m.ValAccuracy, m.Seconds, m.ImagesPerSecond);
                    if (Stored(() => StopAfterEpoch()) is { } spent)
                    {
                        // A budget ran out: the trial goes back to the queue, to resume after this epoch if the budget grows.
                        _budgetSpent = spent.Description;
                        cancel.Cancel();
                        return null;
                    }
                    if (Stored(() => store.FindCancellation(sweep.Id)) is not null)
                    {
                        // Cancelled while this epoch trained: the trial goes back at once, to resume after this epoch.
                        _sweepCancelled = true;
                        cancel.Cancel();
                        return null;
                    }
                    pruned = Stored(() => judge.Judge(trial, m.Epoch));
                    return pruned?.Reason;
                }, cancel.Token);
            }
            if (outcome.State == TrialState.Completed && outcome.Confusion.Count > 0)
            {
                // The final model's confusion on the validation images (early stopping's best epoch's, when it kept
                // one), for the reports' per-class metrics; classes by the dataset's names (IDX: their label).
                Stored(() => store.RecordEvaluation(_lease, new TrialEvaluation(trial.Id, trainer.ClassNames, outcome.Confusion)));
            }
            var rung = outcome.State == TrialState.Pruned ? pruned?.Rung : null;
            Stored(() => store.Finish(_lease, outcome.State, outcome.Message, outcome.ResultEpoch, rung));
            Stored(() => store.PruneCheckpoints(sweep.Id, sweep.Definition.Metric));
            // Pruning is the search working as asked, not a problem: only failures and divergences are warnings.
            var level = outcome.State is TrialState.Completed or TrialState.Pruned ? LogEventLevel.Information : LogEventLevel.Warning;
            log.Write(level, "Trial {TrialNumber} {State}{Reason}", trial.Number, Display.State(outcome.State),
                outcome.Message is null ? "" : $": {outcome.Message}");
            return TrialRunResult.Finished;
        }
        catch (Exception e) when (_leaseLost || e is LeaseLostException)
        {
            // The orchestrator took us for dead and gave the trial to someone else: their writes count, not ours.
            log.Warning("Trial {TrialNumber}: lease lost (the trial was re-queued); dropping it", trial.Number);
            return TrialRunResult.Abandoned;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            var reason = stop.IsCancellationRequested ? "interrupted"
                : _sweepCancelled ? WorkerLoop.SweepCancelled
                : _budgetSpent ?? "deadline reached";
            StopReason = reason;
            try
            {
                store.Release(_lease, $"{reason}; resumes after its last stored epoch");
                log.Warning("Trial {TrialNumber} {Reason}: back in the queue, to resume after its last stored epoch", trial.Number, reason);
            }
            catch (LeaseLostException)
            {
                log.Warning("Trial {TrialNumber} {Reason}, but it had already been re-queued", trial.Number, reason);
            }
            return TrialRunResult.Stopped;
        }
        catch (Exception e) when (ReferenceEquals(e, _storeFailure))
        {
            // The store failed (a full disk, a server gone), not the trial: this worker cannot go on, and ends; the
            // orchestrator (or, for a worker elsewhere, the heartbeat) recovers the trial as a lost attempt.
            log.Error(e, "Trial {TrialNumber}: the store failed ({Problem}); this worker stops, and the trial is recovered as lost", trial.Number, TrialErrors.Reason(e));
            throw;
        }
        catch (Exception e)
        {
            // An error inside the trial (our checks, bad shapes or data, TorchSharp): training is seeded, so another
            // attempt would meet it again. The trial fails now with one line; its stack trace goes to the log only.
            var reason = TrialErrors.Reason(e);
            log.Error(e, "Trial {TrialNumber} failed: {Reason} (an error inside the trial, so it is not retried: it would recur)", trial.Number, reason);
            try
            {
                Stored(() => store.Finish(_lease, TrialState.Failed, reason));
            }
            catch (LeaseLostException)
            {
                log.Warning("Trial {TrialNumber}: lease lost (the trial was re-queued); dropping it", trial.Number);
                return TrialRunResult.Abandoned;
            }
            return TrialRunResult.Finished;
        }
    }

    /// <summary>
    /// What the stored policy says after an epoch: its deadline has passed (one set since the claim too), or its epoch
    /// or compute budget is used up by the sweep's stored epochs (this one's included). Read from the store after
    /// every epoch, so a budget changed meanwhile, from any machine, counts at once.
    /// </summary>
    private BudgetStop? StopAfterEpoch()
    {
        var policy = store.LoadPolicy(sweep.Id);
        if (policy.Deadline is { } deadline && DateTimeOffset.Now >= deadline) return new BudgetStop(Budget.Deadline, "deadline reached");
        if (!policy.CountsEpochs) return null;
        // The follower the pruner shares: it reads only the epochs stored since it last looked, not the whole sweep's sum.
        follower.CatchUp();
        return policy.Spent(follower.Usage.Epochs, follower.Usage.Seconds);
    }

    /// <summary>A store call: what it throws is the store's failure, not the trial's (see the catches of <see cref="Run"/>).</summary>
    private T Stored<T>(Func<T> call)
    {
        try
        {
            return call();
        }
        catch (Exception e) when (e is not LeaseLostException)
        {
            _storeFailure = e;
            throw;
        }
    }

    private void Stored(Action call) => Stored(() =>
    {
        call();
        return 0;
    });

    private void Beat(CancellationTokenSource cancel)
    {
        try
        {
            if (!store.Heartbeat(_lease))
            {
                _leaseLost = true;
                cancel.Cancel();
                return;
            }
            // The sweep was cancelled (piximi-sweep cancel, maybe on another machine): stop mid-epoch and give the
            // trial back; it resumes after its last stored epoch when the sweep is resumed.
            if (store.FindCancellation(sweep.Id) is not null)
            {
                _sweepCancelled = true;
                cancel.Cancel();
            }
        }
        catch (Exception e)
        {
            // A missed beat is not fatal: the next one may get through, and the grace period is many beats long.
            log.Warning(e, "Heartbeat of trial {TrialNumber} failed: {Problem}", trial.Number, e.Message);
        }
    }

    private static readonly TimeSpan MaxTimer = TimeSpan.FromDays(49);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

/// <summary>What a user reads about an error inside a trial: one line, however many the exception's message has.</summary>
internal static class TrialErrors
{
    /// <summary>
    /// The message's first line, of the exception that says what went wrong (not a wrapper around it). libtorch's
    /// errors, as TorchSharp throws them, go on with where they were raised and a native stack trace; those lines are
    /// for the log, which keeps the whole exception.
    /// </summary>
    public static string Reason(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        while (e is System.Reflection.TargetInvocationException or TypeInitializationException or AggregateException { InnerExceptions.Count: 1 }
               && e.InnerException is { } inner)
            e = inner;
        var first = e.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return string.IsNullOrEmpty(first) ? e.GetType().Name : first;
    }
}
