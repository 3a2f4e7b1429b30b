using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Piximi.Sweep.Storage.Tests;

/// <summary>The store contract, run against a real SQLite file in a temp folder of its own.</summary>
public sealed class SqliteTrialStoreContract : TrialStoreContract
{
    private readonly TempFolder _folder = new();

    private string DatabasePath => _folder.File(Path.Combine("nested", "sweeps.db"));

    protected override ITrialStore OpenNewInstance() => TrialStores.OpenSqlite(DatabasePath);

    protected override ITrialStore OpenReadOnlyInstance() => TrialStores.OpenReadOnly(DatabasePath);

    protected override bool AnythingExists() => Directory.EnumerateFileSystemEntries(_folder.FullPath).Any();

    protected override int ReadSchemaVersion()
    {
        using var connection = RawConnection();
        return (int)(long)new SqliteCommand("SELECT version FROM schema_version;", connection).ExecuteScalar()!;
    }

    protected override void WriteSchemaVersion(int version)
    {
        using var connection = RawConnection();
        using var command = new SqliteCommand("UPDATE schema_version SET version = @v;", connection);
        command.Parameters.AddWithValue("@v", version);
        Assert.Equal(1, command.ExecuteNonQuery());
    }

    protected override IReadOnlyList<string> ClaimWorkerArguments(long sweepId, string workerId, int? maxTrials) =>
    [
        "store", DatabasePath, sweepId.ToString(CultureInfo.InvariantCulture), workerId,
        .. maxTrials is { } max ? [max.ToString(CultureInfo.InvariantCulture)] : Array.Empty<string>(),
    ];

    protected override IDisposable HoldUncommittedWrite(long trialId)
    {
        var connection = RawConnection();
        var transaction = connection.BeginTransaction(deferred: false);
        using var command = new SqliteCommand("UPDATE trials SET message = 'uncommitted' WHERE id = @id;", connection, transaction);
        command.Parameters.AddWithValue("@id", trialId);
        Assert.Equal(1, command.ExecuteNonQuery());
        return new Held(transaction, connection);
    }

    protected override IDisposable HoldReadTransaction()
    {
        var connection = RawConnection();
        var transaction = connection.BeginTransaction(deferred: true);
        using var command = new SqliteCommand("SELECT count(*) FROM trials;", connection, transaction);
        command.ExecuteScalar();
        return new Held(transaction, connection);
    }

    public override void Dispose()
    {
        base.Dispose();
        _folder.Dispose();
    }

    /// <summary>A connection of the test's own, as another program would have; no pool keeps the file open after it.</summary>
    private SqliteConnection RawConnection()
    {
        var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        return connection;
    }

    private sealed class Held(SqliteTransaction transaction, SqliteConnection connection) : IDisposable
    {
        public void Dispose()
        {
            transaction.Dispose();
            connection.Dispose();
        }
    }
}
