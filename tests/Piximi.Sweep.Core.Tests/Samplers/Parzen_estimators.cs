namespace Piximi.Sweep.Core.Tests;

public sealed class Parzen_estimators
{
    [Fact]
    public void Bandwidths_follow_optunas_neighbour_gaps_and_magic_clip()
    {
        // By hand, as Optuna computes them: sorted with the prior's centre 0.5 and the ends: 0 | 0.2 0.5 0.6 | 1.
        // 0.2 is outermost: its inner gap 0.3. 0.6 is outermost: its inner gap 0.1, clipped up to 1 / (1 + 3) = 0.25.
        var estimator = ParzenEstimator.Fit([0.2, 0.6], [1.0, 1.0], low: 0, high: 1, priorWeight: 1);

        Assert.Equal([0.2, 0.6, 0.5], estimator.Mus);
        Assert.Equal(0.3, estimator.Sigmas[0], 12);
        Assert.Equal(0.25, estimator.Sigmas[1], 12);
        Assert.Equal(1.0, estimator.Sigmas[2], 12);
        Assert.Equal([1 / 3.0, 1 / 3.0, 1 / 3.0], estimator.Weights);
    }

    [Fact]
    public void The_truncated_mixture_is_a_density_on_its_range()
    {
        var estimator = ParzenEstimator.Fit([-9.0, -8.7, -4.0], [1.0, 1.0, 1.0], low: -11.5, high: -2.3, priorWeight: 1);

        // Midpoint rule over the range: the kernels' mass outside it must have been divided back in.
        const int Steps = 20_000;
        var width = (-2.3 - -11.5) / Steps;
        var integral = Enumerable.Range(0, Steps).Sum(i => Math.Exp(estimator.LogPdf(-11.5 + (i + 0.5) * width)) * width);

        Assert.Equal(1.0, integral, 4);
    }

    [Fact]
    public void Samples_stay_in_the_range_and_gather_where_the_density_is()
    {
        var estimator = ParzenEstimator.Fit([0.1, 0.12, 0.15], [1.0, 1.0, 1.0], low: 0, high: 1, priorWeight: 1);
        var rng = new SplitMix64(42);

        var samples = Enumerable.Range(0, 4000).Select(_ => estimator.Sample(rng)).ToArray();

        Assert.All(samples, x => Assert.InRange(x, 0, 1));
        // Three of four kernels sit near 0.12 with σ = 0.2: well over half the draws fall below 0.4.
        Assert.True(samples.Count(x => x < 0.4) > 0.6 * samples.Length);
    }

    [Fact]
    public void The_normal_cdf_matches_known_values()
    {
        Assert.Equal(0.5, Normal.Cdf(0), 7);
        Assert.Equal(0.975002104851780, Normal.Cdf(1.96), 7);
        Assert.Equal(0.841344746068543, Normal.Cdf(1), 7);
        Assert.Equal(1.0 - 0.841344746068543, Normal.Cdf(-1), 7);
        // Relative accuracy in the tail: Φ(−6) ≈ 9.8659e-10.
        Assert.Equal(9.865876450377e-10, Normal.Cdf(-6), 1e-15);
    }

    [Fact]
    public void Smoothed_category_frequencies_favour_the_observed_category_and_never_exclude_one()
    {
        Hyperparameters With(OptimizerKind optimizer) => new(optimizer, LossKind.Hinge, 0.01, 32, 5, null, 0);
        var observations = new[] { With(OptimizerKind.Adam), With(OptimizerKind.Adam), With(OptimizerKind.RMSProp) }
            .Select(p => new Observation(p, 0)).ToArray();
        OptimizerKind[] choices = [OptimizerKind.Adam, OptimizerKind.RMSProp, OptimizerKind.Momentum];

        var probabilities = TpeSampler.CategoryProbabilities(choices, observations, p => p.Optimizer, priorWeight: 1);

        // By hand: 4 kernels, smoothing 1/4 each, kernel total 1.75; weights 1/4 each (three observations and the prior).
        Assert.Equal(1.0, probabilities.Sum(), 12);
        Assert.Equal(0.25 * (2 * 1.25 / 1.75 + 0.25 / 1.75) + 0.25 / 3, probabilities[0], 12);
        Assert.Equal(0.25 * (1.25 / 1.75 + 2 * 0.25 / 1.75) + 0.25 / 3, probabilities[1], 12);
        Assert.Equal(0.25 * (3 * 0.25 / 1.75) + 0.25 / 3, probabilities[2], 12);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(10, 1)]
    [InlineData(11, 2)]
    [InlineData(100, 10)]
    [InlineData(1000, 25)]
    public void Gamma_takes_a_tenth_rounded_up_and_at_most_25(int count, int good)
    {
        Assert.Equal(good, TpeSampler.Gamma(count));
    }

    [Fact]
    public void Observation_weights_are_flat_up_to_25_then_ramp_the_oldest()
    {
        Assert.Equal(Enumerable.Repeat(1.0, 24), TpeSampler.ObservationWeights(24));

        var weights = TpeSampler.ObservationWeights(30);

        // numpy.linspace(1/30, 1, 5) then 25 ones.
        Assert.Equal(1 / 30.0, weights[0], 12);
        Assert.Equal(1 / 30.0 + (1 - 1 / 30.0) / 4, weights[1], 12);
        Assert.Equal(1.0, weights[4], 12);
        Assert.All(weights[5..], w => Assert.Equal(1.0, w));
    }
}
