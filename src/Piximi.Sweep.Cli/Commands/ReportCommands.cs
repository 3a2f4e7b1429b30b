using Piximi.Sweep.Core;
using Piximi.Sweep.Reports;

namespace Piximi.Sweep.Cli.Commands;

/// <summary><c>report</c>, <c>compare</c> and <c>export</c>: the morning after, read from the store (also while a sweep runs).</summary>
internal sealed class ReportCommands(TextWriter output)
{
    public int Report(string dbPath, string? sweepName, string format, string? outputPath)
    {
        using var store = StoreAccess.OpenExisting(dbPath);
        var sweep = StoreAccess.ResolveSweep(store, dbPath, sweepName);
        var report = SweepReport.Load(store, sweep);
        Action<SweepReport, TextWriter> write = format switch
        {
            "html" => ReportWriter.Html,
            "md" => ReportWriter.Markdown,
            "csv" => ReportWriter.Csv,
            "json" => ReportWriter.Json,
            _ => throw new UserErrorException($"--format '{format}' is not known; allowed: html, md, csv, json."),
        };
        // HTML goes to a file by default (it is opened in a browser); the others to standard output unless -o says.
        var path = outputPath ?? (format == "html" ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(dbPath)) ?? ".", $"{sweep.Name}-report.html") : null);
        if (path is null)
        {
            write(report, output);
            return ExitCodes.Ok;
        }
        WriteAtomically(path, writer => write(report, writer));
        output.WriteLine($"Wrote {(report.IsPartial ? "a partial " : "the ")}{format} report of '{sweep.Name}' to {path}");
        return ExitCodes.Ok;
    }

    public int Compare(string dbPath, string first, string second)
    {
        using var store = StoreAccess.OpenExisting(dbPath);
        var a = SweepReport.Load(store, StoreAccess.ResolveSweep(store, dbPath, first));
        var b = SweepReport.Load(store, StoreAccess.ResolveSweep(store, dbPath, second));
        ReportWriter.Comparison(a, b, output);
        return ExitCodes.Ok;
    }

    public int ExportPiximi(string dbPath, string? sweepName, int? trialNumber, string? outputPath)
    {
        using var store = StoreAccess.OpenExisting(dbPath);
        var sweep = StoreAccess.ResolveSweep(store, dbPath, sweepName);
        var trials = store.ListTrials(sweep.Id);
        TrialRecord trial;
        if (trialNumber is { } number)
        {
            trial = trials.FirstOrDefault(t => t.Number == number)
                    ?? throw new UserErrorException($"sweep '{sweep.Name}' has no trial {number}; its trials are 1 to {trials.Count}.");
        }
        else
        {
            var best = Ranking.Rank(ResultsCommands.Summaries(store, sweep), sweep.Definition.Metric).FirstOrDefault()
                       ?? throw new UserErrorException($"sweep '{sweep.Name}' has no completed trial yet; choose one with --trial N.");
            trial = best.Summary.Trial;
        }
        var json = PiximiExport.ModelHyperparameters(sweep.Definition, trial.Hyperparameters);
        var path = outputPath ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(dbPath)) ?? ".", $"{sweep.Name}-model_hyperparameters.json");
        WriteAtomically(path, writer => writer.Write(json));
        output.WriteLine($"Wrote Piximi hyperparameters of trial {trial.Number} ({trial.State.ToString().ToLowerInvariant()}) to {path}");
        return ExitCodes.Ok;
    }

    /// <summary>Written beside, then renamed over: a reader never sees half a report.</summary>
    private static void WriteAtomically(string path, Action<TextWriter> write)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".");
        var temporary = path + ".tmp";
        using (var writer = new StreamWriter(temporary))
            write(writer);
        File.Move(temporary, path, overwrite: true);
    }
}
