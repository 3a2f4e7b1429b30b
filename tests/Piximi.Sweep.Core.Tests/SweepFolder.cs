namespace Piximi.Sweep.Core.Tests;

/// <summary>A real folder under the system temp folder, deleted afterwards, with the dataset files sweeps point at.</summary>
internal sealed class SweepFolder : IDisposable
{
    private readonly TempFolder _folder = new("piximi-sweep-core-");

    public SweepFolder()
    {
        // Sweep validation only checks that the files exist; their content is read by the counter tests pass in.
        Write("images.gz", "not really gzip");
        Write("labels.gz", "not really gzip");
    }

    public string Root => _folder.FullPath;

    public string Images => Path.Combine(Root, "images.gz");

    public string Labels => Path.Combine(Root, "labels.gz");

    /// <summary>The path a sweep file in this folder would have; nothing is written.</summary>
    public string SweepPath(string fileName = "sweep.yaml") => Path.Combine(Root, fileName);

    public string Write(string relativePath, string text) => _folder.Write(relativePath, text);

    public void Dispose() => _folder.Dispose();
}

internal static class Sweeps
{
    /// <summary>The smallest valid file: a dataset, relative to the sweep file's folder, and nothing else.</summary>
    public const string Minimal = """
        dataset:
          kind: idx
          images: images.gz
          labels: labels.gz
        """;

    /// <summary>
    /// Options that name the caller's options as the CLI's flags (--dataset, --max-trials …), so that messages read here
    /// as the user sees them; Core's own default names them in words.
    /// </summary>
    public static readonly SweepFileOptions Flags = new() { OptionName = o => "--" + CallerOptions.Hyphenated(o) };

    /// <summary>Parses, expecting refusal, and returns every error.</summary>
    public static IReadOnlyList<SweepFileError> Refuse(string yaml, string path, Func<DatasetSpec, int>? countImages = null) =>
        Assert.Throws<SweepFileException>(() => SweepFile.Parse(LocalDisk.Instance, yaml, path, countImages)).Errors;

    /// <summary>The one error of <paramref name="errors"/> about <paramref name="field"/>, checked in full.</summary>
    public static SweepFileError Single(IReadOnlyList<SweepFileError> errors, string field, int line, int column,
        params string[] messageParts)
    {
        var matching = errors.Where(e => e.Field == field).ToList();
        Assert.True(matching.Count == 1,
            $"Expected one error on '{field}', found {matching.Count} among:\n{string.Join("\n", errors)}");
        var error = matching[0];
        Assert.True((line, column) == (error.Line, error.Column),
            $"Expected '{field}' at {line}:{column}, found {error}");
        foreach (var part in messageParts) Assert.Contains(part, error.Message, StringComparison.Ordinal);
        return error;
    }

    /// <summary>The only error, checked in full.</summary>
    public static SweepFileError Only(IReadOnlyList<SweepFileError> errors, string field, int line, int column,
        params string[] messageParts)
    {
        Assert.True(errors.Count == 1, $"Expected exactly one error, found:\n{string.Join("\n", errors)}");
        return Single(errors, field, line, column, messageParts);
    }
}
