using Piximi.Sweep.Core;
using Piximi.Sweep.Training;
using Serilog.Core;

namespace Piximi.Sweep.Cli.Commands;

/// <summary>
/// Checks a sweep file's dataset for validation (<see cref="ImageDataset.Check"/>), with <c>--skip-bad-images</c>
/// applied, and remembers what it found (images skipped, files left out) so that run and validate can say it.
/// <see cref="Apply"/> puts the flag (it changes which images train) and what the check found (input shape, image
/// count, images skipped: <see cref="DatasetFacts"/>) into the sweep's stored definition, where workers and resumes
/// read the one and exports and reports the other.
/// </summary>
internal sealed class DatasetCounter(bool skipBadImages)
{
    /// <summary>How many skipped images and left-out files are named before "and N more".</summary>
    private const int Named = 5;

    /// <summary>The flag of run and validate that skips bad images; defined here, where the messages that name it are.</summary>
    public const string SkipBadImagesFlag = "--skip-bad-images";

    private DatasetCheck? _check;

    /// <summary>
    /// The dataset's count and shape, for <see cref="SweepFile.Load(IFileSystemView, string, Func{DatasetSpec, DatasetFacts}, SweepFileOptions?)"/>
    /// to fit the batch sizes and every model to; throws <see cref="DatasetException"/> for what a worker would fail on.
    /// </summary>
    public DatasetFacts Count(DatasetSpec spec)
    {
        if (skipBadImages) spec = spec with { SkipBadImages = true };
        try
        {
            _check = ImageDataset.Check(spec);
        }
        catch (DatasetException e) when (e.Refused is { } refused)
        {
            // Training offers skipping in words; run and validate have the flag that does it.
            throw new DatasetException(refused.Describe($"{SkipBadImagesFlag} to skip and count them"));
        }
        return _check.Facts;
    }

    public LoadedSweep Apply(LoadedSweep loaded)
    {
        var dataset = loaded.Definition.Dataset;
        if (skipBadImages) dataset = dataset with { SkipBadImages = true };
        if (_check is { } check) dataset = dataset with { Facts = check.Facts };
        return loaded with { Definition = loaded.Definition with { Dataset = dataset } };
    }

    /// <summary>The classes the check found, in label order (null before a check).</summary>
    public IReadOnlyList<string>? Classes => _check?.Classes;

    /// <summary>What the check found, one line each: skipped images (with the first few) and left-out files.</summary>
    public IReadOnlyList<string> Lines()
    {
        if (_check is not { } check) return [];
        var lines = new List<string>();
        if (check.Skipped.Count > 0)
        {
            lines.Add($"Skipped {check.SkippedImages} bad image(s) ({SkipBadImagesFlag}){(check.Skipped.Count > check.SkippedImages ? " and the short class(es)" : "")}: "
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
