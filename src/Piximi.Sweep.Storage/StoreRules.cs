using System.Text.Json;
using Dapper;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Storage;

/// <summary>
/// The parts of the <see cref="ITrialStore"/> contract that do not depend on the backend: argument checks, the words
/// of refusals, the recovery rule and the parameters of a trial row. Each backend runs its own SQL around them, so the
/// two backends refuse, recover and word things identically.
/// </summary>
internal static class StoreRules
{
    public static void RequireFinal(TrialState state, int? rung)
    {
        if (!TrialStateWords.IsFinal(state))
        {
            throw new ArgumentOutOfRangeException(
                nameof(state), state, "A trial finishes as completed, failed, diverged or pruned.");
        }

        if (rung is { } r && (state != TrialState.Pruned || r < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(rung), rung, "Only a pruned trial has a rung, and rungs count from 0.");
        }
    }

    /// <summary>Checked inside the finishing transaction, against the trial's last stored epoch.</summary>
    public static void RequireStoredEpoch(long trialId, int resultEpoch, long lastEpoch)
    {
        if (resultEpoch < 1 || resultEpoch > lastEpoch)
        {
            throw new ArgumentOutOfRangeException(
                nameof(resultEpoch), resultEpoch, $"Trial {trialId} has epochs 1 to {lastEpoch} stored; its result must be one of them.");
        }
    }

    public static InvalidOperationException EpochOutOfOrder(long trialId, int epoch, long expected) => new(
        $"Trial {trialId} cannot record epoch {epoch}: expected epoch {expected}, " +
        $"the one after its last stored epoch ({expected - 1}). Nothing was written.");

    /// <summary>Why a holder's write was refused; <paramref name="now"/> is the trial as the refused write's transaction saw it.</summary>
    public static LeaseLostException LeaseLost(string store, TrialLease lease, string action, StateRow? now) => new(now is null
        ? $"Cannot {action} trial {lease.TrialId} under lease attempt {lease.Attempt}: the store {store} has no such trial."
        : $"Cannot {action} trial {lease.TrialId} under lease attempt {lease.Attempt}: the lease is lost, the trial " +
          $"is {now.State} at attempt {now.Attempts} now. Nothing was written; stop working on it.");

    public static void RequireLaunchArguments(string kind, string jobId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
    }

    public static ArgumentException NoSuchSweep(long sweepId) => new($"The store holds no sweep with id {sweepId}.", nameof(sweepId));

