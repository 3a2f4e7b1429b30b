namespace Piximi.Sweep.Core.Tests;

public sealed class Sampling_at_random
{
    [Fact]
    public void The_same_seed_proposes_the_same_sequence_and_another_seed_another()
    {
        var first = Spaces.Run(Samplers.Random(Spaces.Wide, seed: 7), 50, Spaces.Flat).Select(o => o.Point);
        var again = Spaces.Run(Samplers.Random(Spaces.Wide, seed: 7), 50, Spaces.Flat).Select(o => o.Point);
        var other = Spaces.Run(Samplers.Random(Spaces.Wide, seed: 8), 50, Spaces.Flat).Select(o => o.Point);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Proposing_twice_from_one_history_gives_the_same_point_whatever_its_losses()
    {
        var sampler = Samplers.Random(Spaces.Wide, seed: 3);
        var history = Spaces.Run(sampler, 12, Spaces.Flat);
        var relabelled = history.Select(o => o with { Loss = -o.Loss }).ToList();

        Assert.Equal(sampler.Propose(history), sampler.Propose(history));
        Assert.Equal(sampler.Propose(history), sampler.Propose(relabelled));
    }

    [Fact]
    public void Learning_rates_stay_in_the_range_and_are_log_uniform()
    {
        const int Draws = 10_000;
        var rates = Spaces.Run(Samplers.Random(Spaces.Wide, seed: 11), Draws, Spaces.Flat)
            .Select(o => o.Point.LearningRate).ToArray();

        Assert.All(rates, rate => Assert.InRange(rate, 1e-5, 0.1));
        // Log-uniform over [1e-5, 0.1]: half below the geometric mean 1e-3, a quarter in each decade. A uniform draw
        // would put about 1 % below 1e-3. Tolerance: 4 binomial standard deviations.
        AssertFraction(rates.Count(rate => rate < 1e-3), Draws, 0.5);
        foreach (var decade in new[] { 1e-5, 1e-4, 1e-3, 1e-2 })
        {
            AssertFraction(rates.Count(rate => rate >= decade && rate < decade * 10), Draws, 0.25);
        }
        // Continuous, not the listed values: almost every draw is distinct.
        Assert.True(rates.Distinct().Count() > Draws - 10);
    }

    [Fact]
    public void Every_value_of_every_list_is_proposed()
    {
        var points = Spaces.Run(Samplers.Random(Spaces.Wide, seed: 5), 500, Spaces.Flat).Select(o => o.Point).ToArray();

        Assert.Equal(Spaces.Wide.Optimizers.Order(), points.Select(p => p.Optimizer).Distinct().Order());
        Assert.Equal(Spaces.Wide.Losses.Order(), points.Select(p => p.Loss).Distinct().Order());
        Assert.Equal(Spaces.Wide.BatchSizes.Order(), points.Select(p => p.BatchSize).Distinct().Order());
        Assert.Equal(Spaces.Wide.Epochs.Order(), points.Select(p => p.Epochs).Distinct().Order());
        Assert.Equal(Spaces.Wide.Seeds.Order(), points.Select(p => p.Seed).Distinct().Order());
        Assert.All(points, p => Assert.Equal(Spaces.Wide.TimeBudget, p.TimeBudget));
    }

    [Fact]
    public void A_single_learning_rate_is_proposed_exactly()
    {
        var space = Spaces.Wide with { LearningRates = [0.003] };

        var rates = Spaces.Run(Samplers.Random(space, seed: 1), 20, Spaces.Flat).Select(o => o.Point.LearningRate);

        Assert.All(rates, rate => Assert.Equal(0.003, rate));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.01)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_learning_rate_outside_zero_to_one_is_refused(double rate)
    {
        var space = Spaces.Wide with { LearningRates = [0.01, rate] };

        Assert.Throws<ArgumentException>(() => Samplers.Random(space, 0));
        Assert.Throws<ArgumentException>(() => Samplers.Tpe(space, 0));
    }

    [Fact]
    public void An_empty_list_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Samplers.Random(Spaces.Wide with { BatchSizes = [] }, 0));
        Assert.Throws<ArgumentException>(() => Samplers.Tpe(Spaces.Wide with { Seeds = [] }, 0));
    }

    private static void AssertFraction(int hits, int draws, double expected)
    {
        var tolerance = 4 * Math.Sqrt(expected * (1 - expected) / draws);
        Assert.InRange((double)hits / draws, expected - tolerance, expected + tolerance);
    }
}
