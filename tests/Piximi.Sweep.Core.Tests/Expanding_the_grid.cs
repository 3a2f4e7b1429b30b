namespace Piximi.Sweep.Core.Tests;

public sealed class Expanding_the_grid
{
    private static readonly ParameterSpace Space = new(
        Optimizers: [OptimizerKind.Adam, OptimizerKind.Momentum],
        Losses: [LossKind.CategoricalCrossEntropy, LossKind.Hinge],
        LearningRates: [0.01, 0.1, 0.001],
        BatchSizes: [16, 32],
        Epochs: [2, 4],
        TimeBudget: null,
        Seeds: [0, 1, 2]);

    [Fact]
    public void The_grid_holds_every_combination_once()
    {
        var trials = Grid.Expand(Space);

        Assert.Equal(2 * 2 * 3 * 2 * 2 * 3, trials.Count);
        Assert.Equal(trials.Count, trials.Distinct().Count());
    }

    [Fact]
    public void Seeds_vary_fastest_and_optimizers_slowest_in_the_order_the_lists_were_given()
    {
        var trials = Grid.Expand(Space);

        Assert.Equal(new Hyperparameters(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.01, 16, 2, null, 0), trials[0]);
        Assert.Equal(new Hyperparameters(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.01, 16, 2, null, 1), trials[1]);
        Assert.Equal(new Hyperparameters(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.01, 16, 4, null, 0), trials[3]);
        Assert.Equal(new Hyperparameters(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.01, 32, 2, null, 0), trials[6]);
        Assert.Equal(new Hyperparameters(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.1, 16, 2, null, 0), trials[12]);
        Assert.Equal(new Hyperparameters(OptimizerKind.Adam, LossKind.Hinge, 0.01, 16, 2, null, 0), trials[36]);
        Assert.Equal(new Hyperparameters(OptimizerKind.Momentum, LossKind.CategoricalCrossEntropy, 0.01, 16, 2, null, 0), trials[72]);
        Assert.Equal(new Hyperparameters(OptimizerKind.Momentum, LossKind.Hinge, 0.001, 32, 4, null, 2), trials[^1]);
    }

    [Fact]
    public void Expanding_twice_gives_the_same_trials_in_the_same_order()
    {
        Assert.Equal(Grid.Expand(Space), Grid.Expand(Space));
    }

    [Fact]
    public void The_time_budget_is_carried_into_every_trial()
    {
        var budget = TimeSpan.FromMinutes(20);

        var trials = Grid.Expand(Space with { Epochs = [50], TimeBudget = budget });

        Assert.All(trials, t => Assert.Equal((50, budget), (t.Epochs, t.TimeBudget)));
    }

    [Fact]
    public void A_space_with_an_empty_list_is_refused_rather_than_expanded_to_no_trials()
    {
        var error = Assert.Throws<ArgumentException>(() => Grid.Expand(Space with { Seeds = [] }));

        Assert.Contains("Seeds", error.Message, StringComparison.Ordinal);
    }
}
