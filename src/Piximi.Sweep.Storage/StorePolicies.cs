using System.Data;
using Dapper;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Storage;

/// <summary>
/// The run policy as both backends store and enforce it (<see cref="StoreSql"/>'s statements): read, replaced, and
/// checked inside a claim's transaction, so that a worker anywhere claims nothing the stored budgets forbid.
/// </summary>
internal static class StorePolicies
{
    /// <summary>The sweep's stored policy; <see cref="RunPolicy.None"/> when it has none (stores before schema 8, or never set).</summary>
    public static RunPolicy Load(IDbConnection connection, IDbTransaction? tx, long sweepId) =>
        connection.QuerySingleOrDefault<PolicyRow>(StoreSql.SelectPolicy, new { sweep = sweepId }, tx)?.ToRecord() ?? RunPolicy.None;

    /// <exception cref="ArgumentException">The store has no such sweep (nothing written).</exception>
    public static void Save(IDbConnection connection, IDbTransaction? tx, long sweepId, RunPolicy policy)
    {
        if (connection.Execute(StoreSql.UpsertPolicy, Parameters(sweepId, policy), tx) == 0) throw StoreRules.NoSuchSweep(sweepId);
    }

    /// <summary>Arguments the policy must meet before it is stored; <see cref="ArgumentOutOfRangeException"/> otherwise.</summary>
    public static void Require(RunPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.MaxTrials is < 1) throw new ArgumentOutOfRangeException(nameof(policy), policy.MaxTrials, "max_trials must be at least 1.");
        if (policy.MaxEpochs is < 1) throw new ArgumentOutOfRangeException(nameof(policy), policy.MaxEpochs, "max_epochs must be at least 1.");
        if (policy.ComputeHours is { } h && !(h > 0 && double.IsFinite(h)))
            throw new ArgumentOutOfRangeException(nameof(policy), h, "compute_hours must be a finite number of hours > 0.");
        if (policy.MaxRetries is < 0) throw new ArgumentOutOfRangeException(nameof(policy), policy.MaxRetries, "max_retries must be 0 or more.");
    }

    /// <summary>
    /// Which budget of <paramref name="policy"/> (the stored one, its trial cap lowered by <see cref="WithCap"/> when a
    /// caller gives its own) forbids a claim now, or null. Run it in the claim's transaction, after whatever lock keeps the count of
    /// started trials from changing: what it reads is what the claim extends. Usage is read only for the budgets set.
    /// </summary>
    public static BudgetStop? Refusal(IDbConnection connection, IDbTransaction? tx, long sweepId, RunPolicy policy)
    {
        var started = policy.MaxTrials is null ? 0 : connection.ExecuteScalar<long>(StoreSql.CountStartedTrials, new { sweep = sweepId }, tx);
        var usage = policy.CountsEpochs ? connection.QuerySingle<UsageRow>(StoreSql.SelectSweepUsage, new { sweep = sweepId }, tx) : new UsageRow();
        return policy.Stop(checked((int)started), checked((int)usage.Epochs), usage.Seconds, DateTimeOffset.UtcNow);
    }

    /// <summary>The stored policy with a caller's own trial cap, the lower of the two.</summary>
    public static RunPolicy WithCap(RunPolicy policy, int? maxTrials) =>
        maxTrials is { } cap && (policy.MaxTrials is not { } stored || cap < stored) ? policy with { MaxTrials = cap } : policy;

    private static object Parameters(long sweepId, RunPolicy policy) => new
    {
        sweep = sweepId,
        deadline = policy.Deadline is { } d ? StoreTime.ToText(d) : null,
        max_trials = (long?)policy.MaxTrials,
        max_epochs = (long?)policy.MaxEpochs,
        compute_hours = policy.ComputeHours,
        max_retries = (long?)policy.MaxRetries,
        now = StoreTime.Now(),
    };
}
