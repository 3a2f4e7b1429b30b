using System.Globalization;
using Npgsql;
using Piximi.Sweep.Tests.Shared;

namespace Piximi.Sweep.Storage.Tests;

/// <summary>The store contract, run against a real PostgreSQL 15 server (started by the tests), a database per test.</summary>
public sealed class PostgresTrialStoreContract : TrialStoreContract
{
    private readonly string _connectionString = PostgresServer.CreateDatabase();

    protected override ITrialStore OpenNewInstance() => TrialStores.OpenPostgres(_connectionString);

    protected override int ReadSchemaVersion()
    {
        using var connection = RawConnection();
        return Convert.ToInt32(new NpgsqlCommand("SELECT version FROM schema_version;", connection).ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    protected override void WriteSchemaVersion(int version)
    {
        using var connection = RawConnection();
        using var command = new NpgsqlCommand("UPDATE schema_version SET version = @v;", connection);
        command.Parameters.AddWithValue("v", version);
        Assert.Equal(1, command.ExecuteNonQuery());
    }

    protected override IReadOnlyList<string> ClaimWorkerArguments(long sweepId, string workerId, int? maxTrials) =>
    [
        "store", "postgres:" + _connectionString, sweepId.ToString(CultureInfo.InvariantCulture), workerId,
        .. maxTrials is { } max ? [max.ToString(CultureInfo.InvariantCulture)] : Array.Empty<string>(),
    ];

    protected override IDisposable HoldUncommittedWrite(long trialId)
    {
        var connection = RawConnection();
        var transaction = connection.BeginTransaction();
        using var command = new NpgsqlCommand("UPDATE trials SET message = 'uncommitted' WHERE id = @id;", connection, transaction);
        command.Parameters.AddWithValue("id", trialId);
        Assert.Equal(1, command.ExecuteNonQuery());
        return new Held(transaction, connection);
    }

    protected override IDisposable HoldReadTransaction()
    {
        var connection = RawConnection();
        var transaction = connection.BeginTransaction(System.Data.IsolationLevel.RepeatableRead);
        using var command = new NpgsqlCommand("SELECT count(*) FROM trials;", connection, transaction);
        command.ExecuteScalar();
        return new Held(transaction, connection);
    }

    private NpgsqlConnection RawConnection()
    {
        var connection = new NpgsqlConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private sealed class Held(NpgsqlTransaction transaction, NpgsqlConnection connection) : IDisposable
    {
        public void Dispose()
        {
            transaction.Dispose();
            connection.Dispose();
        }
    }
}
