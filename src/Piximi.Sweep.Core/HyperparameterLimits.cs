namespace Piximi.Sweep.Core;

/// <summary>
/// What Piximi's guide allows a learning rate to be ("between just above 0 and 1"): one definition that the sweep-file
/// readers, the ladders, the samplers, the trainer and <c>init</c> all check against, so a rate one of them accepts is
/// never refused by another.
/// </summary>
public static class HyperparameterLimits
{
    /// <summary>The smallest learning rate allowed: just above 0.</summary>
    public const double MinLearningRate = double.Epsilon;

    /// <summary>The largest learning rate allowed.</summary>
    public const double MaxLearningRate = 1;

    /// <summary>The range, as messages say it.</summary>
    public const string LearningRateAllowed = "> 0 and ≤ 1";

    /// <summary>Whether <paramref name="rate"/> is a learning rate Piximi allows (NaN and infinities are not).</summary>
    public static bool IsLearningRate(double rate) => rate is >= MinLearningRate and <= MaxLearningRate;
}
