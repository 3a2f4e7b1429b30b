using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Storage.Sqlite;

/// <summary>
/// The trial store in one SQLite file, shared by the orchestrator, its workers and readers in other processes.
/// One instance holds one connection, so a call costs no open; calls from several threads are serialized on it by
/// a lock (each process should still open its own store: that is what lets SQLite, not the lock, arbitrate).
/// Writes that read first run in <c>BEGIN IMMEDIATE</c> transactions; the rest are single statements.
/// </summary>
internal sealed class SqliteTrialStore : ITrialStore
{
    /// <summary>How long a call waits for another process's write lock before it fails.</summary>
    public static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(30);

    private const int SqliteConstraint = 19;

    private readonly Lock _gate = new();
    private readonly SqliteConnection _connection;
    private readonly string _path;
    private readonly ImmediateTransactions _transactions;

    // The per-trial statements, prepared once rather than on every call: a worker runs them thousands of times.
    private readonly SqliteCommand _claim;
    private readonly SqliteCommand _touch;
    private readonly SqliteCommand _insertEpoch;
    private readonly SqliteCommand _finish;

    private bool _disposed;

    private SqliteTrialStore(SqliteConnection connection, string path)
    {
        _connection = connection;
        _path = path;
        _transactions = new ImmediateTransactions(connection);
        _claim = Command(SqliteSql.ClaimNext, "@worker", "@now", "@sweep");
        _touch = Command(SqliteSql.TouchRunningTrial, "@now", "@trial");
        _insertEpoch = Command(
            SqliteSql.InsertEpoch,
            "@trial", "@epoch", "@loss", "@accuracy", "@val_loss", "@val_accuracy", "@seconds", "@images_per_second", "@now");
        _finish = Command(SqliteSql.FinishRunningTrial, "@state", "@now", "@message", "@trial");
    }

