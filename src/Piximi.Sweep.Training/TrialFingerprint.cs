using System.Globalization;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Training;

/// <summary>
/// What a checkpoint belongs to, as readable "key=value" lines: the model, the dataset spec and what was loaded
/// from it, and every hyperparameter. Text rather than a hash, so a refusal can say which settings differ; it costs a
/// few hundred bytes of a checkpoint of tens of kilobytes.
/// </summary>
internal static class TrialFingerprint
{
    internal static string Of(SweepDefinition sweep, Hyperparameters hp, ImageDataset data)
    {
        var dataset = sweep.Dataset;
        (string Key, string Value)[] entries =
        [
            // The trial's own model ("SimpleCNN", as the sweep's model was written before models were a parameter, so
            // old checkpoints still resume).
            ("model", hp.Model.ToString()),
            ("dataset.kind", dataset.Kind),
            ("dataset.images", dataset.Images),
            ("dataset.labels", dataset.Labels ?? "none"),
            ("dataset.training_percentage", Number(dataset.TrainingPercentage)),
            ("dataset.subset", dataset.Subset?.ToString(CultureInfo.InvariantCulture) ?? "all"),
            ("data.images", data.Count.ToString(CultureInfo.InvariantCulture)),
            ("data.classes", data.Classes.ToString(CultureInfo.InvariantCulture)),
            // One channel reads as before channels existed, so checkpoints of one-channel sweeps still resume.
            ("data.size", data.Channels == 1 ? $"{data.Height}x{data.Width}" : $"{data.Height}x{data.Width}x{data.Channels}"),
            ("optimizer", hp.Optimizer.ToString()),
            ("loss", hp.Loss.ToString()),
            ("learning_rate", Number(hp.LearningRate)),
            ("batch_size", hp.BatchSize.ToString(CultureInfo.InvariantCulture)),
            ("epochs", hp.Epochs.ToString(CultureInfo.InvariantCulture)),
            ("time_budget", hp.TimeBudget?.ToString("c", CultureInfo.InvariantCulture) ?? "none"),
            ("seed", hp.Seed.ToString(CultureInfo.InvariantCulture)),
            // Only when set, so the fingerprints (and checkpoints) of sweeps without it are what they were before it
            // existed. A checkpoint's early-stopping section holds this metric's values.
            .. sweep.EarlyStopping is { } early
                ? [("early_stopping", $"{early.Metric} patience {early.Patience} min_delta {Number(early.MinDelta)}")]
                : Array.Empty<(string, string)>(),
        ];
        return string.Join('\n', entries.Select(e => $"{e.Key}={e.Value}"));
    }

    /// <summary>
    /// Null when the two are the same trial; otherwise the differing settings, e.g.
    /// "seed is 1 here but 0 in the checkpoint".
    /// </summary>
    internal static string? Difference(string expected, string found)
    {
        if (expected == found)
            return null;
        var here = Parse(expected);
        var there = Parse(found);
        var differences = here.Keys.Union(there.Keys)
            .Where(key => here.GetValueOrDefault(key) != there.GetValueOrDefault(key))
            .Select(key => $"{key} is {here.GetValueOrDefault(key) ?? "(absent)"} here but {there.GetValueOrDefault(key) ?? "(absent)"} in the checkpoint")
            .ToList();
        return differences.Count > 0 ? string.Join("; ", differences) : "the fingerprints differ";
    }

    /// <summary>The fingerprint's entries by key (the first of a repeated key).</summary>
    internal static Dictionary<string, string> Parse(string fingerprint)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in fingerprint.Split('\n'))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
                entries.TryAdd(line[..equals], line[(equals + 1)..]);
        }
        return entries;
    }

    // "R" round-trips: 0.1 and 0.1000000000000001 are different trials.
    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
