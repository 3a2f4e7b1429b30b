using System.Globalization;

namespace Piximi.Sweep.Core;

/// <summary>
/// The value ladders of Piximi's guide: learning rates in 3-fold steps (… 0.01, 0.03, 0.1 …) and batch sizes in
/// 2-fold steps (16, 32, 64 …).
/// </summary>
public static class Ladders
{
    /// <summary>Ends within this relative distance of a ladder value count as on it (0.0299999999 reaches 0.03).</summary>
    private const double Tolerance = 1e-9;

    /// <summary>
    /// Every value 1·10^k or 3·10^k in [<paramref name="from"/>, <paramref name="to"/>], ascending; empty when no ladder
    /// value lies in the range (e.g. 0.04 to 0.05). Each value is the double nearest to its decimal (0.3, never
    /// 0.30000000000000004), so it prints, stores and compares as the user would write it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Unless 0 &lt; from ≤ to ≤ 1.</exception>
    public static IReadOnlyList<double> LearningRates(double from, double to)
    {
        if (!HyperparameterLimits.IsLearningRate(from)) throw new ArgumentOutOfRangeException(nameof(from), from, $"Must be {HyperparameterLimits.LearningRateAllowed}.");
        if (!HyperparameterLimits.IsLearningRate(to)) throw new ArgumentOutOfRangeException(nameof(to), to, $"Must be {HyperparameterLimits.LearningRateAllowed}.");
        if (from > to) throw new ArgumentOutOfRangeException(nameof(from), from, $"Must be ≤ to ({to}).");

        var low = from * (1 - Tolerance);
        var high = to * (1 + Tolerance);
        var values = new List<double>();
        // One decade below from's, so a from just above a ladder value (within the tolerance) still starts there.
        for (var exponent = (int)Math.Floor(Math.Log10(from)) - 1; exponent <= 0; exponent++)
        {
            foreach (var mantissa in (ReadOnlySpan<int>)[1, 3])
            {
                // Parsing "3e-1" is correctly rounded, unlike 3 * Math.Pow(10, -1) = 0.30000000000000004.
                var value = double.Parse($"{mantissa}e{exponent}", CultureInfo.InvariantCulture);
                if (value > 0 && value >= low && value <= high) values.Add(value);
            }
        }
        return values;
    }

    /// <summary><paramref name="from"/>, 2·from, 4·from … up to and including <paramref name="to"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Unless 1 ≤ from ≤ to.</exception>
    public static IReadOnlyList<int> BatchSizes(int from, int to)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(from, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(to, from);

        var values = new List<int>();
        for (long value = from; value <= to; value *= 2) values.Add((int)value); // long: doubling near int.MaxValue
        return values;
    }
}
