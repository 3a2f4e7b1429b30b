namespace Piximi.Sweep.Storage.Tests;

/// <summary>A folder of its own under the system temp folder, deleted with what it holds on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        FullPath = Path.Combine(Path.GetTempPath(), "piximi-sweep-storage-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(FullPath);
    }

    public string FullPath { get; }

    public string File(string name) => Path.Combine(FullPath, name);

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
