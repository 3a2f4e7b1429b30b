using Piximi.Sweep.Cli.Output;
using Piximi.Sweep.Core;
using Piximi.Sweep.Training;

namespace Piximi.Sweep.Cli.Commands;

/// <summary><c>piximi-sweep validate</c>: parse, check and expand a sweep file; print the grid. Trains nothing, stores nothing.</summary>
internal sealed class ValidateCommand(TextWriter output)
{
    public int Execute(string file, SweepFileOptions? options = null)
    {
        var loaded = SweepFile.Load(file, ImageDataset.CountImages, options);
        var definition = loaded.Definition;
        var space = definition.Parameters;
        foreach (var note in loaded.Notes) output.WriteLine($"note: {note}");
        output.WriteLine($"{file}: sweep '{definition.Name}' is valid.");
        output.WriteLine($"Dataset: {definition.Dataset.Kind} {definition.Dataset.Images} ({DatasetLine(definition.Dataset)})");
        output.WriteLine($"Model: {definition.Model}; ranked by {definition.Metric}");
        var learningRate = space.LearningRateDistribution switch
        {
            LearningRateDistribution.Uniform => $"learning rate uniform in [{Display.Rate(space.LearningRates.Min())}, {Display.Rate(space.LearningRates.Max())}]",
            LearningRateDistribution.Values => $"learning rate one of {string.Join(", ", space.LearningRates.Select(Display.Rate))}",
            _ => $"learning rate log-uniform in [{Display.Rate(space.LearningRates.Min())}, {Display.Rate(space.LearningRates.Max())}]",
        };
        if (definition.Pruner is { } pruner)
            output.WriteLine($"Pruner: {pruner.Kind}, first rung at {pruner.MinEpochs} epoch(s), reduction factor {pruner.ReductionFactor}");
        if (loaded.Budget.MaxTrials is { } cap) output.WriteLine($"Budget: at most {cap} trials per run");
        output.WriteLine(definition.Method == SearchMethod.Tpe
            ? $"TPE search: {definition.Trials} trials, each proposed when a worker asks (sampler seed {definition.SamplerSeed}); {learningRate}, the other parameters from their lists"
            : definition.Method == SearchMethod.Random
            ? $"Random search: {loaded.Trials.Count} trials drawn (sampler seed {definition.SamplerSeed}); {learningRate}, the other parameters from their lists"
            : $"Grid: {loaded.Trials.Count} trials = optimizer {space.Optimizers.Count} × loss {space.Losses.Count} × learning_rate {space.LearningRates.Count}" +
              $" × batch_size {space.BatchSizes.Count} × epochs {space.Epochs.Count} × seed {space.Seeds.Count}");
        output.WriteLine();
        if (definition.Method == SearchMethod.Tpe && loaded.Trials.Count == 0) return ExitCodes.Ok; // nothing drawn up front
        TrialTables.Grid(loaded.Trials).WriteTo(output);
        return ExitCodes.Ok;
    }

    private static string DatasetLine(DatasetSpec spec) =>
        (spec.Subset is { } n ? $"subset {n} images, " : "") + $"training percentage {spec.TrainingPercentage:0.##}";
}
