using System.Globalization;

namespace Piximi.Sweep.Benchmarks;

/// <summary>The benchmarks' options: <c>--name value</c> pairs after the subcommand.</summary>
internal static class BenchArgs
{
    public static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    public static int IntOption(string[] args, string name, int fallback) =>
        Option(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
}

/// <summary>The benchmarks' summary figures.</summary>
internal static class Figures
{
    /// <summary>The median (the mean of the middle two of an even count); NaN when there are none.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
