using System.Globalization;
using System.Runtime.InteropServices;

namespace Piximi.Sweep.Cli;

/// <summary>
/// Deliberate failures inside a worker, for crash tests and chaos drills, set with the environment variable
/// <c>PIXIMI_SWEEP_FAULT</c> (unset in normal use):
/// <list type="bullet">
/// <item><c>abort-at-epoch:T:E</c> — when epoch E of trial number T has been trained, before it is stored, the worker
/// calls the C library's <c>abort()</c>: a real native crash (SIGABRT), on every attempt of that trial.</item>
/// <item><c>throw-at-epoch:T:E</c> — at the same point the worker throws, as a broken data pipeline would.</item>
/// <item><c>torch-error-at-epoch:T:E</c> — at the same point libtorch raises a real error (a convolution of the wrong
/// channel count), which TorchSharp throws with libtorch's message, many lines long, as a model on unfit data would.</item>
/// <item><c>torch-abort-at-epoch:T:E</c> — a real libtorch error TorchSharp does not catch (a matrix product of shapes
/// that do not fit): the C++ exception aborts the worker, and libstdc++ prints it with native frames on stderr.</item>
/// </list>
/// </summary>
internal static partial class FaultInjection
{
    public const string Variable = "PIXIMI_SWEEP_FAULT";

    private static readonly (string Kind, int Trial, int Epoch)? Fault = Parse(Environment.GetEnvironmentVariable(Variable));

    public static void BeforeStoringEpoch(int trialNumber, int epoch)
    {
        if (Fault is not { } fault || fault.Trial != trialNumber || fault.Epoch != epoch) return;
        if (fault.Kind == "abort-at-epoch") Abort();
        if (fault.Kind == "throw-at-epoch")
            throw new InvalidDataException($"injected fault ({Variable}): the data pipeline broke in epoch {epoch} of trial {trialNumber}");
        if (fault.Kind is "torch-error-at-epoch" or "torch-abort-at-epoch") Training.TorchRuntime.RaiseTorchError(uncaught: fault.Kind == "torch-abort-at-epoch");
    }

    private static (string, int, int)? Parse(string? value)
    {
        var parts = value?.Split(':');
        if (parts is not { Length: 3 } || parts[0] is not ("abort-at-epoch" or "throw-at-epoch" or "torch-error-at-epoch" or "torch-abort-at-epoch")) return null;
        return int.TryParse(parts[1], CultureInfo.InvariantCulture, out var trial) && int.TryParse(parts[2], CultureInfo.InvariantCulture, out var epoch)
            ? (parts[0], trial, epoch)
            : null;
    }

    [LibraryImport("libc", EntryPoint = "abort")]
    private static partial void Abort();
}
