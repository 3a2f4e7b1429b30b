using Piximi.Sweep.Core;

namespace Piximi.Sweep.Storage;

/// <summary>
/// The single source of truth of a sweep, and the only channel between the orchestrator and its workers.
/// Every method commits before it returns; several processes may use one store at once. Split by concern: a part of
/// the program that only reads results, or only claims, can say so by the interface it takes.
/// </summary>
public interface ITrialStore : ISweepCatalog, ITrialClaims, ITrialResults, ISweepArchive, IDisposable;

/// <summary>Sweeps and what is stored with them: creation, the run policy and its budgets, batch launches, cancellation, and the sweep's one orchestrator.</summary>
public interface ISweepCatalog
{
    /// <summary>
    /// Creates the sweep and queues its trials (numbered 1..n in the given order) in one transaction. When a sweep
    /// of that name exists with the same definition, returns it unchanged (re-running a sweep file resumes it);
    /// with another definition, throws <see cref="SweepConflictException"/> and writes nothing.
    /// </summary>
    SweepRecord CreateSweep(SweepDefinition definition, IReadOnlyList<Hyperparameters> trials);

    SweepRecord? FindSweep(string name);

    IReadOnlyList<SweepRecord> ListSweeps();

    /// <summary>
    /// The sweep's run policy (budgets and retry rule), stored apart from its definition; <see cref="RunPolicy.None"/>
    /// when none was ever stored (nor for a sweep that is not stored).
    /// </summary>
    RunPolicy LoadPolicy(long sweepId);

    /// <summary>
    /// Replaces the sweep's run policy, whole, in one transaction, and returns the one it replaces (for saying what
    /// changed). Claims from then on obey it. <see cref="ArgumentException"/> for a sweep that is not stored,
    /// <see cref="ArgumentOutOfRangeException"/> for a cap below 1, retries below 0 or compute hours not above 0
    /// (nothing is written then).
    /// </summary>
    RunPolicy SavePolicy(long sweepId, RunPolicy policy);

    /// <summary>
    /// Which budget of the stored policy forbids a claim now (the deadline has passed, max_trials trials have left the
    /// queue, the stored epochs reach max_epochs or their summed seconds compute_hours), or null: the check
    /// <see cref="ITrialClaims.ClaimNext"/> makes, for saying why a claim found nothing.
    /// </summary>
    BudgetStop? PolicyStop(long sweepId);

    /// <summary>
    /// Epochs stored over every trial of the sweep, and their summed seconds (finite ones: a NaN adds nothing): what the
    /// epoch and compute budgets count. Kept as epochs are stored, so reading it costs the same however large the sweep.
    /// </summary>
    SweepUsage Usage(long sweepId);

    /// <summary>
    /// Remembers a batch job that runs workers of the sweep (<paramref name="kind"/> "slurm": the scheduler's job id
    /// and the script submitted), so that cancelling the sweep can cancel the job too.
    /// </summary>
    SweepLaunch RecordLaunch(long sweepId, string kind, string jobId, string? scriptPath);

    /// <summary>The sweep's recorded launches, oldest first.</summary>
    IReadOnlyList<SweepLaunch> ListLaunches(long sweepId);

    /// <summary>
    /// Marks the sweep cancelled: workers claim nothing more and give running trials back (they resume later).
    /// A sweep already cancelled keeps its first cancellation. Returns the cancellation in force;
    /// <see cref="ArgumentException"/> for a sweep that is not stored.
    /// </summary>
    SweepCancellation CancelSweep(long sweepId, string reason);

    /// <summary>The sweep's cancellation, or null when it is not cancelled.</summary>
    SweepCancellation? FindCancellation(long sweepId);

    /// <summary>Lifts the sweep's cancellation (run, resume and launch do: the user wants it to go on). True when there was one.</summary>
    bool ClearCancellation(long sweepId);

    /// <summary>
    /// Makes the caller (<paramref name="host"/>, <paramref name="pid"/>) the sweep's one orchestrator, beating at least
    /// every <paramref name="grace"/>, when the sweep has none, or its registered one is gone: it has not beaten for its
    /// own grace period, or it is <paramref name="gone"/> (a process the caller saw dead). Otherwise the live one
    /// stays, and the claim says who it is. One transaction. <see cref="ArgumentException"/> for a sweep not stored.
    /// </summary>
    OrchestrationClaim ClaimOrchestration(long sweepId, string host, int pid, TimeSpan grace, OrchestratorRecord? gone = null);

