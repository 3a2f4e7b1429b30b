using System.Text.RegularExpressions;
using Piximi.Sweep.Engine;

namespace Piximi.Sweep.Cli.Commands;

/// <summary>
/// What a worker started by <c>run</c> writes on stderr, sorted line by line. Its own messages (its log's warnings and
/// errors, "error: …") go on to run's console. A crash report goes to the sweep's log only, never to the user's
/// console: libstdc++'s "terminate called after throwing an instance of …" with libtorch's message and native stack
/// frames (an error of libtorch's that TorchSharp does not catch aborts the process), or .NET's "Unhandled exception"
/// with its stack trace. Of a native crash report it keeps the C++ exception's type and the first line of its message.
/// </summary>
internal sealed partial class WorkerStderr(TextWriter console, Action<string> toLog)
{
    private readonly Lock _gate = new();
    private bool _inReport;
    private string? _thrownType;

    /// <summary>The C++ exception that aborted the worker, once its report was read.</summary>
    public NativeError? Abort { get; private set; }

    /// <summary>One line as the worker wrote it (null at the end of the stream).</summary>
    public void Line(string? line)
    {
        if (line is null) return;
        lock (_gate)
        {
            if (Terminate().Match(line) is { Success: true } thrown)
            {
                _inReport = true;
                _thrownType = thrown.Groups["type"].Value;
            }
            else if (line.StartsWith("Unhandled exception.", StringComparison.Ordinal))
            {
                _inReport = true;
            }
            else if (_thrownType is { } type && Abort is null && What().Match(line) is { Success: true } what)
            {
                Abort = new NativeError(type, what.Groups["message"].Value.Trim());
            }

            if (_inReport || NativeFrame().IsMatch(line)) toLog(line);
            else console.WriteLine(line);
        }
    }

    [GeneratedRegex(@"^terminate called after throwing an instance of '(?<type>[^']+)'")]
    private static partial Regex Terminate();

    [GeneratedRegex(@"^\s*what\(\):\s*(?<message>.*)$")]
    private static partial Regex What();

    /// <summary>A native or managed stack frame, wherever it turns up.</summary>
    [GeneratedRegex(@"^(frame #\d+: |\s+at \S+\(|Exception raised from )")]
    private static partial Regex NativeFrame();
}
