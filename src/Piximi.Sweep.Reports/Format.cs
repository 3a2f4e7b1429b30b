using System.Globalization;
using System.Net;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Reports;

/// <summary>How numbers look in every rendering (invariant culture, always), so a value reads the same everywhere.</summary>
internal static class Format
{
    public static string Rate(double learningRate) => learningRate.ToString("G6", CultureInfo.InvariantCulture);

    public static string Metric(double? value) => value is { } v
        ? double.IsFinite(v) ? v.ToString("F4", CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture)
        : "–";

    public static string Seconds(double seconds) => seconds.ToString("F1", CultureInfo.InvariantCulture) + " s";

    /// <summary>Hours, minutes and seconds for totals a person reads ("2 h 05 min"), seconds kept for short ones.</summary>
    public static string Duration(double seconds)
    {
        var span = TimeSpan.FromSeconds(seconds);
        return span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes:00} min"
            : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes} min {span.Seconds:00} s"
            : Seconds(seconds);
    }

    /// <summary>Round-trip text of a number: what CSV and JSON hold, so parsing it back gives the stored double.</summary>
    public static string Exact(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Percent(double fraction) => (fraction * 100).ToString("F1", CultureInfo.InvariantCulture) + " %";

    public static string State(TrialState state) => state.ToString().ToLowerInvariant();

    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "–";

    public static string Epochs(Hyperparameters hp) =>
        hp.TimeBudget is { } budget ? $"{Int(hp.Epochs)} (≤ {Duration(budget.TotalSeconds)})" : Int(hp.Epochs);

    /// <summary>A trial's settings in one line (Piximi's enum names, as sweep files spell them).</summary>
    public static string Settings(Hyperparameters hp) =>
        $"{hp.Optimizer}, {hp.Loss}, learning rate {Rate(hp.LearningRate)}, batch size {Int(hp.BatchSize)}, {Epochs(hp)} epochs";
}

internal static class Html
{
    /// <summary>Text and attribute values: &amp; &lt; &gt; &quot; &#39; escaped, so no sweep, path or class name can become markup.</summary>
    public static string Escape(string? text) => WebUtility.HtmlEncode(text ?? "");
}
