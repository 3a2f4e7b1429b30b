using Piximi.Sweep.Core;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace Piximi.Sweep.Cli;

/// <summary>
/// Serilog for one process of a sweep: a log file per sweep beside the store (shared by the orchestrator and its
/// workers), plus the console. Every event carries SweepId and Sweep; trial events add TrialId.
/// </summary>
internal static class SweepLog
{
    private const string FileTemplate =
        "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {Role}/{Pid} sweep={SweepId} trial={TrialId} {Message:lj}{NewLine}{Exception}";

    // No {Exception} on the console: a stack trace is for the log file; a user reads the message (events that carry
    // an exception say what went wrong in their message too).
    private const string ConsoleTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}";

    public static string PathFor(string storeLocation, string sweepName)
    {
        var folder = Commands.StoreAccess.ResultsFolder(storeLocation);
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, $"{sweepName}.log");
    }

    /// <param name="consoleLevel">Events from this level reach the console; workers show only warnings and errors (on stderr).</param>
    public static Logger Create(string logPath, SweepRecord sweep, string role, LogEventLevel consoleLevel, bool consoleToStdErr) =>
        ToFile(logPath, sweep, role)
            .WriteTo.Console(restrictedToMinimumLevel: consoleLevel, outputTemplate: ConsoleTemplate,
                standardErrorFromLevel: consoleToStdErr ? LogEventLevel.Verbose : null,
                formatProvider: System.Globalization.CultureInfo.InvariantCulture)
            .CreateLogger();

    /// <summary>The same log file without the console: for what must never reach a user's terminal (crash reports).</summary>
    public static Logger CreateFileOnly(string logPath, SweepRecord sweep, string role) => ToFile(logPath, sweep, role).CreateLogger();

    private static LoggerConfiguration ToFile(string logPath, SweepRecord sweep, string role) =>
        new LoggerConfiguration()
            .MinimumLevel.Information()
            .Enrich.WithProperty("SweepId", sweep.Id)
            .Enrich.WithProperty("Sweep", sweep.Name)
            .Enrich.WithProperty("Role", role)
            .Enrich.WithProperty("Pid", Environment.ProcessId)
            .WriteTo.File(logPath, outputTemplate: FileTemplate, shared: true, formatProvider: System.Globalization.CultureInfo.InvariantCulture);
}
