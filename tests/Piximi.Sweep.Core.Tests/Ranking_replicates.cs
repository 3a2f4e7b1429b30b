namespace Piximi.Sweep.Core.Tests;

public sealed class Ranking_replicates
{
    private static readonly Hyperparameters Settings = new(OptimizerKind.Adam, LossKind.Hinge, 0.01, 32, 10, null, 0);

    private static (TrialRecord, double) Scored(int number, Hyperparameters hp, double score) =>
        (new TrialRecord(number, 1, number, hp, TrialState.Completed, null, 1, null, null, null), score);

    [Fact]
    public void Three_seeds_of_one_setting_give_mean_point_eight_and_sample_sd_point_one()
    {
        var groups = Replicates.Rank(
        [
            Scored(1, Settings with { Seed = 0 }, 0.8), Scored(2, Settings with { Seed = 1 }, 0.9), Scored(3, Settings with { Seed = 2 }, 0.7),
            Scored(4, Settings with { LearningRate = 0.03, Seed = 0 }, 0.5),
        ], higherIsBetter: true);

        var replicate = groups[0];
        Assert.Equal(3, replicate.N);
        Assert.Equal(0.8, replicate.Mean, 12);
        Assert.Equal(0.1, replicate.StandardDeviation, 12); // sqrt((0.01 + 0.01 + 0) / (3 − 1))
        Assert.Equal([0, 1, 2], replicate.Seeds);
        Assert.Equal([1, 2, 3], replicate.Trials);
        Assert.Equal(Settings with { Seed = 0 }, replicate.Settings);
        // A single seed is a group of one, with no spread to speak of.
        Assert.Equal((2, 1, 0.5), (groups[1].Rank, groups[1].N, groups[1].Mean));
        Assert.True(double.IsNaN(groups[1].StandardDeviation));
    }

    [Fact]
    public void Groups_rank_by_mean_in_the_metrics_direction_with_ties_to_the_earlier_trial()
    {
        // Binary fractions, so the two means of 0.5 tie exactly.
        (TrialRecord, double)[] scored =
        [
            Scored(1, Settings with { Seed = 0 }, 0.25), Scored(2, Settings with { Seed = 1 }, 0.75),
            Scored(3, Settings with { BatchSize = 64, Seed = 0 }, 0.875), Scored(4, Settings with { BatchSize = 64, Seed = 1 }, 0.875),
            Scored(5, Settings with { BatchSize = 16, Seed = 0 }, 0.5),
        ];

        Assert.Equal([64, 32, 16], Replicates.Rank(scored, higherIsBetter: true).Select(g => g.Settings.BatchSize));
        Assert.Equal([32, 16, 64], Replicates.Rank(scored, higherIsBetter: false).Select(g => g.Settings.BatchSize));
    }
}
