using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;
using Piximi.Sweep.Training;

namespace Piximi.Sweep.Cli.Tests;

/// <summary>
/// "How much better than what I have?", run for real: a baseline trains first, once per seed, is never pruned, and
/// best, status and the reports tell the gain with the numbers the store holds.
/// </summary>
public sealed class BaselineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    private static string F4(double value) => value.ToString("F4", CultureInfo.InvariantCulture);

    /// <summary>Mean and sample sd, worked out here rather than by the code under test.</summary>
    private static (double Mean, double Sd) MeanSd(IReadOnlyList<double> values)
    {
        var mean = values.Sum() / values.Count;
        return (mean, Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)));
    }

    [Fact]
    public async Task A_sweep_runs_its_baseline_first_and_best_status_and_the_reports_give_the_gain_from_the_store()
    {
        using var folder = new TestFolder();
        // Grid: learning rates 0.003 and 0.01 × seeds 1 and 2; the baseline (0.0001, far too small for one epoch) is not in it.
        var file = folder.Write("gain.yaml", TestFolder.SmallSweep("gain", 600, ("learning_rate", "[0.003, 0.01]"), ("batch_size", "32"), ("seed", "[1, 2]"))
            + "baseline: {optimizer: Adam, learning_rate: 0.0001, batch_size: 32, epochs: 1}\n");

        // A trial budget of 2 stops the sweep early: the two trials it ran are the baseline's, so the reference is there.
        var early = await Cli.RunProcessAsync(folder.Path, Timeout, "run", file, "--db", folder.Db, "--workers", "1", "--max-trials", "2");
        Assert.True(early.ExitCode == 4, early.ToString());
        using (var store = TrialStores.OpenSqlite(folder.Db))
        {
            var trials = store.ListTrials(store.FindSweep("gain")!.Id);
            Assert.Equal(6, trials.Count);
            Assert.Equal([1, 2], trials.Where(t => t.State == TrialState.Completed).Select(t => t.Number));
            Assert.All(trials.Take(2), t => Assert.Equal((0.0001, 32, 1), (t.Hyperparameters.LearningRate, t.Hyperparameters.BatchSize, t.Hyperparameters.Epochs)));
            Assert.Equal([1, 2], trials.Take(2).Select(t => t.Hyperparameters.Seed));
        }
        var statusEarly = await Cli.RunAsync("status", "--db", folder.Db);
        Assert.Contains("Baseline (Adam, CategoricalCrossEntropy, learning rate 0.0001, batch size 32, 1 epochs): your settings are the best found: val_accuracy",
            statusEarly.Output);

        var rest = await Cli.RunProcessAsync(folder.Path, Timeout, "resume", "gain", "--db", folder.Db, "--workers", "1");
        Assert.True(rest.ExitCode == 0, rest.ToString());

        // The gain, worked out from the store: each setting's mean over its seeds, the best against the baseline's.
        IReadOnlyList<TrialSummary> summaries;
        using (var store = TrialStores.OpenSqlite(folder.Db))
            summaries = store.SummarizeTrials(store.FindSweep("gain")!.Id);
        Assert.All(summaries, s => Assert.Equal(TrialState.Completed, s.Trial.State));
        var byRate = summaries.GroupBy(s => s.Trial.Hyperparameters.LearningRate)
            .ToDictionary(g => g.Key, g => (Trials: g.Select(s => s.Trial.Number).ToList(), Stats: MeanSd([.. g.Select(s => s.Final!.ValAccuracy)])));
        var baseline = byRate[0.0001];
        var winnerRate = byRate.Keys.OrderByDescending(r => byRate[r].Stats.Mean).First();
        Assert.NotEqual(0.0001, winnerRate); // one epoch at 0.0001 learns next to nothing; otherwise the test proves little
        var winner = byRate[winnerRate];
        var gain = winner.Stats.Mean - baseline.Stats.Mean;
        var expected = $"+{(gain * 100).ToString("0.0", CultureInfo.InvariantCulture)} pp val_accuracy over your settings: "
            + $"{F4(winner.Stats.Mean)} ± {F4(winner.Stats.Sd)} (n = 2: trials {string.Join(", ", winner.Trials)}) "
            + $"against {F4(baseline.Stats.Mean)} ± {F4(baseline.Stats.Sd)} (n = 2: trials 1, 2)";

        var best = await Cli.RunAsync("best", "--db", folder.Db);
        Assert.True(best.ExitCode == 0, best.ToString());
        Assert.Contains($"Baseline (Adam, CategoricalCrossEntropy, learning rate 0.0001, batch size 32, 1 epochs): {expected}", best.Output);
        var baselineRow = best.Output.Split('\n').Single(l => l.Contains("0.0001", StringComparison.Ordinal) && !l.StartsWith("Baseline", StringComparison.Ordinal));
        Assert.EndsWith("baseline", baselineRow.TrimEnd());

        var json = JsonDocument.Parse((await Cli.RunAsync("best", "--db", folder.Db, "--format", "json")).Output).RootElement.EnumerateArray().ToList();
        Assert.Equal(winnerRate, json[0].GetProperty("learning_rate").GetDouble());
        Assert.Equal(gain, json[0].GetProperty("gain_over_baseline").GetDouble(), 12);
        Assert.Equal([false, false, true], json.Select(r => r.GetProperty("baseline").GetBoolean()));
        Assert.Contains(",true,0\n", (await Cli.RunAsync("best", "--db", folder.Db, "--format", "csv")).Output.ReplaceLineEndings("\n"));

        var status = await Cli.RunAsync("status", "--db", folder.Db);
        Assert.Contains($"): {expected}", status.Output);

        var html = Path.Combine(folder.Path, "report.html");
        Assert.Equal(0, (await Cli.RunAsync("report", "--db", folder.Db, "--format", "html", "-o", html)).ExitCode);
        var page = File.ReadAllText(html);
        Assert.Contains($"id=\"baseline-gain\">+{(gain * 100).ToString("0.0", CultureInfo.InvariantCulture)} pp</span> val_accuracy over your settings", page);
        Assert.Contains("<tr><th>Learning rate</th><td>0.0001</td></tr>", page);
        Assert.Equal(2, Regex.Matches(page, "<tr class=\"(top )?baseline\">").Count);

        var markdown = (await Cli.RunAsync("report", "--db", folder.Db, "--format", "md")).Output;
        Assert.Contains($"## Against your settings\n\n**{char.ToUpperInvariant(expected[0])}{expected[1..]}.**", markdown.ReplaceLineEndings("\n"));
        Assert.Matches(@"\| 1 \(baseline\) \| Adam \| CategoricalCrossEntropy \| 0.0001 \|", markdown);
        var compare = await Cli.RunAsync("compare", "gain", "gain", "--db", folder.Db);
        Assert.Contains($"  - B against its baseline: {char.ToUpperInvariant(expected[0])}{expected[1..]}.", compare.Output);

        var report = JsonDocument.Parse((await Cli.RunAsync("report", "--db", folder.Db, "--format", "json")).Output).RootElement;
        var b = report.GetProperty("baseline");
        Assert.Equal("beaten", b.GetProperty("standing").GetString());
        Assert.Equal(baseline.Stats.Mean, b.GetProperty("mean").GetDouble(), 12);
        Assert.Equal(baseline.Stats.Sd, b.GetProperty("sd").GetDouble(), 12);
        Assert.Equal(2, b.GetProperty("n").GetInt32());
        Assert.Equal(winner.Stats.Mean, b.GetProperty("winner").GetProperty("mean").GetDouble(), 12);
        Assert.Equal(gain, b.GetProperty("gain").GetDouble(), 12);
        Assert.Equal([true, true, false, false, false, false], report.GetProperty("trials").EnumerateArray().Select(t => t.GetProperty("baseline").GetBoolean()));
    }

    [Fact]
    public async Task A_tpe_sweep_runs_the_baseline_first_and_proposes_its_own_trials_on_top_as_it_would_without_one()
    {
        using var folder = new TestFolder();
        var file = folder.Write("tpe.yaml", TestFolder.SmallSweep("tpe", 300, ("learning_rate", "{from: 0.0001, to: 0.3}"), ("batch_size", "[16, 32]"))
            + "method: tpe\ntrials: 3\nsampler_seed: 5\nbaseline: {learning_rate: 0.01, batch_size: 32, epochs: 1}\n");

        var result = await Cli.RunProcessAsync(folder.Path, Timeout, "run", file, "--db", folder.Db, "--workers", "1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("[4/4 done]", result.Output);
        using var store = TrialStores.OpenSqlite(folder.Db);
        var sweep = store.FindSweep("tpe")!;
        var summaries = store.SummarizeTrials(sweep.Id);
        Assert.Equal([1, 2, 3, 4], summaries.Select(s => s.Trial.Number));
        Assert.All(summaries, s => Assert.Equal(TrialState.Completed, s.Trial.State));
        Assert.Equal(sweep.Definition.Baseline!.Trial(7), summaries[0].Trial.Hyperparameters);
        // Each of TPE's trials is its proposal from every result stored before it (the baseline's included), at the
        // position it has among TPE's own: the very proposals a sweep without a baseline starts with.
        var sampler = Samplers.Tpe(sweep.Definition.Parameters, 5);
        for (var i = 1; i < summaries.Count; i++)
            Assert.Equal(sampler.Propose(Observations.History(summaries.Take(i), sweep.Definition.Metric), i - 1), summaries[i].Trial.Hyperparameters);
    }

    [Fact]
    public async Task The_pruner_lets_a_baseline_trial_run_all_its_epochs_where_its_rule_would_have_stopped_it()
    {
        using var folder = new TestFolder();
        // SGD at 0.0001 learns next to nothing; Adam's three trials are stored by hand as already done well (0.9).
        var file = folder.Write("spare.yaml", TestFolder.SmallSweep("spare", 300,
                ("optimizer", "[StochasticGradientDescent, Adam]"), ("learning_rate", "0.0001"), ("batch_size", "[16, 32, 64]"), ("epochs", "3"), ("seed", "1"))
            + "pruner: {type: asha, min_epochs: 1, reduction_factor: 3}\n"
            + "baseline: {optimizer: StochasticGradientDescent, learning_rate: 0.0001, batch_size: 32, epochs: 3}\n");
        long baselineId, controlId;
        using (var store = TrialStores.OpenSqlite(folder.Db))
        {
            var loaded = SweepFile.Load(LocalDisk.Instance, file);
            var sweep = store.CreateSweep(loaded.Definition, loaded.Trials);
            var claimed = Enumerable.Range(0, loaded.Trials.Count).Select(_ => store.ClaimNext(sweep.Id, "test:1")!).ToList();
            foreach (var trial in claimed)
            {
                var lease = TrialLease.Of(trial);
                if (trial.Hyperparameters.Optimizer == OptimizerKind.Adam)
                {
                    for (var epoch = 1; epoch <= 3; epoch++) store.RecordEpoch(lease, new EpochMetrics(epoch, 0.3, 0.9, 0.3, 0.9, 1, 100), null);
                    store.Finish(lease, TrialState.Completed, null);
                }
                else
                {
                    store.Release(lease, "left for the worker");
                }
            }
            baselineId = claimed.Single(t => Baselines.IsBaseline(loaded.Definition, t.Hyperparameters)).Id;
            controlId = claimed.Single(t => t.Hyperparameters is { Optimizer: OptimizerKind.StochasticGradientDescent, BatchSize: 16 }).Id;
            Assert.Equal(1, claimed.Single(t => t.Id == baselineId).Number);
        }

        var run = await Cli.RunProcessAsync(folder.Path, Timeout, "resume", "spare", "--db", folder.Db, "--workers", "1");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var check = TrialStores.OpenSqlite(folder.Db);
        var spare = check.FindSweep("spare")!;
        var trials = check.ListTrials(spare.Id).ToDictionary(t => t.Id);
        var epochs = check.ListEpochs(spare.Id);
        Assert.Equal((TrialState.Completed, 3), (trials[baselineId].State, epochs.Count(e => e.TrialId == baselineId)));
        // The same rule stopped a trial of the same kind that is not the baseline …
        Assert.Equal((TrialState.Pruned, 1, (int?)0), (trials[controlId].State, epochs.Count(e => e.TrialId == controlId), trials[controlId].Rung));
        // … and would have stopped the baseline at epoch 1, given what the store held when it was judged (the three
        // Adam trials were stored before the worker started; it trained the baseline first).
        var held = Observations.ValuesByTrial(
            epochs.Where(e => trials[e.TrialId].Hyperparameters.Optimizer == OptimizerKind.Adam || (e.TrialId == baselineId && e.Metrics.Epoch == 1)),
            spare.Definition.Metric);
        Assert.True(Pruners.Asha(1, 3, 3, spare.Definition.Metric).ShouldPrune(baselineId, 1, held).Prune);
    }
}
