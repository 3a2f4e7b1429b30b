using System.Data;
using Dapper;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Storage.Postgres;

// Moving a sweep between stores (see SweepArchives, shared with SQLite).
internal sealed partial class PostgresTrialStore
{
    public SweepArchive ExportSweep(long sweepId)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // Repeatable read: every statement of the export sees one snapshot, while workers keep writing.
            using var tx = _connection.BeginTransaction(IsolationLevel.RepeatableRead);
            var archive = SweepArchives.Export(_connection, tx, sweepId, _name);
            tx.Commit();
            return archive;
        }
    }

    public SweepRecord ImportSweep(SweepArchive archive)
    {
        ArgumentNullException.ThrowIfNull(archive);
        // PostgreSQL stores NaN, −0 and infinities as they are, as RecordEpoch does.
        return Transaction(tx =>
        {
            // Its epochs take positions after every epoch stored so far, one writer at a time (see RecordEpoch).
            _connection.Execute(PostgresSql.LockEpochSeq, new { key = PostgresSql.EpochSeqLockKey }, tx);
            var id = SweepArchives.Import(_connection, tx, archive, _name, m => m);
            return _connection.QuerySingle<SweepRow>(PostgresSql.SelectSweepById, new { id }, tx).ToRecord();
        });
    }
}
