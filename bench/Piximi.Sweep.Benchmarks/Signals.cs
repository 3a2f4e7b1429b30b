using System.Runtime.InteropServices;

namespace Piximi.Sweep.Benchmarks;

/// <summary>POSIX signals sent to a process by pid (the benchmarks kill the CLI's workers by pid).</summary>
internal static partial class Signals
{
    public const int Interrupt = 2;
    public const int Kill = 9;
    public const int Terminate = 15;
    public const int Continue = 18;
    public const int Stop = 19;

    /// <summary>kill(2): 0 when sent, −1 otherwise (the reason in <see cref="Marshal.GetLastPInvokeError"/>).</summary>
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Send(int pid, int signal);
}
