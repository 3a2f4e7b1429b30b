namespace Piximi.Sweep.Core.Tests;

/// <summary>
/// The pruners find a rung's cut-off or median by selection, not by sorting the rung (its first rung holds every
/// trial of the sweep): the value must be exactly the one sorting gives.
/// </summary>
public sealed class Selecting_a_cutoff
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 7)]
    [InlineData(17, 1)]
    [InlineData(1000, 2)]
    [InlineData(10_000, 3)]
    public void The_kth_smallest_is_the_kth_of_the_sorted_values_for_every_k(int count, int seed)
    {
        var random = new Random(seed);
        // Few distinct values (ties everywhere), infinities, and both zeros.
        double[] pool = [double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, 0.5, -0.83, 1e-300];
        var values = Enumerable.Range(0, count)
            .Select(i => i % 3 == 0 ? pool[random.Next(pool.Length)] : Math.Round(random.NextDouble(), 2))
            .ToList();
        var sorted = values.Order().ToList();

        foreach (var k in count <= 20 ? Enumerable.Range(0, count) : [0, 1, count / 3, count / 2, count - 2, count - 1])
            Assert.Equal(sorted[k], PrunerInputs.KthSmallest([.. values], k));
    }

    [Fact]
    public void Selecting_twice_from_the_same_list_gives_both_middle_values()
    {
        var values = new List<double> { 5, 1, 4, 2, 3, 6 };

        Assert.Equal((3.0, 4.0), (PrunerInputs.KthSmallest(values, 2), PrunerInputs.KthSmallest(values, 3)));
        Assert.Equal([1.0, 2, 3, 4, 5, 6], values.Order());
    }

    [Fact]
    public void Asking_outside_the_values_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PrunerInputs.KthSmallest([1, 2], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => PrunerInputs.KthSmallest([1, 2], -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PrunerInputs.KthSmallest([], 0));
    }
}
