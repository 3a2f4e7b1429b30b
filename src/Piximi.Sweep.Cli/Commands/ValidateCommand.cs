using Piximi.Sweep.Cli.Output;
using Piximi.Sweep.Core;
using Piximi.Sweep.Training;

namespace Piximi.Sweep.Cli.Commands;

/// <summary><c>piximi-sweep validate</c>: parse, check and expand a sweep file; print the grid. Trains nothing, stores nothing.</summary>
internal sealed class ValidateCommand(TextWriter output)
{
    public int Execute(string file)
    {
        var loaded = SweepFile.Load(file, ImageDataset.CountImages);
        var definition = loaded.Definition;
        var space = definition.Parameters;
        output.WriteLine($"{file}: sweep '{definition.Name}' is valid.");
        output.WriteLine($"Dataset: {definition.Dataset.Kind} {definition.Dataset.Images} ({DatasetLine(definition.Dataset)})");
        output.WriteLine($"Model: {definition.Model}; ranked by {definition.Metric}");
        var range = $"[{Display.Rate(space.LearningRates.Min())}, {Display.Rate(space.LearningRates.Max())}]";
        output.WriteLine(definition.Method switch
        {
            SearchMethod.Random => $"Random search: {loaded.Trials.Count} trials drawn (sampler seed {definition.SamplerSeed}); learning rate log-uniform in " +
                                   $"{range}, the other parameters from their lists",
            SearchMethod.Tpe => $"TPE: {definition.Trials} trials, each proposed when a worker is free from the results stored so far (sampler seed " +
                                $"{definition.SamplerSeed}; the first {new TpeOptions().StartupTrials} at random); learning rate log-uniform in {range}, the other parameters from their lists",
            _ => $"Grid: {loaded.Trials.Count} trials = optimizer {space.Optimizers.Count} × loss {space.Losses.Count} × learning_rate {space.LearningRates.Count}" +
                 $" × batch_size {space.BatchSizes.Count} × epochs {space.Epochs.Count} × seed {space.Seeds.Count}",
        });
        if (definition.Pruner is { } pruner) output.WriteLine($"Pruner: {Display.Pruner(pruner)}, judged on {definition.Metric} after every epoch");
        if (definition.EarlyStopping is { } stopping) output.WriteLine($"Early stopping: {Display.EarlyStopping(stopping)}");
        output.WriteLine();
        if (loaded.Trials.Count > 0) TrialTables.Grid(loaded.Trials).WriteTo(output);
        return ExitCodes.Ok;
    }

    private static string DatasetLine(DatasetSpec spec) =>
        (spec.Subset is { } n ? $"subset {n} images, " : "") + $"training percentage {spec.TrainingPercentage:0.##}";
}
