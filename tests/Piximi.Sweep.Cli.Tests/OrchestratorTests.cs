using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;
using Piximi.Sweep.Training;

namespace Piximi.Sweep.Cli.Tests;

/// <summary>
/// One orchestrator per sweep, with real processes: a second <c>run</c> or <c>resume</c> of a sweep being run is refused,
/// naming the first by pid and host, and changes nothing; once the first ends, or once a first elsewhere stops beating
/// past its grace, the sweep can be run again.
/// </summary>
public sealed class A_sweep_being_run
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Refuses_a_second_run_or_resume_naming_the_first_by_pid_and_host_and_the_first_finishes_alone()
    {
        using var folder = new TestFolder();
        var file = folder.Write("busy.yaml", TestFolder.SmallSweep("busy", 3000, ("batch_size", "16"), ("epochs", "3")));
        using var first = Cli.Start(folder.Path, "run", file, "--db", folder.Db, "--workers", "1");
        await WaitUntilAsync(() =>
        {
            if (!File.Exists(folder.Db)) return false;
            using var store = TrialStores.OpenReadOnly(folder.Db);
            return store.FindSweep("busy") is { } sweep && store.ListTrials(sweep.Id).Any(t => t.State == TrialState.Running);
        });
        var status = await Cli.RunAsync("status", "--db", folder.Db);
        Assert.Contains($"Run by: pid {first.Id} on host {Environment.MachineName} since ", status.Output);

        var second = await Cli.RunProcessAsync(folder.Path, Timeout, "run", file, "--db", folder.Db);
        var watcher = await Cli.RunProcessAsync(folder.Path, Timeout, "resume", "busy", "--db", folder.Db, "--workers", "0");

        foreach (var refused in new[] { second, watcher })
        {
            Assert.True(refused.ExitCode == 2, refused.ToString());
            Assert.StartsWith($"error: sweep 'busy' is already being run by piximi-sweep pid {first.Id} on host {Environment.MachineName} (since ", refused.Error);
            Assert.Contains("nothing was changed", refused.Error);
            Assert.Contains("Watch it with: piximi-sweep status --sweep busy; add a worker with: piximi-sweep worker --sweep busy", refused.Error);
            Assert.Equal("", refused.Output);
        }
        var result = await first.WaitAsync(Timeout);
        Assert.True(result.ExitCode == 0, result.ToString());
        var trials = StoreChecks.FinishedCleanly(folder.Db, "busy");
        Assert.All(trials, t => Assert.Equal((1, 0), (t.Attempts, t.Lost)));
        // Only the first run started workers; the refused ones wrote nothing to the sweep's log either.
        var log = File.ReadAllLines(Path.Combine(folder.Path, "results", "busy.log"));
        Assert.All(log.Where(l => l.Contains(" run/", StringComparison.Ordinal)), l => Assert.Contains($" run/{first.Id} ", l));

        // Ended, it is unregistered: the sweep may be run again at once.
        Assert.Contains("Run by: no run or resume at the moment", (await Cli.RunAsync("status", "--db", folder.Db)).Output);
        var again = await Cli.RunProcessAsync(folder.Path, Timeout, "run", file, "--db", folder.Db);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("Every trial of 'busy' has already finished", again.Output);
    }

    [Fact]
    public async Task Takes_over_a_sweep_whose_orchestrator_on_another_host_stopped_beating_once_its_grace_is_over()
    {
        using var folder = new TestFolder();
        var file = folder.Write("lapsed.yaml", TestFolder.SmallSweep("lapsed", 600, ("learning_rate", "0.01"), ("batch_size", "64")));
        var loaded = SweepFile.Load(LocalDisk.Instance, file);
        using (var store = TrialStores.OpenSqlite(folder.Db))
        {
            var sweep = store.CreateSweep(loaded.Definition, loaded.Trials);
            Assert.True(store.ClaimOrchestration(sweep.Id, "other-host", 4242, TimeSpan.FromSeconds(3)).Granted);
        }

        var refused = await Cli.RunProcessAsync(folder.Path, Timeout, "run", file, "--db", folder.Db);
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("is already being run by piximi-sweep pid 4242 on host other-host", refused.Error);
        Assert.Contains("its registration lapses 3s after its last heartbeat", refused.Error);

        // Silent past its grace (another host's process cannot be looked at): gone, and the sweep runs.
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        var run = await Cli.RunProcessAsync(folder.Path, Timeout, "run", file, "--db", folder.Db);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Single(StoreChecks.FinishedCleanly(folder.Db, "lapsed"));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        while (true)
        {
            try
            {
                if (condition()) return;
            }
            catch (Exception e) when (e is StoreNotFoundException or StoreUnavailableException or InvalidDataException or IOException)
            {
                // The store is being created.
            }
            await Task.Delay(25, deadline.Token);
        }
    }
}
