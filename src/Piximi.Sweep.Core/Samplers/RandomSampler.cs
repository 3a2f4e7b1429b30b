namespace Piximi.Sweep.Core;

/// <summary>Uniform over each list, the learning rate as its space's distribution says (log-uniform by default); see <see cref="Samplers.Random"/>.</summary>
internal sealed class RandomSampler(SamplingSpace space, int seed) : ISampler
{
    /// <summary>"RANDOM_1": keeps these draws apart from any other sampler's stream under the same seed.</summary>
    private const ulong Stream = 0x52414E444F4D5F31UL;

    private readonly SamplingSpace _space = space;
    private readonly int _seed = seed;

    public Hyperparameters Propose(IReadOnlyList<Observation> history, int position)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        return ProposeAt(position);
    }

    /// <summary>The proposal for the trial at position <paramref name="trial"/> of the sweep.</summary>
    internal Hyperparameters ProposeAt(int trial)
    {
        var rng = SplitMix64.ForTrial(_seed, trial, Stream);
        var space = _space.Space;
        // The draw order is part of the sequence a seed means: changing it changes every sweep's proposals.
        var optimizer = Pick(space.Optimizers, rng);
        var loss = Pick(space.Losses, rng);
        var learningRate = _space.Distribution == LearningRateDistribution.Values
            ? Pick(space.LearningRates, rng)
            : _space.LearningRateAtScaled(_space.ScaledLow + rng.NextDouble() * (_space.ScaledHigh - _space.ScaledLow));
        var batchSize = Pick(space.BatchSizes, rng);
        var epochs = Pick(space.Epochs, rng);
        var trialSeed = Pick(space.Seeds, rng);
        // Last, and only when there is a choice: sweeps of one model get the very draws they got before models were
        // a parameter.
        var model = space.ModelList.Count > 1 ? Pick(space.ModelList, rng) : space.ModelList[0];
        return new Hyperparameters(optimizer, loss, learningRate, batchSize, epochs, space.TimeBudget, trialSeed) { Model = model };
    }

    internal static T Pick<T>(IReadOnlyList<T> values, SplitMix64 rng) => values[rng.NextInt(values.Count)];
}
