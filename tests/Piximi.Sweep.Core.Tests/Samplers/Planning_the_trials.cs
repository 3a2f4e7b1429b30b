namespace Piximi.Sweep.Core.Tests;

/// <summary>
/// <see cref="TrialPlan.UpFront"/> gives every kind of sweep the trials its reader gave it before the readers stopped
/// deciding trials: pinned where the order came from a seed, else rebuilt from the grid itself.
/// </summary>
public sealed class Planning_the_trials : IDisposable
{
    private readonly SweepFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private const string Space = "parameters: {optimizer: [Adam, RMSProp, Adadelta], learning_rate: [0.001, 0.01, 0.1], batch_size: [32, 64], epochs: 9}\n";

    private const string WandbGrid = """
        method: grid
        early_terminate: {type: hyperband, min_iter: 1, eta: 3}
        parameters:
          optimizer: {values: [adam, rmsprop, adadelta]}
          lr: {values: [0.001, 0.01, 0.1]}
          batch_size: {values: [32, 64]}
          epochs: {value: 9}
        """;

    private LoadedSweep Yaml(string extra = "") => SweepFile.Parse(LocalDisk.Instance, Sweeps.Minimal + "\n" + Space + extra, _folder.SweepPath());

    private LoadedSweep Wandb(string yaml) =>
        SweepFile.Parse(LocalDisk.Instance, yaml + "\n" + Reading_a_wandb_sweep.Piximi + "\n", _folder.SweepPath("wb.yaml"));

    private static Hyperparameters Point(OptimizerKind optimizer, double rate, int batchSize) =>
        new(optimizer, LossKind.CategoricalCrossEntropy, rate, batchSize, 9, null, 0);

    private static IEnumerable<Hyperparameters> InOrder(SweepDefinition definition, IEnumerable<int> positions)
    {
        var grid = Grid.Expand(definition.Parameters);
        return positions.Select(i => grid[i]);
    }

    [Fact]
    public void A_yaml_grid_is_every_point_in_the_written_order()
    {
        var sweep = Yaml();

        Assert.Equal(Grid.Expand(sweep.Definition.Parameters), TrialPlan.UpFront(sweep.Definition));
        Assert.Equal(TrialPlan.UpFront(sweep.Definition), sweep.Trials);
    }

    [Fact]
    public void A_pruned_yaml_grid_is_shuffled_by_its_sampler_seed_as_before()
    {
        var seed0 = Yaml("pruner: asha\n").Definition;
        var seed7 = Yaml("pruner: asha\nsampler_seed: 7\n").Definition;

        Assert.Equal(InOrder(seed0, Walking_the_grid.ShuffledBySeed0), TrialPlan.UpFront(seed0));
        Assert.Equal(InOrder(seed7, Walking_the_grid.ShuffledBySeed7), TrialPlan.UpFront(seed7));
    }

    [Fact]
    public void A_yaml_random_search_is_its_draws_as_before()
    {
        var sweep = Yaml("method: random\ntrials: 4\nsampler_seed: 5\n");

        Assert.Equal(
            [
                Point(OptimizerKind.Adam, 0.013225707696454363, 32), Point(OptimizerKind.Adam, 0.0011648682906139067, 32),
                Point(OptimizerKind.Adam, 0.006493015620546666, 32), Point(OptimizerKind.RMSProp, 0.017268500094770805, 32),
            ],
            TrialPlan.UpFront(sweep.Definition));
        Assert.Equal(TrialPlan.UpFront(sweep.Definition), sweep.Trials);
    }

    [Fact]
    public void A_baseline_sweep_runs_the_baseline_first_and_its_grid_point_only_there()
    {
        var sweep = Yaml("pruner: asha\nbaseline: {optimizer: RMSProp, learning_rate: 0.01, batch_size: 64, epochs: 9}\n");

        // Point 9 of the written grid is the baseline's; the rest is the seed-0 shuffle without it.
        Assert.Equal(InOrder(sweep.Definition, [9, .. Walking_the_grid.ShuffledBySeed0.Where(i => i != 9)]), TrialPlan.UpFront(sweep.Definition));
        Assert.Equal(Point(OptimizerKind.RMSProp, 0.01, 64), sweep.Trials[0]);
    }

