namespace Piximi.Sweep.Core;

/// <summary>
/// Optuna's TPESampler with its defaults and <c>multivariate=False</c>: each parameter is chosen on its own from
/// the good observations' estimator l(x) against the bad ones' g(x). See <see cref="Samplers.Tpe"/>.
/// </summary>
internal sealed class TpeSampler(SamplingSpace space, int seed, TpeOptions options, RandomSampler startup) : ISampler
{
    /// <summary>"TPE_____": a stream apart from the random sampler's, which the startup proposals use.</summary>
    private const ulong Stream = 0x5450455F5F5F5F5FUL;

    private readonly SamplingSpace _space = space;
    private readonly int _seed = seed;
    private readonly TpeOptions _options = options;
    private readonly RandomSampler _startup = startup;

    public Hyperparameters Propose(IReadOnlyList<Observation> history, int position)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        // Too few observations to tell good from bad (none at all, even with no startup trials): explore, with exactly
        // the random sampler's proposals.
        if (history.Count < _options.StartupTrials || history.Count == 0) return _startup.ProposeAt(position);

        var rng = SplitMix64.ForTrial(_seed, position, Stream);
        var (good, bad) = Split(history);
        var space = _space.Space;
        var optimizer = ChooseCategory(space.Optimizers, good, bad, point => point.Optimizer, rng);
        var loss = ChooseCategory(space.Losses, good, bad, point => point.Loss, rng);
        var learningRate = _space.Distribution == LearningRateDistribution.Values
            ? ChooseCategory(space.LearningRates, good, bad, point => point.LearningRate, rng)
            : ChooseLearningRate(good, bad, rng);
        var batchSize = ChooseCategory(space.BatchSizes, good, bad, point => point.BatchSize, rng);
        var epochs = ChooseCategory(space.Epochs, good, bad, point => point.Epochs, rng);
        // The seed is a replicate, not a setting: "good" seeds are luck, and tuning for them would fit noise.
        var trialSeed = RandomSampler.Pick(space.Seeds, rng);
        // A category like the optimizer, chosen last so that sweeps of one model (which draw nothing here) get the
        // very proposals they got before models were a parameter.
        var model = ChooseCategory(space.ModelList, good, bad, point => point.Model, rng);
        return new Hyperparameters(optimizer, loss, learningRate, batchSize, epochs, space.TimeBudget, trialSeed) { Model = model };
    }

    /// <summary>
    /// The γ(n) = min(⌈0.1·n⌉, 25) lowest losses are good (ties to the earlier trial), the rest bad; each group is
    /// returned in trial order, which the weights follow. NaN losses rank last.
    /// </summary>
    internal static (IReadOnlyList<Observation> Good, IReadOnlyList<Observation> Bad) Split(IReadOnlyList<Observation> history)
    {
        var goodCount = Gamma(history.Count);
        var ranked = Enumerable.Range(0, history.Count)
            .OrderBy(i => double.IsNaN(history[i].Loss) ? double.PositiveInfinity : history[i].Loss)
            .ThenBy(i => i)
            .ToArray();
        var good = ranked.Take(goodCount).Order().Select(i => history[i]).ToArray();
        var bad = ranked.Skip(goodCount).Order().Select(i => history[i]).ToArray();
        return (good, bad);
    }

    internal static int Gamma(int count) => Math.Min((int)Math.Ceiling(0.1 * count), 25);

    /// <summary>
    /// Optuna's default_weights: equal for fewer than 25 observations; beyond, the 25 latest weigh 1 and older ones
    /// ramp linearly from 1/n, so the estimators follow the later, better-informed part of the sweep.
    /// </summary>
    internal static double[] ObservationWeights(int count)
    {
        var weights = new double[count];
        Array.Fill(weights, 1.0);
        var ramp = count - 25;
        for (var i = 0; i < ramp; i++)
        {
            weights[i] = ramp == 1 ? 1.0 / count : 1.0 / count + i * (1.0 - 1.0 / count) / (ramp - 1);
        }
        return weights;
    }

    private double ChooseLearningRate(IReadOnlyList<Observation> good, IReadOnlyList<Observation> bad, SplitMix64 rng)
    {
        if (_space.FixedLearningRate) return _space.MinLearningRate;
        // Fitted on the scale the prior is uniform on: logs for log-uniform, the rates themselves for uniform.
        var low = _space.ScaledLow;
        var high = _space.ScaledHigh;
        var l = FitLearningRates(good, low, high);
        var g = FitLearningRates(bad, low, high);
        var best = double.NaN;
        var bestScore = double.NegativeInfinity;
        for (var i = 0; i < _options.Candidates; i++)
        {
            var candidate = l.Sample(rng);
            var score = l.LogPdf(candidate) - g.LogPdf(candidate);
            if (score > bestScore || double.IsNaN(best))
            {
                best = candidate;
                bestScore = score;
            }
        }
        return _space.LearningRateAtScaled(best);
    }

    private ParzenEstimator FitLearningRates(IReadOnlyList<Observation> observations, double low, double high)
    {
        // Rates outside the range (the space was narrowed after they ran) say nothing about it; they are left out.
        var scaled = observations
            .Select(o => o.Point.LearningRate)
            .Where(rate => rate >= _space.MinLearningRate && rate <= _space.MaxLearningRate)
            .Select(rate => Math.Clamp(_space.Scale(rate), low, high))
            .ToArray();
        return ParzenEstimator.Fit(scaled, ObservationWeights(scaled.Length), low, high, _options.PriorWeight);
    }

    private T ChooseCategory<T>(
        IReadOnlyList<T> choices,
        IReadOnlyList<Observation> good,
        IReadOnlyList<Observation> bad,
        Func<Hyperparameters, T> valueOf,
        SplitMix64 rng)
    {
        if (choices.Count == 1) return choices[0];
        var l = CategoryProbabilities(choices, good, valueOf, _options.PriorWeight);
        var g = CategoryProbabilities(choices, bad, valueOf, _options.PriorWeight);
        var best = -1;
        var bestScore = double.NegativeInfinity;
        for (var i = 0; i < _options.Candidates; i++)
        {
            var candidate = Categorical.Sample(l, rng);
            var score = Math.Log(l[candidate]) - Math.Log(g[candidate]);
            if (score > bestScore || best < 0)
            {
                best = candidate;
                bestScore = score;
            }
        }
        return choices[best];
    }

    /// <summary>
    /// Optuna's categorical Parzen estimator: each observation is a kernel with 1 on its category plus
    /// prior_weight / kernels on every category, the prior a uniform kernel; the mixture, weighted as for floats,
    /// is a smoothed frequency that never gives a category zero.
    /// </summary>
    internal static double[] CategoryProbabilities<T>(
        IReadOnlyList<T> choices, IReadOnlyList<Observation> observations, Func<Hyperparameters, T> valueOf, double priorWeight)
    {
        var comparer = EqualityComparer<T>.Default;
        var indices = new List<int>();
        foreach (var observation in observations)
        {
            var value = valueOf(observation.Point);
            var index = -1;
            for (var c = 0; c < choices.Count && index < 0; c++)
            {
                if (comparer.Equals(choices[c], value)) index = c;
            }
            // A value no longer in the space's list says nothing about the ones that are.
            if (index >= 0) indices.Add(index);
        }

        var probabilities = new double[choices.Count];
        if (indices.Count == 0)
        {
            Array.Fill(probabilities, 1.0 / choices.Count);
            return probabilities;
        }

        var kernels = indices.Count + 1;
        var smoothing = priorWeight / kernels;
        var kernelTotal = 1.0 + smoothing * choices.Count;
        var weights = ObservationWeights(indices.Count);
        var weightTotal = weights.Sum() + priorWeight;
        for (var k = 0; k < indices.Count; k++)
        {
            var weight = weights[k] / weightTotal;
            for (var c = 0; c < choices.Count; c++) probabilities[c] += weight * smoothing / kernelTotal;
            probabilities[indices[k]] += weight / kernelTotal;
        }
        for (var c = 0; c < choices.Count; c++) probabilities[c] += priorWeight / weightTotal / choices.Count;
        return probabilities;
    }
}
