using System.Runtime.InteropServices;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Cli.Tests;

/// <summary>Real processes, real signals: what run does when a worker dies, and when it is interrupted.</summary>
public sealed partial class The_run_command_under_failure
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Requeues_the_trial_of_a_killed_worker_and_still_finishes_the_sweep()
    {
        using var folder = new TestFolder();
        var file = folder.Write("kill.yaml", TestFolder.SmallSweep("kill", 3000,
            ("learning_rate", "0.01"), ("batch_size", "[16, 32]"), ("epochs", "3")));
        using var run = Cli.Start(folder.Path, "run", file, "--db", folder.Db, "--workers", "1");

        // Kill the worker once its first trial has stored an epoch: mid-trial, the trial is left running.
        var victim = await WaitForAsync(() =>
        {
            using var store = TrialStores.OpenSqlite(folder.Db);
            var sweep = store.FindSweep("kill");
            if (sweep is null) return null;
            var running = store.ListTrials(sweep.Id).FirstOrDefault(t => t.State == TrialState.Running);
            return running is not null && store.ListEpochs(sweep.Id).Any(e => e.TrialId == running.Id) ? running : null;
        });
        var pid = int.Parse(victim.WorkerId!.Split(':')[1]);
        Assert.Equal(0, Kill(pid, 9));

        var result = await run.WaitAsync(Timeout);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var check = TrialStores.OpenSqlite(folder.Db);
        var trials = check.ListTrials(check.FindSweep("kill")!.Id);
        Assert.All(trials, t => Assert.Equal(TrialState.Completed, t.State));
        var retried = trials.Single(t => t.Id == victim.Id);
        Assert.Equal(2, retried.Attempts);
        Assert.NotEqual(victim.WorkerId, retried.WorkerId);
        // Every trial has epochs 1..3 exactly once: the killed attempt left no duplicates behind.
        var epochs = check.ListEpochs(trials[0].SweepId);
        Assert.All(trials, t => Assert.Equal([1, 2, 3], epochs.Where(e => e.TrialId == t.Id).Select(e => e.Metrics.Epoch)));
    }

    [Fact]
    public async Task Stops_gently_on_sigint_requeues_what_was_running_and_resumes_when_run_again()
    {
        using var folder = new TestFolder();
        var file = folder.Write("stop.yaml", TestFolder.SmallSweep("stop", 3000,
            ("learning_rate", "[0.003, 0.01]"), ("batch_size", "[16, 32]"), ("epochs", "3")));
        using var run = Cli.Start(folder.Path, "run", file, "--db", folder.Db, "--workers", "2");

        await WaitForAsync(() =>
        {
            using var store = TrialStores.OpenSqlite(folder.Db);
            return store.FindSweep("stop") is { } sweep && store.ListEpochs(sweep.Id).Count > 0 ? sweep : null;
        });
        Assert.Equal(0, Kill(run.Id, 2));

        var result = await run.WaitAsync(Timeout);

        Assert.True(result.ExitCode == 130, result.ToString());
        using (var store = TrialStores.OpenSqlite(folder.Db))
        {
            var trials = store.ListTrials(store.FindSweep("stop")!.Id);
            Assert.DoesNotContain(trials, t => t.State == TrialState.Running);
            Assert.Contains(trials, t => t.State == TrialState.Queued);
        }

        var again = await Cli.RunProcessAsync(folder.Path, Timeout, "run", file, "--db", folder.Db);
        Assert.True(again.ExitCode == 0, again.ToString());
        using var final = TrialStores.OpenSqlite(folder.Db);
        var done = final.ListTrials(final.FindSweep("stop")!.Id);
        Assert.Equal(4, done.Count);
        Assert.All(done, t => Assert.Equal(TrialState.Completed, t.State));
        Assert.Equal(12, final.ListEpochs(done[0].SweepId).Count);
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> probe) where T : class
    {
        using var deadline = new CancellationTokenSource(Timeout);
        while (true)
        {
            if (probe() is { } found) return found;
            await Task.Delay(50, deadline.Token);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
