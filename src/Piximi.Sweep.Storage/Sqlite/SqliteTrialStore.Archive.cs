using Dapper;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Storage.Sqlite;

// Moving a sweep between stores (see SweepArchives, shared with PostgreSQL).
internal sealed partial class SqliteTrialStore
{
    public SweepArchive ExportSweep(long sweepId)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // One transaction, so the trials, epochs and checkpoints read belong together even while workers write;
            // a read one, so that the source of a copy may be opened read-only.
            return _transactions.Read(() => SweepArchives.Export(_connection, null, sweepId, _path));
        }
    }

    public SweepRecord ImportSweep(SweepArchive archive)
    {
        ArgumentNullException.ThrowIfNull(archive);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // SQLite has no NaN: stored as NULL, as RecordEpoch does.
            var id = _transactions.Run(() => SweepArchives.Import(_connection, null, archive, _path, m => double.IsNaN(m) ? null : m));
            return _connection.QuerySingle<SweepRow>(SqliteSql.SelectSweepById, new { id }).ToRecord();
        }
    }
}
