namespace Piximi.Sweep.Core.Tests;

public sealed class Sampling_with_tpe
{
    [Fact]
    public void The_first_startup_proposals_are_the_random_samplers_with_the_same_seed()
    {
        var options = new TpeOptions(StartupTrials: 10);
        var tpe = Spaces.Run(Samplers.Tpe(Spaces.Wide, seed: 4, options), 10, Spaces.Flat).Select(o => o.Point);
        var random = Spaces.Run(Samplers.Random(Spaces.Wide, seed: 4), 10, Spaces.Flat).Select(o => o.Point);

        Assert.Equal(random, tpe);
    }

    [Fact]
    public void After_the_startup_proposals_it_departs_from_random()
    {
        var tpe = Spaces.Run(Samplers.Tpe(Spaces.Wide, seed: 4), 30, Objective.Loss(4)).Select(o => o.Point).ToArray();
        var random = Spaces.Run(Samplers.Random(Spaces.Wide, seed: 4), 30, Objective.Loss(4)).Select(o => o.Point).ToArray();

        Assert.NotEqual(random[10..], tpe[10..]);
    }

    [Fact]
    public void The_same_seed_and_history_propose_the_same_sequence_and_another_seed_another()
    {
        var first = Spaces.Run(Samplers.Tpe(Spaces.Wide, seed: 9), 40, Objective.Loss(1)).Select(o => o.Point);
        var again = Spaces.Run(Samplers.Tpe(Spaces.Wide, seed: 9), 40, Objective.Loss(1)).Select(o => o.Point);
        var other = Spaces.Run(Samplers.Tpe(Spaces.Wide, seed: 10), 40, Objective.Loss(1)).Select(o => o.Point);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Proposals_follow_the_losses_of_the_history()
    {
        var sampler = Samplers.Tpe(Spaces.Wide, seed: 2);
        var history = Spaces.Run(sampler, 20, Objective.Loss(2));
        var reversed = history.Select(o => o with { Loss = -o.Loss }).ToList();

        Assert.Equal(sampler.Propose(history), sampler.Propose(history));
        Assert.NotEqual(sampler.Propose(history), sampler.Propose(reversed));
    }

    [Fact]
    public void Once_the_good_trials_share_a_setting_it_proposes_that_setting_far_more_than_chance()
    {
        // Every Adam trial at batch 64 near lr 0.003 did well, everything else badly: TPE should keep proposing there.
        var sampler = Samplers.Tpe(Spaces.Wide, seed: 6);
        var history = Spaces.Run(Samplers.Random(Spaces.Wide, seed: 6), 60, Objective.Loss(6));
        var proposals = new List<Hyperparameters>();
        for (var i = 0; i < 200; i++)
        {
            // Same observations, a longer history each time, so each proposal is a fresh draw from the same fit.
            var point = sampler.Propose(history);
            proposals.Add(point);
            history.Add(new Observation(point, Objective.Of(point)));
        }

        // Chance would be 1/7 for Adam and 1/5 for batch 64, and about 1/4 for lr within a factor 3 of 0.003.
        Assert.True(proposals.Count(p => p.Optimizer == OptimizerKind.Adam) > 0.5 * proposals.Count);
        Assert.True(proposals.Count(p => p.BatchSize == 64) > 0.5 * proposals.Count);
        Assert.True(proposals.Count(p => p.LearningRate > 0.001 && p.LearningRate < 0.009) > 0.5 * proposals.Count);
        Assert.All(proposals, p => Assert.InRange(p.LearningRate, 1e-5, 0.1));
    }

    [Fact]
    public void The_seed_is_drawn_as_a_replicate_not_tuned()
    {
        // Seed 0 always "wins"; a tuner of seeds would chase it, a replicate draw keeps all three in use.
        static double SeedLuck(Hyperparameters point, int trial) => point.Seed == 0 ? 0 : 1;

        var seeds = Spaces.Run(Samplers.Tpe(Spaces.Wide, seed: 3), 150, SeedLuck).Skip(10).Select(o => o.Point.Seed).ToArray();

        Assert.All(new[] { 0, 1, 2 }, seed => Assert.InRange(seeds.Count(s => s == seed), 0.2 * seeds.Length, 0.47 * seeds.Length));
    }

    [Fact]
    public void Diverged_trials_with_a_nan_loss_rank_as_the_worst()
    {
        var history = Spaces.Run(Samplers.Random(Spaces.Wide, seed: 1), 20, (point, trial) => trial == 3 ? double.NaN : trial);

        var (good, bad) = TpeSampler.Split(history);

        Assert.Equal(history.Take(2), good);
        Assert.Contains(history[3], bad);
        Assert.Equal(18, bad.Count);
    }

    [Fact]
    public void Options_out_of_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Samplers.Tpe(Spaces.Wide, 0, new TpeOptions(StartupTrials: -1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Samplers.Tpe(Spaces.Wide, 0, new TpeOptions(Candidates: 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Samplers.Tpe(Spaces.Wide, 0, new TpeOptions(PriorWeight: 0)));
    }
}

/// <summary>
/// A cheap stand-in for training: best at lr 0.003, batch 64 and Adam, with a little seeded noise as a real
/// validation loss has.
/// </summary>
internal static class Objective
{
    public static double Of(Hyperparameters point)
    {
        var lr = Math.Log10(point.LearningRate) - Math.Log10(0.003);
        return lr * lr + (point.BatchSize == 64 ? 0 : 0.3) + (point.Optimizer == OptimizerKind.Adam ? 0 : 0.5);
    }

    /// <summary>The objective plus N(0, 0.05²) noise, drawn from the run's seed and the trial's position.</summary>
    public static Func<Hyperparameters, int, double> Loss(int runSeed) =>
        (point, trial) => Of(point) + 0.05 * SplitMix64.ForTrial(runSeed, trial, stream: 0x4E4F495345UL).NextGaussian();
}
