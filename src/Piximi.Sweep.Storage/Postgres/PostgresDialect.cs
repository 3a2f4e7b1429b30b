using System.Data;
using System.Data.Common;
using System.Globalization;
using Npgsql;

namespace Piximi.Sweep.Storage.Postgres;

/// <summary>
/// PostgreSQL under <see cref="TrialStore"/>: many writers at once, kept apart by locks. A claim locks the queued row
/// it takes with <c>FOR UPDATE SKIP LOCKED</c>, so concurrent claimers never wait for each other; a claim with a trial
/// budget, and adding a proposed trial, also take the sweep's advisory lock so the count they check cannot change
/// before they write; epochs are inserted under a store-wide advisory lock so their positions grow in commit order.
/// NaN, −0 and infinities are stored as they are.
/// </summary>
internal sealed class PostgresDialect(NpgsqlConnection connection, string name) : StoreDialect
{
    /// <summary>
    /// Taken (for the transaction) before epochs are inserted: their seq is one more than the largest committed, so
    /// inserts must not overlap, or a reader following seq could see a later epoch commit before an earlier one and
    /// never read the earlier. Store-wide; held from the insert to the commit, a few statements.
    /// </summary>
    public const long EpochSeqLockKey = 0x5049_5849_4D49_0002; // "PIXIMI" 2

    private static readonly string LockEpochSeqSql =
        string.Create(CultureInfo.InvariantCulture, $"SELECT pg_advisory_xact_lock({EpochSeqLockKey});");

    public override DbConnection Connection => connection;

    public override string Name => name;

    public override string SkipLocked => " FOR UPDATE SKIP LOCKED";

    public override string ForUpdate => " FOR UPDATE";

    /// <summary>Npgsql sends a list as one array (Dapper does not expand lists for it).</summary>
    public override string In(string parameter) => $"= ANY({parameter})";

    /// <summary>PostgreSQL sorts NaN above every number, so the finite values are picked explicitly (NULL is not in either).</summary>
    public override string IsFinite(string column) => Finite(column);

    /// <summary><see cref="IsFinite"/>, for the schema's migrations, which run before any store exists.</summary>
    public static string Finite(string column) => $"{column} NOT IN ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8)";

    /// <summary>The sweep's id as an advisory lock, for the transaction.</summary>
    public override string? LockSweepClaims => "SELECT pg_advisory_xact_lock(@sweep);";

    public override string? LockEpochSeq => LockEpochSeqSql;

    public override double? Metric(double value) => value;

    public override T Write<T>(Func<IDbTransaction?, T> work) => Run(IsolationLevel.ReadCommitted, work);

    /// <summary>Repeatable read: every statement sees one snapshot, while workers keep writing.</summary>
    public override T Snapshot<T>(Func<IDbTransaction?, T> work) => Run(IsolationLevel.RepeatableRead, work);

    private T Run<T>(IsolationLevel isolation, Func<IDbTransaction?, T> work)
    {
        using var tx = connection.BeginTransaction(isolation);
        var result = work(tx);
        tx.Commit();
        return result;
    }

    public override void Dispose() => connection.Dispose();
}