    /// <summary>The sweep's registered orchestrator (live or not: see <see cref="OrchestratorRecord.IsLive"/>), or null.</summary>
    OrchestratorRecord? FindOrchestrator(long sweepId);

    /// <summary>The orchestrator is alive: refreshes its heartbeat. False when it is no longer the sweep's (taken over).</summary>
    bool BeatOrchestrator(OrchestratorRecord orchestrator);

    /// <summary>Unregisters the orchestrator, when it still is the sweep's; the sweep may then be run again at once.</summary>
    void EndOrchestration(OrchestratorRecord orchestrator);
}

/// <summary>Trials and their holders: atomic claims, leases and their ends, recovery of lost holders, the attempts record.</summary>
public interface ITrialClaims
{
    /// <summary>
    /// Atomically moves the lowest-numbered queued trial of the sweep to <see cref="TrialState.Running"/> for this
    /// worker (one statement: exactly one concurrent claimer gets it), raising its attempts count. Null when none is
    /// queued, or when the sweep's stored <see cref="RunPolicy"/> forbids a claim (<see cref="ISweepCatalog.PolicyStop"/>: checked in
    /// the claim's transaction, so concurrent claimers never overshoot a budget), or when <paramref name="maxTrials"/>
    /// is given and that many trials of the sweep have already left the queue (the budget counts every trial ever
    /// claimed). A trial claimed again keeps its epochs and checkpoint: its new holder resumes after the last stored epoch.
    /// </summary>
    TrialRecord? ClaimNext(long sweepId, string workerId, int? maxTrials = null);

    /// <summary>
    /// Adds trial number <paramref name="number"/> to the sweep, already claimed by <paramref name="workerId"/> (as
    /// <see cref="ClaimNext"/> would return it), for samplers that propose as results arrive. Atomic: returns null and
    /// writes nothing when the sweep's last trial is not number − 1 (another worker added one meanwhile: propose again
    /// from the new history), when the stored <see cref="RunPolicy"/> forbids a claim, or when
    /// <paramref name="maxTrials"/> trials of the sweep have left the queue.
    /// </summary>
    TrialRecord? AddClaimedTrial(long sweepId, int number, Hyperparameters hyperparameters, string workerId, int? maxTrials = null);

    /// <summary>The holder is alive: refreshes the trial's heartbeat. False when the lease is lost: stop the trial.</summary>
    bool Heartbeat(TrialLease lease);

    /// <summary>
    /// Ends the trial in a final state (completed, failed, diverged, pruned) with an optional reason. A failed or
    /// diverged trial's checkpoint is deleted. <paramref name="resultEpoch"/>: the stored epoch whose model is the
    /// trial's result when it is not the last (early stopping kept the best); rankings then use its metrics.
    /// <paramref name="rung"/>: the rung a pruned trial was judged at. Throws <see cref="LeaseLostException"/> when the
    /// lease is lost; <see cref="ArgumentOutOfRangeException"/> for queued or running as the final state, a result
    /// epoch that is not stored, or a rung on a trial that is not pruned (nothing is written then).
    /// </summary>
    void Finish(TrialLease lease, TrialState state, string? message, int? resultEpoch = null, int? rung = null);

    /// <summary>
    /// Gives a running trial back to the queue without counting it as lost (interrupted, deadline reached); its epochs
    /// and checkpoint stay, so the next holder resumes. Throws <see cref="LeaseLostException"/> when the lease is lost.
    /// </summary>
    void Release(TrialLease lease, string reason);

    /// <summary>
    /// Running trials whose holder is gone: those whose heartbeat is older than <paramref name="staleAfter"/>, and
    /// those held by one of <paramref name="deadWorkers"/>. Each one's attempt ends lost (with
    /// <paramref name="reason"/>) and its lost count grows by one. It goes back to the queue, unless it has now been
    /// lost more than <paramref name="maxRetries"/> times without storing an epoch (since its last stored epoch, or
    /// since it began): then it ends <see cref="TrialState.Failed"/> with the reason. An attempt that stored an epoch
    /// since its claim never counts, so a trial that keeps making progress is never failed by losing its workers.
    /// One transaction, which reads the epochs it judges by; returns what it did.
    /// </summary>
    IReadOnlyList<RecoveredTrial> RecoverLost(long sweepId, TimeSpan staleAfter, IReadOnlyCollection<string> deadWorkers, int maxRetries, string reason);

