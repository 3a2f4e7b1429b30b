namespace Piximi.Sweep.Core.Tests;

/// <summary>Where a baseline's trials go in each kind of search, which trials count as baseline, and that none is pruned.</summary>
public sealed class Running_a_baseline : IDisposable
{
    private readonly SweepFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private LoadedSweep Parse(string yaml) => SweepFile.Parse(LocalDisk.Instance, Sweeps.Minimal + "\n" + yaml, _folder.SweepPath());

    private const string Space = "parameters:\n  optimizer: [Adam, RMSProp]\n  learning_rate: [0.001, 0.01]\n  epochs: 3\n  seed: [1, 2]\n";

    private static Hyperparameters Point(OptimizerKind optimizer, double rate, int seed, int epochs = 3) =>
        new(optimizer, LossKind.CategoricalCrossEntropy, rate, 32, epochs, null, seed);

    [Fact]
    public void A_grid_runs_the_baseline_first_once_per_seed_when_the_grid_does_not_hold_it()
    {
        var grid = Parse(Space);
        var with = Parse(Space + "baseline: {learning_rate: 0.003, epochs: 3}\n");

        Assert.Equal(8, grid.Trials.Count);
        Assert.Equal([Point(OptimizerKind.Adam, 0.003, 1), Point(OptimizerKind.Adam, 0.003, 2), .. grid.Trials], with.Trials);
    }

    [Fact]
    public void A_grid_that_holds_the_baseline_runs_that_point_first_and_only_once()
    {
        var grid = Parse(Space);
        var with = Parse(Space + "baseline: {optimizer: RMSProp, learning_rate: 0.001, epochs: 3}\n");

        Assert.Equal(8, with.Trials.Count);
        Assert.Equal([Point(OptimizerKind.RMSProp, 0.001, 1), Point(OptimizerKind.RMSProp, 0.001, 2)], with.Trials.Take(2));
        Assert.Equal(grid.Trials.Where(t => t with { Seed = 0 } != Point(OptimizerKind.RMSProp, 0.001, 0)), with.Trials.Skip(2));
        Assert.Equal(8, with.Trials.Distinct().Count());
    }

    [Fact]
    public void A_pruned_grid_is_shuffled_as_before_but_the_baseline_still_comes_first()
    {
        var shuffled = Parse(Space + "pruner: asha\n");
        var with = Parse(Space + "pruner: asha\nbaseline: {learning_rate: 0.01, epochs: 3}\n");

        Assert.Equal([Point(OptimizerKind.Adam, 0.01, 1), Point(OptimizerKind.Adam, 0.01, 2)], with.Trials.Take(2));
        Assert.Equal(shuffled.Trials.Where(t => t.Optimizer != OptimizerKind.Adam || t.LearningRate != 0.01), with.Trials.Skip(2));
    }

    [Fact]
    public void A_random_search_runs_the_baseline_trials_and_then_all_its_draws_unchanged()
    {
        const string random = "method: random\ntrials: 5\nsampler_seed: 4\n";
        var draws = Parse(Space + random);
        var with = Parse(Space + random + "baseline: {}\n");

        Assert.Equal(5, draws.Trials.Count);
        Assert.Equal([BaselineSpec.PiximiDefaults.Trial(1), BaselineSpec.PiximiDefaults.Trial(2), .. draws.Trials], with.Trials);
    }

    [Fact]
    public void A_tpe_search_stores_the_baseline_up_front_and_still_proposes_its_own_trials_on_top()
    {
        var tpe = Parse(Space + "method: tpe\ntrials: 12\nbaseline: {epochs: 2}\n");
        var plain = Parse(Space + "method: tpe\ntrials: 12\n");

        Assert.Equal([BaselineSpec.PiximiDefaults.Trial(1) with { Epochs = 2 }, BaselineSpec.PiximiDefaults.Trial(2) with { Epochs = 2 }], tpe.Trials);
        Assert.Equal(14, Baselines.ProposedTotal(tpe.Definition));
        Assert.Equal(12, Baselines.ProposedTotal(plain.Definition));
        Assert.Null(Baselines.ProposedTotal(Parse(Space).Definition));
        // The sampler's own proposals start after the baseline, at its position 0, as in a sweep without one.
        Assert.Equal(0, Baselines.ProposalPosition(tpe.Definition, trialsInStore: 2));
        Assert.Equal(5, Baselines.ProposalPosition(tpe.Definition, trialsInStore: 7));
        Assert.Equal(7, Baselines.ProposalPosition(plain.Definition, trialsInStore: 7));
    }

    [Fact]
    public void A_trial_is_a_baseline_trial_when_its_settings_but_the_seed_are_the_baselines()
    {
        var definition = Parse(Space + "baseline: {optimizer: RMSProp, learning_rate: 0.001, epochs: 3}\n").Definition;
        var baseline = Point(OptimizerKind.RMSProp, 0.001, 0);

        Assert.True(Baselines.IsBaseline(definition, baseline with { Seed = 9 }));
        Assert.False(Baselines.IsBaseline(definition, baseline with { LearningRate = 0.0010000001 }));
        Assert.False(Baselines.IsBaseline(definition, baseline with { Epochs = 4 }));
        Assert.False(Baselines.IsBaseline(definition, baseline with { Model = ModelKind.MobileNet }));
        // A time budget is a sweep's, never Piximi's: the baseline trains its epochs in full.
        Assert.False(Baselines.IsBaseline(definition, baseline with { TimeBudget = TimeSpan.FromMinutes(5) }));
        Assert.False(Baselines.IsBaseline(definition with { Baseline = null }, baseline));
    }

    [Fact]
    public void The_pruner_never_prunes_a_baseline_trial_though_it_prunes_another_with_the_same_results()
    {
        // ASHA, rung at epoch 1 keeps the best third: trials 1 to 3 are good, the baseline (4) and trial 5 are the worst.
        var definition = Parse(Space + "pruner: {type: asha, min_epochs: 1, reduction_factor: 3}\nbaseline: {learning_rate: 0.003, epochs: 3}\n").Definition;
        var pruning = new SweepPruning(definition);
        var values = new Dictionary<long, IReadOnlyList<double>>
        {
            [1] = [-0.9], [2] = [-0.85], [3] = [-0.8], [4] = [-0.1], [5] = [-0.1],
        };
        TrialRecord Trial(long id, Hyperparameters hp) => new(id, 1, (int)id, hp, TrialState.Running, "w", 1, null, null, null);

        var baseline = Trial(4, Point(OptimizerKind.Adam, 0.003, 2));
        var other = Trial(5, Point(OptimizerKind.RMSProp, 0.003, 2));

        Assert.NotNull(pruning.Judge(other, 1, values));
        Assert.False(pruning.Judges(baseline, 1));
        Assert.Null(pruning.Judge(baseline, 1, values));
        // The rule itself would prune it: it is spared as the baseline, not by luck.
        Assert.True(definition.Pruner!.Create(3, definition.Metric).ShouldPrune(4, 1, values).Prune);
    }
}
