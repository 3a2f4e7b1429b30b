using Dapper;
using Npgsql;

namespace Piximi.Sweep.Storage.Postgres;

/// <summary>Brings a PostgreSQL database to the schema this build knows, or refuses one it does not understand.</summary>
internal static class PostgresSchema
{
    public static int CurrentVersion => PostgresSql.Migrations.Count;

    public static void Migrate(NpgsqlConnection connection, string name)
    {
        // Most opens find a current database: read without the lock first.
        var version = ReadVersion(connection);
        if (version == CurrentVersion) return;
        RefuseNewer(version, name);

        using var tx = connection.BeginTransaction();
        // Several workers opening a new database at once: one migrates, the others wait and then find it current.
        connection.Execute(PostgresSql.LockMigrations, new { key = PostgresSql.MigrationLockKey }, tx);
        version = ReadVersion(connection, tx);
        if (version is null)
        {
            if (connection.ExecuteScalar<long>(PostgresSql.UserTableCount, transaction: tx) > 0)
            {
                throw Foreign(name);
            }

            connection.Execute(PostgresSql.CreateSchemaVersionTable, transaction: tx);
            version = 0;
        }

        RefuseNewer(version, name);
        for (var step = version.Value; step < CurrentVersion; step++)
        {
            connection.Execute(PostgresSql.Migrations[step], transaction: tx);
            StoreMigrations.After(step + 1, connection, tx);
            connection.Execute(PostgresSql.UpdateSchemaVersion, new { version = step + 1 }, tx);
        }

        tx.Commit();
    }

    /// <summary>For readers, who never migrate: the database must hold a store of exactly this build's schema.</summary>
    public static void RefuseNonStore(NpgsqlConnection connection, string name)
    {
        var version = ReadVersion(connection);
        if (version is null)
        {
            if (connection.ExecuteScalar<long>(PostgresSql.UserTableCount) > 0) throw Foreign(name);
            throw new StoreNotFoundException(
                $"no store at {name}: the database holds no Piximi.Sweep tables yet. Run a sweep there first.");
        }

        RefuseNewer(version, name);
        if (version < CurrentVersion)
        {
            throw new StoreVersionException(
                $"The trial store {name} has schema version {version}, but this Piximi.Sweep reads version {CurrentVersion}: it was " +
                "written by an older Piximi.Sweep. A read leaves the database as it is; opening it to write brings it up to date.", older: true);
        }
    }

    private static InvalidDataException Foreign(string name) => new(
        $"The PostgreSQL database {name} has tables but is not a Piximi.Sweep trial store (it has no schema_version " +
        "table). Use an empty database of its own.");

    private static int? ReadVersion(NpgsqlConnection connection, NpgsqlTransaction? tx = null) =>
        connection.ExecuteScalar<long>(PostgresSql.SchemaVersionTableExists, transaction: tx) == 0
            ? null
            : connection.ExecuteScalar<int>(PostgresSql.SelectSchemaVersion, transaction: tx);

    private static void RefuseNewer(int? version, string name)
    {
        if (version > CurrentVersion)
        {
            throw new StoreVersionException(
                $"The trial store {name} has schema version {version}, but this Piximi.Sweep knows versions up to " +
                $"{CurrentVersion}: it was written by a newer Piximi.Sweep. Use that version, or another store.");
        }
    }
}
