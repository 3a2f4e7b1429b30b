using Piximi.Sweep.Cli.Commands;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Cli;

/// <summary>
/// Where an unexpected error's details (its stack trace) go, so that the user reads one line and whoever fixes it the
/// rest: the sweep's log once <c>run</c>, <c>resume</c> or <c>worker</c> has one, else <see cref="FileName"/> in the
/// results folder beside the store (<c>results/</c> by default), else <c>results/</c> under the current folder, else
/// the temp folder (the store's own folder may be what failed).
/// </summary>
internal sealed class ErrorLog
{
    public const string FileName = "piximi-sweep-errors.log";

    /// <summary>The sweep's log, once the command has one.</summary>
    public string? SweepLog { get; set; }

    /// <returns>The file the details went to, or null when none could be written.</returns>
    public string? Write(Exception e, IEnumerable<string> args, string? storeLocation)
    {
        // The command line as typed, but for a PostgreSQL password (a store may be given as an argument).
        var command = string.Join(' ', args.Select(Redact));
        var text = $"{DateTimeOffset.Now:yyyy-MM-dd HH:mm:ss.fff zzz} [FTL] piximi-sweep/{Environment.ProcessId} unexpected error in `piximi-sweep {command}`{Environment.NewLine}{e}{Environment.NewLine}";
        foreach (var path in Candidates(storeLocation))
        {
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.AppendAllText(path, text);
                return path;
            }
            catch (Exception failed) when (failed is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                // Next place: a log that cannot be written must not hide the error it was to hold.
            }
        }
        return null;
    }

    private IEnumerable<string> Candidates(string? storeLocation)
    {
        if (SweepLog is { } sweepLog) yield return sweepLog;
        if (storeLocation is { Length: > 0 }) yield return Path.Combine(StoreAccess.ResultsFolder(storeLocation), FileName);
        yield return Path.GetFullPath(Path.Combine("results", FileName));
        yield return Path.Combine(Path.GetTempPath(), FileName);
    }

    private static string Redact(string arg)
    {
        var value = arg.IndexOf('=', StringComparison.Ordinal) is var at and > 0 && arg.StartsWith('-') ? arg[(at + 1)..] : arg;
        return StoreLocations.IsPostgres(value) ? arg[..^value.Length] + StoreLocations.Describe(value) : arg;
    }
}