    [Fact]
    public void A_wandb_grid_with_hyperband_keeps_the_written_order()
    {
        var sweep = Wandb(WandbGrid);

        Assert.NotNull(sweep.Definition.Pruner);
        Assert.Equal(GridOrder.Written, sweep.Definition.GridOrder);
        Assert.Equal(Grid.Expand(sweep.Definition.Parameters), TrialPlan.UpFront(sweep.Definition));
        Assert.Equal(TrialPlan.UpFront(sweep.Definition), sweep.Trials);
        // The order is the definition's to say: the same pruned grid under the native rule is shuffled.
        Assert.Equal(InOrder(sweep.Definition, Walking_the_grid.ShuffledBySeed0), TrialPlan.UpFront(sweep.Definition with { GridOrder = default }));
    }

    [Fact]
    public void A_search_that_proposes_as_it_runs_holds_only_its_baseline_up_front()
    {
        Assert.Empty(TrialPlan.UpFront(Yaml("method: tpe\ntrials: 12\n").Definition));
        Assert.Empty(TrialPlan.UpFront(Wandb("method: random\nparameters:\n  lr: {min: 0.001, max: 0.1}\n").Definition));
        Assert.Equal([BaselineSpec.PiximiDefaults.Trial(0)], TrialPlan.UpFront(Yaml("method: tpe\ntrials: 12\nbaseline: {}\n").Definition));
    }

    [Fact]
    public void Samplers_for_a_definition_is_its_methods_sampler_with_its_seed()
    {
        var random = Yaml("method: random\ntrials: 4\nsampler_seed: 5\n").Definition;
        var tpe = Yaml("method: tpe\ntrials: 12\nsampler_seed: 5\n").Definition;
        var history = Enumerable.Range(0, 15).Select(i => new Observation(Samplers.Random(tpe.Parameters, 1).Propose([], i), -i / 15.0)).ToList();

        Assert.Equal(Samplers.Random(random.Parameters, 5).Propose([], 3), Samplers.For(random).Propose([], 3));
        Assert.Equal(Samplers.Tpe(tpe.Parameters, 5).Propose(history), Samplers.For(tpe).Propose(history));
    }

    [Fact]
    public void A_wandb_grid_order_is_stored_but_the_sweep_stored_without_it_is_still_the_same_sweep()
    {
        var definition = Wandb(WandbGrid).Definition;
        var json = SweepJson.Serialize(definition);
        var storedBefore = SweepJson.Serialize(definition with { GridOrder = default }); // what the store holds from before

        Assert.Contains("\"grid_order\":\"Written\"", json, StringComparison.Ordinal);
        Assert.Equal(GridOrder.Written, SweepJson.Deserialize(json).GridOrder);
        Assert.DoesNotContain("grid_order", storedBefore, StringComparison.Ordinal);
        Assert.True(SweepJson.SameSweep(storedBefore, definition));
        Assert.Empty(SweepJson.Differences(SweepJson.Deserialize(storedBefore), definition));
    }

    [Fact]
    public void Native_definitions_and_unpruned_wandb_grids_write_no_grid_order()
    {
        foreach (var sweep in new[] { Yaml(), Yaml("pruner: asha\n"), Wandb(WandbGrid.Replace("early_terminate: {type: hyperband, min_iter: 1, eta: 3}\n", "")) })
            Assert.DoesNotContain("grid_order", SweepJson.Serialize(sweep.Definition), StringComparison.Ordinal);
    }

    [Fact]
    public void A_loaded_sweep_given_another_definition_plans_that_definitions_trials()
    {
        var plain = Yaml();
        _ = plain.Trials; // planned once, for the written order
        var pruned = plain with { Definition = plain.Definition with { Pruner = Yaml("pruner: asha\n").Definition.Pruner } };

        Assert.Equal(InOrder(pruned.Definition, Walking_the_grid.ShuffledBySeed0), pruned.Trials);
    }
}
