using System.Diagnostics;

namespace Piximi.Sweep.Tests.Shared;

/// <summary>
/// Files and folders that cannot be written, and disks that are full, made for real. The tests run as root (as CI
/// does), and root writes through permission bits, so a read-only file or folder is made with the immutable attribute
/// (<c>chattr +i</c>, which stops root too) and a full disk is a small tmpfs mounted for the test. Both are undone on
/// dispose, so the test's temp folder can be deleted.
/// </summary>
internal static class HostileDisks
{
    /// <summary>Makes <paramref name="path"/> (a file, or a folder: nothing can be created or removed in it) immutable until disposed.</summary>
    public static IDisposable Immutable(string path)
    {
        Run("chattr", "+i", path);
        return new Undo(() => Run("chattr", "-i", path));
    }

    /// <summary>A new empty folder that is a tmpfs of <paramref name="kilobytes"/>, unmounted on dispose.</summary>
    public static TinyDisk Mount(int kilobytes)
    {
        var folder = Directory.CreateTempSubdirectory("piximi-sweep-tiny-disk-").FullName;
        Run("mount", "-t", "tmpfs", "-o", $"size={kilobytes}k", "tmpfs", folder);
        return new TinyDisk(folder);
    }

    internal sealed class TinyDisk(string path) : IDisposable
    {
        public string Path { get; } = path;

        /// <summary>Fills what is left of the disk with one file (it is full after this).</summary>
        public void Fill()
        {
            using var filler = new FileStream(System.IO.Path.Combine(Path, "filler"), FileMode.CreateNew);
            var block = new byte[4096];
            try
            {
                while (true) filler.Write(block);
            }
            catch (IOException)
            {
                // No space left on device: what was asked.
            }
        }

        /// <summary>Mounts the disk read-only, with what it holds.</summary>
        public void MakeReadOnly() => Run("mount", "-o", "remount,ro", Path);

        public void Dispose()
        {
            Run("umount", "--lazy", Path);
            Directory.Delete(Path);
        }
    }

    private static void Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{program} {string.Join(' ', args)} failed ({error.Trim()}). These tests need root (as CI runs them) and a " +
                "file system with the immutable attribute (ext4, tmpfs).");
        }
    }

    private sealed class Undo(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }
}
