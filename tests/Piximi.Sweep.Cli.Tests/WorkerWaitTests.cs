using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Cli.Tests;

/// <summary>
/// The end of a sweep whose workers are on other machines: a worker that finished the rest stays while another
/// worker's trial may come back to the queue, rather than leave it to no one.
/// </summary>
public sealed class A_worker_with_nothing_to_claim
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Waits_for_a_trial_whose_worker_died_and_trains_it_once_the_orchestrator_gives_it_back()
    {
        using var folder = new TestFolder();
        var file = folder.Write("wait.yaml", TestFolder.SmallSweep("wait", 600, ("learning_rate", "[0.003, 0.01]"), ("batch_size", "32")));
        using var orchestrator = Cli.Start(folder.Path, "run", file, "--db", folder.Db, "--workers", "0", "--heartbeat-grace", "3s");
        TrialRecord ghost;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            Assert.True(clock.Elapsed < Timeout, "the orchestrator never made the sweep");
            if (File.Exists(folder.Db))
            {
                using var store = TrialStores.OpenSqlite(folder.Db);
                if (store.FindSweep("wait") is { } sweep)
                {
                    // A worker on another machine claims trial 1 and dies: no heartbeat after its claim.
                    ghost = store.ClaimNext(sweep.Id, "another-machine:424242")!;
                    break;
                }
            }
            await Task.Delay(200);
        }

        // The one worker left trains trial 2 within the grace, then has nothing to claim while trial 1 still runs.
        using var worker = Cli.Start(folder.Path, "worker", "--db", folder.Db, "--sweep", "wait", "--threads", "1", "--heartbeat-interval", "0.5");
        var result = await orchestrator.WaitAsync(Timeout);
        var workerResult = await worker.WaitAsync(Timeout);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(workerResult.ExitCode == 0, workerResult.ToString());
        using var check = TrialStores.OpenSqlite(folder.Db);
        var trials = check.ListTrials(check.FindSweep("wait")!.Id);
        Assert.All(trials, t => Assert.Equal(TrialState.Completed, t.State));
        var given = Assert.Single(trials, t => t.Id == ghost.Id);
        Assert.Equal(1, given.Lost);
        Assert.Contains($":{worker.Id}", given.WorkerId, StringComparison.Ordinal);
    }
}
