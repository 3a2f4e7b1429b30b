using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Piximi.Sweep.Storage.Tests;

/// <summary>
/// One Piximi.Sweep.Storage.ClaimWorker process, started with the same dotnet host that runs the tests: it prints
/// "ready", waits for <see cref="Go"/>, then does what its arguments say (see its Program.cs) and prints what it did.
/// </summary>
internal sealed class ClaimWorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _errors = new();
    private readonly Task<string?> _ready;

    private ClaimWorkerProcess(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_errors)
            {
                _errors.AppendLine(e.Data);
            }
        };
        _process.BeginErrorReadLine();
        _ready = _process.StandardOutput.ReadLineAsync();
    }

    public static ClaimWorkerProcess Start(string workerDll, IReadOnlyList<string> arguments)
    {
        // The SDK tells test runs which host it is; `dotnet` on the PATH is the fallback.
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(workerDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return new ClaimWorkerProcess(Process.Start(start) ?? throw new InvalidOperationException($"Could not start {host}."));
    }

    public void WaitUntilReady(TimeSpan timeout)
    {
        if (!_ready.Wait(timeout) || _ready.Result != "ready")
        {
            throw new TimeoutException($"The claim worker did not get ready (it said '{_ready.Result}'). {Errors()}");
        }
    }

    public void Go()
    {
        _process.StandardInput.WriteLine("go");
        _process.StandardInput.Flush();
    }

    /// <summary>The trial ids the worker printed, once it has exited successfully.</summary>
    public IReadOnlyList<long> WaitForClaims(TimeSpan timeout)
    {
        var (exitCode, lines, errors) = WaitForExit(timeout);
        Assert.True(exitCode == 0, $"The claim worker exited with {exitCode}. {errors}");
        return [.. lines.Select(l => long.Parse(l, CultureInfo.InvariantCulture))];
    }

    /// <summary>How the worker ended, whether well or not: its exit code, the lines it printed after "ready", its stderr.</summary>
    public (int ExitCode, IReadOnlyList<string> Lines, string Errors) WaitForExit(TimeSpan timeout)
    {
        var output = _process.StandardOutput.ReadToEndAsync();
        if (!_process.WaitForExit(timeout) || !output.Wait(timeout))
        {
            throw new TimeoutException($"The claim worker did not finish within {timeout}. {Errors()}");
        }

        _process.WaitForExit(); // Drains the error stream.
        return (_process.ExitCode, output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries), Errors());
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private string Errors()
    {
        lock (_errors)
        {
            return _errors.Length == 0 ? "It wrote nothing to stderr." : $"Its stderr:\n{_errors}";
        }
    }
}
