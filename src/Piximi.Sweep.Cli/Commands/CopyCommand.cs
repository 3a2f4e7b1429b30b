using System.Globalization;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Cli.Commands;

/// <summary>
/// <c>copy --from A --to B [--sweep S]</c>: moves a sweep with all its trials, epochs, checkpoints and evaluations
/// to another store (a laptop's SQLite file to the cluster's PostgreSQL, and back), in one transaction on B. Stores
/// are named with <see cref="StoreLocations.Describe"/> only, so a password in a location never reaches the output.
/// </summary>
internal sealed class CopyCommand(TextWriter output)
{
    public int Execute(string from, string to, string? sweepName)
    {
        var fromName = StoreLocations.Describe(from);
        var toName = StoreLocations.Describe(to);
        if (SameStore(from, to))
            throw new UserErrorException($"--from and --to are the same store ({fromName}); a sweep is copied to another store.");

        using var source = StoreAccess.OpenForReading(from);
        var sweep = StoreAccess.ResolveSweep(source, from, sweepName);
        var archive = source.ExportSweep(sweep.Id);
        using var target = StoreAccess.Open(to);
        var copied = Import(target, archive, to);
        WriteCopied(copied, archive, fromName, toName);
        if (archive.RunningTrials > 0) WriteRunning(archive, fromName, toName);
        output.WriteLine($"{fromName} is unchanged. Continue there with: piximi-sweep resume {copied.Name} --store {toName}");
        return ExitCodes.Ok;
    }

    private static SweepRecord Import(ITrialStore target, SweepArchive archive, string to)
    {
        try
        {
            return target.ImportSweep(archive);
        }
        catch (SweepConflictException e)
        {
            throw new UserErrorException(StoreAccess.WithHint(e, to));
        }
    }

    /// <summary>What the copy holds: trials by state (running ones are queued in it), epochs, checkpoints, budgets.</summary>
    private void WriteCopied(SweepRecord copied, SweepArchive archive, string fromName, string toName)
    {
        var trials = archive.Trials;
        var byState = trials
            .GroupBy(t => t.Trial.State == TrialState.Running ? TrialState.Queued : t.Trial.State)
            .OrderBy(g => g.Key)
            .Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}");
        var checkpoints = trials.Where(t => t.Checkpoint is not null).ToList();
        var bytes = checkpoints.Sum(t => (long)t.Checkpoint!.Data.Length);
        output.WriteLine($"Copied sweep '{copied.Name}' from {fromName} to {toName}:");
        output.WriteLine($"  trials:      {trials.Count} ({(trials.Count == 0 ? "none" : string.Join(", ", byState))})");
        output.WriteLine($"  epochs:      {trials.Sum(t => t.Epochs.Count)}");
        output.WriteLine($"  checkpoints: {checkpoints.Count} ({Size(bytes)})");
        output.WriteLine($"  evaluations: {trials.Count(t => t.Evaluation is not null)}");
        if (archive.Policy is { } policy && policy.Describe() is { Length: > 0 } budgets)
            output.WriteLine($"  budgets:     {budgets.TrimStart(';', ' ')} (stored: workers on {toName} obey them)");
    }

    /// <summary>Trials that were running on the source: queued in the copy, and a warning not to run them twice.</summary>
    private void WriteRunning(SweepArchive archive, string fromName, string toName)
    {
        var numbers = string.Join(", ", archive.Trials.Where(t => t.Trial.State == TrialState.Running).Select(t => t.Trial.Number));
        output.WriteLine(
            $"{archive.RunningTrials} trial(s) were running on {fromName} (number {numbers}): the copy has them queued again, " +
            "with their epochs and checkpoints, so they resume after their last stored epoch. Stop the workers on " +
            $"{fromName} before continuing on {toName}, or the two stores run those trials twice.");
    }

    /// <summary>
    /// The same SQLite file, or the same PostgreSQL host, port and database whoever logs in. (Two spellings of one
    /// server, such as localhost and 127.0.0.1, slip through; the import then refuses, the sweep's name being taken.)
    /// </summary>
    private static bool SameStore(string from, string to)
    {
        var a = StoreLocations.SqlitePath(from);
        var b = StoreLocations.SqlitePath(to);
        if (a is not null || b is not null)
            return a is not null && b is not null && Path.GetFullPath(a) == Path.GetFullPath(b);
        return string.Equals(WithoutUser(StoreLocations.Describe(from)), WithoutUser(StoreLocations.Describe(to)), StringComparison.OrdinalIgnoreCase);

        static string WithoutUser(string described) =>
            described.IndexOf('@', StringComparison.Ordinal) is var at and >= 0 ? described[(at + 1)..] : described;
    }

    private static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MB"),
    };
}
