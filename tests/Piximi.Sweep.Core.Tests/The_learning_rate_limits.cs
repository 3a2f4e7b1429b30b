namespace Piximi.Sweep.Core.Tests;

/// <summary>
/// One learning-rate range, the guide's (just above 0 up to 1), for everything that checks a rate: a rate one part
/// accepts is never refused by another (before, four checks held four ranges).
/// </summary>
public sealed class The_learning_rate_limits
{
    public static TheoryData<double, bool> Rates => new()
    {
        { double.Epsilon, true }, { 1e-6, true }, { 0.03, true }, { 1, true },
        { 0, false }, { -0.01, false }, { 1.0000001, false }, { 5, false },
        { double.NaN, false }, { double.PositiveInfinity, false },
    };

    [Theory]
    [MemberData(nameof(Rates))]
    public void Are_the_same_for_the_limits_the_ladders_and_the_samplers(double rate, bool allowed)
    {
        Assert.Equal(allowed, HyperparameterLimits.IsLearningRate(rate));
        Assert.Equal(allowed, Accepts(() => Ladders.LearningRates(rate, rate)));
        Assert.Equal(allowed, Accepts(() => Samplers.Random(
            new ParameterSpace([OptimizerKind.Adam], [LossKind.CategoricalCrossEntropy], [rate], [32], [2], null, [1]), seed: 1)));
    }

    private static bool Accepts(Action check)
    {
        try
        {
            check();
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
