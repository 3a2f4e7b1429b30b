using Piximi.Sweep.Core.Yaml;

namespace Piximi.Sweep.Core;

// baseline: the settings the user trains with today, read with the very checks parameters: uses for each value.
internal sealed partial class SweepReader
{
    private static readonly string[] BaselineKeys = ["optimizer", "loss", "learning_rate", "batch_size", "epochs", "model"];

    /// <summary>The baseline, with its batch size and model and the nodes to blame should they not fit the data.</summary>
    private sealed record BaselineRead(BaselineSpec Spec, BatchSource BatchSize, ModelSource Model);

    /// <summary>
    /// <c>baseline:</c> — one value each of <see cref="BaselineKeys"/>; a key left out takes Piximi's default
    /// (<see cref="BaselineSpec.PiximiDefaults"/>), so <c>baseline: {}</c> (or <c>baseline:</c> alone) is Piximi's
    /// defaults. Null after reporting a problem.
    /// </summary>
    private BaselineRead? ReadBaseline(YNode node)
    {
        const string what = "one value each of optimizer, loss, learning_rate, batch_size, epochs, model (the settings you train with now)";
        Dictionary<string, YEntry> keys = [];
        if (node is not YScalar { IsNull: true })
        {
            if (RequireMapping(node, "baseline", $"a mapping of {what}") is not { } mapping) return null;
            keys = ReadKeys(mapping, "baseline", BaselineKeys);
        }

        var ok = true;
        T One<T>(string key, ValueReader<T> reader, T fallback)
        {
            if (!keys.TryGetValue(key, out var entry)) return fallback;
            var field = $"baseline.{key}";
            // One value: a list or a ladder would be a search, and the baseline is the one setting in use.
            if (RequireScalar(entry.Value, field, $"one value, {reader.Expected}") is { } scalar && reader.Read(scalar, field, out var value))
                return value;
            ok = false;
            return fallback;
        }

        var defaults = BaselineSpec.PiximiDefaults;
        var spec = new BaselineSpec(
            One("optimizer", OptimizerValue, defaults.Optimizer),
            One("loss", LossValue, defaults.Loss),
            One("learning_rate", LearningRateValue, defaults.LearningRate),
            One("batch_size", BatchSizeValue, defaults.BatchSize),
            One("epochs", EpochsValue, defaults.Epochs),
            One("model", ModelValue, defaults.Model));
        if (!ok) return null;
        // The default batch size has no node of its own; blame the baseline: mapping if it does not fit.
        var batchNode = keys.TryGetValue("batch_size", out var batchEntry) ? batchEntry.Value : node;
        var model = keys.TryGetValue("model", out var modelEntry)
            ? new ModelSource(spec.Model, modelEntry.Value, "baseline.model")
            : new ModelSource(spec.Model, node, "baseline.model", IsDefault: true);
        return new BaselineRead(spec, new BatchSource(spec.BatchSize, batchNode, "baseline.batch_size", FromLadder: false), model);
    }
}
