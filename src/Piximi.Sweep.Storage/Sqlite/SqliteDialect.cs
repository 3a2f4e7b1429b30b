using System.Data;
using System.Data.Common;
using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Piximi.Sweep.Storage.Sqlite;

/// <summary>
/// SQLite under <see cref="TrialStore"/>: one writer at a time for the whole file. A write transaction begins
/// <c>IMMEDIATE</c> (it holds the write lock from its start), so no row lock, claim lock or epoch lock is needed: no
/// other writer runs until it commits. SQLite stores no NaN (a NaN metric is NULL).
/// </summary>
internal sealed class SqliteDialect(SqliteConnection connection, string path) : StoreDialect
{
    private readonly ImmediateTransactions _transactions = new(connection);

    public override DbConnection Connection => connection;

    public override string Name => path;

    public override string SkipLocked => "";

    public override string ForUpdate => "";

    /// <summary>Dapper expands <c>IN @list</c> into one parameter per item (an empty list matches nothing).</summary>
    public override string In(string parameter) => $"IN {parameter}";

    /// <summary>abs(±inf) is not below 9e999, which SQLite reads as infinity; NULL (a NaN) is not below anything.</summary>
    public override string IsFinite(string column) => Finite(column);

    /// <summary><see cref="IsFinite"/>, for the schema's migrations, which run before any store exists.</summary>
    public static string Finite(string column) => $"abs({column}) < 9e999";

    public override string? LockSweepClaims => null;

    public override string? LockEpochSeq => null;

    /// <summary>SQLite has no NaN (Microsoft.Data.Sqlite refuses to bind one), so a NaN metric is stored as NULL.</summary>
    public override double? Metric(double value) => double.IsNaN(value) ? null : value;

    // No transaction object: the transactions are SQLite's own statements, which Microsoft.Data.Sqlite leaves alone.
    public override T Write<T>(Func<IDbTransaction?, T> work) => _transactions.Run(() => work(null));

    public override T Snapshot<T>(Func<IDbTransaction?, T> work) => _transactions.Read(() => work(null));

    /// <summary>A pragma's value on this connection (some, like synchronous, are per connection).</summary>
    public override string? Setting(string name) =>
        Convert.ToString(connection.ExecuteScalar($"PRAGMA {name};"), CultureInfo.InvariantCulture);

    public override void Dispose()
    {
        _transactions.Dispose();
        connection.Dispose();
    }
}
