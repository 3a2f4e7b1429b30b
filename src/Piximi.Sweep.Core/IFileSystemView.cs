namespace Piximi.Sweep.Core;

/// <summary>What a path names on the machine, as far as a sweep file's reader needs to know.</summary>
public enum PathKind
{
    Missing,
    File,
    Folder,
}

/// <summary>
/// The little a sweep file's readers need from the machine: Core does no I/O (DESIGN.md), so its caller answers
/// (Training's <c>LocalDisk</c>, or a test's own). Paths asked about are always full paths; the folders are where the
/// caller's relative paths (the sweep file's own, a W&amp;B file's dataset folder) and <c>~/</c> resolve.
/// </summary>
public interface IFileSystemView
{
    /// <summary>The folder relative paths given by the caller are relative to (a program's current folder).</summary>
    string CurrentFolder { get; }

    /// <summary>The folder <c>~/</c> in a sweep file stands for.</summary>
    string HomeFolder { get; }

    PathKind Kind(string fullPath);

    /// <summary>The text of a file; throws the file system's exceptions (not found, access denied, other I/O errors).</summary>
    string ReadText(string fullPath);
}
