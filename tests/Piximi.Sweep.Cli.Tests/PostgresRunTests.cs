using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;
using Piximi.Sweep.Tests.Shared;

namespace Piximi.Sweep.Cli.Tests;

/// <summary>
/// Workers sharing a real PostgreSQL store, as on several machines: a watching orchestrator with no local workers,
/// three worker processes started by hand, one of them SIGKILLed mid-trial.
/// </summary>
public sealed class A_sweep_on_postgresql
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Three_workers_finish_every_trial_exactly_once_even_when_one_is_killed()
    {
        using var folder = new TestFolder();
        var url = PostgresServer.Url(PostgresServer.CreateDatabase());
        // 6 trials × 4 epochs of 4,000 images: long enough that the killed worker surely holds a trial mid-way.
        var file = folder.Write("shared.yaml", TestFolder.SmallSweep("shared", 4000, ("batch_size", "32"), ("epochs", "4"), ("seed", "[1, 2, 3]")));

        using var orchestrator = Cli.Start(folder.Path, "run", file, "--store", url, "--workers", "0", "--heartbeat-grace", "3s");
        await WaitUntil(() => SweepExists(url, "shared"));
        var workers = Enumerable.Range(0, 3)
            .Select(_ => Cli.Start(folder.Path, "worker", "--store", url, "--sweep", "shared", "--threads", "1", "--heartbeat-interval", "0.5"))
            .ToList();
        // SIGKILL a worker once its trial has stored an epoch and is in the middle of the next.
        var victim = await WaitUntil(() =>
        {
            using var store = TrialStores.Open(url);
            var sweep = store.FindSweep("shared")!;
            var epochs = store.ListEpochs(sweep.Id);
            return store.ListTrials(sweep.Id).FirstOrDefault(t => t.State == TrialState.Running && epochs.Any(e => e.TrialId == t.Id));
        });
        var victimPid = int.Parse(victim.WorkerId!.Split(':')[^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(victimPid, workers.Select(w => w.Id));
        Assert.Equal(0, Signals.Send(victimPid, Signals.Kill));
        // A second orchestrator of the sweep, even one that would only watch, is refused while the first lives.
        var second = await Cli.RunProcessAsync(folder.Path, Timeout, "run", file, "--store", url, "--workers", "0");
        Assert.True(second.ExitCode == 2, second.ToString());
        Assert.StartsWith($"error: sweep 'shared' is already being run by piximi-sweep pid {orchestrator.Id} on host {Environment.MachineName} (since ", second.Error);

        var result = await orchestrator.WaitAsync(Timeout);
        foreach (var worker in workers) await worker.WaitAsync(Timeout);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var check = TrialStores.Open(url);
        var shared = check.FindSweep("shared")!;
        var trials = check.ListTrials(shared.Id);
        var all = check.ListEpochs(shared.Id);
        Assert.Equal(6, trials.Count);
        Assert.All(trials, t => Assert.Equal(TrialState.Completed, t.State));
        StoreChecks.EpochsAreContiguous(trials, all);
        Assert.Equal(6 * 4, all.Count); // every epoch once: none lost, none trained twice
        // The killed worker's trial (the one seen, or the next it claimed) was lost once, then finished by another.
        var resumed = Assert.Single(trials, t => t.Lost == 1);
        Assert.Equal(2, resumed.Attempts);
        Assert.NotEqual(victim.WorkerId, resumed.WorkerId);
        Assert.True(trials.Select(t => t.WorkerId).Distinct().Count() >= 2, "one worker did everything; the test proves little");
        // The password is never printed, nor written to the sweep's log.
        var log = File.ReadAllText(Path.Combine(folder.Path, "results", "shared.log"));
        foreach (var text in new[] { result.Output, result.Error, log })
            Assert.DoesNotContain(PostgresServer.Password, text);
        Assert.Contains("postgres://postgres@127.0.0.1", log);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_without_printing_it_and_readers_name_the_store_without_it()
    {
        var url = PostgresServer.Url(PostgresServer.CreateDatabase());
        var wrong = url.Replace(PostgresServer.Password, "not-the-password-42", StringComparison.Ordinal);

        var refused = await Cli.RunAsync("status", "--store", wrong);
        var empty = await Cli.RunAsync("status", "--store", url);

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("postgres://postgres@127.0.0.1", refused.Error);
        Assert.DoesNotContain("not-the-password-42", refused.Output + refused.Error);
        // A reader never creates the schema: an empty database is no store yet.
        Assert.Equal(2, empty.ExitCode);
        Assert.Contains("no store at postgres://postgres@127.0.0.1", empty.Error);
        Assert.DoesNotContain(PostgresServer.Password, empty.Output + empty.Error);
    }

    private static bool SweepExists(string url, string name)
    {
        using var store = TrialStores.Open(url);
        return store.FindSweep(name) is not null;
    }

    private static async Task WaitUntil(Func<bool> condition) => await WaitUntil(() => condition() ? (object?)true : null);

    private static async Task<T> WaitUntil<T>(Func<T?> probe)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        while (true)
        {
            if (probe() is { } found) return found;
            await Task.Delay(50, deadline.Token);
        }
    }
}
