using Piximi.Sweep.Cli.Output;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;
using Piximi.Sweep.Training;

namespace Piximi.Sweep.Cli.Commands;

/// <summary><c>piximi-sweep validate</c>: parse, check and expand a sweep file; print the grid. Trains nothing, stores nothing.</summary>
internal sealed class ValidateCommand(TextWriter output)
{
    /// <summary>--skip-bad-images: skip and count bad images instead of refusing them.</summary>
    public bool SkipBadImages { get; init; }

    /// <summary>
    /// The store run would use (--db): when it exists, validate says whether run would resume a sweep there or refuse
    /// the file for a changed definition; it is only read.
    /// </summary>
    public string? Store { get; init; }

    public int Execute(string file, SweepFileOptions? options = null)
    {
        var counter = new DatasetCounter(SkipBadImages);
        var loaded = counter.Apply(SweepFile.Load(LocalDisk.Instance, file, counter.Count, options));
        foreach (var line in counter.Lines()) output.WriteLine(line);
        var definition = loaded.Definition;
        foreach (var note in loaded.Notes) output.WriteLine($"note: {note}");
        var stored = StoredLine(definition);
        output.WriteLine($"{file}: sweep '{definition.Name}' is valid.");
        if (stored is not null) output.WriteLine(stored);
        if (definition.Description is { } description) output.WriteLine($"Description: {description}");
        output.WriteLine($"Dataset: {definition.Dataset.Kind} {definition.Dataset.Images} ({DatasetLine(definition.Dataset)})");
        if (counter.Classes is { } classes)
            output.WriteLine($"Classes ({classes.Count}): {string.Join(", ", classes.Take(20))}{(classes.Count > 20 ? $", … and {classes.Count - 20} more" : "")}");
        output.WriteLine($"Model: {string.Join(", ", definition.Parameters.ModelList)}; ranked by {definition.Metric}");
        output.WriteLine(SearchLine(loaded));
        WritePolicy(loaded);
        output.WriteLine();
        if (loaded.Trials.Count > 0) TrialTables.Grid(loaded.Trials).WriteTo(output);
        return ExitCodes.Ok;
    }

    /// <summary>How the trials are chosen: the grid's size and factors, or the random or TPE search and its draws.</summary>
    private static string SearchLine(LoadedSweep loaded)
    {
        var definition = loaded.Definition;
        var space = definition.Parameters;
        var learningRate = LearningRateLine(space);
        // No trial count: the run goes on until something stops it, which validate says before anyone leaves it overnight.
        var count = definition.Trials is { } trials ? $"{trials} trials" : "no trial count (runs until a budget, the deadline or Ctrl+C stops it)";
        return definition.Method switch
        {
            SearchMethod.Random when definition.IsOpenEnded =>
                $"Random search: {count}, each trial drawn when a worker is free (sampler seed {definition.SamplerSeed}); {learningRate}, the other parameters from their lists",
            SearchMethod.Random => $"Random search: {count} drawn (sampler seed {definition.SamplerSeed}); {learningRate}, the other parameters from their lists",
            SearchMethod.Tpe => $"TPE: {count}, each proposed when a worker is free from the results stored so far (sampler seed " +
                                $"{definition.SamplerSeed}; the first {new TpeOptions().StartupTrials} at random); {learningRate}, the other parameters from their lists",
            _ => $"Grid: {loaded.Trials.Count} trials = {(space.ModelList.Count > 1 ? $"model {space.ModelList.Count} × " : "")}optimizer {space.Optimizers.Count} × loss {space.Losses.Count} × learning_rate {space.LearningRates.Count}" +
                 $" × batch_size {space.BatchSizes.Count} × epochs {space.Epochs.Count} × seed {space.Seeds.Count}" +
                 (loaded.Trials.Count > Grid.Count(space) ? $" + {loaded.Trials.Count - Grid.Count(space)} of the baseline" : ""),
        };
    }

    private static string LearningRateLine(ParameterSpace space)
    {
        var range = $"[{Display.Rate(space.LearningRates.Min())}, {Display.Rate(space.LearningRates.Max())}]";
        return space.LearningRateDistribution switch
        {
            LearningRateDistribution.Uniform => $"learning rate uniform in {range}",
            LearningRateDistribution.Values => $"learning rate one of {string.Join(", ", space.LearningRates.Select(Display.Rate))}",
            _ => $"learning rate log-uniform in {range}",
        };
    }

    /// <summary>The baseline, pruner, early stopping and budget the sweep file asks for, one line each.</summary>
    private void WritePolicy(LoadedSweep loaded)
    {
        var definition = loaded.Definition;
        if (definition.Baseline is { } baseline)
            output.WriteLine($"Baseline (your settings): {Display.Settings(baseline.Trial(0), withSeed: false)}; " +
                             $"{Baselines.Trials(definition).Count} trial(s), one per seed, run first and never pruned");
        if (definition.Pruner is { } pruner) output.WriteLine($"Pruner: {Display.Pruner(pruner)}, judged on {definition.Metric} after every epoch");
        if (definition.EarlyStopping is { } stopping) output.WriteLine($"Early stopping: {Display.EarlyStopping(stopping)}");
        if (Budget(loaded.Budget) is { Length: > 0 } budget) output.WriteLine($"Budget (run stores it with the sweep; every worker obeys it): {budget}");
    }

    /// <summary>
    /// What the store already holds of this sweep, read only: null when there is no store (or it cannot be read: that
    /// is run's to say); a line when it holds the same sweep; refused as run refuses it when a sweep of this name has
    /// another definition.
    /// </summary>
    private string? StoredLine(SweepDefinition definition)
    {
        if (Store is null || (!StoreLocations.IsPostgres(Store) && !File.Exists(StoreLocations.SqlitePath(Store)))) return null;
        ITrialStore store;
        try
        {
            store = StoreAccess.OpenForReading(Store);
        }
        catch (UserErrorException)
        {
            return null;
        }
        using (store)
        {
            if (StoreAccess.Conflict(store, Store, definition) is { } conflict) throw new UserErrorException(conflict);
            if (store.FindSweep(definition.Name) is not { } sweep) return null;
            var trials = store.ListTrials(sweep.Id);
            var finished = trials.Count(t => t.State is not (TrialState.Queued or TrialState.Running));
            return $"The store {StoreLocations.Describe(Store)} holds this sweep already ({finished} of {trials.Count} trials finished): run resumes it.";
        }
    }

    private static string Budget(SweepBudget budget) => string.Join(", ", new[]
    {
        budget.Deadline is { } d ? $"deadline {d}" : null,
        budget.MaxTrials is { } t ? $"at most {t} trials" : null,
        budget.MaxEpochs is { } e ? $"at most {e} epochs in all" : null,
        budget.ComputeHours is { } h ? $"at most {h.ToString(System.Globalization.CultureInfo.InvariantCulture)} compute hours" : null,
    }.OfType<string>());

    private static string DatasetLine(DatasetSpec spec) =>
        (spec.Subset is { } n ? $"subset {n} images, " : "") + $"training percentage {spec.TrainingPercentage:0.##}"
        + (spec.InputShape is { } s ? $", input shape {s.Height}×{s.Width}×{s.Channels}" : "") + (spec.SkipBadImages ? ", skipping bad images" : "");
}
