using Piximi.Sweep.Core;

namespace Piximi.Sweep.Training;

/// <summary>An image (or class folder) left out of a dataset, and why; <see cref="Path"/> names it for the user.</summary>
public sealed record BadImage(string Path, string Problem)
{
    public override string ToString() => $"{Path}: {Problem}";
}

/// <summary>
/// What checking a dataset found, before anything is stored (<see cref="ImageDataset.Check"/>): <see cref="Count"/>
/// images it yields (after the spec's subset), the <see cref="InputShape"/> they are trained at (what every model of the
/// sweep must take: <see cref="ModelInputs"/>), the classes in label order, what was skipped (only with
/// <see cref="DatasetSpec.SkipBadImages"/>; <see cref="SkippedImages"/> counts the images among them) and the files
/// and folders that are not images and were left out (image folders).
/// </summary>
public sealed record DatasetCheck(
    int Count,
    InputShape InputShape,
    IReadOnlyList<string>? Classes,
    IReadOnlyList<BadImage> Skipped,
    int SkippedImages,
    IReadOnlyList<string> Ignored)
{
    /// <summary>How many problems an error lists before "… and N more".</summary>
    public const int ListedProblems = 20;

    /// <summary>The facts a sweep keeps of its data (<see cref="DatasetSpec.Facts"/>).</summary>
    public DatasetFacts Facts => new(InputShape, Count, SkippedImages);

    /// <summary>
    /// The error for bad images: how many, what is allowed (<paramref name="allowed"/>) or how to skip them instead
    /// (<paramref name="howToSkip"/>), then one line each, the first <see cref="ListedProblems"/>.
    /// </summary>
    internal static string Describe(string source, string allowed, IReadOnlyList<BadImage> bad, string howToSkip)
    {
        var lines = bad.Take(ListedProblems).Select(b => $"  {b}");
        var more = bad.Count > ListedProblems ? [$"  … and {bad.Count - ListedProblems} more"] : Array.Empty<string>();
        return $"{source}: {bad.Count} problem(s) with the images; allowed: {allowed}, or {howToSkip}:"
               + Environment.NewLine + string.Join(Environment.NewLine, lines.Concat(more));
    }
}
