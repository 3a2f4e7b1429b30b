using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Engine;

/// <summary>
/// What a run or resume asks of a sweep's stored run policy, which every worker of the sweep obeys wherever it runs:
/// what was asked replaces the stored budgets; a stored budget not asked for stays, unless it is spent (its deadline
/// passed, its trials started, its epochs or hours used): running the sweep again after a budget stopped it is asking
/// it to go on, as with a cancellation.
/// </summary>
/// <param name="Policy">The policy now stored.</param>
/// <param name="Changes">What changed, one item per budget (<see cref="RunPolicy.Changes"/>); empty when nothing did.</param>
/// <param name="Lifted">Whether a spent budget was lifted.</param>
internal sealed record PolicyUpdate(RunPolicy Policy, IReadOnlyList<string> Changes, bool Lifted)
{
    public static PolicyUpdate Store(ITrialStore store, SweepRecord sweep, RunPolicy asked, DateTimeOffset now)
    {
        var stored = store.LoadPolicy(sweep.Id);
        var usage = store.Usage(sweep.Id);
        var started = store.CountTrials(sweep.Id).Started;
        var policy = asked.Over(stored.WithoutSpent(started, usage.Epochs, usage.Seconds, now));
        var lifted = policy != asked.Over(stored);
        var before = store.SavePolicy(sweep.Id, policy);
        return new PolicyUpdate(policy, policy.Changes(before), lifted);
    }
}
