using Piximi.Sweep.Core;
using Piximi.Sweep.Training;
using Serilog.Core;

namespace Piximi.Sweep.Cli.Commands;

/// <summary>
/// Counts a sweep file's images for validation, with <c>--skip-bad-images</c> applied, and remembers what an image
/// folder's check found (images skipped, files left out) so that run and validate can say it. The flag changes which
/// images train, so <see cref="Apply"/> puts it into the sweep's stored definition, where workers and resumes read it.
/// </summary>
internal sealed class DatasetCounter(bool skipBadImages)
{
    /// <summary>How many skipped images and left-out files are named before "and N more".</summary>
    private const int Named = 5;

    private FolderCheck? _folder;

    public int Count(DatasetSpec spec)
    {
        if (skipBadImages) spec = spec with { SkipBadImages = true };
        if (spec.Kind != DatasetSpec.Folder) return ImageDataset.CountImages(spec);
        _folder = ImageFolder.Check(spec);
        return _folder.Count;
    }

    public LoadedSweep Apply(LoadedSweep loaded) => !skipBadImages ? loaded
        : loaded with { Definition = loaded.Definition with { Dataset = loaded.Definition.Dataset with { SkipBadImages = true } } };

    /// <summary>What the folder check found, one line each: skipped images (with the first few) and left-out files.</summary>
    public IReadOnlyList<string> Lines()
    {
        if (_folder is not { } check) return [];
        var lines = new List<string>();
        if (check.Skipped.Count > 0)
        {
            lines.Add($"Skipped {check.SkippedImages} bad image(s) (--skip-bad-images){(check.Skipped.Count > check.SkippedImages ? " and the short class(es)" : "")}: "
                      + string.Join("; ", check.Skipped.Take(Named)) + More(check.Skipped.Count));
        }
        if (check.Ignored.Count > 0)
        {
            lines.Add($"note: {check.Ignored.Count} file(s) or folder(s) in the image folder are not <class name>/<image> files "
                      + $"(.png, .jpg, .jpeg, .tif, .tiff) and were left out: {string.Join(", ", check.Ignored.Take(Named))}{More(check.Ignored.Count)}");
        }
        return lines;
    }

    public void Log(Logger log)
    {
        foreach (var line in Lines()) log.Warning("{Dataset}", line);
    }

    private static string More(int count) => count > Named ? $"; … and {count - Named} more" : "";
}
