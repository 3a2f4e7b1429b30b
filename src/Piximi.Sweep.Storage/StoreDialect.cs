using System.Data;
using System.Data.Common;

namespace Piximi.Sweep.Storage;

/// <summary>
/// What really differs between SQLite and PostgreSQL under the one <see cref="TrialStore"/>: how a write transaction
/// keeps other writers out (SQLite: one writer at a time, <c>BEGIN IMMEDIATE</c>; PostgreSQL: row locks and advisory
/// locks), how a list parameter and a finite number are written, and how a NaN metric is stored. Everything else,
/// statements included, is <see cref="StoreSql"/>'s, the same for both.
/// </summary>
internal abstract class StoreDialect : IDisposable
{
    /// <summary>The store's one connection (each store holds one; calls take turns on it).</summary>
    public abstract DbConnection Connection { get; }

    /// <summary>The store as messages name it: the file's full path, or host, port and database without credentials.</summary>
    public abstract string Name { get; }

    /// <summary>Appended to the sub-select that picks the next queued trial: concurrent claimers skip a row another has locked.</summary>
    public abstract string SkipLocked { get; }

    /// <summary>Appended to a read whose rows the transaction goes on to change, so no one else changes them meanwhile.</summary>
    public abstract string ForUpdate { get; }

    /// <summary>The condition that <c>expression</c> is one of the list parameter <paramref name="parameter"/> (with its @).</summary>
    public abstract string In(string parameter);

    /// <summary>The condition that the metric <paramref name="column"/> is a finite number (not NULL, NaN or ±infinity).</summary>
    public abstract string IsFinite(string column);

    /// <summary>
    /// Taken in a write transaction before the count of the sweep's started trials is read to decide a claim (with
    /// <c>@sweep</c>), or null when the write transaction already keeps other writers out.
    /// </summary>
    public abstract string? LockSweepClaims { get; }

    /// <summary>
    /// Taken in a write transaction before epochs are inserted (their position is one more than the largest), or null
    /// when the write transaction already keeps other writers out: see <see cref="StoreSql.NextEpochSeq"/>.
    /// </summary>
    public abstract string? LockEpochSeq { get; }

    /// <summary>A metric as the database stores it: SQLite has no NaN (NULL then), PostgreSQL stores it as it is.</summary>
    public abstract double? Metric(double value);

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction, committed when it returns and rolled back when it throws.
    /// The transaction handed to work is the one to pass to every statement (null where the driver wants none).
    /// </summary>
    public abstract T Write<T>(Func<IDbTransaction?, T> work);

    /// <summary>Runs reads that belong together on one snapshot, taking no write lock (a reader's store may not).</summary>
    public abstract T Snapshot<T>(Func<IDbTransaction?, T> work);

    /// <summary>A single value of the connection's own settings (SQLite's pragmas), for tests; null where there is none.</summary>
    public virtual string? Setting(string name) => null;

    public abstract void Dispose();
}
