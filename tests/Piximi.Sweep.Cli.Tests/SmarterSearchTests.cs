using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Cli.Tests;

/// <summary>
/// TPE, pruners, early stopping and the sweep-wide budgets, run for real: worker processes train small Fashion-MNIST
/// trials and every decision is checked against the rule recomputed from what the store holds.
/// </summary>
public sealed class SmarterSearchTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>The piximi: section a W&amp;B file needs: Fashion-MNIST's training files, a subset of them.</summary>
    private static string WandbFashionMnist(int subset) => "\n" + $"""
        piximi:
          dataset:
            kind: idx
            images: {TestFolder.FashionMnist}/train-images-idx3-ubyte.gz
            labels: {TestFolder.FashionMnist}/train-labels-idx1-ubyte.gz
            subset: {subset}
        """;

    [Fact]
    public async Task A_tpe_sweep_proposes_each_trial_from_the_results_stored_before_it()
    {
        using var folder = new TestFolder();
        // 13 trials: the first 10 are TPE's random start-up, the last 3 are modelled on the first results.
        var file = folder.Write("tpe.yaml", TestFolder.SmallSweep("tpe", 300,
            ("optimizer", "[Adam, StochasticGradientDescent, RMSProp]"), ("learning_rate", "{from: 0.0001, to: 0.3}"), ("batch_size", "[16, 32, 64]"))
            + "method: tpe\ntrials: 13\nsampler_seed: 5\n");

        var result = await Cli.RunProcessAsync(folder.Path, Timeout, "run", file, "--db", folder.Db, "--workers", "1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("[13/13 done]", result.Output);
        using var store = TrialStores.OpenSqlite(folder.Db);
        var sweep = store.FindSweep("tpe")!;
        var summaries = store.SummarizeTrials(sweep.Id);
        Assert.Equal(Enumerable.Range(1, 13), summaries.Select(s => s.Trial.Number));
        Assert.All(summaries, s => Assert.Equal(TrialState.Completed, s.Trial.State));
        // One worker: each trial was proposed once every trial before it had finished. Recomputing each proposal from
        // the stored results of the trials before it must give exactly the stored trial.
        var sampler = Samplers.Tpe(sweep.Definition.Parameters, 5);
        for (var i = 0; i < summaries.Count; i++)
        {
            var history = Observations.History(summaries.Take(i), sweep.Definition.Metric);
            Assert.Equal(sampler.Propose(history, i), summaries[i].Trial.Hyperparameters);
        }
        // The modelled proposals used the results: with the results turned upside down (the worst trial the best),
        // they differ.
        var inverted = Observations.History(summaries.Take(10), sweep.Definition.Metric)
            .Select(o => o with { Loss = -o.Loss }).ToList();
        Assert.NotEqual(sampler.Propose(inverted, 10), summaries[10].Trial.Hyperparameters);
    }

    [Fact]
    public async Task Two_workers_proposing_tpe_trials_add_each_number_once_and_every_proposal_differs()
    {
        using var folder = new TestFolder();
        // Trials of a few seconds each, so the second worker surely starts before the first has proposed them all.
        var file = folder.Write("tpe2.yaml", TestFolder.SmallSweep("tpe2", 8000, ("learning_rate", "{from: 0.0001, to: 0.3}"), ("epochs", "2"))
            + "method: tpe\ntrials: 12\n");

        var result = await Cli.RunProcessAsync(folder.Path, Timeout, "run", file, "--db", folder.Db, "--workers", "2");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var store = TrialStores.OpenSqlite(folder.Db);
        var trials = store.ListTrials(store.FindSweep("tpe2")!.Id);
        Assert.Equal(Enumerable.Range(1, 12), trials.Select(t => t.Number));
        Assert.All(trials, t => Assert.Equal((TrialState.Completed, 1), (t.State, t.Attempts)));
        // Proposals at distinct positions draw from distinct streams: no two trials got the same learning rate.
        Assert.Equal(12, trials.Select(t => t.Hyperparameters.LearningRate).Distinct().Count());
        Assert.Equal(2, trials.Select(t => t.WorkerId).Distinct().Count());
    }

    [Fact]
    public async Task Asha_prunes_exactly_the_trials_its_rule_prunes_given_what_the_store_held_and_records_their_rung()
    {
        using var folder = new TestFolder();
        // 9 trials × 3 epochs, rungs at epochs 1 (keep the top third). Learning rates from hopeless to good, so some fall behind.
        var file = folder.Write("asha.yaml", TestFolder.SmallSweep("asha", 300,
            ("optimizer", "[Adam, StochasticGradientDescent, Adadelta]"), ("learning_rate", "[0.0001, 0.001, 0.01]"),
            ("batch_size", "32"), ("epochs", "3"))
            + "pruner: {type: asha, min_epochs: 1, reduction_factor: 3}\n");

        var result = await Cli.RunProcessAsync(folder.Path, Timeout, "run", file, "--db", folder.Db, "--workers", "1");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var store = TrialStores.OpenSqlite(folder.Db);
        var sweep = store.FindSweep("asha")!;
        var trials = store.ListTrials(sweep.Id);
        var epochs = store.ListEpochs(sweep.Id);
        var pruner = Pruners.Asha(1, 3, 3, sweep.Definition.Metric);
        var pruned = 0;
        // One worker, trials in number order: when trial k was judged after epoch e, the store held every epoch of the
        // trials before it and its own epochs up to e.
        foreach (var trial in trials)
        {
            var own = epochs.Where(x => x.TrialId == trial.Id).ToList();
            var earlier = epochs.Where(x => trials.First(t => t.Id == x.TrialId).Number < trial.Number).ToList();
            for (var e = 1; e <= own.Count; e++)
            {
                var held = Observations.ValuesByTrial(earlier.Concat(own.Take(e)), sweep.Definition.Metric);
                var decision = pruner.ShouldPrune(trial.Id, e, held);
                var prunedHere = trial.State == TrialState.Pruned && e == own.Count;
                if (e == trial.Hyperparameters.Epochs) continue; // the last epoch is never judged
                Assert.True(decision.Prune == prunedHere, $"trial {trial.Number} epoch {e}: rule says {decision.Prune} ({decision.Reason}), store says {trial.State}");
                if (prunedHere)
                {
                    pruned++;
                    Assert.Equal(decision.Rung, trial.Rung);
                    Assert.Equal(decision.Reason, trial.Message);
                }
            }
            if (trial.State == TrialState.Completed) Assert.Equal(3, own.Count);
        }
        Assert.True(pruned >= 2, $"only {pruned} trial(s) pruned; the test proves little");
        Assert.Contains("(rung 0)", (await Cli.RunAsync("trials", "--db", folder.Db, "--sweep", "asha")).Output);
    }

    [Fact]
    public async Task Early_stopping_keeps_each_trials_best_epoch_as_its_result()
    {
        using var folder = new TestFolder();
        var file = folder.Write("patience.yaml", TestFolder.SmallSweep("patience", 300,
            ("learning_rate", "[0.01, 0.1]"), ("batch_size", "16"), ("epochs", "6"))
            + "early_stopping: {patience: 1, metric: val_loss}\n");

        var result = await Cli.RunProcessAsync(folder.Path, Timeout, "run", file, "--db", folder.Db, "--workers", "1");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var store = TrialStores.OpenSqlite(folder.Db);
        var sweep = store.FindSweep("patience")!;
        var summaries = store.SummarizeTrials(sweep.Id);
        var epochs = store.ListEpochs(sweep.Id);
        var stoppedEarly = 0;
        foreach (var s in summaries)
        {
            Assert.Equal(TrialState.Completed, s.Trial.State);
            var own = epochs.Where(e => e.TrialId == s.Trial.Id).Select(e => e.Metrics).ToList();
            var best = own.OrderBy(m => m.ValLoss).ThenBy(m => m.Epoch).First();
            Assert.Equal(best.Epoch, s.Trial.ResultEpoch);
            Assert.Equal(best, s.Final);
            if (own.Count < 6)
            {
                stoppedEarly++;
                Assert.Equal(own.Count - 1, best.Epoch); // patience 1: one epoch without improvement
            }
            // The evaluated model is the kept one: its confusion matrix gives the kept epoch's val_accuracy.
            var confusion = store.LoadEvaluation(s.Trial.Id)!.Confusion;
            var correct = confusion.Select((row, i) => row[i]).Sum();
            Assert.Equal(best.ValAccuracy, (double)correct / confusion.Sum(row => row.Sum()), 12);
        }
        Assert.True(stoppedEarly > 0, "no trial stopped early; the test proves little");
    }

    [Fact]
    public async Task An_epoch_budget_stops_the_sweep_at_that_many_epochs_and_resume_with_a_larger_one_finishes_it()
    {
        using var folder = new TestFolder();
        var file = folder.Write("epochs.yaml", TestFolder.SmallSweep("epochs", 300, ("epochs", "3")));

        var first = await Cli.RunProcessAsync(folder.Path, Timeout, "run", file, "--db", folder.Db, "--workers", "1", "--max-epochs", "5");

        Assert.True(first.ExitCode == 4, first.ToString());
        Assert.Contains("Stopped by the epoch budget (5 of 5 epochs spent) with trials left", first.Output);
        using (var store = TrialStores.OpenSqlite(folder.Db))
        {
            var sweep = store.FindSweep("epochs")!;
            Assert.Equal(5, store.Usage(sweep.Id).Epochs);
            var trials = store.ListTrials(sweep.Id);
            Assert.Equal([TrialState.Completed, TrialState.Queued, TrialState.Queued, TrialState.Queued], trials.Select(t => t.State));
            Assert.Contains("epoch budget", trials[1].Message);
            StoreChecks.EpochsAreContiguous(trials, store.ListEpochs(sweep.Id));
        }

        var second = await Cli.RunProcessAsync(folder.Path, Timeout, "resume", "epochs", "--db", folder.Db, "--workers", "1", "--max-epochs", "100");

        Assert.True(second.ExitCode == 0, second.ToString());
        using (var store = TrialStores.OpenSqlite(folder.Db))
        {
            var sweep = store.FindSweep("epochs")!;
            Assert.Equal(12, store.Usage(sweep.Id).Epochs); // trial 2 resumed after its stored epoch, not from scratch
            Assert.All(store.ListTrials(sweep.Id), t => Assert.Equal(TrialState.Completed, t.State));
        }
    }

    [Fact]
    public async Task A_compute_budget_from_the_sweep_file_stops_the_run_once_the_summed_epoch_time_reaches_it()
    {
        using var folder = new TestFolder();
        // 0.0001 h = 0.36 s of summed epoch time: spent within the first trials of 1,000 images.
        var file = folder.Write("hours.yaml", TestFolder.SmallSweep("hours", 1000, ("epochs", "2"), ("seed", "[1, 2, 3, 4]"))
            + "budget:\n  compute_hours: 0.0001\n");

        var result = await Cli.RunProcessAsync(folder.Path, Timeout, "run", file, "--db", folder.Db, "--workers", "1");

        Assert.True(result.ExitCode == 4, result.ToString());
        Assert.Contains("Stopped by the compute budget (", result.Output);
        using var store = TrialStores.OpenSqlite(folder.Db);
        var sweep = store.FindSweep("hours")!;
        var usage = store.Usage(sweep.Id);
        Assert.True(usage.Seconds >= 0.36, $"stopped at {usage.Seconds} s");
        Assert.True(store.ListTrials(sweep.Id).Any(t => t.State == TrialState.Queued), "every trial ran; the budget stopped nothing");
    }

    [Fact]
    public async Task A_weights_and_biases_bayes_sweep_with_hyperband_runs_as_tpe_with_the_hyperband_pruner()
    {
        using var folder = new TestFolder();
        var file = folder.Write("wandb.yaml", """
            program: train.py
            method: bayes
            metric: {name: val_acc, goal: maximize}
            run_cap: 6
            early_terminate: {type: hyperband, min_iter: 1, eta: 3}
            parameters:
              lr: {distribution: log_uniform_values, min: 0.0001, max: 0.1}
              optimizer: {values: [adam, sgd]}
              batch_size: {value: 32}
              epochs: {value: 3}
            """ + WandbFashionMnist(subset: 300));

        var result = await Cli.RunProcessAsync(folder.Path, Timeout, "run", file, "--db", folder.Db, "--workers", "1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("program: W&B's 'program'", result.Error + result.Output);
        using var store = TrialStores.OpenSqlite(folder.Db);
        var sweep = store.FindSweep("wandb")!;
        Assert.Equal((SearchMethod.Tpe, 6, PrunerKind.Hyperband), (sweep.Definition.Method, sweep.Definition.Trials, sweep.Definition.Pruner!.Kind));
        var trials = store.ListTrials(sweep.Id);
        Assert.Equal(Enumerable.Range(1, 6), trials.Select(t => t.Number));
        Assert.All(trials, t => Assert.True(t.State is TrialState.Completed or TrialState.Pruned, $"trial {t.Number} is {t.State}"));
        Assert.All(trials, t => Assert.InRange(t.Hyperparameters.LearningRate, 0.0001, 0.1));
    }

    [Fact]
    public async Task A_weights_and_biases_random_sweep_without_run_cap_proposes_trials_until_the_trial_budget_stops_it()
    {
        using var folder = new TestFolder();
        // No run_cap: W&B would run this random search until stopped (docs.wandb.ai/models/sweeps/sweep-config-keys).
        var file = folder.Write("open.yaml", """
            method: random
            metric: {name: epoch/val_accuracy, goal: maximize}
            parameters:
              lr: {distribution: log_uniform_values, min: 0.001, max: 0.1}
              batch_size: {values: [16, 32]}
              epochs: {value: 1}
            """ + WandbFashionMnist(subset: 300));

        var result = await Cli.RunProcessAsync(folder.Path, Timeout, "run", file, "--db", folder.Db, "--workers", "1", "--max-trials", "3");

        Assert.True(result.ExitCode == 4, result.ToString());
        Assert.Contains("run_cap: not given", result.Output);
        Assert.Contains("'epoch/val_accuracy' is read as val_accuracy", result.Output);
        Assert.Contains("[3 done, no trial count]", result.Output);
        Assert.Contains("Stopped by the trial budget (3 trials) with trials left", result.Output);
        var status = await Cli.RunAsync("status", "--db", folder.Db);
        Assert.Contains("3 finished (no trial count: it runs until a budget, the deadline or Ctrl+C stops it) — 3 completed", status.Output);
        using var store = TrialStores.OpenSqlite(folder.Db);
        var sweep = store.FindSweep("open")!;
        Assert.Equal((SearchMethod.Random, (int?)null, MetricNames.ValAccuracy), (sweep.Definition.Method, sweep.Definition.Trials, sweep.Definition.Metric));
        var trials = store.ListTrials(sweep.Id);
        Assert.Equal([1, 2, 3], trials.Select(t => t.Number));
        Assert.All(trials, t => Assert.Equal(TrialState.Completed, t.State));
        // Proposed by the workers as they went, each the draw a random search with a count makes at its position.
        var sampler = Samplers.Random(sweep.Definition.Parameters, sweep.Definition.SamplerSeed);
        Assert.Equal(trials.Select((_, i) => sampler.Propose([], i)), trials.Select(t => t.Hyperparameters));
    }
}
