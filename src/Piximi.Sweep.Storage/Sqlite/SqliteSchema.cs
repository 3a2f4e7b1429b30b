using Dapper;
using Microsoft.Data.Sqlite;

namespace Piximi.Sweep.Storage.Sqlite;

/// <summary>Brings a store file to the schema this build knows, or refuses a file it does not understand.</summary>
internal static class SqliteSchema
{
    public static int CurrentVersion => SqliteSql.Migrations.Count;

    /// <summary>
    /// Refuses a database that belongs to another program before anything, even the journal mode, is changed in it.
    /// Reads only; <see cref="Migrate"/> checks again under the write lock.
    /// </summary>
    public static void RefuseForeign(SqliteConnection connection, string path)
    {
        // One statement: checked in two, a store being set up by another process in between looks foreign.
        if (connection.ExecuteScalar<long>(SqliteSql.ForeignTableCount) > 0)
        {
            throw Foreign(path);
        }
    }

    public static void Migrate(SqliteConnection connection, string path)
    {
        // Most opens find a current file: read without the write lock, so a `status` reader in another terminal
        // never waits for a busy worker just to open the store.
        var version = ReadVersion(connection);
        if (version == CurrentVersion)
        {
            return;
        }

        RefuseNewer(version, path);

        using var transactions = new ImmediateTransactions(connection);
        transactions.Run(() =>
        {
            // Read again under the write lock: another process may have migrated the file meanwhile.
            version = ReadVersion(connection);
            if (version is null)
            {
                // A file with tables but no schema_version belongs to something else; adding ours would mix them.
                // (Checked again here: another program may have created tables since RefuseForeign.)
                if (connection.ExecuteScalar<long>(SqliteSql.UserTableCount) > 0)
                {
                    throw Foreign(path);
                }

                connection.Execute(SqliteSql.CreateSchemaVersionTable);
                version = 0;
            }

            RefuseNewer(version, path);
            for (var step = version.Value; step < CurrentVersion; step++)
            {
                connection.Execute(SqliteSql.Migrations[step]);
                StoreMigrations.After(step + 1, connection, null);
                connection.Execute(SqliteSql.UpdateSchemaVersion, new { version = step + 1 });
            }

            return version;
        });
    }

    private static InvalidDataException Foreign(string path) => new(
        $"{path} is not a Piximi.Sweep store: it is another program's SQLite database (it has tables but no " +
        "schema_version table).");

    public static int? ReadVersion(SqliteConnection connection) =>
        connection.ExecuteScalar<long>(SqliteSql.SchemaVersionTableExists) == 0
            ? null
            : (int)connection.ExecuteScalar<long>(SqliteSql.SelectSchemaVersion);

    public static void RefuseNewer(int? version, string path)
    {
        if (version > CurrentVersion)
        {
            throw new StoreVersionException(
                $"The trial store {path} has schema version {version}, but this Piximi.Sweep knows versions up to " +
                $"{CurrentVersion}: it was written by a newer Piximi.Sweep. Use that version, or another store.");
        }
    }
}
