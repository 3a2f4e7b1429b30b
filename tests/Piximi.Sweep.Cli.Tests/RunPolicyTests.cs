using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Cli.Tests;

/// <summary>
/// The budgets as the sweep's stored run policy: <c>run</c> and <c>resume</c> store what they are given and say so,
/// and a worker started by hand (no orchestrator, no budget argument) obeys the stored policy.
/// </summary>
public sealed class The_stored_run_policy
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task A_worker_started_by_hand_obeys_the_stored_trial_budget_and_logs_which_budget_stopped_it()
    {
        using var folder = new TestFolder();
        Launching_on_slurm.CreateSweep(folder.Db, folder.Write("byhand.yaml", TestFolder.SmallSweep("byhand", 300)));
        using (var store = TrialStores.OpenSqlite(folder.Db))
            store.SavePolicy(store.FindSweep("byhand")!.Id, new RunPolicy(MaxTrials: 1));

        var worker = await Cli.RunProcessAsync(folder.Path, Timeout, "worker", "--sweep", "byhand", "--db", folder.Db);

        Assert.True(worker.ExitCode == 0, worker.ToString());
        using (var store = TrialStores.OpenSqlite(folder.Db))
        {
            var trials = store.ListTrials(store.FindSweep("byhand")!.Id);
            Assert.Equal([TrialState.Completed, TrialState.Queued, TrialState.Queued, TrialState.Queued], trials.Select(t => t.State));
            Assert.Equal([1, 0, 0, 0], trials.Select(t => t.Attempts));
        }
        Assert.Contains("stops after 1 trial(s): the trial budget (1 trials) (the sweep's stored policy)",
            File.ReadAllText(Path.Combine(folder.Path, "results", "byhand.log")));
    }

    [Fact]
    public async Task Run_and_resume_store_the_budgets_they_are_given_say_so_in_one_line_and_lift_a_spent_one_not_given_again()
    {
        using var folder = new TestFolder();
        var file = folder.Write("policy.yaml", TestFolder.SmallSweep("policy", 300));

        var first = await Cli.RunProcessAsync(folder.Path, Timeout, "run", file, "--db", folder.Db, "--workers", "1", "--max-trials", "1");

        Assert.True(first.ExitCode == 4, first.ToString());
        Assert.Contains("Budgets of 'policy' stored, for every worker of the sweep: max_trials none → 1.\n", first.Output);
        Assert.Contains("Stopped by the trial budget (1 trials) with trials left", first.Output);

        var second = await Cli.RunProcessAsync(folder.Path, Timeout,
            "resume", "policy", "--db", folder.Db, "--workers", "1", "--max-trials", "2", "--max-retries", "0", "--deadline", "2099-01-01T07:00");

        Assert.True(second.ExitCode == 4, second.ToString());
        Assert.Contains("Budgets of 'policy' stored, for every worker of the sweep: deadline none → 2099-01-01 07:00; max_trials 1 → 2; max_retries none → 0.\n", second.Output);
        Assert.Contains("Stopped by the trial budget (2 trials) with trials left", second.Output);
        RunPolicy stored;
        using (var store = TrialStores.OpenSqlite(folder.Db))
            stored = store.LoadPolicy(store.FindSweep("policy")!.Id);
        Assert.Equal((2, 0, 2099), (stored.MaxTrials, stored.MaxRetries, stored.Deadline?.Year));
        var status = await Cli.RunAsync("status", "--db", folder.Db);
        Assert.Contains("Budgets (stored with the sweep; every worker obeys them): deadline 2099-01-01 07:00; at most 2 trials\n", status.Output);

        // Nothing given: the spent trial budget is lifted (running again asks the sweep to go on), the rest stays.
        var third = await Cli.RunProcessAsync(folder.Path, Timeout, "resume", "policy", "--db", folder.Db, "--workers", "1");

        Assert.True(third.ExitCode == 0, third.ToString());
        Assert.Contains("Budgets of 'policy' stored, for every worker of the sweep: max_trials 2 → none (a spent budget is lifted when the sweep is run again; give it again to keep it).", third.Output);
        using (var store = TrialStores.OpenSqlite(folder.Db))
        {
            var sweep = store.FindSweep("policy")!;
            Assert.Equal((null, 0, 2099), (store.LoadPolicy(sweep.Id).MaxTrials, store.LoadPolicy(sweep.Id).MaxRetries, store.LoadPolicy(sweep.Id).Deadline?.Year));
            Assert.All(store.ListTrials(sweep.Id), t => Assert.Equal(TrialState.Completed, t.State));
        }

        // The same file run again changes nothing, and says nothing about budgets.
        var again = await Cli.RunProcessAsync(folder.Path, Timeout, "run", file, "--db", folder.Db);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.DoesNotContain("Budgets of", again.Output);
    }
}
