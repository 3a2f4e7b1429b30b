namespace Piximi.Sweep.Tests.Shared;

/// <summary>A folder of its own under the system temp folder, deleted with what it holds on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder(string prefix = "piximi-sweep-tests-") => FullPath = Directory.CreateTempSubdirectory(prefix).FullName;

    public string FullPath { get; }

    /// <summary>The path of <paramref name="name"/> in the folder; nothing is written.</summary>
    public string File(string name) => Path.Combine(FullPath, name);

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="relativePath"/> (its folders made) and returns the full path.</summary>
    public string Write(string relativePath, byte[] bytes)
    {
        var full = Prepare(relativePath);
        System.IO.File.WriteAllBytes(full, bytes);
        return full;
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="relativePath"/> (its folders made) and returns the full path.</summary>
    public string Write(string relativePath, string text)
    {
        var full = Prepare(relativePath);
        System.IO.File.WriteAllText(full, text);
        return full;
    }

    private string Prepare(string relativePath)
    {
        var full = Path.Combine(FullPath, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return full;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(FullPath, recursive: true);
        }
        catch (IOException)
        {
            // A worker process that was killed on timeout may still hold a file; the temp folder is left behind
            // rather than hiding the failure that got us here.
        }
    }
}
