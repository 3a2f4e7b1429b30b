namespace Piximi.Sweep.Core;

/// <summary>
/// A <see cref="ParameterSpace"/> checked once for sampling: its learning rates become a continuous range, held in
/// log space because that is where both samplers draw (a learning rate's effect scales with its order of magnitude).
/// </summary>
internal sealed record SamplingSpace(ParameterSpace Space, double MinLearningRate, double MaxLearningRate)
{
    public double LogLow => Math.Log(MinLearningRate);

    public double LogHigh => Math.Log(MaxLearningRate);

    /// <summary>One learning rate only: the range is a point, and both samplers propose that value exactly.</summary>
    public bool FixedLearningRate => MinLearningRate == MaxLearningRate;

    public static SamplingSpace Of(ParameterSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        space.RequireEveryList("a sampler");
        foreach (var rate in space.LearningRates)
        {
            // NaN fails both comparisons, so it is refused here too.
            if (!(rate > 0 && rate <= 1))
            {
                throw new ArgumentException($"Learning rate {rate} is outside (0, 1]; a log-uniform range needs positive bounds.", nameof(space));
            }
        }
        return new SamplingSpace(space, space.LearningRates.Min(), space.LearningRates.Max());
    }

    /// <summary>Maps a log-space draw back, kept inside the range (exp(log(x)) may miss x by an ulp).</summary>
    public double LearningRateAt(double logValue) =>
        FixedLearningRate ? MinLearningRate : Math.Clamp(Math.Exp(logValue), MinLearningRate, MaxLearningRate);
}