    /// <summary>
    /// The running trials of <paramref name="workerId"/>, a worker that died of an error inside its trial that would
    /// recur (an error of libtorch's that TorchSharp could not catch aborts the process): each ends
    /// <see cref="TrialState.Failed"/> at once with <paramref name="reason"/>, its attempt ends failed, and it is not
    /// counted as lost. One transaction; returns what it did.
    /// </summary>
    IReadOnlyList<RecoveredTrial> FailTrialsOf(long sweepId, string workerId, string reason);

    /// <summary>
    /// Every attempt at the sweep's trials, ordered by trial number and attempt: one per claim, with where the trial
    /// stood when it was claimed and, once the attempt ended, how and why. Claims made before the store recorded
    /// attempts (schema version 7) have none, but for the attempt of a trial that was running when the store was
    /// brought up to date.
    /// </summary>
    IReadOnlyList<TrialAttempt> ListAttempts(long sweepId);
}

/// <summary>What trials store and what readers read: epochs with their checkpoints, evaluations, and the reads of a sweep (lists, summaries, what changed since a follower last looked).</summary>
public interface ITrialResults
{
    /// <summary>
    /// Stores one epoch's metrics and the checkpoint to resume after it, in one transaction, so the store never holds
    /// an epoch without its checkpoint or the other way round. The epoch must be the trial's last stored epoch + 1
    /// (else <see cref="InvalidOperationException"/>, naming the expected and the given epoch, and nothing is written).
    /// Refreshes the heartbeat. Throws <see cref="LeaseLostException"/> (changing nothing) when the lease is no longer
    /// the trial's current one (it was re-queued, and maybe claimed by another worker, meanwhile).
    /// A null <paramref name="checkpoint"/> deletes the trial's stored one: the stored checkpoint is always that of the
    /// last stored epoch, never an older one that would make a resume run an epoch whose metrics are already stored.
    /// </summary>
    void RecordEpoch(TrialLease lease, EpochMetrics metrics, byte[]? checkpoint);

    /// <summary>
    /// Stores the validation confusion matrix of the trial's final model (replacing any earlier one), before
    /// <see cref="ITrialClaims.Finish"/>. Throws <see cref="LeaseLostException"/> when the lease is lost.
    /// </summary>
    void RecordEvaluation(TrialLease lease, TrialEvaluation evaluation);

    /// <summary>The trial's evaluation, or null (not completed, or stored by a version that did not evaluate).</summary>
    TrialEvaluation? LoadEvaluation(long trialId);

    /// <summary>The trial's latest checkpoint (always that of its last stored epoch), or null.</summary>
    TrialCheckpoint? LoadCheckpoint(long trialId);

    /// <summary>
    /// Deletes the checkpoints of the sweep's finished trials, but for the best completed trial's by
    /// <paramref name="metric"/> (one of <see cref="MetricNames.All"/>; its final epoch decides), in one transaction.
    /// The best is sought among the trials that still have a checkpoint (a few: the running ones, the best so far,
    /// the ones just finished), so the cost does not grow with the sweep; run after every finish, that is the best of
    /// all completed trials that stored a checkpoint.
    /// </summary>
    void PruneCheckpoints(long sweepId, string metric);

    /// <summary>The sweep's trials, ordered by number.</summary>
    IReadOnlyList<TrialRecord> ListTrials(long sweepId);

    /// <summary>The sweep's trial of that number (by the sweep-and-number key), or null.</summary>
    TrialRecord? FindTrial(long sweepId, int number);

    /// <summary>
    /// Every trial of the sweep, ordered by number, with its last epoch's metrics, epochs run and summed epoch
    /// seconds: the same as <see cref="Ranking.Summarize"/> over <see cref="ListTrials"/> and <see cref="ListEpochs"/>,
    /// without reading every epoch.
    /// </summary>
    IReadOnlyList<TrialSummary> SummarizeTrials(long sweepId);

    /// <summary>
    /// As <see cref="SummarizeTrials(long)"/>, for the trials in <paramref name="states"/> only, and queued ones only
    /// once claimed (a trial never claimed has no epochs to summarize), read by the state index: best ranks the
    /// completed trials and status lists all but the pruned, so neither reads the whole of a sweep that pruned most of
    /// its trials. <see cref="ArgumentException"/> for no state.
    /// </summary>
    IReadOnlyList<TrialSummary> SummarizeTrials(long sweepId, IReadOnlyCollection<TrialState> states);

