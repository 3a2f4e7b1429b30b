using Piximi.Sweep.Core;
using static Piximi.Sweep.Storage.Tests.Sweeps;

namespace Piximi.Sweep.Storage.Tests;

/// <summary>
/// The run policy, for every backend: stored with the sweep apart from its definition, and obeyed by every claim
/// (the store's own check, in the claim's transaction), so that a worker started anywhere keeps to the same budgets.
/// </summary>
public abstract partial class TrialStoreContract
{
    private static readonly DateTimeOffset FarDeadline = new(2100, 1, 1, 7, 0, 0, 123, TimeSpan.Zero);

    [Fact]
    public void A_sweep_has_no_policy_until_one_is_saved_and_a_saved_one_comes_back_whole_for_that_sweep_only()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(3));
        var other = store.CreateSweep(Definition("other"), Grid(3));
        Assert.Equal(RunPolicy.None, store.LoadPolicy(sweep.Id));
        var policy = new RunPolicy(FarDeadline, MaxTrials: 2, MaxEpochs: 9, ComputeHours: 0.1 + 0.2, MaxRetries: 0);

        var before = store.SavePolicy(sweep.Id, policy);

        Assert.Equal(RunPolicy.None, before);
        Assert.Equal(policy, Open().LoadPolicy(sweep.Id));
        Assert.Equal(RunPolicy.None, store.LoadPolicy(other.Id));
        // Replaced whole, and the one replaced is returned.
        Assert.Equal(policy, store.SavePolicy(sweep.Id, new RunPolicy(MaxTrials: 3)));
        Assert.Equal(new RunPolicy(MaxTrials: 3), store.LoadPolicy(sweep.Id));
    }

    [Fact]
    public void A_policy_is_not_part_of_the_sweep_creating_it_again_finds_the_same_sweep_and_keeps_the_policy()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(3));
        store.SavePolicy(sweep.Id, new RunPolicy(MaxTrials: 1));

        var again = store.CreateSweep(Definition(), Grid(3));

        Assert.Equal(sweep.Id, again.Id);
        Assert.Equal(new RunPolicy(MaxTrials: 1), store.LoadPolicy(sweep.Id));
        Assert.Single(store.ListSweeps());
    }

    [Fact]
    public void A_policy_for_no_sweep_or_with_a_bad_value_is_refused_and_nothing_is_written()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(3));
        store.SavePolicy(sweep.Id, new RunPolicy(MaxTrials: 4));

        Assert.Throws<ArgumentException>(() => store.SavePolicy(sweep.Id + 1000, new RunPolicy(MaxTrials: 1)));
        foreach (var bad in new[] { new RunPolicy(MaxTrials: 0), new RunPolicy(MaxEpochs: 0), new RunPolicy(ComputeHours: 0), new RunPolicy(ComputeHours: double.NaN), new RunPolicy(MaxRetries: -1) })
            Assert.Throws<ArgumentOutOfRangeException>(() => store.SavePolicy(sweep.Id, bad));

        Assert.Equal(new RunPolicy(MaxTrials: 4), store.LoadPolicy(sweep.Id));
        Assert.Equal(RunPolicy.None, store.LoadPolicy(sweep.Id + 1000));
    }

    [Fact]
    public void A_claim_gets_nothing_once_the_stored_trial_budget_has_left_the_queue_and_says_which_budget()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(5));
        store.SavePolicy(sweep.Id, new RunPolicy(MaxTrials: 2));
        var first = store.ClaimNext(sweep.Id, "w1")!;
        Finish(store, first, TrialState.Completed);
        Assert.Null(store.PolicyStop(sweep.Id));
        var second = store.ClaimNext(sweep.Id, "w2")!;

        Assert.Null(Open().ClaimNext(sweep.Id, "w3"));
        Assert.Equal(new BudgetStop(Budget.Trials, "the trial budget (2 trials)"), store.PolicyStop(sweep.Id));
        // A trial given back is claimed again within the budget; a caller's own cap lowers it, never raises it.
        store.Release(TrialLease.Of(second), "interrupted");
        Assert.Null(store.ClaimNext(sweep.Id, "w3", maxTrials: 1));
        Assert.Equal(second.Id, store.ClaimNext(sweep.Id, "w3", maxTrials: 10)?.Id);
        Assert.Null(store.ClaimNext(sweep.Id, "w3", maxTrials: 10));
        // Raising the stored budget lets claims go on at once.
        store.SavePolicy(sweep.Id, new RunPolicy(MaxTrials: 3));
        Assert.Equal(3, store.ClaimNext(sweep.Id, "w4")?.Number);
        Assert.Null(store.ClaimNext(sweep.Id, "w4"));
        Assert.Equal([1, 1, 1, 0, 0], store.ListTrials(sweep.Id).Select(t => Math.Min(t.Attempts, 1)));
    }

    [Fact]
    public void A_proposed_trial_is_not_added_once_the_stored_trial_budget_is_spent()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), []);
        store.SavePolicy(sweep.Id, new RunPolicy(MaxTrials: 2));
        Assert.NotNull(store.AddClaimedTrial(sweep.Id, 1, Grid(1)[0], "w"));
        Assert.NotNull(store.AddClaimedTrial(sweep.Id, 2, Grid(2)[1], "w"));

        Assert.Null(store.AddClaimedTrial(sweep.Id, 3, Grid(3)[2], "w"));
        Assert.Equal(2, store.ListTrials(sweep.Id).Count);
    }

    [Fact]
    public void No_claim_is_made_or_trial_added_once_the_stored_deadline_has_passed()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(3));
        store.SavePolicy(sweep.Id, new RunPolicy(Deadline: FarDeadline));
        Assert.Equal(1, store.ClaimNext(sweep.Id, "w")?.Number);

        store.SavePolicy(sweep.Id, new RunPolicy(Deadline: DateTimeOffset.UtcNow.AddSeconds(-1)));

        Assert.Null(store.ClaimNext(sweep.Id, "w"));
        Assert.Null(store.AddClaimedTrial(sweep.Id, 4, Grid(4)[3], "w"));
        Assert.Equal(Budget.Deadline, store.PolicyStop(sweep.Id)?.Budget);
        Assert.Equal([1, 0, 0], store.ListTrials(sweep.Id).Select(t => t.Attempts));
    }

    [Fact]
    public void No_claim_is_made_once_the_stored_epochs_or_their_summed_seconds_reach_the_budget()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(4));
        var other = store.CreateSweep(Definition("other"), Grid(1));
        var first = store.ClaimNext(sweep.Id, "w")!;
        store.RecordEpoch(TrialLease.Of(first), Epoch(1), null); // 1.25 s each
        store.RecordEpoch(TrialLease.Of(first), Epoch(2), null);
        Finish(store, first, TrialState.Completed);
        var elsewhere = store.ClaimNext(other.Id, "w")!;
        store.RecordEpoch(TrialLease.Of(elsewhere), Epoch(1), null); // another sweep's epochs never count

        store.SavePolicy(sweep.Id, new RunPolicy(MaxEpochs: 3));
        Assert.Equal(2, store.ClaimNext(sweep.Id, "w")?.Number);
        store.SavePolicy(sweep.Id, new RunPolicy(MaxEpochs: 2));
        Assert.Null(store.ClaimNext(sweep.Id, "w"));
        Assert.Equal(new BudgetStop(Budget.Epochs, "the epoch budget (2 of 2 epochs spent)"), store.PolicyStop(sweep.Id));

        store.SavePolicy(sweep.Id, new RunPolicy(ComputeHours: 2.0 / 3600));
        Assert.Null(store.ClaimNext(sweep.Id, "w"));
        Assert.Equal(Budget.ComputeHours, store.PolicyStop(sweep.Id)?.Budget);
        store.SavePolicy(sweep.Id, new RunPolicy(ComputeHours: 3.0 / 3600));
        Assert.Equal(3, store.ClaimNext(sweep.Id, "w")?.Number);
    }

    [Fact]
    public void Concurrent_claimers_with_a_store_each_never_claim_more_than_the_stored_budget()
    {
        var sweep = Open().CreateSweep(Definition(), Grid(200));
        Open().SavePolicy(sweep.Id, new RunPolicy(MaxTrials: 37));
        var stores = Enumerable.Range(1, 4).Select(_ => Open()).ToList();

        var claimed = ClaimAllConcurrently(sweep.Id, stores, maxTrials: null);

        AssertEachTrialClaimedOnceAndCompleted(sweep.Id, claimed, 37);
    }

    [Fact]
    public void Worker_processes_never_claim_more_than_the_stored_budget_between_them()
    {
        var sweep = Open().CreateSweep(Definition(), Grid(200));
        Open().SavePolicy(sweep.Id, new RunPolicy(MaxTrials: 37));

        var claimed = ClaimInWorkerProcesses(sweep.Id, workers: 4, maxTrials: null);

        AssertEachTrialClaimedOnceAndCompleted(sweep.Id, claimed, 37);
    }
}
