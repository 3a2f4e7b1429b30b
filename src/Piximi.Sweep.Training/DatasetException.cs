using Piximi.Sweep.Core;

namespace Piximi.Sweep.Training;

/// <summary>A dataset could not be read: the message names the file and what is wrong.</summary>
public sealed class DatasetException(string message) : Exception(message)
{
    internal DatasetException(RefusedImages refused) : this(refused.Describe(RefusedImages.InWords)) => Refused = refused;

    /// <summary>Set when the problem is bad images, which the spec could have skipped: a caller may then reword it.</summary>
    public RefusedImages? Refused { get; }
}

/// <summary>
/// Bad images refused because the spec does not skip them (<see cref="DatasetSpec.SkipBadImages"/>),
/// and what <paramref name="Allowed"/>. The message offers skipping in words; <see cref="Describe"/> lets a caller say
/// how its user asks for it (the CLI: its flag), which Training cannot know.
/// </summary>
public sealed record RefusedImages(string Source, string Allowed, IReadOnlyList<BadImage> Bad)
{
    internal const string InWords = "skip and count them";

    /// <summary>The message, with <paramref name="howToSkip"/> (the CLI: its flag, then "to skip and count them") as the alternative.</summary>
    public string Describe(string howToSkip) => DatasetCheck.Describe(Source, Allowed, Bad, howToSkip);
}
