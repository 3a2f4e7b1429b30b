namespace Piximi.Sweep.Cli;

internal static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The sweep ran, but some trials failed.</summary>
    public const int TrialsFailed = 1;
    /// <summary>Bad input: a malformed sweep file, an unknown sweep, a bad option. Nothing was written.</summary>
    public const int BadInput = 2;
    /// <summary>Workers could not run (they kept crashing); the store says what is left.</summary>
    public const int WorkersFailed = 3;
    /// <summary>A deadline or budget stopped the sweep with trials left; <c>resume</c> continues it.</summary>
    public const int Incomplete = 4;
    public const int Cancelled = 130;
}

/// <summary>A problem the user can fix; printed as one clear message, no stack trace.</summary>
internal sealed class UserErrorException(string message) : Exception(message);
