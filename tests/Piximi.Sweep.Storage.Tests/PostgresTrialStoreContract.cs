using System.Globalization;
using Npgsql;
using Piximi.Sweep.Tests.Shared;
using static Piximi.Sweep.Storage.Tests.Sweeps;

namespace Piximi.Sweep.Storage.Tests;

/// <summary>The store contract, run against a real PostgreSQL 15 server (started by the tests), a database per test.</summary>
public sealed class PostgresTrialStoreContract : TrialStoreContract
{
    private readonly string _connectionString = PostgresServer.CreateDatabase();

    protected override ITrialStore OpenNewInstance() => TrialStores.OpenPostgres(_connectionString);

    protected override ITrialStore OpenReadOnlyInstance() => TrialStores.OpenReadOnly("postgres:" + _connectionString);

    protected override bool AnythingExists()
    {
        using var connection = RawConnection();
        return (long)new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema();", connection).ExecuteScalar()! > 0;
    }

    [Fact]
    public void A_reader_refuses_a_store_of_an_older_schema_and_leaves_it_at_its_version()
    {
        Open().CreateSweep(Definition(), Grid(1));
        WriteSchemaVersion(5);

        var error = Assert.Throws<StoreVersionException>(() => OpenReader());

        Assert.Contains("schema version 5", error.Message, StringComparison.Ordinal);
        Assert.Contains("older", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(PostgresServer.Password, error.Message, StringComparison.Ordinal);
        Assert.Equal(5, ReadSchemaVersion());
    }

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
