using Piximi.Sweep.Core;

namespace Piximi.Sweep.Training;

/// <summary>
/// This machine's disk, as sweep-file readers see it (<see cref="IFileSystemView"/>): Core never touches the disk
/// itself, and Training is where datasets are opened, so the one real view lives here for the CLI, the benchmarks and
/// the tests alike.
/// </summary>
public sealed class LocalDisk : IFileSystemView
{
    public static LocalDisk Instance { get; } = new();

    private LocalDisk()
    {
    }

    public string CurrentFolder => Directory.GetCurrentDirectory();

    public string HomeFolder => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    // A folder first: File.Exists is false for folders, and a path is never both.
    public PathKind Kind(string fullPath) =>
        Directory.Exists(fullPath) ? PathKind.Folder : File.Exists(fullPath) ? PathKind.File : PathKind.Missing;

    public string ReadText(string fullPath) => File.ReadAllText(fullPath);
}
