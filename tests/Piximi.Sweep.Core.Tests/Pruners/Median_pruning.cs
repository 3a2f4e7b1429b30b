namespace Piximi.Sweep.Core.Tests;

public sealed class Median_pruning
{
    private static Dictionary<long, IReadOnlyList<double>> OthersAtEpoch2(params double[] others)
    {
        var values = new Dictionary<long, IReadOnlyList<double>>();
        for (var i = 0; i < others.Length; i++)
            values[100 + i] = [0.0, others[i]];
        return values;
    }

    [Fact]
    public void A_value_worse_than_the_median_of_the_others_at_that_epoch_is_pruned()
    {
        var worse = OthersAtEpoch2(5, 1, 4, 2, 3);   // median 3
        worse[1] = [9.0, 3.5];
        var equal = OthersAtEpoch2(5, 1, 4, 2, 3);
        equal[1] = [9.0, 3.0];

        var pruned = Pruners.Median().ShouldPrune(1, 2, worse);
        Assert.True(pruned.Prune);
        Assert.Equal("epoch 2: 3.5 > median 3 of 5 other trials", pruned.Reason);
        Assert.False(Pruners.Median().ShouldPrune(1, 2, equal).Prune);
    }

    [Fact]
    public void With_an_even_count_the_median_is_the_mean_of_the_middle_two()
    {
        var pruner = Pruners.Median(warmupEpochs: 1, minTrials: 4);
        var above = OthersAtEpoch2(1, 2, 3, 4);   // median 2.5
        above[1] = [0.0, 2.6];
        var at = OthersAtEpoch2(1, 2, 3, 4);
        at[1] = [0.0, 2.5];

        Assert.True(pruner.ShouldPrune(1, 2, above).Prune);
        Assert.False(pruner.ShouldPrune(1, 2, at).Prune);
    }

    [Fact]
    public void Nothing_is_pruned_during_the_warm_up()
    {
        var values = new Dictionary<long, IReadOnlyList<double>>();
        for (var i = 0; i < 5; i++)
            values[100 + i] = [0.1, 0.1, 0.1];
        values[1] = [9.0, 9.0, 9.0];

        Assert.False(Pruners.Median(warmupEpochs: 2).ShouldPrune(1, 1, values).Prune);
        Assert.False(Pruners.Median(warmupEpochs: 2).ShouldPrune(1, 2, values).Prune);
        Assert.True(Pruners.Median(warmupEpochs: 2).ShouldPrune(1, 3, values).Prune);
        Assert.True(Pruners.Median(warmupEpochs: 0).ShouldPrune(1, 1, values).Prune);
    }

    [Fact]
    public void Nothing_is_pruned_until_min_trials_others_reached_the_epoch()
    {
        var values = OthersAtEpoch2(1, 1, 1, 1);
        values[50] = [1.0];   // stopped after epoch 1: does not count at epoch 2
        values[1] = [9.0, 9.0];

        Assert.False(Pruners.Median(minTrials: 5).ShouldPrune(1, 2, values).Prune);
        values[51] = [1.0, 1.0];
        Assert.True(Pruners.Median(minTrials: 5).ShouldPrune(1, 2, values).Prune);
    }

    [Fact]
    public void Other_trials_NaNs_are_left_out_and_the_trials_own_NaN_is_pruned()
    {
        var values = OthersAtEpoch2(1, 2, 3, 4, double.NaN, double.NaN);
        values[1] = [0.0, 3.0];   // median of 1..4 is 2.5; counting the NaNs as worst would make it 3.5
        values[2] = [0.0, double.NaN];

        Assert.True(Pruners.Median(minTrials: 4).ShouldPrune(1, 2, values).Prune);
        // Only 4 others count (three NaNs, trial 2's included, are left out), fewer than 5: no decision.
        Assert.False(Pruners.Median(minTrials: 5).ShouldPrune(1, 2, values).Prune);
        Assert.True(Pruners.Median(minTrials: 4).ShouldPrune(2, 2, values).Prune);
    }
}