    /// <summary>
    /// As <see cref="SummarizeTrials(long)"/>, for trials 1 to <paramref name="count"/> only, in any state, read by
    /// the number index: a sweep's baseline trials, which come first, for best and status to set beside the others.
    /// </summary>
    IReadOnlyList<TrialSummary> SummarizeFirstTrials(long sweepId, int count);

    /// <summary>All epochs of the sweep's trials, ordered by trial and epoch.</summary>
    IReadOnlyList<EpochRecord> ListEpochs(long sweepId);

    /// <summary>
    /// The sweep's epochs stored after <paramref name="position"/> (0: all of them), in the order they were stored,
    /// and the position to ask from next time: what a reader that follows a sweep (run's progress, a worker's pruner)
    /// reads at each poll or decision, so its cost is that of what is new, not of the whole sweep. Every epoch stored
    /// is returned exactly once over successive calls: positions grow in commit order (a reader never sees a later
    /// epoch before an earlier one). Positions are the store's own: they do not travel with <see cref="ISweepArchive.ExportSweep"/>.
    /// </summary>
    NewEpochs ListEpochsSince(long sweepId, long position);

    /// <summary>
    /// The store's epoch position now (by the seq index, nothing read): <see cref="ListEpochsSince"/> from it returns
    /// only epochs stored after this call. With <see cref="ListEpochsOfTrials"/>, a reader that shows part of a large
    /// sweep (the dashboard) starts following it without reading every epoch.
    /// </summary>
    long EpochPosition();

    /// <summary>The epochs of those of <paramref name="trialIds"/> that belong to the sweep, ordered by trial number and epoch.</summary>
    IReadOnlyList<EpochRecord> ListEpochsOfTrials(long sweepId, IReadOnlyCollection<long> trialIds);

    /// <summary>The sweep's trials counted by state, in SQL (an index), without reading them.</summary>
    TrialCounts CountTrials(long sweepId);

    /// <summary>
    /// What changed in the sweep since a follower last looked, all of one snapshot: the epochs stored after
    /// <paramref name="position"/> (as <see cref="ListEpochsSince"/>); the trials that are running, those of
    /// <paramref name="ids"/> (the ones it last saw running) and those with one of these epochs, whatever their state
    /// (ids of other sweeps are left out), ordered by number; and the sweep's <see cref="CountTrials"/>. A trial that
    /// changed but is none of those (it started and ended since without storing an epoch) shows in the counts only.
    /// Reads by index what is new, not every trial or epoch.
    /// </summary>
    SweepChanges ReadChanges(long sweepId, long position, IReadOnlyCollection<long> ids);
}

/// <summary>A whole sweep moved between stores, whatever their databases.</summary>
public interface ISweepArchive
{
    /// <summary>
    /// The whole sweep, read in one transaction: definition, creation time, and every trial with all its columns,
    /// epochs, checkpoint, evaluation and recorded attempts, to move it to another store with <see cref="ImportSweep"/>.
    /// Throws <see cref="ArgumentOutOfRangeException"/> when the store has no such sweep.
    /// </summary>
    SweepArchive ExportSweep(long sweepId);

    /// <summary>
    /// Writes an exported sweep into this store, in one transaction, under new ids, keeping every other field as
    /// exported (times, attempts, lost, messages, metrics bit for bit, checkpoints, evaluations, the attempts record). A
    /// trial that was running is written queued (its worker works on the other store), without worker or heartbeat, with
    /// <c>SweepArchives.RequeuedMessage</c> as its message, and its open attempt ends released with that reason: its
    /// epochs and checkpoint stay, so its next holder resumes.
    /// When the store already has a sweep of that name, throws <see cref="SweepConflictException"/> (saying whether the
    /// definition is the same, and how many trials it has); a malformed archive throws <see cref="ArgumentException"/>.
    /// Nothing is written then.
    /// </summary>
    SweepRecord ImportSweep(SweepArchive archive);
}

/// <summary>A batch job started for a sweep's workers: its kind ("slurm"), the scheduler's job id, the script submitted.</summary>
public sealed record SweepLaunch(long Id, long SweepId, string Kind, string JobId, string? ScriptPath, DateTimeOffset LaunchedAt);

/// <summary>The sweep was cancelled at this time, for this reason; it stays resumable.</summary>
public sealed record SweepCancellation(long SweepId, DateTimeOffset CancelledAt, string Reason);

