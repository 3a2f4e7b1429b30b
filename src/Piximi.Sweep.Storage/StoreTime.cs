using System.Globalization;

namespace Piximi.Sweep.Storage;

/// <summary>
/// Timestamps as stored: ISO-8601 UTC text to the millisecond (<c>2026-11-29T18:50:48.123Z</c>). It sorts as text,
/// reads as a time in a SQL shell, and SQLite's date functions accept it. Times are cut to the millisecond before
/// they are stored, so what a store returns is what a later read returns.
/// </summary>
internal static class StoreTime
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static string Now() => ToText(DateTimeOffset.UtcNow);

    public static string ToText(DateTimeOffset time) =>
        time.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string text) =>
        new(DateTime.ParseExact(
            text,
            Format,
            CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));

    public static DateTimeOffset? ParseOrNull(string? text) => text is null ? null : Parse(text);
}
