using System.Text.Json;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;
using Piximi.Sweep.Training;

namespace Piximi.Sweep.Cli.Tests;

public sealed class The_best_command_with_replicates
{
    /// <summary>Two settings × seeds 1, 2: lr 0.001 scores 0.625 and 0.875 (mean 0.75), lr 0.003 scores 0.8 twice.</summary>
    private static void Store(TestFolder folder)
    {
        var loaded = SweepFile.Parse(LocalDisk.Instance, TestFolder.SmallSweep("seeds", 600, ("learning_rate", "[0.001, 0.003]"), ("batch_size", "32"), ("seed", "[1, 2]")),
            Path.Combine(folder.Path, "seeds.yaml"));
        using var store = TrialStores.OpenSqlite(folder.Db);
        var sweep = store.CreateSweep(loaded.Definition, loaded.Trials);
        foreach (var accuracy in new[] { 0.625, 0.875, 0.8, 0.8 })
        {
            var lease = TrialLease.Of(store.ClaimNext(sweep.Id, "test:1")!);
            store.RecordEpoch(lease, new EpochMetrics(1, 0.5, accuracy, 0.5, accuracy, 1, 100), [1]);
            store.Finish(lease, TrialState.Completed, null);
        }
    }

    [Fact]
    public async Task Ranks_settings_by_their_mean_over_seeds_not_by_their_luckiest_seed()
    {
        using var folder = new TestFolder();
        Store(folder);

        var table = await Cli.RunAsync("best", "--db", folder.Db);
        var json = await Cli.RunAsync("best", "--db", folder.Db, "--format", "json");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("best 2 setting(s) by mean val_accuracy over their seeds", table.Output);
        var rows = JsonDocument.Parse(json.Output).RootElement.EnumerateArray().ToList();
        // Trial 2 alone (0.875) is the single best trial, but its setting's mean (0.75) loses to 0.8 ± 0.
        Assert.Equal([0.003, 0.001], rows.Select(r => r.GetProperty("learning_rate").GetDouble()));
        Assert.Equal([0.8, 0.75], rows.Select(r => r.GetProperty("mean").GetDouble()));
        Assert.Equal(0.0, rows[0].GetProperty("standard_deviation").GetDouble());
        Assert.Equal(Math.Sqrt(2 * 0.125 * 0.125), rows[1].GetProperty("standard_deviation").GetDouble(), 12);
        Assert.Equal([2, 2], rows.Select(r => r.GetProperty("n").GetInt32()));
        Assert.Equal("1 2", rows[1].GetProperty("trials").GetString());
    }

    [Fact]
    public async Task Still_ranks_single_trials_on_request()
    {
        using var folder = new TestFolder();
        Store(folder);

        var json = await Cli.RunAsync("best", "--db", folder.Db, "--format", "json", "--per-trial");

        Assert.True(json.ExitCode == 0, json.ToString());
        var rows = JsonDocument.Parse(json.Output).RootElement.EnumerateArray().ToList();
        Assert.Equal(2, rows[0].GetProperty("trial").GetInt32());
        Assert.Equal(4, rows.Count);
    }

    [Fact]
    public async Task Status_names_the_best_setting_by_its_mean_with_its_spread()
    {
        using var folder = new TestFolder();
        Store(folder);

        var status = await Cli.RunAsync("status", "--db", folder.Db);

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("Best setting so far: mean val_accuracy 0.8000 ± 0.0000 over 2 seed(s) (trials 3, 4)", status.Output);
        Assert.Contains("learning rate 0.003", status.Output);
    }

    [Fact]
    public async Task A_finished_run_ranks_settings_by_their_mean_over_seeds()
    {
        using var folder = new TestFolder();
        Store(folder);

        // Every trial is finished: run has nothing to train and prints its closing ranking.
        var run = await Cli.RunAsync("resume", "seeds", "--db", folder.Db);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Best settings by mean val_accuracy over their seeds:", run.Output);
        var first = run.Output.Split('\n').First(l => l.TrimStart().StartsWith("1 ", StringComparison.Ordinal));
        Assert.Contains("0.003", first);
    }
}
