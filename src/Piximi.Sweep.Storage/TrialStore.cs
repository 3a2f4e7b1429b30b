using System.Data;
using System.Data.Common;
using Dapper;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Storage;

/// <summary>
/// The trial store: one Dapper implementation of <see cref="ITrialStore"/> over SQLite and PostgreSQL alike, the
/// statements in <see cref="StoreSql"/>, what differs in its <see cref="StoreDialect"/>. One instance holds one
/// connection, so a call costs no open; calls from several threads take turns on it (each process opens its own store:
/// that is what lets the database, not this lock, arbitrate between them). Every method commits before it returns.
/// Opened by <c>SqliteTrialStore.Open</c> and <c>PostgresTrialStore.Open</c>; handed out by <see cref="TrialStores"/>.
/// </summary>
internal sealed partial class TrialStore : ITrialStore
{
    private readonly Lock _gate = new();
    private readonly StoreDialect _dialect;
    private readonly DbConnection _connection;
    private readonly StoreSql _sql;

    // The per-trial statements, made once rather than on every call: a worker runs them thousands of times.
    private readonly PreparedCommand _claim;
    private readonly PreparedCommand _touch;
    private readonly PreparedCommand _lastEpoch;
    private readonly PreparedCommand _insertEpoch;
    private readonly PreparedCommand _addEpochUsage;
    private readonly PreparedCommand _upsertCheckpoint;
    private readonly PreparedCommand _deleteCheckpoint;
    private readonly PreparedCommand _finish;
    private readonly PreparedCommand _insertAttempt;
    private readonly PreparedCommand _endAttempt;

    /// <summary>Test seam, see <c>SqliteTrialStore.Open</c>.</summary>
    private readonly Action<TrialLease, EpochMetrics>? _beforeEpochCommit;

    private bool _disposed;

    public TrialStore(StoreDialect dialect, Action<TrialLease, EpochMetrics>? beforeEpochCommit = null)
    {
        _dialect = dialect;
        _connection = dialect.Connection;
        _sql = new StoreSql(dialect);
        _beforeEpochCommit = beforeEpochCommit;
        _claim = Prepare(_sql.ClaimNext, "@worker", "@now", "@sweep");
        _touch = Prepare(StoreSql.TouchLeasedTrial, "@now", "@trial", "@attempt");
        _lastEpoch = Prepare(StoreSql.SelectLastEpoch, "@trial");
        _insertEpoch = Prepare(
            StoreSql.InsertEpoch,
            "@trial", "@epoch", "@loss", "@accuracy", "@val_loss", "@val_accuracy", "@seconds", "@images_per_second", "@now");
        _addEpochUsage = Prepare(StoreSql.AddEpochUsage, "@trial", "@seconds");
        _upsertCheckpoint = Prepare(StoreSql.UpsertCheckpoint, "@trial", "@epoch", "@now", "@data");
        _deleteCheckpoint = Prepare(StoreSql.DeleteCheckpoint, "@trial");
        _finish = Prepare(StoreSql.FinishLeasedTrial, "@state", "@now", "@message", "@result_epoch", "@rung", "@trial", "@attempt");
        _insertAttempt = Prepare(StoreSql.InsertAttempt, "@trial", "@attempt", "@worker", "@now");
        _endAttempt = Prepare(StoreSql.EndAttempt, "@now", "@outcome", "@reason", "@trial", "@attempt");
    }

    /// <summary>The store as messages name it: a file's full path, or a database without credentials.</summary>
    public string Name => _dialect.Name;

    /// <summary>A setting of the store's connection (SQLite's pragmas), for tests.</summary>
    internal string? Setting(string name) => Locked(() => _dialect.Setting(name));

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var command in new[] { _claim, _touch, _lastEpoch, _insertEpoch, _addEpochUsage, _upsertCheckpoint, _deleteCheckpoint, _finish, _insertAttempt, _endAttempt })
            {
                command.Dispose();
            }

            _dialect.Dispose();
        }
    }

    /// <summary>A call on its own: single statements commit as they run.</summary>
    private T Locked<T>(Func<T> work)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return work();
        }
    }

    /// <summary>A write transaction (<see cref="StoreDialect.Write"/>), committed when <paramref name="work"/> returns.</summary>
    private T Write<T>(Func<IDbTransaction?, T> work) => Locked(() => _dialect.Write(work));

    /// <summary>Reads of one snapshot (<see cref="StoreDialect.Snapshot"/>).</summary>
    private T Snapshot<T>(Func<IDbTransaction?, T> work) => Locked(() => _dialect.Snapshot(work));

    private PreparedCommand Prepare(string sql, params string[] parameters) => new(_connection, sql, parameters);

    /// <summary>
    /// Why a holder's write was refused, read in the refused write's transaction, so that it says what the store held
    /// at that moment.
    /// </summary>
    private LeaseLostException LeaseLost(TrialLease lease, string action, IDbTransaction? tx) => StoreRules.LeaseLost(
        Name, lease, action, _connection.QuerySingleOrDefault<StateRow>(StoreSql.SelectTrialStateAndAttempts, new { trial = lease.TrialId }, tx));

    /// <summary>The claim's attempt, in the claim's transaction (<see cref="StoreSql.InsertAttempt"/>).</summary>
    private void InsertAttempt(TrialRecord claimed, string now, IDbTransaction? tx) => _insertAttempt
        .With("@trial", claimed.Id).With("@attempt", (long)claimed.Attempts).With("@worker", claimed.WorkerId).With("@now", now)
        .Execute(tx);

    /// <summary>Ends the lease's attempt, in the transaction that ends its hold (<see cref="StoreSql.EndAttempt"/>).</summary>
    private void EndAttempt(TrialLease lease, AttemptOutcome outcome, string? reason, IDbTransaction? tx) => _endAttempt
        .With("@now", StoreTime.Now()).With("@outcome", TrialStateWords.ToWord(outcome)).With("@reason", reason)
        .With("@trial", lease.TrialId).With("@attempt", (long)lease.Attempt)
        .Execute(tx);

    private long LastEpoch(long trialId, IDbTransaction? tx) => Convert.ToInt64(_lastEpoch.With("@trial", trialId).Scalar(tx), System.Globalization.CultureInfo.InvariantCulture);

    private void DeleteCheckpoint(long trialId, IDbTransaction? tx) => _deleteCheckpoint.With("@trial", trialId).Execute(tx);
}
