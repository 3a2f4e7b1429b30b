namespace Piximi.Sweep.Core.Tests;

/// <summary>The grid as a sampler: position i proposes the grid's i-th point, written or shuffled.</summary>
public sealed class Walking_the_grid
{
    private static readonly ParameterSpace Space = new(
        [OptimizerKind.Adam, OptimizerKind.RMSProp, OptimizerKind.Adadelta], [LossKind.CategoricalCrossEntropy],
        [0.001, 0.01, 0.1], [32, 64], [9], null, [0]);

    /// <summary>
    /// Where each trial of an 18-point grid stood in the written order when the YAML reader shuffled a pruned grid
    /// itself (SweepReader.Shuffled before the grid became a sampler), for sampler_seed 0 and 7.
    /// </summary>
    internal static readonly int[] ShuffledBySeed0 = [15, 10, 17, 12, 3, 2, 0, 16, 13, 11, 4, 1, 14, 9, 8, 7, 6, 5];

    internal static readonly int[] ShuffledBySeed7 = [4, 9, 0, 13, 2, 5, 3, 6, 7, 1, 12, 17, 14, 15, 16, 11, 8, 10];

    private static IReadOnlyList<Hyperparameters> Walk(ISampler sampler, int count) =>
        [.. Enumerable.Range(0, count).Select(position => sampler.Propose([], position))];

    [Fact]
    public void Proposes_exactly_the_expanded_grid_in_its_order()
    {
        var grid = Grid.Expand(Space);

        Assert.Equal(grid, Walk(Samplers.Grid(Space), grid.Count));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void Shuffled_it_proposes_the_order_a_pruned_yaml_grid_had(int seed)
    {
        var grid = Grid.Expand(Space);
        var expected = (seed == 0 ? ShuffledBySeed0 : ShuffledBySeed7).Select(i => grid[i]);

        Assert.Equal(expected, Walk(Samplers.Grid(Space, shuffleSeed: seed), grid.Count));
    }

    [Fact]
    public void Reads_no_history_and_refuses_a_position_past_the_last_point()
    {
        var sampler = Samplers.Grid(Space);
        var history = new List<Observation> { new(Grid.Expand(Space)[5], Loss: -0.9) };

        Assert.Equal(sampler.Propose([], 3), sampler.Propose(history, 3));
        Assert.Equal(Grid.Expand(Space)[1], sampler.Propose(history)); // position = history's length
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Propose([], 18));
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Propose([], -1));
    }
}
