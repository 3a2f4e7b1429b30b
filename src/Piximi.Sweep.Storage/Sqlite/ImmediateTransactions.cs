using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Piximi.Sweep.Storage.Sqlite;

/// <summary>
/// Runs work in a <c>BEGIN IMMEDIATE</c> transaction on one connection (see <see cref="SqliteSql.BeginImmediate"/>
/// for why immediate), or reads in a deferred one (<see cref="Read{T}"/>). Keeps its statements prepared: a worker
/// begins and commits a transaction per epoch.
/// </summary>
internal sealed class ImmediateTransactions : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _beginRead;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _rollback;

    public ImmediateTransactions(SqliteConnection connection)
    {
        _connection = connection;
        _begin = new SqliteCommand(SqliteSql.BeginImmediate, connection);
        _beginRead = new SqliteCommand(SqliteSql.BeginRead, connection);
        _commit = new SqliteCommand(SqliteSql.Commit, connection);
        _rollback = new SqliteCommand(SqliteSql.Rollback, connection);
    }

    public T Run<T>(Func<T> work) => Run(_begin, work);

    /// <summary>Reads that belong together, on one snapshot, without the write lock (readers' stores may not take it).</summary>
    public T Read<T>(Func<T> work) => Run(_beginRead, work);

    private T Run<T>(SqliteCommand begin, Func<T> work)
    {
        begin.ExecuteNonQuery();
        try
        {
            var result = work();
            _commit.ExecuteNonQuery();
            return result;
        }
        catch
        {
            // Some errors (a full disk, an I/O error) make SQLite roll back by itself; a second ROLLBACK would then
            // fail and hide the error that matters.
            if (raw.sqlite3_get_autocommit(_connection.Handle) == 0)
            {
                _rollback.ExecuteNonQuery();
            }

            throw;
        }
    }

    public void Dispose()
    {
        _begin.Dispose();
        _beginRead.Dispose();
        _commit.Dispose();
        _rollback.Dispose();
    }
}
