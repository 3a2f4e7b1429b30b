using Piximi.Sweep.Core;
using Piximi.Sweep.Reports;
using Piximi.Sweep.Storage;
using Piximi.Sweep.Training;
using Piximi.Sweep.Training.Export;

namespace Piximi.Sweep.Cli.Commands;

/// <summary><c>report</c>, <c>compare</c> and <c>export</c>: the morning after, read from the store (also while a sweep runs).</summary>
internal sealed class ReportCommands(TextWriter output)
{
    public int Report(string dbPath, string? sweepName, string format, string? outputPath)
    {
        using var store = StoreAccess.OpenForReading(dbPath);
        var sweep = WithFacts(StoreAccess.ResolveSweep(store, dbPath, sweepName));
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
        using var store = StoreAccess.OpenForReading(dbPath);
        var a = SweepReport.Load(store, WithFacts(StoreAccess.ResolveSweep(store, dbPath, first)));
        var b = SweepReport.Load(store, WithFacts(StoreAccess.ResolveSweep(store, dbPath, second)));
        ReportWriter.Comparison(a, b, output);
        return ExitCodes.Ok;
    }

    public int ExportPiximi(string dbPath, string? sweepName, int? trialNumber, string? outputPath)
    {
        using var store = StoreAccess.OpenForReading(dbPath);
        var sweep = WithFacts(StoreAccess.ResolveSweep(store, dbPath, sweepName));
        var trial = ChooseTrial(store, sweep, trialNumber, out _);
        // Settings nobody trained are not a result: the file would pass them off as one.
        if (store.SummarizeTrials(sweep.Id).Single(s => s.Trial.Id == trial.Id).EpochsRun == 0)
            throw new UserErrorException(
                $"trial {trial.Number} of sweep '{sweep.Name}' is {Display.State(trial.State)} and has not trained an epoch; export a trial with results (leave out --trial for the best).");
        if (PiximiExport.InputShapeOf(sweep.Definition) is null)
            throw new UserErrorException(
                $"sweep '{sweep.Name}' was created before the input shape was kept with it, and its data ({sweep.Definition.Dataset.Images}) " +
                "cannot be read now to find it; run its sweep file again where the data is to record it.");
        var json = PiximiExport.ModelHyperparameters(sweep.Definition, trial.Hyperparameters);
        var path = outputPath ?? Path.Combine(StoreAccess.ResultsFolder(dbPath), $"{sweep.Name}-model_hyperparameters.json");
        WriteAtomically(path, writer => writer.Write(json));
        output.WriteLine($"Wrote Piximi hyperparameters of trial {trial.Number} ({trial.State.ToString().ToLowerInvariant()}) to {path}");
        // Piximi writes this file ("Export Hyperparameters") but has no way to read it back: say what to set by hand.
        output.WriteLine("Piximi cannot import this file; to train these settings there, set by hand in Fit Model → HyperParameters:");
        foreach (var (field, value) in PiximiExport.ByHand(sweep.Definition, trial.Hyperparameters))
            output.WriteLine($"  {field}: {value}");
        return ExitCodes.Ok;
    }

    /// <summary>
    /// The trial's trained model as a TensorFlow.js Layers model for Piximi's Load Model → Upload Local (TfjsExport):
    /// the best completed trial's, or <paramref name="trialNumber"/>'s while its checkpoint is still stored (a sweep
    /// keeps only its best completed trial's). Two files in a folder and the same two in a zip, named after the sweep
    /// and trial (the model's name in Piximi). Shape and class count come from the checkpoint, the class names from
    /// the trial's stored evaluation, so the dataset need not be at hand.
    /// </summary>
    public int ExportModel(string dbPath, string? sweepName, int? trialNumber, string? outputPath)
    {
        using var store = StoreAccess.OpenForReading(dbPath);
        var sweep = StoreAccess.ResolveSweep(store, dbPath, sweepName);
        var trial = ChooseTrial(store, sweep, trialNumber, out var best);
        if (trial.State != TrialState.Completed)
            throw new UserErrorException(
                $"trial {trial.Number} of sweep '{sweep.Name}' is {Display.State(trial.State)}; only a completed trial has a finished model to export.");
        var checkpoint = store.LoadCheckpoint(trial.Id) ?? throw NoCheckpoint(trial, best);
        var names = store.LoadEvaluation(trial.Id)?.ClassNames;
        var folder = outputPath ?? Path.Combine(StoreAccess.ResultsFolder(dbPath), $"{sweep.Name}-model");
        var name = TfjsExport.ModelName($"{sweep.Name}-trial{trial.Number}");
        TfjsExportResult result;
        try
        {
            result = TfjsExport.Write(checkpoint.Data, trial.Hyperparameters, names, folder, name);
        }
        catch (ModelExportException e)
        {
            throw new UserErrorException($"trial {trial.Number} of sweep '{sweep.Name}': {e.Message}");
        }
        WriteExported(trial, result, name, names is null, folder);
        return ExitCodes.Ok;
    }

