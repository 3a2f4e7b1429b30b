using Piximi.Sweep.Core;
using Piximi.Sweep.Reports;
using Piximi.Sweep.Storage;
using Piximi.Sweep.Training.Export;

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
        var path = outputPath ?? (format == "html" ? Path.Combine(StoreAccess.ResultsFolder(dbPath), $"{sweep.Name}-report.html") : null);
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
        var trial = ChooseTrial(store, sweep, trialNumber, out _);
        var json = PiximiExport.ModelHyperparameters(sweep.Definition, trial.Hyperparameters);
        var path = outputPath ?? Path.Combine(StoreAccess.ResultsFolder(dbPath), $"{sweep.Name}-model_hyperparameters.json");
        WriteAtomically(path, writer => writer.Write(json));
        output.WriteLine($"Wrote Piximi hyperparameters of trial {trial.Number} ({trial.State.ToString().ToLowerInvariant()}) to {path}");
        return ExitCodes.Ok;
    }

    /// <summary>
    /// The trial's trained SimpleCNN or MobileNet as a TensorFlow.js Layers model for Piximi's "upload classifier"
    /// (TfjsExport): the best completed trial's, or <paramref name="trialNumber"/>'s while its checkpoint is still
    /// stored (a sweep keeps only its best completed trial's). Shape and class count come from the checkpoint, the class names from
    /// the trial's stored evaluation, so the dataset need not be at hand.
    /// </summary>
    public int ExportModel(string dbPath, string? sweepName, int? trialNumber, string? outputPath)
    {
        using var store = StoreAccess.OpenExisting(dbPath);
        var sweep = StoreAccess.ResolveSweep(store, dbPath, sweepName);
        var trial = ChooseTrial(store, sweep, trialNumber, out var best);
        // The trial's own model: a sweep may train several (model is a parameter).
        if (trial.Hyperparameters.Model is not (ModelKind.SimpleCNN or ModelKind.MobileNet))
            throw new UserErrorException(
                $"trial {trial.Number} of sweep '{sweep.Name}' trains {trial.Hyperparameters.Model}; only SimpleCNN and MobileNet models can be exported to TensorFlow.js (--piximi exports any trial's settings).");
        if (trial.State != TrialState.Completed)
            throw new UserErrorException(
                $"trial {trial.Number} of sweep '{sweep.Name}' is {Display.State(trial.State)}; only a completed trial has a finished model to export.");
        var checkpoint = store.LoadCheckpoint(trial.Id)
            ?? throw new UserErrorException(best is { } b && b.Number != trial.Number
                ? $"trial {trial.Number}'s trained model is gone: a sweep keeps only its best completed trial's model (trial {b.Number}), " +
                  "to keep the store small. Export that one (leave out --trial), or run trial " +
                  $"{trial.Number}'s settings ({Display.Settings(trial.Hyperparameters)}) as a sweep of their own."
                : $"trial {trial.Number}'s trained model is not in the store (it keeps the best completed trial's checkpoint once that trial has finished).");
        var names = store.LoadEvaluation(trial.Id)?.ClassNames;
        var folder = outputPath ?? Path.Combine(StoreAccess.ResultsFolder(dbPath), $"{sweep.Name}-model");
        TfjsExportResult result;
        try
        {
            result = TfjsExport.Write(checkpoint.Data, sweep.Definition, trial.Hyperparameters, names, folder);
        }
        catch (ModelExportException e)
        {
            throw new UserErrorException($"trial {trial.Number} of sweep '{sweep.Name}': {e.Message}");
        }
        var kept = result.ModelEpoch != result.CheckpointEpoch
            ? $"epoch {result.ModelEpoch}'s weights, kept by early stopping; it ran {result.CheckpointEpoch}"
            : $"after epoch {result.ModelEpoch}";
        output.WriteLine(
            $"Wrote trial {trial.Number}'s {trial.Hyperparameters.Model} ({kept}) as a TensorFlow.js Layers model to {folder}: " +
            $"{TfjsExport.ModelFile}, {TfjsExport.WeightsFile}, {TfjsExport.ClassesFile}");
        output.WriteLine(
            $"Input {result.Shape.Height}×{result.Shape.Width}×{result.Shape.Channels}, {result.ClassNames.Count} classes: {string.Join(", ", result.ClassNames)}" +
            (names is null ? " (named by label: the store holds no evaluation of this trial)" : ""));
        output.WriteLine($"In Piximi: upload classifier, and choose {TfjsExport.ModelFile} and {TfjsExport.WeightsFile}.");
        return ExitCodes.Ok;
    }

    /// <summary><paramref name="number"/>'s trial, or the best completed one; <paramref name="best"/>: the best, if any.</summary>
    private static TrialRecord ChooseTrial(ITrialStore store, SweepRecord sweep, int? number, out TrialRecord? best)
    {
        best = Ranking.Rank(ResultsCommands.Summaries(store, sweep), sweep.Definition.Metric).FirstOrDefault()?.Summary.Trial;
        if (number is { } n)
        {
            var trials = store.ListTrials(sweep.Id);
            return trials.FirstOrDefault(t => t.Number == n)
                   ?? throw new UserErrorException($"sweep '{sweep.Name}' has no trial {n}; its trials are 1 to {trials.Count}.");
        }
        return best ?? throw new UserErrorException($"sweep '{sweep.Name}' has no completed trial yet; choose one with --trial N.");
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
