using System.Globalization;
using System.Runtime.InteropServices;

namespace Piximi.Sweep.Core;

/// <summary>Checks and reads shared by the pruners, so each refuses a malformed question the same way.</summary>
internal static class PrunerInputs
{
    public static double OwnValue(long trialId, int epoch, IReadOnlyDictionary<long, IReadOnlyList<double>> valuesByTrial)
    {
        ArgumentNullException.ThrowIfNull(valuesByTrial);
        ArgumentOutOfRangeException.ThrowIfLessThan(epoch, 1);
        if (!valuesByTrial.TryGetValue(trialId, out var own))
            throw new ArgumentException($"trial {trialId} has no stored epochs", nameof(valuesByTrial));
        if (own.Count < epoch)
            throw new ArgumentException($"trial {trialId} has {own.Count} stored epochs, not epoch {epoch}", nameof(valuesByTrial));
        return own[epoch - 1];
    }

    /// <summary>The value after <paramref name="epoch"/> of every other trial that got that far.</summary>
    public static List<double> OthersAt(long trialId, int epoch, IReadOnlyDictionary<long, IReadOnlyList<double>> valuesByTrial) =>
        valuesByTrial.Where(kv => kv.Key != trialId && kv.Value.Count >= epoch).Select(kv => kv.Value[epoch - 1]).ToList();

    /// <summary>
    /// The <paramref name="k"/>-th smallest of <paramref name="values"/> (0-based: what <c>values.Order().ElementAt(k)</c>
    /// gives), in time linear on average (Hoare's selection), reordering <paramref name="values"/>: a decision at a rung
    /// that every trial of the sweep reaches must not sort the whole rung. No NaN: callers map or drop them first.
    /// </summary>
    public static double KthSmallest(List<double> values, int k)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(k, values.Count);
        var span = CollectionsMarshal.AsSpan(values);
        int lo = 0, hi = span.Length - 1;
        while (lo < hi)
        {
            var pivot = span[lo + (hi - lo) / 2];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (span[i] < pivot) i++;
                while (span[j] > pivot) j--;
                if (i <= j)
                {
                    (span[i], span[j]) = (span[j], span[i]);
                    i++;
                    j--;
                }
            }
            // Now span[lo..j] ≤ pivot ≤ span[i..hi], and anything between j and i equals the pivot.
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return span[k];
        }
        return span[k];
    }

    /// <summary>Shortest round-trip form, culture-free, so reasons read the same on every machine.</summary>
    public static string Show(double value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// How a pruner's reason words its values. Pruners judge losses (lower is better), so a sweep ranked by an accuracy
/// hands them −accuracy; a reason that printed those would read "−0.837 > cut-off −0.849". With the sweep's metric,
/// values are shown as the metric (0.8373) and compared in words; without it (<see cref="Raw"/>), as the loss.
/// </summary>
internal sealed record ValueWords(string? Metric)
{
    public static ValueWords Raw { get; } = new((string?)null);

    public static ValueWords For(string? metric) => metric is null ? Raw : new ValueWords(metric);

    public string Compare(double own, double reference, bool worse, string referenceName) => Metric is null
        ? $"{PrunerInputs.Show(own)} {(worse ? ">" : "≤")} {referenceName} {PrunerInputs.Show(reference)}"
        : $"{Metric} {Show(own)}, {(worse ? "worse than" : "no worse than")} the {referenceName} {Show(reference)}";

    private string Show(double loss) => Display.Metric(Metric is not null && MetricNames.HigherIsBetter(Metric) ? -loss : loss);
}