/// <summary>A claimed trial as its holder knows it: writes are fenced by the attempt the claim returned.</summary>
public sealed record TrialLease(long TrialId, int Attempt)
{
    public static TrialLease Of(TrialRecord trial) => new(trial.Id, trial.Attempts);
}

/// <summary>Epochs stored after a position (<see cref="ITrialResults.ListEpochsSince"/>), and the position after the last of them.</summary>
public sealed record NewEpochs(IReadOnlyList<EpochRecord> Epochs, long Position);

/// <summary>What <see cref="ITrialResults.ReadChanges"/> read, of one snapshot: new epochs, the trials that may have changed, the counts.</summary>
public sealed record SweepChanges(NewEpochs Epochs, IReadOnlyList<TrialRecord> Trials, TrialCounts Counts);

/// <summary>A sweep's trials by state: queued, running, and ended (completed, failed, diverged or pruned).</summary>
public sealed record TrialCounts(int Queued, int Running, int Ended)
{
    public int Total => Queued + Running + Ended;

    /// <summary>Trials that are not queued (what a trial budget counts).</summary>
    public int Started => Running + Ended;
}

/// <summary>What a sweep has spent: epochs stored over all its trials, and their summed wall time.</summary>
public sealed record SweepUsage(int Epochs, double Seconds);

/// <summary>What a worker needs to resume a trial after <see cref="Epoch"/>: the training engine's own bytes.</summary>
public sealed record TrialCheckpoint(long TrialId, int Epoch, byte[] Data);

/// <summary>
/// A running trial whose holder was gone: re-queued, or failed once out of retries. <see cref="Lost"/> counts every
/// loss; <see cref="LostWithoutProgress"/> those since the trial last stored an epoch, this one included (0 when this
/// attempt stored one: the loss is not counted against the retries). <see cref="Reason"/> is the trial's message now.
/// </summary>
public sealed record RecoveredTrial(long TrialId, int Number, TrialState NewState, int Lost, int LostWithoutProgress, string Reason);

/// <summary>
/// The process running a sweep (run or resume), as registered in the store: its host and pid, when it started, its
/// last heartbeat, and the grace period after which, silent, it counts as gone.
/// </summary>
public sealed record OrchestratorRecord(long SweepId, string Host, int Pid, DateTimeOffset StartedAt, DateTimeOffset HeartbeatAt, TimeSpan Grace)
{
    /// <summary>It has beaten within its grace period, by <paramref name="now"/>.</summary>
    public bool IsLive(DateTimeOffset now) => HeartbeatAt + Grace >= now;

    /// <summary>The same registration: host, pid and start time (a heartbeat later it is still the same one).</summary>
    public bool Identifies(OrchestratorRecord other) =>
        other.SweepId == SweepId && other.Host == Host && other.Pid == Pid && other.StartedAt == StartedAt;
}

/// <summary>What <see cref="ISweepCatalog.ClaimOrchestration"/> found: granted (the caller is the orchestrator now) or the live one.</summary>
public sealed record OrchestrationClaim(bool Granted, OrchestratorRecord Orchestrator);

/// <summary>The trial was re-queued (and maybe claimed again) since this lease was taken; nothing was written.</summary>
public sealed class LeaseLostException(string message) : Exception(message);

/// <summary>A sweep of that name exists with another definition; the message says which and what to do.</summary>
public sealed class SweepConflictException(string message) : Exception(message);

/// <summary>
/// The store was written by a newer Piximi.Sweep (its schema version is above the newest this build knows), or, to a
/// reader of a PostgreSQL store, by an older one that only a writer may bring up to date; the message names both
/// versions. Nothing was changed.
/// </summary>
public sealed class StoreVersionException(string message, bool older = false) : Exception(message)
{
    /// <summary>Written by an older Piximi.Sweep (a reader of PostgreSQL waits for a writer to bring it up to date), not a newer one.</summary>
    public bool Older => older;
}

/// <summary>
/// The store cannot be reached or used: a database server down, a login refused, a file or folder that cannot be
/// written, a full disk, a lock another program holds. The message names the store without credentials and says why.
/// </summary>
public sealed class StoreUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// A reader found no store where it was pointed: no file, an empty file or database, or a folder. Nothing was created.
/// </summary>
public sealed class StoreNotFoundException(string message) : Exception(message);
