using Dapper;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Storage;

// Moving a sweep between stores, whatever their databases (see SweepArchives).
internal sealed partial class TrialStore
{
    // One snapshot, so the trials, epochs and checkpoints read belong together even while workers write; a read one,
    // so that the source of a copy may be opened read-only.
    public SweepArchive ExportSweep(long sweepId) => Snapshot(tx => SweepArchives.Export(_connection, tx, sweepId, Name));

    public SweepRecord ImportSweep(SweepArchive archive)
    {
        ArgumentNullException.ThrowIfNull(archive);
        return Write(tx =>
        {
            // Its epochs take positions after every epoch stored so far, one writer at a time (see RecordEpoch).
            if (_dialect.LockEpochSeq is { } lockSeq) _connection.Execute(lockSeq, transaction: tx);
            // Metrics as RecordEpoch stores them (SQLite has no NaN), so the sweep reads back bit for bit.
            var id = SweepArchives.Import(_connection, tx, archive, Name, _dialect.Metric);
            _connection.Execute(_sql.InsertImportedUsage, new { sweep = id }, tx);
            return _connection.QuerySingle<SweepRow>(StoreSql.SelectSweepById, new { id }, tx).ToRecord();
        });
    }
}
