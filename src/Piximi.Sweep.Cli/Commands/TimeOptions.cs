using System.Globalization;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Cli.Commands;

/// <summary>Parsing the times and durations the command line takes.</summary>
internal static class TimeOptions
{
    public static DateTimeOffset ParseDeadline(string text, DateTimeOffset now, string option = "--deadline") =>
        Deadlines.TryParse(text, now, out var deadline)
            ? deadline
            : throw new UserErrorException($"{option} '{text}' is not understood; allowed: {Deadlines.Allowed}.");

    /// <summary>A duration: <c>90s</c>, <c>5m</c>, <c>1h</c>, or plain seconds.</summary>
    public static TimeSpan ParseDuration(string text, string option)
    {
        var unit = text.Length > 0 ? text[^1] : ' ';
        var number = char.IsLetter(unit) ? text[..^1] : text;
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && double.IsFinite(value))
        {
            switch (char.IsLetter(unit) ? unit : 's')
            {
                case 's': return TimeSpan.FromSeconds(value);
                case 'm': return TimeSpan.FromMinutes(value);
                case 'h': return TimeSpan.FromHours(value);
            }
        }
        throw new UserErrorException($"{option} '{text}' is not understood; allowed: a positive duration like 90s, 5m or 1h.");
    }
}