    /// <summary>Opens (creating the folder and file when missing) and migrates the store at <paramref name="path"/>.</summary>
    public static SqliteTrialStore Open(string path, TimeSpan? busyTimeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        var timeout = busyTimeout ?? DefaultBusyTimeout;

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // The store keeps its connection for its lifetime; a pool would only keep the file open after Dispose.
            Pooling = false,
            // Microsoft.Data.Sqlite's own retry on SQLITE_BUSY, behind SQLite's busy handler (see SqliteSql).
            DefaultTimeout = (int)Math.Ceiling(timeout.TotalSeconds),
        }.ToString());

        try
        {
            connection.Open();
            Configure(connection, fullPath, timeout);
            SqliteSchema.Migrate(connection, fullPath);
            return new SqliteTrialStore(connection, fullPath);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 26) // SQLITE_NOTADB
        {
            connection.Dispose();
            throw new InvalidDataException($"{fullPath} is not a SQLite database, so not a trial store. Pass another --db.", e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static void Configure(SqliteConnection connection, string path, TimeSpan busyTimeout)
    {
        connection.Execute(string.Format(
            CultureInfo.InvariantCulture, SqliteSql.BusyTimeoutPragma, (long)busyTimeout.TotalMilliseconds));
        // Before the journal mode, which is kept in the file: another program's database is left as it was.
        SqliteSchema.RefuseForeign(connection, path);
        var mode = connection.ExecuteScalar<string>(SqliteSql.JournalModeWal);
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            // Without WAL, readers block writers and the reverse; on a network file system WAL is refused outright.
            throw new InvalidOperationException(
                $"{path} could not be switched to WAL journaling (it is in '{mode}' mode). " +
                "Put the store on a local disk.");
        }

        connection.Execute(SqliteSql.ConnectionPragmas);
    }

    public SweepRecord CreateSweep(SweepDefinition definition, IReadOnlyList<Hyperparameters> trials)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(trials);
        var json = SweepJson.Serialize(definition);

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var sweepId = _transactions.Run(() =>
            {
                var existing = _connection.QuerySingleOrDefault<SweepRow>(SqliteSql.SelectSweepByName, new { name = definition.Name });
                if (existing is not null)
                {
                    // Compare canonical forms, re-serializing the stored one: a file written before a harmless change
                    // of the JSON form still matches the same definition.
                    var stored = SweepJson.Serialize(SweepJson.Deserialize(existing.DefinitionJson));
                    if (stored != json)
                    {
                        throw new SweepConflictException(
                            $"The store {_path} already has a sweep named '{definition.Name}' with another definition. " +
                            "Rename the sweep to run the new definition, or use another --db.");
                    }

                    return existing.Id;
                }

                var id = _connection.ExecuteScalar<long>(
                    SqliteSql.InsertSweep,
                    new { definition.Name, DefinitionJson = json, CreatedAt = StoreTime.Now() });
                // One prepared command for all rows: Dapper reuses it for a sequence of parameter objects.
                _connection.Execute(SqliteSql.InsertTrial, trials.Select((h, i) => new
                {
                    SweepId = id,
                    Number = i + 1,
                    Optimizer = h.Optimizer.ToString(),
                    Loss = h.Loss.ToString(),
                    h.LearningRate,
                    h.BatchSize,
                    h.Epochs,
                    TimeBudgetSeconds = h.TimeBudget?.TotalSeconds,
                    h.Seed,
                }));
                return id;
            });

            return _connection.QuerySingle<SweepRow>(SqliteSql.SelectSweepById, new { id = sweepId }).ToRecord();
        }
    }

    public SweepRecord? FindSweep(string name)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _connection.QuerySingleOrDefault<SweepRow>(SqliteSql.SelectSweepByName, new { name })?.ToRecord();
        }
    }

    public IReadOnlyList<SweepRecord> ListSweeps()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return [.. _connection.Query<SweepRow>(SqliteSql.SelectSweeps).Select(r => r.ToRecord())];
        }
    }

    public TrialRecord? ClaimNext(long sweepId, string workerId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workerId);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _transactions.Run(() =>
            {
                _claim.Parameters["@worker"].Value = workerId;
                _claim.Parameters["@now"].Value = StoreTime.Now();
                _claim.Parameters["@sweep"].Value = sweepId;
                TrialRow? row;
                using (var reader = _claim.ExecuteReader())
                {
                    row = reader.Parse<TrialRow>().SingleOrDefault();
                }

                if (row is { Attempts: > 1 })
                {
                    _connection.Execute(SqliteSql.DeleteEpochsOfTrial, new { trial = row.Id });
                }

                return row?.ToRecord();
            });
        }
    }

    public void RecordEpoch(long trialId, EpochMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _transactions.Run(() =>
            {
                var now = StoreTime.Now();
                _touch.Parameters["@now"].Value = now;
                _touch.Parameters["@trial"].Value = trialId;
                if (_touch.ExecuteNonQuery() == 0)
                {
                    throw NotRunning(trialId, $"record epoch {metrics.Epoch} of");
                }

                var p = _insertEpoch.Parameters;
                p["@trial"].Value = trialId;
                p["@epoch"].Value = metrics.Epoch;
                p["@loss"].Value = Metric(metrics.Loss);
                p["@accuracy"].Value = Metric(metrics.Accuracy);
                p["@val_loss"].Value = Metric(metrics.ValLoss);
                p["@val_accuracy"].Value = Metric(metrics.ValAccuracy);
                p["@seconds"].Value = Metric(metrics.Seconds);
                p["@images_per_second"].Value = Metric(metrics.ImagesPerSecond);
                p["@now"].Value = now;
                try
                {
                    _insertEpoch.ExecuteNonQuery();
                }
                catch (SqliteException e) when (e.SqliteErrorCode == SqliteConstraint)
                {
                    throw new InvalidOperationException($"Trial {trialId} already has an epoch {metrics.Epoch}.", e);
                }

                return 0;
            });
        }
    }

    public void Finish(long trialId, TrialState state, string? message)
    {
        if (!TrialStateWords.IsFinal(state))
        {
            throw new ArgumentOutOfRangeException(
                nameof(state), state, "A trial finishes as completed, failed, diverged or pruned.");
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _finish.Parameters["@state"].Value = TrialStateWords.ToWord(state);
            _finish.Parameters["@now"].Value = StoreTime.Now();
            _finish.Parameters["@message"].Value = (object?)message ?? DBNull.Value;
            _finish.Parameters["@trial"].Value = trialId;
            // One statement, so no transaction: it checks and changes the state at once.
            if (_finish.ExecuteNonQuery() == 0)
            {
                throw NotRunning(trialId, $"finish as {TrialStateWords.ToWord(state)}");
            }
        }
    }

    public int RequeueRunning(long sweepId)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _connection.Execute(SqliteSql.RequeueRunning, new { sweep = sweepId });
        }
    }

    public IReadOnlyList<TrialRecord> ListTrials(long sweepId)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return [.. _connection.Query<TrialRow>(SqliteSql.SelectTrialsOfSweep, new { sweep = sweepId }).Select(r => r.ToRecord())];
        }
    }

    public IReadOnlyList<EpochRecord> ListEpochs(long sweepId)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return [.. _connection.Query<EpochRow>(SqliteSql.SelectEpochsOfSweep, new { sweep = sweepId }).Select(r => r.ToRecord())];
        }
    }

    /// <summary>A pragma's value on this store's connection (some, like synchronous, are per connection).</summary>
    internal string? Pragma(string name)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return Convert.ToString(_connection.ExecuteScalar($"PRAGMA {name};"), CultureInfo.InvariantCulture);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _claim.Dispose();
            _touch.Dispose();
            _insertEpoch.Dispose();
            _finish.Dispose();
            _transactions.Dispose();
            _connection.Dispose();
        }
    }

    private InvalidOperationException NotRunning(long trialId, string action)
    {
        var state = _connection.ExecuteScalar<string?>(SqliteSql.SelectTrialState, new { trial = trialId });
        return new InvalidOperationException(state is null
            ? $"Cannot {action} trial {trialId}: the store {_path} has no such trial."
            : $"Cannot {action} trial {trialId}: it is {state}, not running.");
    }

    private SqliteCommand Command(string sql, params string[] parameters)
    {
        var command = new SqliteCommand(sql, _connection);
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }

    /// <summary>SQLite has no NaN (Microsoft.Data.Sqlite refuses to bind one), so a NaN metric is stored as NULL.</summary>
    private static object Metric(double value) => double.IsNaN(value) ? DBNull.Value : value;

    private sealed record SweepRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string DefinitionJson { get; init; } = "";
        public string CreatedAt { get; init; } = "";

        public SweepRecord ToRecord() =>
            new(Id, Name, SweepJson.Deserialize(DefinitionJson), StoreTime.Parse(CreatedAt));
    }

    private sealed record TrialRow
    {
        public long Id { get; init; }
        public long SweepId { get; init; }
        public long Number { get; init; }
        public string Optimizer { get; init; } = "";
        public string Loss { get; init; } = "";
        public double LearningRate { get; init; }
        public long BatchSize { get; init; }
        public long Epochs { get; init; }
        public double? TimeBudgetSeconds { get; init; }
        public long Seed { get; init; }
        public string State { get; init; } = "";
        public string? WorkerId { get; init; }
        public long Attempts { get; init; }
        public string? StartedAt { get; init; }
        public string? FinishedAt { get; init; }
        public string? Message { get; init; }

        public TrialRecord ToRecord() => new(
            Id,
            SweepId,
            checked((int)Number),
            new Hyperparameters(
                Enum.Parse<OptimizerKind>(Optimizer),
                Enum.Parse<LossKind>(Loss),
                LearningRate,
                checked((int)BatchSize),
                checked((int)Epochs),
                // Through ticks, rounded: FromSeconds on a double can land one tick off the stored TimeSpan.
                TimeBudgetSeconds is { } seconds ? TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond)) : null,
                checked((int)Seed)),
            TrialStateWords.Parse(State),
            WorkerId,
            checked((int)Attempts),
            StoreTime.ParseOrNull(StartedAt),
            StoreTime.ParseOrNull(FinishedAt),
            Message);
    }

    private sealed record EpochRow
    {
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
}
