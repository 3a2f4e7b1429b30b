namespace Piximi.Sweep.Reports;

/// <summary>How the reports and the dashboard draw a few of many trials: the best first, then an even sample of the rest.</summary>
internal static class Sampling
{
    /// <summary><paramref name="count"/> items spread evenly over <paramref name="items"/>, in its order (all of them when there are no more).</summary>
    public static IEnumerable<T> Evenly<T>(IReadOnlyList<T> items, int count)
    {
        if (items.Count <= count)
        {
            foreach (var item in items) yield return item;
            yield break;
        }
        for (var i = 0; i < count; i++) yield return items[(int)((long)i * items.Count / count)];
    }
}
