using System.Runtime.InteropServices;

namespace Piximi.Sweep.Cli;

/// <summary>
/// Ctrl+C and SIGTERM, counted: the first asks for a graceful stop (finish what is safe, record state, exit), a
/// second for an immediate one. Replaces the runtime's default (terminate) while registered.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _graceful = new();
    private readonly CancellationTokenSource _immediate = new();
    private readonly PosixSignalRegistration[] _registrations;
    private int _count;

    public StopSignals()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
        ];
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Graceful => _graceful.Token;

    /// <summary>Cancelled by the second signal.</summary>
    public CancellationToken Immediate => _immediate.Token;

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Increment(ref _count) == 1) _graceful.Cancel();
        else _immediate.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
        _graceful.Dispose();
        _immediate.Dispose();
    }
}
