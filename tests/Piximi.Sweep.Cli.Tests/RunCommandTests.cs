using System.Text.Json;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Cli.Tests;

public sealed class The_run_command
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Runs_a_real_sweep_end_to_end_with_two_worker_processes_while_readers_query_it()
    {
        using var folder = new TestFolder();
        // Enough work (4 trials × 2 epochs of 6,000 images, seconds of it) that both workers surely take part, even when
        // one starts late on a loaded machine.
        var file = folder.Write("e2e.yaml", TestFolder.SmallSweep("e2e", 6000, ("epochs", "2")));

        using var run = Cli.Start(folder.Path, "run", file, "--db", folder.Db, "--workers", "2");

        // Readers from "another terminal" while the sweep runs: they must answer, never fail.
        var readerRuns = 0;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!run.HasExited && watch.Elapsed < Timeout)
        {
            if (File.Exists(folder.Db) && SweepExists(folder.Db, "e2e"))
            {
                foreach (var command in new[] { "status", "trials", "best" })
                {
                    var read = await Cli.RunAsync(command, "--db", folder.Db, "--sweep", "e2e");
                    Assert.True(read.ExitCode == 0, $"{command} during the run: {read}");
                    readerRuns++;
                }
            }
            await Task.Delay(200);
        }
        var result = await run.WaitAsync(Timeout);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(readerRuns > 0, "the readers never ran while the sweep was running");
        Assert.Contains("trial 1 epoch 1/2", result.Output);
        Assert.Contains("trial 1 epoch 2/2", result.Output);
        Assert.Contains("Best trials by val_accuracy", result.Output);

        using var store = TrialStores.OpenSqlite(folder.Db);
        var sweep = store.FindSweep("e2e")!;
        var trials = store.ListTrials(sweep.Id);
        var epochs = store.ListEpochs(sweep.Id);
        Assert.Equal(4, trials.Count);
        Assert.All(trials, t => Assert.Equal(TrialState.Completed, t.State));
        Assert.Equal(8, epochs.Count);
        Assert.All(epochs, e =>
        {
            Assert.InRange(e.Metrics.Epoch, 1, 2);
            Assert.InRange(e.Metrics.ValAccuracy, 0.0, 1.0);
            Assert.True(e.Metrics.Seconds > 0 && e.Metrics.ImagesPerSecond > 0);
        });
        // Each completed trial's final model was evaluated: its confusion matrix agrees with its last val_accuracy.
        foreach (var trial in trials)
        {
            var evaluation = store.LoadEvaluation(trial.Id)!;
            var last = epochs.Last(e => e.TrialId == trial.Id).Metrics;
            var total = evaluation.Confusion.Sum(row => row.Sum());
            Assert.Equal(1500, total);
            Assert.Equal(last.ValAccuracy, Enumerable.Range(0, evaluation.Confusion.Count).Sum(i => evaluation.Confusion[i][i]) / (double)total);
        }
        // Two real worker processes shared the work through the store.
        Assert.Equal(2, trials.Select(t => t.WorkerId).Distinct().Count());

        // The per-sweep log names the sweep and trial on its events.
        var log = File.ReadAllText(Path.Combine(folder.Path, "results", "e2e.log"));
        Assert.Contains($"sweep={sweep.Id}", log);
        Assert.Matches(@"trial=\d+ Trial \d+ epoch 2/2", log);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(log, @"Worker \S+:\d+ ready on cpu").Count);

        // best ranks what the store holds, in JSON as in the table.
        var best = await Cli.RunAsync("best", "--db", folder.Db, "--sweep", "e2e", "--top", "3", "--format", "json");
        Assert.True(best.ExitCode == 0, best.ToString());
        var rows = JsonDocument.Parse(best.Output).RootElement.EnumerateArray().ToList();
        Assert.Equal(3, rows.Count);
        var accuracies = rows.Select(r => r.GetProperty("val_accuracy").GetDouble()).ToList();
        Assert.Equal(accuracies.OrderByDescending(a => a), accuracies);
        var top = epochs.Max(e => e.Metrics.ValAccuracy);
        Assert.Equal(top, accuracies[0]);
        Assert.Equal(1, rows[0].GetProperty("rank").GetInt32());

        var csv = await Cli.RunAsync("best", "--db", folder.Db, "--format", "csv", "--metric", "val_loss");
        var lines = csv.Output.Trim().Split('\n');
        Assert.StartsWith("rank,trial,state,optimizer,loss_function,learning_rate,batch_size", lines[0]);
        Assert.Equal(5, lines.Length);

        var status = await Cli.RunAsync("status", "--db", folder.Db);
        Assert.Contains("4/4 finished — 4 completed, 0 running, 0 queued, 0 failed", status.Output);
        Assert.Contains("Best so far: trial", status.Output);

        // Running the same file again resumes it: nothing is re-run and nothing is duplicated.
        var again = await Cli.RunProcessAsync(folder.Path, Timeout, "run", file, "--db", folder.Db);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("already finished", again.Output);
        Assert.Equal(4, store.ListTrials(sweep.Id).Count);
        Assert.Equal(8, store.ListEpochs(sweep.Id).Count);
    }

    private static bool SweepExists(string db, string name)
    {
        using var store = TrialStores.OpenSqlite(db);
        return store.FindSweep(name) is not null;
    }

    [Theory]
    [InlineData("learning_rate", "0", "parameters.learning_rate")]
    [InlineData("learning_rate", "-0.1", "parameters.learning_rate")]
    [InlineData("learning_rate", "5", "parameters.learning_rate")]
    [InlineData("learning_rate", "{from: 0.5, to: 0.6}", "parameters.learning_rate")]
    [InlineData("batch_size", "0", "parameters.batch_size")]
    [InlineData("batch_size", "100000", "parameters.batch_size")]
    [InlineData("epochs", "0", "parameters.epochs")]
    [InlineData("optimizer", "Adamm", "parameters.optimizer")]
    [InlineData("loss", "Cross", "parameters.loss")]
    [InlineData("learning_rat", "0.1", "parameters.learning_rat")]
    [InlineData("seed", "[]", "parameters.seed")]
    public async Task Refuses_bad_input_before_any_work_and_leaves_the_store_untouched(string key, string value, string field)
    {
        using var folder = new TestFolder();
        var good = folder.Write("good.yaml", TestFolder.SmallSweep("kept", 200));
        folder.StoreWithOneFinishedTrial(good);
        var before = Cli.Fingerprint(folder.Db);
        var bad = folder.Write("bad.yaml", TestFolder.SmallSweep("bad", 200, (key, value)));

        var result = await Cli.RunAsync("run", bad, "--db", folder.Db);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Matches($@"bad\.yaml:\d+:\d+: {field.Replace(".", @"\.")}: ", result.Error);
        Assert.Contains("nothing was run or stored", result.Error);
        Assert.Equal(before, Cli.Fingerprint(folder.Db));
        using var store = TrialStores.OpenSqlite(folder.Db);
        Assert.Null(store.FindSweep("bad"));
    }

    [Fact]
    public async Task Refuses_a_missing_dataset_naming_the_path()
    {
        using var folder = new TestFolder();
        var file = folder.Write("missing.yaml", TestFolder.SmallSweep("missing").Replace(TestFolder.FashionMnist + "/train-images", "/nowhere/train-images"));

        var result = await Cli.RunAsync("run", file, "--db", folder.Db);

        Assert.Equal(2, result.ExitCode);
        Assert.Matches(@"missing\.yaml:\d+:\d+: dataset\.images: .*/nowhere/train-images-idx3-ubyte\.gz", result.Error);
        Assert.False(File.Exists(folder.Db));
    }

    [Fact]
    public async Task Refuses_malformed_yaml_with_its_line_and_column()
    {
        using var folder = new TestFolder();
        var file = folder.Write("broken.yaml", "name: broken\nparameters:\n  optimizer: [Adam\n  loss: Hinge\n");

        var result = await Cli.RunAsync("run", file, "--db", folder.Db);

        Assert.Equal(2, result.ExitCode);
        Assert.Matches(@"broken\.yaml:\d+:\d+: ", result.Error);
        Assert.False(File.Exists(folder.Db));
    }

    [Fact]
    public async Task Refuses_a_changed_sweep_file_under_an_existing_name_and_keeps_the_stored_sweep()
    {
        using var folder = new TestFolder();
        var original = folder.Write("s.yaml", TestFolder.SmallSweep("same-name", 200, ("learning_rate", "0.01"), ("batch_size", "32")));
        folder.StoreWithOneFinishedTrial(original);
        var before = Cli.Fingerprint(folder.Db);

        var changed = folder.Write("s2.yaml", TestFolder.SmallSweep("same-name", 200, ("learning_rate", "0.03"), ("batch_size", "32")));
        var result = await Cli.RunAsync("run", changed, "--db", folder.Db);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("same-name", result.Error);
        // What changed, field by field.
        Assert.Contains("  changed: parameters.learning_rates: 0.01 in the store; 0.03 in the file", result.Error);
        // validate says what run would: the changed file is refused, the original would resume.
        var validateChanged = await Cli.RunAsync("validate", changed, "--db", folder.Db);
        var validateOriginal = await Cli.RunAsync("validate", original, "--db", folder.Db);
        Assert.Equal(2, validateChanged.ExitCode);
        Assert.Equal(result.Error, validateChanged.Error);
        Assert.True(validateOriginal.ExitCode == 0, validateOriginal.ToString());
        Assert.True(validateOriginal.Output.Contains("holds this sweep already (1 of 1 trials finished): run resumes it.", StringComparison.Ordinal), validateOriginal.ToString());
        Assert.Equal(before, Cli.Fingerprint(folder.Db));
    }

    [Fact]
    public async Task Readers_refuse_a_store_that_does_not_exist_without_creating_it()
    {
        using var folder = new TestFolder();
        foreach (var command in new[] { "best", "trials", "status" })
        {
            var result = await Cli.RunAsync(command, "--db", folder.Db);
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("no store at", result.Error);
        }
        Assert.False(File.Exists(folder.Db));
    }
}
