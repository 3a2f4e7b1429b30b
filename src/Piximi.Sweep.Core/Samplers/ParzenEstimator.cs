namespace Piximi.Sweep.Core;

/// <summary>
/// A mixture of Gaussians truncated to [low, high], one at each observation plus a broad prior, built as Optuna's
/// <c>_ParzenEstimator</c> builds it for a univariate float (consider_prior, consider_magic_clip, no endpoints).
/// Works on whatever scale it is given; the TPE sampler gives it log learning rates.
/// </summary>
internal sealed class ParzenEstimator
{
    private readonly double _low;
    private readonly double _high;
    private readonly double[] _weights;
    private readonly double[] _logNormalisers;

    private ParzenEstimator(double low, double high, double[] mus, double[] sigmas, double[] weights)
    {
        _low = low;
        _high = high;
        Mus = mus;
        Sigmas = sigmas;
        _weights = weights;
        // Each kernel loses the mass outside [low, high]; dividing it back keeps every kernel a density on the range.
        _logNormalisers = new double[mus.Length];
        for (var k = 0; k < mus.Length; k++)
        {
            var mass = Normal.Cdf((high - mus[k]) / sigmas[k]) - Normal.Cdf((low - mus[k]) / sigmas[k]);
            _logNormalisers[k] = Math.Log(sigmas[k]) + 0.5 * Math.Log(2 * Math.PI) + Math.Log(mass);
        }
    }

    /// <summary>Kernel centres: the observations, then the prior's (the middle of the range).</summary>
    internal IReadOnlyList<double> Mus { get; }

    /// <summary>Kernel bandwidths, in the same order as <see cref="Mus"/>.</summary>
    internal IReadOnlyList<double> Sigmas { get; }

    /// <summary>Mixture weights, normalised, in the same order as <see cref="Mus"/>.</summary>
    internal IReadOnlyList<double> Weights => _weights;

    /// <param name="observations">Values in [low, high], in trial order (the order <paramref name="observationWeights"/> follows).</param>
    /// <param name="observationWeights">One weight per observation (Optuna's default_weights).</param>
    public static ParzenEstimator Fit(
        IReadOnlyList<double> observations, IReadOnlyList<double> observationWeights, double low, double high, double priorWeight)
    {
        var count = observations.Count;
        var range = high - low;
        var priorMu = 0.5 * (low + high);

        // Bandwidth: the larger gap to a neighbour among the sorted observations and the prior's centre, the range's
        // ends counting as neighbours; the outermost kernels use their inner gap only (consider_endpoints = false).
        var withPrior = observations.Append(priorMu).ToArray();
        var order = Enumerable.Range(0, withPrior.Length).OrderBy(i => withPrior[i]).ToArray(); // stable, as argsort needs here
        var points = new double[withPrior.Length + 2];
        points[0] = low;
        for (var i = 0; i < order.Length; i++) points[i + 1] = withPrior[order[i]];
        points[^1] = high;
        var sortedSigmas = new double[withPrior.Length];
        for (var i = 0; i < sortedSigmas.Length; i++)
        {
            sortedSigmas[i] = Math.Max(points[i + 1] - points[i], points[i + 2] - points[i + 1]);
        }
        if (points.Length >= 4)
        {
            sortedSigmas[0] = points[2] - points[1];
            sortedSigmas[^1] = points[^2] - points[^3];
        }

        // Optuna's "magic clip": no kernel wider than the range, none narrower than range / min(100, kernels + 1), so
        // a few close observations cannot collapse l(x) into spikes.
        var maxSigma = range;
        var minSigma = range / Math.Min(100.0, 1.0 + (count + 1));
        var mus = new double[count + 1];
        var sigmas = new double[count + 1];
        for (var i = 0; i < order.Length; i++)
        {
            var original = order[i];
            if (original < count) sigmas[original] = Math.Clamp(sortedSigmas[i], minSigma, maxSigma);
        }
        for (var i = 0; i < count; i++) mus[i] = observations[i];
        mus[count] = priorMu;
        sigmas[count] = range;

        var weights = new double[count + 1];
        for (var i = 0; i < count; i++) weights[i] = observationWeights[i];
        weights[count] = priorWeight;
        var total = weights.Sum();
        for (var i = 0; i < weights.Length; i++) weights[i] /= total;

        return new ParzenEstimator(low, high, mus, sigmas, weights);
    }

    /// <summary>A kernel by weight, then a draw from it truncated to the range.</summary>
    public double Sample(SplitMix64 rng)
    {
        var k = Categorical.Sample(_weights, rng);
        // Rejection is exact and cheap here: every centre lies in the range and every σ ≤ the range, so the range
        // holds at least Φ(1) − Φ(0) ≈ 34 % of any kernel's mass.
        while (true)
        {
            var x = Mus[k] + Sigmas[k] * rng.NextGaussian();
            if (x >= _low && x <= _high) return x;
        }
    }

    public double LogPdf(double x)
    {
        // log Σ w·N(x) by log-sum-exp: far from every kernel the plain sum underflows to 0 for both l and g.
        var terms = new double[_weights.Length];
        var max = double.NegativeInfinity;
        for (var k = 0; k < terms.Length; k++)
        {
            var z = (x - Mus[k]) / Sigmas[k];
            terms[k] = Math.Log(_weights[k]) - 0.5 * z * z - _logNormalisers[k];
            max = Math.Max(max, terms[k]);
        }
        var sum = 0.0;
        foreach (var term in terms) sum += Math.Exp(term - max);
        return max + Math.Log(sum);
    }
}

/// <summary>The standard normal's CDF; .NET has no erf.</summary>
internal static class Normal
{
    public static double Cdf(double z) => 0.5 * Erfc(-z / Math.Sqrt(2));

    /// <summary>
    /// Numerical Recipes' erfcc (Chebyshev fit): fractional error below 1.2e-7 everywhere, tails included, which is
    /// far finer than TPE's ratios need.
    /// </summary>
    public static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1.0 / (1.0 + 0.5 * z);
        var ans = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
            + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
            + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? ans : 2.0 - ans;
    }
}

internal static class Categorical
{
    /// <summary>An index drawn with probability proportional to <paramref name="weights"/> (which sum to about 1).</summary>
    public static int Sample(IReadOnlyList<double> weights, SplitMix64 rng)
    {
        var total = 0.0;
        foreach (var weight in weights) total += weight;
        var u = rng.NextDouble() * total;
        for (var i = 0; i < weights.Count; i++)
        {
            u -= weights[i];
            if (u < 0) return i;
        }
        // Rounding can leave u a hair above the last weight; the last non-zero index is then the draw.
        for (var i = weights.Count - 1; i > 0; i--)
        {
            if (weights[i] > 0) return i;
        }
        return 0;
    }
}
