namespace Piximi.Sweep.Core;

/// <summary>
/// A <see cref="ParameterSpace"/> checked once for sampling: its learning rates become a continuous range, held in
/// log space because that is where both samplers draw by default (a learning rate's effect scales with its order of
/// magnitude); <see cref="ParameterSpace.LearningRateDistribution"/> may ask for a linear range or the listed values.
/// </summary>
internal sealed record SamplingSpace(ParameterSpace Space, double MinLearningRate, double MaxLearningRate)
{
    public double LogLow => Math.Log(MinLearningRate);

    public double LogHigh => Math.Log(MaxLearningRate);

    public LearningRateDistribution Distribution => Space.LearningRateDistribution;

    /// <summary>The learning rate is drawn from a continuous range, in log space (log-uniform) or linear (uniform).</summary>
    public bool ContinuousLearningRate => Distribution != LearningRateDistribution.Values && !FixedLearningRate;

    /// <summary>The range's ends on the scale the distribution is uniform on: logs for log-uniform, else the rates.</summary>
    public double ScaledLow => Distribution == LearningRateDistribution.Uniform ? MinLearningRate : LogLow;

    /// <inheritdoc cref="ScaledLow"/>
    public double ScaledHigh => Distribution == LearningRateDistribution.Uniform ? MaxLearningRate : LogHigh;

    /// <summary>A rate on the distribution's scale (see <see cref="ScaledLow"/>) mapped back, kept inside the range.</summary>
    public double LearningRateAtScaled(double scaled) =>
        Distribution == LearningRateDistribution.Uniform
            ? (FixedLearningRate ? MinLearningRate : Math.Clamp(scaled, MinLearningRate, MaxLearningRate))
            : LearningRateAt(scaled);

    /// <summary>A rate mapped to the distribution's scale.</summary>
    public double Scale(double rate) => Distribution == LearningRateDistribution.Uniform ? rate : Math.Log(rate);

    /// <summary>One learning rate only: the range is a point, and both samplers propose that value exactly.</summary>
    public bool FixedLearningRate => MinLearningRate == MaxLearningRate;

    public static SamplingSpace Of(ParameterSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        space.RequireEveryList("a sampler");
        foreach (var rate in space.LearningRates)
        {
            if (!HyperparameterLimits.IsLearningRate(rate))
            {
                throw new ArgumentException($"Learning rate {rate} is outside (0, 1]; a log-uniform range needs positive bounds.", nameof(space));
            }
        }
        if (!Enum.IsDefined(space.LearningRateDistribution))
        {
            throw new ArgumentException($"Learning rate distribution {space.LearningRateDistribution} is not one of {string.Join(", ", Enum.GetNames<LearningRateDistribution>())}.", nameof(space));
        }
        return new SamplingSpace(space, space.LearningRates.Min(), space.LearningRates.Max());
    }

    /// <summary>Maps a log-space draw back, kept inside the range (exp(log(x)) may miss x by an ulp).</summary>
    public double LearningRateAt(double logValue) =>
        FixedLearningRate ? MinLearningRate : Math.Clamp(Math.Exp(logValue), MinLearningRate, MaxLearningRate);
}
