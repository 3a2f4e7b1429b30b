using System.Diagnostics;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;
using Piximi.Sweep.Training;

namespace Piximi.Sweep.Cli.Tests;

/// <summary>Temporary folders with sweep files and stores, and ways to run the real CLI in-process or as a process.</summary>
internal sealed class TestFolder : IDisposable
{
    public const string FashionMnist = "/usr/share/datasets/fashion-mnist";

    public string Path { get; } = Directory.CreateTempSubdirectory("piximi-sweep-cli-").FullName;

    public string Db => System.IO.Path.Combine(Path, "results", "store.db");

    public string Write(string name, string text)
    {
        var file = System.IO.Path.Combine(Path, name);
        File.WriteAllText(file, text);
        return file;
    }

    /// <summary>
    /// A small real sweep: Fashion-MNIST subset, SimpleCNN, Adam, 1 epoch per trial. <paramref name="parameters"/>
    /// replace or add entries under <c>parameters:</c> as (key, YAML value).
    /// </summary>
    public static string SmallSweep(string name, int subset = 600, params (string Key, string Value)[] parameters)
    {
        var entries = new List<(string Key, string Value)>
        {
            ("optimizer", "Adam"), ("loss", "CategoricalCrossEntropy"), ("learning_rate", "[0.003, 0.01]"),
            ("batch_size", "[32, 64]"), ("epochs", "1"), ("seed", "7"),
        };
        foreach (var (key, value) in parameters)
        {
            var at = entries.FindIndex(e => e.Key == key);
            if (at >= 0) entries[at] = (key, value);
            else entries.Add((key, value));
        }
        return $"""
            name: {name}
            dataset:
              kind: idx
              images: {FashionMnist}/train-images-idx3-ubyte.gz
              labels: {FashionMnist}/train-labels-idx1-ubyte.gz
              training_percentage: 0.75
              subset: {subset}
            parameters:

            """ + string.Concat(entries.Select(e => $"  {e.Key}: {e.Value}\n"));
    }

    /// <summary>A store holding the file's sweep with its first trial claimed, given an epoch and completed.</summary>
    public void StoreWithOneFinishedTrial(string sweepFile)
    {
        var loaded = SweepFile.Load(LocalDisk.Instance, sweepFile);
        using var store = TrialStores.OpenSqlite(Db);
        var sweep = store.CreateSweep(loaded.Definition, loaded.Trials);
        var trial = store.ClaimNext(sweep.Id, "test-worker")!;
        var lease = TrialLease.Of(trial);
        store.RecordEpoch(lease, new EpochMetrics(1, 0.9, 0.7, 0.8, 0.72, 1.5, 400), checkpoint: [1, 2, 3]);
        store.Finish(lease, TrialState.Completed, null);
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}

/// <summary>
/// No .NET stack trace reaches a user: every command a test runs, in-process or as a process, fails its test when
/// what it printed holds a stack frame (<c>   at Type.Method(…)</c>), an unhandled exception or an exception's type
/// name (<c>SqliteException: …</c>). Their place is the log.
/// </summary>
internal static partial class StackTraces
{
    public static CliResult MustNotShow(CliResult result, IEnumerable<string> args)
    {
        foreach (var (name, text) in new[] { ("stdout", result.Output), ("stderr", result.Error) })
        {
            if (Trace().Match(text) is { Success: true } found)
                Assert.Fail($"piximi-sweep {string.Join(' ', args)} printed a stack trace on {name} ('{found.Value.Trim()}'):\n{result}");
        }
        return result;
    }

    // Managed stack traces, and native ones (libstdc++'s report of a C++ exception that aborted a worker, with libtorch's frames).
    [System.Text.RegularExpressions.GeneratedRegex(@"(?m)^\s*at [^\s(]+\(.*\)|Unhandled exception|--- End of (inner exception )?stack trace|\b[A-Z]\w*Exception: |^frame #\d+: |terminate called after throwing|Exception raised from ")]
    private static partial System.Text.RegularExpressions.Regex Trace();
}

internal static class Cli
{
    /// <summary>Runs a command in this process, capturing what it prints.</summary>
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CliApp.RunAsync(args, output, error);
        return StackTraces.MustNotShow(new CliResult(code, output.ToString(), error.ToString()), args);
    }

    /// <summary>Starts the real piximi-sweep program (the build copied next to the tests) as a separate process.</summary>
    public static RunningCli Start(string workingDirectory, params string[] args) => Start(workingDirectory, args, environment: null);

    public static RunningCli Start(string workingDirectory, string[] args, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(System.IO.Path.Combine(AppContext.BaseDirectory, "piximi-sweep.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return new RunningCli(Process.Start(start)!, args);
    }

    public static Task<CliResult> RunProcessAsync(string workingDirectory, TimeSpan timeout, params string[] args) =>
        RunProcessAsync(workingDirectory, timeout, args, environment: null);

    public static async Task<CliResult> RunProcessAsync(string workingDirectory, TimeSpan timeout, string[] args, IReadOnlyDictionary<string, string>? environment)
    {
        using var running = Start(workingDirectory, args, environment);
        return await running.WaitAsync(timeout);
    }

    /// <summary>A fingerprint of a SQLite store: the database file and its write-ahead log, if any.</summary>
    public static string Fingerprint(string db)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var file in new[] { db, db + "-wal" }.Where(File.Exists))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            hash.AppendData(bytes);
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }
}

/// <summary>A piximi-sweep process under test, its output collected as it runs.</summary>
internal sealed class RunningCli(Process process, string[] args) : IDisposable
{
    private readonly Task<string> _stdout = process.StandardOutput.ReadToEndAsync();
    private readonly Task<string> _stderr = process.StandardError.ReadToEndAsync();

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    /// <summary>Waits for the exit; past the timeout, kills the process tree and fails with what it printed.</summary>
    public async Task<CliResult> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"piximi-sweep {string.Join(' ', args)} did not finish in {timeout}:\n{await _stdout}\n{await _stderr}");
        }
        return StackTraces.MustNotShow(new CliResult(process.ExitCode, await _stdout, await _stderr), args);
    }

    public void Dispose() => process.Dispose();
}
