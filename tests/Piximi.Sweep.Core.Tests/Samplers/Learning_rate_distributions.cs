namespace Piximi.Sweep.Core.Tests;

public sealed class Learning_rate_distributions
{
    private static ParameterSpace With(LearningRateDistribution distribution, params double[] rates) =>
        Spaces.Wide with { LearningRates = rates, LearningRateDistribution = distribution };

    private static double[] RandomRates(ParameterSpace space, int count = 4000) =>
        [.. Spaces.Run(Samplers.Random(space, seed: 3), count, Spaces.Flat).Select(o => o.Point.LearningRate)];

    [Fact]
    public void Log_uniform_is_the_default_and_is_left_out_of_the_stored_definition()
    {
        Assert.Equal(LearningRateDistribution.LogUniform, Spaces.Wide.LearningRateDistribution);
        var definition = new SweepDefinition("s", new DatasetSpec("idx", "/i", "/l", 0.75, null), ModelKind.SimpleCNN, "val_accuracy", Spaces.Wide);
        Assert.DoesNotContain("distribution", SweepJson.Serialize(definition));

        var uniform = definition with { Parameters = With(LearningRateDistribution.Uniform, 0.1, 0.5) };
        Assert.Contains("\"learning_rate_distribution\":\"Uniform\"", SweepJson.Serialize(uniform));
        Assert.Equal(LearningRateDistribution.Uniform, SweepJson.Deserialize(SweepJson.Serialize(uniform)).Parameters.LearningRateDistribution);
    }

    [Fact]
    public void Uniform_draws_spread_evenly_over_the_range_not_by_order_of_magnitude()
    {
        var rates = RandomRates(With(LearningRateDistribution.Uniform, 0.001, 1));

        Assert.All(rates, r => Assert.InRange(r, 0.001, 1));
        // Uniform: about half above the middle; log-uniform would put about 10 % above 0.5 and a third below 0.01.
        Assert.InRange(rates.Count(r => r > 0.5005) / (double)rates.Length, 0.46, 0.54);
        Assert.InRange(rates.Count(r => r < 0.01) / (double)rates.Length, 0.0, 0.02);
    }

    [Fact]
    public void Log_uniform_draws_spread_evenly_over_the_orders_of_magnitude()
    {
        var rates = RandomRates(With(LearningRateDistribution.LogUniform, 0.001, 1));

        Assert.InRange(rates.Count(r => r < 0.01) / (double)rates.Length, 0.30, 0.37);
    }

    [Fact]
    public void Values_draws_only_the_listed_rates_each_about_equally_often()
    {
        var rates = RandomRates(With(LearningRateDistribution.Values, 0.001, 0.01, 0.1));

        Assert.All(rates, r => Assert.Contains(r, new[] { 0.001, 0.01, 0.1 }));
        foreach (var rate in new[] { 0.001, 0.01, 0.1 })
            Assert.InRange(rates.Count(r => r == rate) / (double)rates.Length, 0.30, 0.37);
    }

    [Fact]
    public void Tpe_keeps_to_the_listed_rates_and_within_a_uniform_range()
    {
        var listed = Spaces.Run(Samplers.Tpe(With(LearningRateDistribution.Values, 0.001, 0.01, 0.1), seed: 5), 40, Objective.Loss(5));
        Assert.All(listed, o => Assert.Contains(o.Point.LearningRate, new[] { 0.001, 0.01, 0.1 }));

        var uniform = Spaces.Run(Samplers.Tpe(With(LearningRateDistribution.Uniform, 0.2, 0.6), seed: 5), 40, Objective.Loss(5));
        Assert.All(uniform, o => Assert.InRange(o.Point.LearningRate, 0.2, 0.6));
    }

    [Fact]
    public void Tpe_fits_a_uniform_range_in_linear_space_and_so_favours_what_did_well_there()
    {
        // Loss smallest near 0.55: after the startup trials, TPE's proposals should gather there.
        var space = With(LearningRateDistribution.Uniform, 0.05, 0.95);
        var history = Spaces.Run(Samplers.Tpe(space, seed: 1), 60, (p, _) => Math.Abs(p.LearningRate - 0.55));
        var late = history.Skip(30).Select(o => o.Point.LearningRate).ToArray();

        Assert.InRange(late.Count(r => Math.Abs(r - 0.55) < 0.15) / (double)late.Length, 0.5, 1.0);
    }
}
