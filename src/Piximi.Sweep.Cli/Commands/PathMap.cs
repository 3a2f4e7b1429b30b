using Piximi.Sweep.Core;

namespace Piximi.Sweep.Cli.Commands;

/// <summary>
/// <c>--path-map FROM=TO</c>: a worker on a machine that keeps the dataset under another folder reads it there. The
/// sweep's definition (and so every trial's identity and checkpoint) keeps the original paths; only where this worker
/// reads from changes. The longest matching FROM wins; a path no FROM matches is read as it is.
/// </summary>
internal sealed record PathMap(IReadOnlyList<(string From, string To)> Entries)
{
    public static PathMap None { get; } = new([]);

    public static PathMap Parse(IEnumerable<string> values)
    {
        var entries = new List<(string, string)>();
        foreach (var value in values)
        {
            var at = value.IndexOf('=', StringComparison.Ordinal);
            if (at <= 0 || at == value.Length - 1)
                throw new UserErrorException($"--path-map '{value}' is not FROM=TO (e.g. /home/me/data=/cluster/data).");
            entries.Add((Folder(value[..at]), Folder(value[(at + 1)..])));
        }
        return entries.Count == 0 ? None : new PathMap(entries);
    }

    /// <summary>The dataset as this machine reads it.</summary>
    public DatasetSpec Apply(DatasetSpec spec) =>
        Entries.Count == 0 ? spec : spec with { Images = Map(spec.Images), Labels = spec.Labels is { } labels ? Map(labels) : null };

    internal string Map(string path)
    {
        foreach (var (from, to) in Entries.OrderByDescending(e => e.From.Length))
        {
            if (path == from.TrimEnd('/')) return to.TrimEnd('/');
            if (path.StartsWith(from, StringComparison.Ordinal)) return to + path[from.Length..];
        }
        return path;
    }

    /// <summary>A folder prefix ends with one slash, so /data does not match /database.</summary>
    private static string Folder(string path) => path.TrimEnd('/') + "/";
}
