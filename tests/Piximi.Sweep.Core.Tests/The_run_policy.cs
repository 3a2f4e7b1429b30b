namespace Piximi.Sweep.Core.Tests;

/// <summary>The run policy's rules, which the store applies in every claim and run/resume when they store it.</summary>
public sealed class The_run_policy
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Says_no_claim_for_the_first_budget_reached_in_order_deadline_trials_epochs_hours()
    {
        var policy = new RunPolicy(Now, MaxTrials: 3, MaxEpochs: 10, ComputeHours: 1);

        Assert.Equal(new BudgetStop(Budget.Deadline, "the deadline"), policy.Stop(3, 10, 3600, Now));
        Assert.Equal(new BudgetStop(Budget.Trials, "the trial budget (3 trials)"), policy.Stop(3, 10, 3600, Now.AddSeconds(-1)));
        Assert.Equal(new BudgetStop(Budget.Epochs, "the epoch budget (10 of 10 epochs spent)"), policy.Stop(2, 10, 3600, Now.AddSeconds(-1)));
        Assert.Equal(new BudgetStop(Budget.ComputeHours, "the compute budget (1 of 1 hours spent)"), policy.Stop(2, 9, 3600, Now.AddSeconds(-1)));
        Assert.Null(policy.Stop(2, 9, 3599.9, Now.AddSeconds(-1)));
        Assert.Null(RunPolicy.None.Stop(int.MaxValue, int.MaxValue, double.MaxValue, DateTimeOffset.MaxValue));
    }

    [Fact]
    public void Options_given_replace_the_stored_ones_they_name_and_leave_the_others()
    {
        var stored = new RunPolicy(Now, MaxTrials: 3, MaxEpochs: 10, ComputeHours: 1, MaxRetries: 0);

        Assert.Equal(new RunPolicy(Now, MaxTrials: 5, MaxEpochs: 10, ComputeHours: 1, MaxRetries: 0), new RunPolicy(MaxTrials: 5).Over(stored));
        Assert.Equal(stored, RunPolicy.None.Over(stored));
        Assert.Equal(RunPolicy.DefaultMaxRetries, RunPolicy.None.Retries);
        Assert.Equal(0, stored.Retries);
    }

    [Fact]
    public void A_spent_budget_is_dropped_for_a_run_that_asks_the_sweep_to_go_on_and_the_others_stay()
    {
        var stored = new RunPolicy(Now, MaxTrials: 3, MaxEpochs: 10, ComputeHours: 1, MaxRetries: 1);

        Assert.Equal(stored, stored.WithoutSpent(2, 9, 3599, Now.AddMinutes(-1)));
        Assert.Equal(new RunPolicy(null, null, 10, 1, 1), stored.WithoutSpent(3, 9, 3599, Now));
        Assert.Equal(new RunPolicy(Now, 3, null, null, 1), stored.WithoutSpent(0, 10, 3600, Now.AddMinutes(-1)));
    }

    [Fact]
    public void Says_what_changed_field_by_field_and_nothing_when_nothing_did()
    {
        var before = new RunPolicy(MaxTrials: 3, ComputeHours: 0.5);

        Assert.Equal(["max_trials 3 → 5", "compute_hours 0.5 → none", "max_retries none → 0"],
            new RunPolicy(MaxTrials: 5, MaxRetries: 0).Changes(before));
        Assert.Empty(before.Changes(before with { }));
        Assert.Equal("; at most 3 trials; at most 0.5 compute hours", before.Describe());
    }
}
