using System.Globalization;
using System.Net;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Reports;

/// <summary>What only the reports show; hyperparameters and metrics read as <see cref="Display"/> shows them.</summary>
internal static class Format
{
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

    public static string Percent(double fraction) => (fraction * 100).ToString("F1", CultureInfo.InvariantCulture) + " %";

    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "–";
}

internal static class Html
{
    /// <summary>Text and attribute values: &amp; &lt; &gt; &quot; &#39; escaped, so no sweep, path or class name can become markup.</summary>
    public static string Escape(string? text) => WebUtility.HtmlEncode(text ?? "");
}
