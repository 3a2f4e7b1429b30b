namespace Piximi.Sweep.Tests.Shared;

/// <summary>What a folder holds, to show that a command created and changed nothing in it.</summary>
internal static class FolderSnapshot
{
    /// <summary>Every file and folder under <paramref name="root"/>, files with their size, content hash and last write time.</summary>
    public static List<string> Of(string root) =>
    [
        .. Directory.GetFileSystemEntries(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(f =>
            File.Exists(f)
                ? $"{f} {new FileInfo(f).Length} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))} {File.GetLastWriteTimeUtc(f).Ticks}"
                : f + "/"),
    ];
}