    /// <summary>Why a completed trial has no model to export: the sweep keeps only its best completed trial's.</summary>
    private static UserErrorException NoCheckpoint(TrialRecord trial, TrialRecord? best) => new(best is { } b && b.Number != trial.Number
        ? $"trial {trial.Number}'s trained model is gone: a sweep keeps only its best completed trial's model (trial {b.Number}), " +
          "to keep the store small. Export that one (leave out --trial), or run trial " +
          $"{trial.Number}'s settings ({Display.Settings(trial.Hyperparameters)}) as a sweep of their own."
        : $"trial {trial.Number}'s trained model is not in the store (it keeps the best completed trial's checkpoint once that trial has finished).");

    /// <summary>What was written and how to load it in Piximi, warning of other model files in the folder.</summary>
    private void WriteExported(TrialRecord trial, TfjsExportResult result, string name, bool unnamedClasses, string folder)
    {
        var kept = result.ModelEpoch != result.CheckpointEpoch
            ? $"epoch {result.ModelEpoch}'s weights, kept by early stopping; it ran {result.CheckpointEpoch}"
            : $"after epoch {result.ModelEpoch}";
        output.WriteLine($"Wrote trial {trial.Number}'s {trial.Hyperparameters.Model} ({kept}) for Piximi's Load Model → Upload Local, as '{name}':");
        output.WriteLine($"  {result.ZipFile}   (one file to choose)");
        output.WriteLine($"  {result.ModelFile} and {Path.GetFileName(result.WeightsFile)}   (or choose these two together)");
        output.WriteLine(
            $"Input {result.Shape.Height}×{result.Shape.Width}×{result.Shape.Channels}, {result.ClassNames.Count} classes: {string.Join(", ", result.ClassNames)}" +
            (unnamedClasses ? " (named by label: the store holds no evaluation of this trial)" : ""));
        var others = Directory.GetFiles(folder)
            .Where(f => (f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".bin", StringComparison.Ordinal)) && f != result.ModelFile && f != result.WeightsFile)
            .Select(Path.GetFileName).ToList();
        if (others.Count > 0)
            output.WriteLine($"note: {folder} also holds {string.Join(", ", others)}; in Piximi choose only the two files named above (Piximi takes the last .json it is given and every other file as weights).");
        output.WriteLine("In Piximi: Load Model → Upload Local → Layers Model → Select model files → Open Classification model; then Predict Model, and in \"Configure Category-Class Mapping\" " +
                         "keep \"Create new categories from model classes?\" ticked (README: the morning after).");
    }

    /// <summary>
    /// The sweep with what its data held (<see cref="DatasetSpec.Facts"/>): kept since sweeps recorded it, read now
    /// from the data for older ones (left out when the data cannot be read: the reports then say "not recorded").
    /// </summary>
    private static SweepRecord WithFacts(SweepRecord sweep)
    {
        if (sweep.Definition.Dataset.Facts is not null) return sweep;
        try
        {
            var facts = ImageDataset.Check(sweep.Definition.Dataset).Facts;
            return sweep with { Definition = sweep.Definition with { Dataset = sweep.Definition.Dataset with { Facts = facts } } };
        }
        catch (DatasetException)
        {
            return sweep;
        }
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
