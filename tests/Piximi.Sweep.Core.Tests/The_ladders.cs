using System.Globalization;

namespace Piximi.Sweep.Core.Tests;

public sealed class The_learning_rate_ladder
{
    [Fact]
    public void From_0_001_to_1_is_exactly_the_guides_seven_rates_with_no_floating_noise()
    {
        var rates = Ladders.LearningRates(0.001, 1);

        Assert.Equal([0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0], rates);
        // Exact doubles, so they print as written: 3 × 0.1 would print 0.30000000000000004.
        Assert.Equal(["0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1"],
            rates.Select(r => r.ToString(CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void A_from_between_rungs_starts_at_the_next_rung_up()
    {
        Assert.Equal([0.003, 0.01, 0.03, 0.1], Ladders.LearningRates(0.002, 0.1));
    }

    [Fact]
    public void A_to_between_rungs_stops_at_the_rung_below()
    {
        Assert.Equal([0.01, 0.03], Ladders.LearningRates(0.01, 0.05));
    }

    [Fact]
    public void Ends_a_rounding_error_away_from_a_rung_still_include_it()
    {
        Assert.Equal([0.001, 0.003, 0.01, 0.03], Ladders.LearningRates(0.001 * (1 + 1e-12), 0.03 * (1 - 1e-12)));
    }

    [Fact]
    public void Equal_ends_on_a_rung_give_that_one_rate()
    {
        Assert.Equal([0.3], Ladders.LearningRates(0.3, 0.3));
    }

    [Fact]
    public void A_range_between_two_rungs_gives_no_rate()
    {
        Assert.Empty(Ladders.LearningRates(0.04, 0.05));
    }

    [Fact]
    public void Tiny_rates_reach_down_as_far_as_asked()
    {
        var rates = Ladders.LearningRates(1e-9, 1e-8);

        Assert.Equal([1e-9, 3e-9, 1e-8], rates);
    }

    [Theory]
    [InlineData(0, 0.1)]
    [InlineData(-0.1, 0.1)]
    [InlineData(0.01, 5)]
    [InlineData(0.1, 0.01)]
    [InlineData(double.NaN, 0.1)]
    public void Ends_outside_0_exclusive_to_1_or_in_the_wrong_order_are_refused(double from, double to)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Ladders.LearningRates(from, to));
    }
}

public sealed class The_batch_size_ladder
{
    [Fact]
    public void From_16_to_128_doubles_to_16_32_64_128()
    {
        Assert.Equal([16, 32, 64, 128], Ladders.BatchSizes(16, 128));
    }

    [Fact]
    public void A_to_between_rungs_stops_at_the_rung_below()
    {
        Assert.Equal([16, 32, 64], Ladders.BatchSizes(16, 100));
    }

    [Fact]
    public void A_from_off_the_powers_of_two_doubles_from_itself()
    {
        Assert.Equal([24, 48, 96], Ladders.BatchSizes(24, 100));
    }

    [Fact]
    public void Equal_ends_give_one_size()
    {
        Assert.Equal([1], Ladders.BatchSizes(1, 1));
    }

    [Fact]
    public void Doubling_near_the_largest_int_does_not_overflow()
    {
        Assert.Equal([1 << 30], Ladders.BatchSizes(1 << 30, int.MaxValue));
    }

    [Theory]
    [InlineData(0, 16)]
    [InlineData(-16, 16)]
    [InlineData(32, 16)]
    public void A_from_below_1_or_above_to_is_refused(int from, int to)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Ladders.BatchSizes(from, to));
    }
}
