namespace Piximi.Sweep.Cli;

/// <summary>What <c>piximi-sweep</c> exits with; <see cref="Table"/> is printed by <c>--help</c> and in the README.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The sweep ran, but some trials failed.</summary>
    public const int TrialsFailed = 1;
    /// <summary>
    /// Bad input: a usage error (unknown command or option, a bad value), a malformed sweep file, an unknown sweep, or a
    /// store that cannot be used (a folder, read-only, a full disk, locked, unreachable). Bad input is refused before
    /// anything is written.
    /// </summary>
    public const int BadInput = 2;
    /// <summary>Workers could not run (they kept crashing); the store says what is left.</summary>
    public const int WorkersFailed = 3;
    /// <summary>A deadline or budget stopped the sweep with trials left; <c>resume</c> continues it.</summary>
    public const int Incomplete = 4;
    /// <summary>An unexpected error (a bug, or the machine): one line on standard error, the details in a log (<see cref="ErrorLog"/>).</summary>
    public const int UnexpectedError = 70;
    public const int Cancelled = 130;

    /// <summary>The exit codes as <c>piximi-sweep --help</c> ends; the README's table says the same.</summary>
    public const string Table =
        """
        Exit codes:
          0    success (run, resume: every trial finished)
          1    run, resume: the sweep ran, but some trials failed
          2    bad input: a usage error (unknown command or option, a bad value), a sweep file or option refused, an
               unknown sweep, no store, or a store that cannot be used (a folder, read-only, full disk, locked);
               refused before anything is written
          3    run, resume: workers could not start
          4    run, resume: stopped by a budget (deadline, trials, epochs, compute hours) or cancelled, with trials left
          70   an unexpected error: one line here, the details in a log (results/piximi-sweep-errors.log, or the sweep's log)
          130  stopped by Ctrl+C or SIGTERM
        """;
}

/// <summary>A problem the user can fix; printed as one clear message, no stack trace.</summary>
internal sealed class UserErrorException(string message) : Exception(message);