    public static void RequireClaimArguments(string workerId, int? maxTrials)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workerId);
        if (maxTrials is { } max)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(max, nameof(maxTrials));
        }
    }

    /// <summary>The evaluation's matrix as JSON (class names, confusion), once its shape is checked against the lease.</summary>
    public static (string Classes, string Confusion) EvaluationJson(TrialLease lease, TrialEvaluation evaluation)
    {
        var classes = evaluation.ClassNames.Count;
        if (evaluation.TrialId != lease.TrialId || evaluation.Confusion.Count != classes || evaluation.Confusion.Any(row => row.Count != classes))
            throw new ArgumentException($"An evaluation of trial {lease.TrialId} needs a {classes} × {classes} confusion matrix of that trial.", nameof(evaluation));
        return (JsonSerializer.Serialize(evaluation.ClassNames), JsonSerializer.Serialize(evaluation.Confusion));
    }

    public static string RequireMetric(string metric, IReadOnlyDictionary<string, string> statements)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return statements.TryGetValue(metric, out var sql)
            ? sql
            : throw new ArgumentOutOfRangeException(
                nameof(metric), metric, $"Not a metric to rank by; one of {string.Join(", ", MetricNames.All)}.");
    }

    /// <summary>
    /// The recovery rule: which running trials' holders are gone (heartbeat older than <paramref name="staleAfter"/>,
    /// or held by a dead worker), and for each whether it goes back to the queue or fails. Only losses that made no
    /// progress count against <paramref name="maxRetries"/>: an attempt that stored an epoch since its claim does not
    /// (outside kills cannot fail a trial that keeps moving on), while one lost again and again at the same epoch (a
    /// native crash at the same point, a worker that dies while loading) fails once lost more than
    /// <paramref name="maxRetries"/> times since its last stored epoch. <paramref name="write"/> writes each decision,
    /// in the transaction that read <paramref name="running"/>.
    /// </summary>
    public static IReadOnlyList<RecoveredTrial> Recover(
        IEnumerable<RunningRow> running, TimeSpan staleAfter, IReadOnlyCollection<string> deadWorkers, int maxRetries, string reason,
        Action<RecoveryWrite> write)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(staleAfter, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(deadWorkers);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetries);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var dead = deadWorkers.ToHashSet(StringComparer.Ordinal);
        // Timestamps are compared as times, parsed, not as text. The clock is this process's: the heartbeats of
        // workers on other machines are as good as their clocks agree, which staleAfter should allow for.
        var now = DateTimeOffset.UtcNow;
        var nowText = StoreTime.ToText(now);
        // TimeSpan.MaxValue means "only the dead workers": no time is that old.
        DateTimeOffset? staleBefore = staleAfter < now - DateTimeOffset.MinValue ? now - staleAfter : null;
        var recovered = new List<RecoveredTrial>();
        foreach (var trial in running)
        {
            var heartbeat = StoreTime.ParseOrNull(trial.HeartbeatAt);
            // Claims set the heartbeat; a running trial without one has never shown a sign of life.
            var stale = staleBefore is { } before && (heartbeat is null || heartbeat < before);
            if (!stale && !(trial.WorkerId is { } worker && dead.Contains(worker)))
            {
                continue;
            }

            var lost = checked((int)trial.Lost + 1);
            var number = checked((int)trial.Number);
            // An attempt claimed before attempts were recorded has no start epoch: its progress is unknown, so it counts.
            var progressed = trial.StartEpoch is { } start && trial.LastEpoch > start;
            var stalls = progressed ? 0 : checked((int)trial.LostWithoutProgress + 1);
            var where = trial.LastEpoch == 0 ? "before storing any epoch" : $"without storing an epoch after epoch {trial.LastEpoch}";
            RecoveredTrial outcome;
            if (progressed)
            {
                var epochs = trial.LastEpoch == trial.StartEpoch + 1 ? $"epoch {trial.LastEpoch}" : $"epochs {trial.StartEpoch + 1}–{trial.LastEpoch}";
                outcome = new RecoveredTrial(trial.Id, number, TrialState.Queued, lost, 0,
                    $"{reason} after storing {epochs}; not counted against the retries");
            }
            else if (stalls > maxRetries)
            {
                outcome = new RecoveredTrial(trial.Id, number, TrialState.Failed, lost, stalls,
                    $"{reason}; lost {stalls} times {where}, more than the {maxRetries} retries allowed");
            }
            else
            {
                outcome = new RecoveredTrial(trial.Id, number, TrialState.Queued, lost, stalls, $"{reason} {where}; retry {stalls} of {maxRetries}");
            }

            write(new RecoveryWrite(trial, outcome, reason, nowText));
            recovered.Add(outcome);
        }

        return recovered;
    }

    /// <summary>
    /// The running trials of <paramref name="workerId"/>, which died of an error inside its trial that would recur (one
    /// it could not catch: libtorch's, aborting the process): each fails at once with <paramref name="reason"/>, its
    /// attempt ends failed, and it is not counted as lost (retrying it would only meet the error again).
    /// </summary>
    public static IReadOnlyList<RecoveredTrial> FailForError(IEnumerable<RunningRow> running, string workerId, string reason, Action<RecoveryWrite> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workerId);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var nowText = StoreTime.Now();
        var failed = new List<RecoveredTrial>();
        foreach (var trial in running.Where(t => t.WorkerId == workerId))
        {
            var outcome = new RecoveredTrial(trial.Id, checked((int)trial.Number), TrialState.Failed, checked((int)trial.Lost), 0, reason);
            write(new RecoveryWrite(trial, outcome, reason, nowText) { Ending = AttemptOutcome.Failed });
            failed.Add(outcome);
        }

        return failed;
    }

    /// <summary>
    /// Whether <paramref name="current"/>, the sweep's registered orchestrator, may be replaced: it has not beaten for
    /// its own grace period (judged by this process's clock), or it is <paramref name="gone"/> (its caller saw it dead).
    /// </summary>
    public static bool IsGone(OrchestratorRecord current, OrchestratorRecord? gone, DateTimeOffset now) =>
        current.HeartbeatAt + current.Grace < now || (gone is not null && current.Identifies(gone));

    /// <summary>The parameters of <see cref="StoreSql.InsertOrchestrator"/> and <see cref="StoreSql.ReplaceOrchestrator"/>.</summary>
    public static object OrchestrationParameters(long sweepId, string host, int pid, TimeSpan grace)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pid);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(grace, TimeSpan.Zero);
        return new { sweep = sweepId, host, pid = (long)pid, grace = grace.TotalSeconds, now = StoreTime.Now() };
    }

    /// <summary>
    /// The orchestration rule, run in one transaction: registered at once when the sweep had no orchestrator
    /// (<paramref name="inserted"/>); else the one there (<paramref name="current"/>, read locked) is replaced when gone
    /// (<see cref="IsGone"/>), or stays and is named.
    /// </summary>
    public static OrchestrationClaim ClaimOrchestration(
        OrchestratorRow? inserted, Func<OrchestratorRow?> current, Func<OrchestratorRow> replace, OrchestratorRecord? gone, long sweepId)
    {
        if (inserted is not null) return new OrchestrationClaim(true, inserted.ToRecord());
        // The insert selects the sweep's row: nothing inserted and nothing there means there is no such sweep.
        var there = (current() ?? throw NoSuchSweep(sweepId)).ToRecord();
        return IsGone(there, gone, DateTimeOffset.UtcNow)
            ? new OrchestrationClaim(true, replace().ToRecord())
            : new OrchestrationClaim(false, there);
    }

    /// <summary>The parameters that name an orchestrator's row (<see cref="StoreSql.BeatOrchestrator"/>).</summary>
    public static object OrchestratorParameters(OrchestratorRecord o) =>
        new { sweep = o.SweepId, host = o.Host, pid = (long)o.Pid, started = StoreTime.ToText(o.StartedAt), now = StoreTime.Now() };

    /// <summary>The parameters of one trial row: its number and its hyperparameters, one document.</summary>
    public static object TrialParameters(long sweepId, int number, Hyperparameters h) => new
    {
        SweepId = sweepId,
        Number = (long)number,
        Hyperparameters = SweepJson.Serialize(h),
    };

    /// <summary>As <see cref="TrialParameters"/>, claimed by <c>@Worker</c> at <c>@Now</c>.</summary>
    public static DynamicParameters ClaimedTrialParameters(long sweepId, int number, Hyperparameters h, string worker, string now)
    {
        var parameters = new DynamicParameters(TrialParameters(sweepId, number, h));
        parameters.Add("Worker", worker);
        parameters.Add("Now", now);
        return parameters;
    }

    /// <summary>The states' stored words, for a statement's list parameter (at least one: an empty list is refused).</summary>
    public static string[] StateWords(IReadOnlyCollection<TrialState> states)
    {
        ArgumentNullException.ThrowIfNull(states);
        if (states.Count == 0) throw new ArgumentException("at least one state is needed", nameof(states));
        return [.. states.Distinct().Select(TrialStateWords.ToWord)];
    }
}

/// <summary>One recovery decision to write: the trial as read, what becomes of it, the attempt's reason, the time.</summary>
internal sealed record RecoveryWrite(RunningRow Trial, RecoveredTrial Outcome, string AttemptReason, string Now)
{
    /// <summary>How the holder's attempt ends: lost, or failed when it died of the trial's own error.</summary>
    public AttemptOutcome Ending { get; init; } = AttemptOutcome.Lost;

    /// <summary>The parameters of <see cref="StoreSql.RequeueLostTrial"/> and <see cref="StoreSql.FailLostTrial"/>.</summary>
    public object TrialParameters => new { trial = Trial.Id, lost = (long)Outcome.Lost, reason = Outcome.Reason, now = Now };

    /// <summary>The parameters of <see cref="StoreSql.EndAttempt"/>: the current attempt ends as <see cref="Ending"/> says.</summary>
    public object AttemptParameters => new
    {
        trial = Trial.Id, attempt = Trial.Attempt, now = Now, outcome = TrialStateWords.ToWord(Ending), reason = AttemptReason,
    };
}
