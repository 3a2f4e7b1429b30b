using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;
using Piximi.Sweep.Tests.Shared;

namespace Piximi.Sweep.Cli.Tests;

/// <summary><c>copy</c>: a sweep started on a laptop's SQLite file continues on the cluster's PostgreSQL.</summary>
public sealed class CopyCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task A_partly_run_sqlite_sweep_copied_to_postgres_ranks_the_same_there_and_resume_finishes_it()
    {
        using var folder = new TestFolder();
        var url = PostgresServer.Url(PostgresServer.CreateDatabase());
        var file = folder.Write("laptop.yaml", TestFolder.SmallSweep("laptop"));
        var started = await Cli.RunProcessAsync(folder.Path, Timeout, "run", file, "--db", folder.Db, "--workers", "1", "--max-trials", "2");
        Assert.True(started.ExitCode == 4, started.ToString()); // stopped by the budget, 2 of 4 trials left

        var copied = await Cli.RunAsync("copy", "--from", "sqlite:" + folder.Db, "--to", url);

        Assert.True(copied.ExitCode == 0, copied.ToString());
        Assert.Contains($"Copied sweep 'laptop' from {folder.Db} to postgres://postgres@127.0.0.1:{PostgresServer.Port}/", copied.Output);
        Assert.Contains("trials:      4 (2 queued, 2 completed)", copied.Output);
        Assert.Contains("epochs:      2", copied.Output);
        Assert.Contains("budgets:     at most 2 trials (stored: workers on postgres://", copied.Output); // the policy went over too
        Assert.DoesNotContain(PostgresServer.Password, copied.Output + copied.Error);
        var onLaptop = await Cli.RunAsync("best", "--db", folder.Db, "--format", "csv");
        var onCluster = await Cli.RunAsync("best", "--store", url, "--format", "csv");
        Assert.Equal(0, onCluster.ExitCode);
        Assert.Equal(onLaptop.Output, onCluster.Output);

        // Copying it again is refused, naming what is there; nothing changes.
        var again = await Cli.RunAsync("copy", "--from", folder.Db, "--to", url);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already has the sweep 'laptop' (the same definition, 4 trials there)", again.Error);

        var resumed = await Cli.RunProcessAsync(folder.Path, Timeout, "resume", "laptop", "--store", url, "--workers", "1");

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        using var cluster = TrialStores.Open(url);
        var sweep = cluster.FindSweep("laptop")!;
        var trials = cluster.ListTrials(sweep.Id);
        Assert.All(trials, t => Assert.Equal(TrialState.Completed, t.State));
        Assert.Equal(4, cluster.ListEpochs(sweep.Id).Count);
        // The laptop's file is as the copy left it: 2 done, 2 queued.
        using var laptop = TrialStores.OpenSqlite(folder.Db);
        Assert.Equal(2, laptop.ListTrials(laptop.FindSweep("laptop")!.Id).Count(t => t.State == TrialState.Queued));
    }

    [Fact]
    public async Task Copy_refuses_a_store_onto_itself_and_a_wrong_password_without_printing_it()
    {
        using var folder = new TestFolder();
        folder.StoreWithOneFinishedTrial(folder.Write("s.yaml", TestFolder.SmallSweep("s")));
        var url = PostgresServer.Url(PostgresServer.CreateDatabase());
        var wrong = url.Replace(PostgresServer.Password, "not-the-password-42", StringComparison.Ordinal);

        var self = await Cli.RunAsync("copy", "--from", folder.Db, "--to", "sqlite:" + folder.Db);
        var selfPg = await Cli.RunAsync("copy", "--from", url, "--to", wrong);
        var refusedTo = await Cli.RunAsync("copy", "--from", folder.Db, "--to", wrong);
        var refusedFrom = await Cli.RunAsync("copy", "--from", wrong, "--to", folder.Path + "/other.db");

        Assert.Equal(2, self.ExitCode);
        Assert.Contains("are the same store", self.Error);
        Assert.Equal(2, selfPg.ExitCode);
        Assert.Contains("are the same store (postgres://postgres@127.0.0.1", selfPg.Error);
        foreach (var refused in new[] { refusedTo, refusedFrom })
        {
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("postgres://postgres@127.0.0.1", refused.Error);
            Assert.DoesNotContain("not-the-password-42", refused.Output + refused.Error);
            Assert.DoesNotContain(PostgresServer.Password, refused.Output + refused.Error);
        }
        Assert.False(File.Exists(folder.Path + "/other.db"));
    }
}
