using Microsoft.Data.Sqlite;
using Npgsql;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage.Postgres;
using Piximi.Sweep.Storage.Sqlite;
using Piximi.Sweep.Tests.Shared;
using static Piximi.Sweep.Storage.Tests.Sweeps;

namespace Piximi.Sweep.Storage.Tests;

/// <summary>
/// A store written by the version before attempts were recorded (schema 6: Fixtures/store-v6.db, written by the CLI,
/// see Fixtures/README.md) brought up to date (schema 7, the attempts; 8, the run policy), in a SQLite file and, with the same rows, in PostgreSQL: nothing it
/// held changes, the trial running in it gets its attempt (from an epoch unknown), and it goes on as a new store would.
/// </summary>
public sealed class VersionSixStores : IDisposable
{
    private static readonly string Fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "store-v6.db");

    private static readonly string[] Tables = ["sweeps", "trials", "epochs", "checkpoints", "evaluations", "launches", "cancellations"];

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_version_six_file_is_brought_to_the_latest_version_keeping_every_row_and_goes_on_recording_attempts()
    {
        var path = _folder.File("v6.db");
        File.Copy(Fixture, path);
        Assert.Equal(6L, Scalar(path, "SELECT version FROM schema_version;"));
        var before = Rows(path);

        using (var store = TrialStores.OpenSqlite(path))
        {
            Assert.Equal((long)LatestSchema, Scalar(path, "SELECT version FROM schema_version;"));
            Assert.Equal("ok", Scalar(path, "PRAGMA integrity_check;"));
            // Column for column as the fixture has them (later migrations add columns of their own), but for the
            // hyperparameter columns, which became one document each (schema 10) and went (schema 11).
            Assert.Equal(Rows(Fixture, columnsOf: path), Rows(path, columnsOf: Fixture));
            Assert.Equal(before.Count, Rows(path).Count);
            Assert.Empty(Columns(path, "trials").Intersect(HyperparameterColumns));
            GoesOnAsANewStore(store);
        }
    }

    [Fact]
    public void A_reader_of_a_version_six_file_sees_the_attempt_in_progress_and_leaves_the_file_at_version_six()
    {
        var path = _folder.File("v6.db");
        File.Copy(Fixture, path);
        var bytes = File.ReadAllBytes(path);

        using (var reader = TrialStores.OpenReadOnly(path))
        {
            var sweep = Assert.Single(reader.ListSweeps());
            var attempt = Assert.Single(reader.ListAttempts(sweep.Id));
            Assert.Equal((2, "vm:4920", (int?)null, (AttemptOutcome?)null), (attempt.Attempt, attempt.WorkerId, attempt.StartEpoch, attempt.Outcome));
        }

        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Equal(["v6.db"], Directory.GetFiles(_folder.FullPath).Select(Path.GetFileName));
    }

    [Fact]
    public void A_version_six_postgres_database_is_brought_to_the_latest_version_keeping_every_row_and_goes_on_recording_attempts()
    {
        var connectionString = PostgresServer.CreateDatabase();
        using (var connection = new NpgsqlConnection(connectionString))
        {
            connection.Open();
            // Schema 6 as PostgreSQL shipped it (migrations are append only), holding the fixture's rows.
            Execute(connection, PostgresSql.CreateSchemaVersionTable);
            foreach (var migration in PostgresSql.Migrations.Take(6)) Execute(connection, migration);
            Execute(connection, "UPDATE schema_version SET version = 6;");
            CopyFixtureInto(connection);
        }

        using var store = TrialStores.OpenPostgres(connectionString);

        using (var connection = new NpgsqlConnection(connectionString))
        {
            connection.Open();
            Assert.Equal(LatestSchema, new NpgsqlCommand("SELECT version FROM schema_version;", connection).ExecuteScalar());
        }

        GoesOnAsANewStore(store);
    }

    /// <summary>What the fixture holds, read through the store, and the store recording attempts from then on.</summary>
    private static void GoesOnAsANewStore(ITrialStore store)
    {
        var sweep = Assert.Single(store.ListSweeps());
        Assert.Equal("fixture-v6", sweep.Name);
        var trials = store.ListTrials(sweep.Id);
        // Each trial's hyperparameters, once columns, read back from its document exactly as the columns held them.
        Assert.Equal(FixtureHyperparameters(), trials.Select(t => t.Hyperparameters));
        Assert.Equal([0.001, 0.003, 0.01, 0.03, 0.1, 0.3], trials.Select(t => t.Hyperparameters.LearningRate));
        Assert.Equal(
            [TrialState.Running, TrialState.Completed, TrialState.Completed, TrialState.Queued, TrialState.Queued, TrialState.Queued],
            trials.Select(t => t.State));
        Assert.Equal([2, 4, 4, 0, 0, 0], trials.Select(t => store.ListEpochs(sweep.Id).Count(e => e.TrialId == t.Id)));
        var running = trials[0];
        Assert.Equal(("vm:4920", 2, 1), (running.WorkerId, running.Attempts, running.Lost));
        // The spend the budgets count, kept since schema 12, was filled from the epochs stored before.
        var usage = store.Usage(sweep.Id);
        Assert.Equal(10, usage.Epochs);
        Assert.Equal(store.ListEpochs(sweep.Id).Sum(e => e.Metrics.Seconds), usage.Seconds, 9);
        // Budgets were never stored before schema 8: the sweep has none until run or resume stores them.
        Assert.Equal(RunPolicy.None, store.LoadPolicy(sweep.Id));
        Assert.Null(store.PolicyStop(sweep.Id));

        // Epochs stored before positions existed get theirs in the order they were recorded; new ones come after.
        var stored = store.ListEpochsSince(sweep.Id, 0);
        Assert.Equal(
            store.ListEpochs(sweep.Id).OrderBy(e => e.RecordedAt).ThenBy(e => e.TrialId).ThenBy(e => e.Metrics.Epoch).Select(e => (e.TrialId, e.Metrics.Epoch)),
            stored.Epochs.Select(e => (e.TrialId, e.Metrics.Epoch)));

        // Only the attempt in progress when the store was brought up to date is recorded, from an epoch unknown;
        // the claims before it were never recorded, and none is made up.
        var attempt = Assert.Single(store.ListAttempts(sweep.Id));
        Assert.Equal((running.Id, 2, "vm:4920", running.StartedAt, (int?)null, (AttemptOutcome?)null),
            (attempt.TrialId, attempt.Attempt, attempt.WorkerId, attempt.StartedAt, attempt.StartEpoch, attempt.Outcome));

        // Its holder is gone. Whether it stored an epoch is unknown, so the loss counts, as every loss did before.
        var recovered = Assert.Single(store.RecoverLost(sweep.Id, TimeSpan.MaxValue, ["vm:4920"], maxRetries: 2, "its worker was gone"));
        Assert.Equal((TrialState.Queued, 2, 1), (recovered.NewState, recovered.Lost, recovered.LostWithoutProgress));

        // The next holder resumes from the stored checkpoint, and its attempt is recorded from epoch 2.
        var next = store.ClaimNext(sweep.Id, "w-new")!;
        Assert.Equal((1, 3), (next.Number, next.Attempts));
        Assert.Equal(2, store.LoadCheckpoint(next.Id)!.Epoch);
        store.RecordEpoch(TrialLease.Of(next), Epoch(3), null);
        store.RecordEpoch(TrialLease.Of(next), Epoch(4), null);
        Assert.Equal([(next.Id, 3), (next.Id, 4)], store.ListEpochsSince(sweep.Id, stored.Position).Epochs.Select(e => (e.TrialId, e.Metrics.Epoch)));
        store.Finish(TrialLease.Of(next), TrialState.Completed, null);

        var first = store.ListTrials(sweep.Id)[0];
        Assert.Equal(
            "attempt 1: not recorded (claimed by an older Piximi.Sweep); the trial was lost 2 time(s) in all; " +
            "attempt 2: up to epoch 2, lost (its worker was gone); attempt 3: epochs 3–4, completed",
            AttemptHistory.Line(first, store.ListAttempts(sweep.Id), lastEpoch: 4));
        Assert.Equal(3, store.SummarizeTrials(sweep.Id).Count(s => s.Trial.State == TrialState.Completed));
        Assert.Null(store.FindOrchestrator(sweep.Id));
    }

    private static readonly string[] HyperparameterColumns =
        ["optimizer", "loss", "learning_rate", "batch_size", "epochs", "time_budget_seconds", "seed", "model"];

    /// <summary>The fixture's trials' hyperparameter columns, by number, read here with no code of the store's.</summary>
    private static List<Hyperparameters> FixtureHyperparameters()
    {
        using var connection = new SqliteConnection($"Data Source={Fixture};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = new SqliteCommand($"SELECT {string.Join(", ", HyperparameterColumns)} FROM trials ORDER BY number;", connection);
        using var reader = command.ExecuteReader();
        var all = new List<Hyperparameters>();
        while (reader.Read())
        {
            Assert.True(reader.IsDBNull(5), "the fixture's trials have no time budget");
            all.Add(new Hyperparameters(
                Enum.Parse<OptimizerKind>(reader.GetString(0)), Enum.Parse<LossKind>(reader.GetString(1)), reader.GetDouble(2),
                reader.GetInt32(3), reader.GetInt32(4), null, reader.GetInt32(6)) { Model = Enum.Parse<ModelKind>(reader.GetString(7)) });
        }

        return all;
    }

    /// <summary>Every row of the fixture's tables, as text (blobs by length), to compare before and after.</summary>
    private static List<string> Rows(string path, string? columnsOf = null)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var rows = new List<string>();
        foreach (var table in Tables)
        {
            // With columnsOf: the columns both files have.
            var columns = columnsOf is null ? "*" : string.Join(", ", Columns(columnsOf, table).Intersect(Columns(path, table)));
            using var command = new SqliteCommand($"SELECT {columns} FROM {table} ORDER BY 1, 2;", connection);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                rows.Add(table + ": " + string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i =>
                    reader.GetValue(i) is byte[] blob ? $"{blob.Length} bytes" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
            }
        }

        return rows;
    }

    private static List<string> Columns(string path, string table)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = new SqliteCommand($"SELECT name FROM pragma_table_info('{table}') ORDER BY cid;", connection);
        using var reader = command.ExecuteReader();
        var columns = new List<string>();
        while (reader.Read()) columns.Add(reader.GetString(0));
        return columns;
    }

    private static object? Scalar(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        return new SqliteCommand(sql, connection).ExecuteScalar();
    }

    /// <summary>The fixture's rows, column for column, into the same tables of a PostgreSQL database (ids kept).</summary>
    private static void CopyFixtureInto(NpgsqlConnection target)
    {
        using var source = new SqliteConnection($"Data Source={Fixture};Mode=ReadOnly;Pooling=False");
        source.Open();
        foreach (var table in Tables)
        {
            using var read = new SqliteCommand($"SELECT * FROM {table};", source);
            using var rows = read.ExecuteReader();
            var columns = Enumerable.Range(0, rows.FieldCount).Select(rows.GetName).ToList();
            var identity = columns.Contains("id") ? " OVERRIDING SYSTEM VALUE" : "";
            var insert = $"INSERT INTO {table} ({string.Join(", ", columns)}){identity} VALUES ({string.Join(", ", columns.Select(c => "@" + c))});";
            while (rows.Read())
            {
                using var write = new NpgsqlCommand(insert, target);
                foreach (var (column, i) in columns.Select((c, i) => (c, i)))
                    write.Parameters.AddWithValue(column, rows.GetValue(i));
                write.ExecuteNonQuery();
            }
        }
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
