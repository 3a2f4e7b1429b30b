using System.Globalization;

namespace Piximi.Sweep.Core;

/// <summary>Deadlines as users write them: a time of day (<c>07:00</c>) or an ISO 8601 date and time.</summary>
public static class Deadlines
{
    public const string Allowed = "a time of day like 07:00 (the next one), or an ISO date and time like 2026-12-01T07:00";

    /// <summary>
    /// A time of day means its next occurrence in local time: today if still ahead of <paramref name="now"/>, else
    /// tomorrow. A date and time without an offset is local.
    /// </summary>
    public static bool TryParse(string text, DateTimeOffset now, out DateTimeOffset deadline)
    {
        text = text.Trim();
        if (TimeOnly.TryParseExact(text, ["HH:mm", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            var local = now.ToLocalTime();
            var today = new DateTimeOffset(local.Date + time.ToTimeSpan(), local.Offset);
            deadline = today > now ? today : today.AddDays(1);
            return true;
        }
        // A date and time, not a bare number or date: "7" or "2026-12-01" alone are more likely mistakes.
        if (text.Contains('T') || text.Contains(' '))
            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out deadline);
        deadline = default;
        return false;
    }
}
