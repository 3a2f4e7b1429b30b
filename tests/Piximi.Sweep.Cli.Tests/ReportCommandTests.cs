using System.Text.Json;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;
using Piximi.Sweep.Training;

namespace Piximi.Sweep.Cli.Tests;

public sealed class The_report_export_and_compare_commands
{
    /// <summary>A store with sweep <paramref name="name"/>: trials 1–3 completed with val_accuracy 0.6, 0.8, 0.7; trial 4 queued.</summary>
    private static void Store(TestFolder folder, string name)
    {
        var loaded = SweepFile.Parse(LocalDisk.Instance, TestFolder.SmallSweep(name, 600, ("learning_rate", "[0.001, 0.003, 0.01, 0.03]"), ("batch_size", "32")),
            Path.Combine(folder.Path, $"{name}.yaml"));
        using var store = TrialStores.OpenSqlite(folder.Db);
        var sweep = store.CreateSweep(loaded.Definition, loaded.Trials);
        foreach (var accuracy in new[] { 0.6, 0.8, 0.7 })
        {
            var lease = TrialLease.Of(store.ClaimNext(sweep.Id, "test:1")!);
            store.RecordEpoch(lease, new EpochMetrics(1, 1 - accuracy, accuracy, 1.1 - accuracy, accuracy, 2.5, 240), [1]);
            store.RecordEvaluation(lease, new TrialEvaluation(lease.TrialId, ["0", "1"], [[70, 30], [10, 40]]));
            store.Finish(lease, TrialState.Completed, null);
        }
    }

    [Fact]
    public async Task Writes_a_partial_html_report_beside_the_store_by_default()
    {
        using var folder = new TestFolder();
        Store(folder, "morning");

        var result = await Cli.RunAsync("report", "morning", "--db", folder.Db);

        Assert.True(result.ExitCode == 0, result.ToString());
        var path = Path.Combine(folder.Path, "results", "morning-report.html");
        Assert.Contains($"Wrote a partial html report of 'morning' to {path}", result.Output);
        var html = File.ReadAllText(path);
        Assert.Contains("morning", html);
        Assert.DoesNotContain("src=\"http", html);
    }

    [Fact]
    public async Task Prints_csv_and_json_reports_with_one_row_per_trial()
    {
        using var folder = new TestFolder();
        Store(folder, "rows");

        var csv = await Cli.RunAsync("report", "--db", folder.Db, "--format", "csv");
        var json = await Cli.RunAsync("report", "--db", folder.Db, "--format", "json");

        Assert.True(csv.ExitCode == 0, csv.ToString());
        Assert.Equal(5, csv.Output.Trim().Split('\n').Length); // header + 4 trials
        Assert.True(json.ExitCode == 0, json.ToString());
        using var document = JsonDocument.Parse(json.Output);
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
    }

    [Fact]
    public async Task Exports_the_best_trial_as_piximi_model_hyperparameters()
    {
        using var folder = new TestFolder();
        Store(folder, "export");

        var result = await Cli.RunAsync("export", "export", "--piximi", "--db", folder.Db);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("trial 2", result.Output);
        var path = Path.Combine(folder.Path, "results", "export-model_hyperparameters.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var compile = document.RootElement.GetProperty("compileOptions");
        Assert.Equal(0.003, compile.GetProperty("learningRate").GetDouble());
        Assert.Equal(32, compile.GetProperty("batchSize").GetInt32());
        Assert.Equal("Adam", compile.GetProperty("optimizationAlgorithm").GetString());
        Assert.Equal(0.75, document.RootElement.GetProperty("preprocessOptions").GetProperty("trainingPercentage").GetDouble());
    }

    [Fact]
    public async Task Exports_a_chosen_trial_and_refuses_one_that_does_not_exist_or_never_trained()
    {
        using var folder = new TestFolder();
        Store(folder, "choose");
        var output = Path.Combine(folder.Path, "t1.json");

        var chosen = await Cli.RunAsync("export", "--trial", "1", "--piximi", "-o", output, "--db", folder.Db);
        var missing = await Cli.RunAsync("export", "--trial", "9", "--piximi", "--db", folder.Db);
        var untrained = await Cli.RunAsync("export", "--trial", "4", "--piximi", "-o", Path.Combine(folder.Path, "t4.json"), "--db", folder.Db);

        Assert.Equal(2, untrained.ExitCode);
        Assert.Contains("trial 4 of sweep 'choose' is queued and has not trained an epoch", untrained.Error);
        Assert.False(File.Exists(Path.Combine(folder.Path, "t4.json")));

        Assert.True(chosen.ExitCode == 0, chosen.ToString());
        Assert.Equal(0.001, JsonDocument.Parse(File.ReadAllText(output)).RootElement.GetProperty("compileOptions").GetProperty("learningRate").GetDouble());
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("has no trial 9", missing.Error);
    }

    [Fact]
    public async Task Compares_two_sweeps_by_name()
    {
        using var folder = new TestFolder();
        Store(folder, "first");
        Store(folder, "second");

        var result = await Cli.RunAsync("compare", "first", "second", "--db", folder.Db);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("first", result.Output);
        Assert.Contains("second", result.Output);
    }
}
