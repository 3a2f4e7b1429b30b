using Dapper;
using Npgsql;

namespace Piximi.Sweep.Storage.Postgres;

/// <summary>
/// Opens the trial store in a PostgreSQL database, for workers on several machines: the one <see cref="TrialStore"/>,
/// over a <see cref="PostgresDialect"/> (the contract tests run against both databases).
/// </summary>
internal static class PostgresTrialStore
{
    /// <summary>
    /// Connects and brings the database's schema up to date (creating it in an empty database); or, for
    /// <paramref name="readOnly"/>, connects in a session whose transactions are all read-only (the server refuses any
    /// change) and only checks that the database holds a store of this build's schema.
    /// </summary>
    public static TrialStore Open(string connectionString, bool readOnly = false)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var name = StoreLocations.DescribePostgres(builder);
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            connection.Open();
            if (readOnly)
            {
                connection.Execute(PostgresSql.ReadOnlySession);
                PostgresSchema.RefuseNonStore(connection, name);
            }
            else
            {
                PostgresSchema.Migrate(connection, name);
            }

            return new TrialStore(new PostgresDialect(connection, name));
        }
        catch (NpgsqlException e)
        {
            connection.Dispose();
            // Npgsql's own message never holds the password, but the connection string might be echoed by callers:
            // say what failed in our words, naming the store without credentials.
            throw new StoreUnavailableException(StoreFailures.Explain(e, name) ?? $"cannot use the store {name}: {e.Message}", e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
