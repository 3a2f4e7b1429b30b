using System.Text.Json;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Storage;

// The rows both backends read with Dapper, and how they become Core's records: the tables are the same in SQLite and
// PostgreSQL (column for column, integers as 64-bit), so one set of rows serves both.

/// <summary>
/// The column lists that fill <see cref="TrialRow"/> and <see cref="EpochRow"/>, in one place for both backends and the
/// archive: a column added by a migration is read everywhere once it is added here.
/// </summary>
internal static class StoreColumns
{
    public const string Trial =
        """
        id AS Id, sweep_id AS SweepId, number AS Number, hyperparameters AS HyperparametersJson, state AS State,
        worker_id AS WorkerId, attempts AS Attempts, started_at AS StartedAt, finished_at AS FinishedAt,
        message AS Message, heartbeat_at AS HeartbeatAt, lost AS Lost, result_epoch AS ResultEpoch, rung AS Rung
        """;

    /// <summary><see cref="Trial"/> from <c>trials AS t</c>, where another table of the statement has columns of the same names.</summary>
    public const string QualifiedTrial =
        """
        t.id AS Id, t.sweep_id AS SweepId, t.number AS Number, t.hyperparameters AS HyperparametersJson, t.state AS State,
        t.worker_id AS WorkerId, t.attempts AS Attempts, t.started_at AS StartedAt, t.finished_at AS FinishedAt,
        t.message AS Message, t.heartbeat_at AS HeartbeatAt, t.lost AS Lost, t.result_epoch AS ResultEpoch, t.rung AS Rung
        """;

    /// <summary>An epoch's columns from <c>epochs AS e</c>.</summary>
    public const string Epoch =
        """
        e.trial_id AS TrialId, e.epoch AS Epoch, e.loss AS Loss, e.accuracy AS Accuracy, e.val_loss AS ValLoss,
               e.val_accuracy AS ValAccuracy, e.seconds AS Seconds, e.images_per_second AS ImagesPerSecond,
               e.recorded_at AS RecordedAt
        """;
}

internal sealed record SweepRow
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public string DefinitionJson { get; init; } = "";
    public string CreatedAt { get; init; } = "";

    public SweepRecord ToRecord() =>
        new(Id, Name, SweepJson.Deserialize(DefinitionJson), StoreTime.Parse(CreatedAt));
}

internal sealed record TrialRow
{
    public long Id { get; init; }
    public long SweepId { get; init; }
    public long Number { get; init; }

    /// <summary>The trial's <see cref="Hyperparameters"/>, one document (<see cref="SweepJson.Serialize(Hyperparameters)"/>).</summary>
    public string HyperparametersJson { get; init; } = "";

    public string State { get; init; } = "";
    public string? WorkerId { get; init; }
    public long Attempts { get; init; }
    public string? StartedAt { get; init; }
    public string? FinishedAt { get; init; }
    public string? Message { get; init; }
    public string? HeartbeatAt { get; init; }
    public long Lost { get; init; }
    public long? ResultEpoch { get; init; }
    public long? Rung { get; init; }

    public TrialRecord ToRecord() => new(
        Id,
        SweepId,
        checked((int)Number),
        SweepJson.DeserializeHyperparameters(HyperparametersJson),
        TrialStateWords.Parse(State),
        WorkerId,
        checked((int)Attempts),
        StoreTime.ParseOrNull(StartedAt),
        StoreTime.ParseOrNull(FinishedAt),
        Message)
    {
        HeartbeatAt = StoreTime.ParseOrNull(HeartbeatAt),
        Lost = checked((int)Lost),
        ResultEpoch = ResultEpoch is { } e ? checked((int)e) : null,
        Rung = Rung is { } r ? checked((int)r) : null,
    };
}

internal sealed record CountsRow
{
    public long LastNumber { get; init; }
    public long Started { get; init; }
}

internal sealed record PolicyRow
{
    public string? Deadline { get; init; }
    public long? MaxTrials { get; init; }
    public long? MaxEpochs { get; init; }
    public double? ComputeHours { get; init; }
    public long? MaxRetries { get; init; }

    public RunPolicy ToRecord() => new(
        StoreTime.ParseOrNull(Deadline), (int?)MaxTrials, (int?)MaxEpochs, ComputeHours, (int?)MaxRetries);
}

internal sealed record UsageRow
{
    public long Epochs { get; init; }
    public double Seconds { get; init; }
}

internal sealed record AggregateRow
{
    public long EpochsRun { get; init; }
    public double TrainingSeconds { get; init; }
}

internal sealed record StateRow
{
    public string State { get; init; } = "";
    public long Attempts { get; init; }
}

/// <summary>A running trial as recovery judges it (<see cref="StoreSql.SelectLockedRunningTrials"/>).</summary>
internal sealed record RunningRow
{
    public long Id { get; init; }
    public long Number { get; init; }
    public string? WorkerId { get; init; }
    public string? HeartbeatAt { get; init; }
    public long Lost { get; init; }

    /// <summary>The current attempt (the trial's attempts count).</summary>
    public long Attempt { get; init; }

    /// <summary>The last stored epoch when the current attempt claimed the trial; null when unknown (claimed before v7).</summary>
    public long? StartEpoch { get; init; }

    /// <summary>The trial's last stored epoch now (0 for none).</summary>
    public long LastEpoch { get; init; }

    /// <summary>Earlier attempts lost without storing an epoch since <see cref="LastEpoch"/> was stored.</summary>
    public long LostWithoutProgress { get; init; }
}

internal sealed record AttemptRow
{
    public long TrialId { get; init; }
    public long Attempt { get; init; }
    public string WorkerId { get; init; } = "";
    public string? StartedAt { get; init; }
    public long? StartEpoch { get; init; }
    public string? EndedAt { get; init; }
    public long? EndEpoch { get; init; }
    public string? Outcome { get; init; }
    public string? Reason { get; init; }

    public TrialAttempt ToRecord() => new(
        TrialId,
        checked((int)Attempt),
        WorkerId,
        StoreTime.ParseOrNull(StartedAt),
        StartEpoch is { } start ? checked((int)start) : null,
        StoreTime.ParseOrNull(EndedAt),
        EndEpoch is { } end ? checked((int)end) : null,
        Outcome is null ? null : TrialStateWords.ParseOutcome(Outcome),
        Reason);
}

internal sealed record OrchestratorRow
{
    public long SweepId { get; init; }
    public string Host { get; init; } = "";
    public long Pid { get; init; }
    public string StartedAt { get; init; } = "";
    public string HeartbeatAt { get; init; } = "";
    public double GraceSeconds { get; init; }

    public OrchestratorRecord ToRecord() => new(
        SweepId, Host, checked((int)Pid), StoreTime.Parse(StartedAt), StoreTime.Parse(HeartbeatAt), TimeSpan.FromSeconds(GraceSeconds));
}

internal sealed record EvaluationRow
{
    public long TrialId { get; init; }
    public string ClassNamesJson { get; init; } = "[]";
    public string ConfusionJson { get; init; } = "[]";

    public TrialEvaluation ToRecord() => new(
        TrialId,
        JsonSerializer.Deserialize<string[]>(ClassNamesJson) ?? [],
        JsonSerializer.Deserialize<int[][]>(ConfusionJson) ?? []);
}

internal sealed record CheckpointRow
{
    public long TrialId { get; init; }
    public long Epoch { get; init; }
    public byte[] Data { get; init; } = [];

    public TrialCheckpoint ToRecord() => new(TrialId, checked((int)Epoch), Data);
}

internal sealed record EpochRow
{
    /// <summary>Where the epoch stands in the order epochs were stored (read by <see cref="StoreSql.SelectEpochsSince"/> only).</summary>
    public long Seq { get; init; }

    public long TrialId { get; init; }
    public long Epoch { get; init; }
    public double? Loss { get; init; }
    public double? Accuracy { get; init; }
    public double? ValLoss { get; init; }
    public double? ValAccuracy { get; init; }
    public double? Seconds { get; init; }
    public double? ImagesPerSecond { get; init; }
    public string RecordedAt { get; init; } = "";

    public EpochRecord ToRecord() => new(
        TrialId,
        new EpochMetrics(
            checked((int)Epoch),
            Loss ?? double.NaN,
            Accuracy ?? double.NaN,
            ValLoss ?? double.NaN,
            ValAccuracy ?? double.NaN,
            Seconds ?? double.NaN,
            ImagesPerSecond ?? double.NaN),
        StoreTime.Parse(RecordedAt));
}

internal sealed record LaunchRow
{
    public long Id { get; init; }
    public long SweepId { get; init; }
    public string Kind { get; init; } = "";
    public string JobId { get; init; } = "";
    public string? ScriptPath { get; init; }
    public string LaunchedAt { get; init; } = "";

    public SweepLaunch ToRecord() => new(Id, SweepId, Kind, JobId, ScriptPath, StoreTime.Parse(LaunchedAt));
}

internal sealed record CancellationRow
{
    public long SweepId { get; init; }
    public string CancelledAt { get; init; } = "";
    public string Reason { get; init; } = "";

    public SweepCancellation ToRecord() => new(SweepId, StoreTime.Parse(CancelledAt), Reason);
}

/// <summary>One state's count (<see cref="StoreSql.CountTrialsByState"/>).</summary>
internal sealed record StateCountRow
{
    public string State { get; init; } = "";

    public long Count { get; init; }
}

internal static class TrialCountRows
{
    public static TrialCounts ToCounts(IEnumerable<StateCountRow> rows)
    {
        int queued = 0, running = 0, ended = 0;
        foreach (var row in rows)
        {
            var count = checked((int)row.Count);
            switch (TrialStateWords.Parse(row.State))
            {
                case TrialState.Queued: queued += count; break;
                case TrialState.Running: running += count; break;
                default: ended += count; break;
            }
        }
        return new TrialCounts(queued, running, ended);
    }

    public static NewEpochs ToNewEpochs(IReadOnlyList<EpochRow> rows, long after) =>
        new([.. rows.Select(r => r.ToRecord())], rows.Count == 0 ? after : rows[^1].Seq);
}
