using Piximi.Sweep.Core.Yaml;

namespace Piximi.Sweep.Core;

/// <summary>
/// What the caller's dataset check found (<see cref="SweepFile.Load(IFileSystemView, string, Func{DatasetSpec, DatasetFacts}, SweepFileOptions?)"/>):
/// the images the dataset yields (after its subset) and, when the check knows it, the shape they train at.
/// </summary>
internal sealed record DatasetSize(int Images, InputShape? Shape);

// dataset.classes: and the models' minimum input sizes against the data's shape: what the data must fit, in its own
// file so that ReadDataset and Read change by a few lines only.
internal sealed partial class SweepReader
{
    private const string ClassesAllowed = "a list of at least 2 class names in label order (label 0 is the first), such as [T-shirt/top, Trouser, …]";

    /// <summary>A model the sweep trains, with the node and field to blame should the images be too small for it.</summary>
    private sealed record ModelSource(ModelKind Model, YNode Node, string Field, bool IsDefault = false);

    /// <summary>
    /// <c>classes:</c> (IDX only): the class names in label order; its length is the class count, so a label beyond it
    /// is refused when the data is checked, and classes without images are allowed. Null when absent.
    /// </summary>
    private (IReadOnlyList<string>? Names, bool Ok) ReadClasses(Dictionary<string, YEntry> keys, string? kind)
    {
        const string field = "dataset.classes";
        if (!keys.TryGetValue("classes", out var entry)) return (null, true);
        if (kind is DatasetSpec.Folder or DatasetSpec.Piximi)
        {
            var own = kind == DatasetSpec.Folder ? "its classes are the names of its sub-folders" : "its classes are the project's categories";
            _errors.Add(entry.Key, field, $"only for kind: idx, not kind: {kind}: {own}; allowed: leave classes: out");
            return (null, false);
        }
        if (entry.Value is not YSequence list)
        {
            _errors.Add(entry.Value, field, $"expected {ClassesAllowed}, found {Found(entry.Value)}");
            return (null, false);
        }
        if (list.Items.Count < 2 || list.Items.Count > DatasetSpec.MaxClasses)
        {
            _errors.Add(list, field, $"{list.Items.Count} class name(s); allowed: {ClassesAllowed}, at most {DatasetSpec.MaxClasses}");
            return (null, false);
        }
        var names = new List<string>();
        var seen = new Dictionary<string, YScalar>(StringComparer.Ordinal);
        var ok = true;
        for (var i = 0; i < list.Items.Count; i++)
        {
            var itemField = $"{field}[{i}]";
            if (RequireScalar(list.Items[i], itemField, "a class name") is not { } item)
            {
                ok = false;
                continue;
            }
            var name = item.Text.Trim();
            if (name.Length == 0)
            {
                _errors.Add(item, itemField, "an empty class name; allowed: a name that says what the class is");
                ok = false;
            }
            else if (seen.TryGetValue(name, out var first))
            {
                // Two labels of one name would be one class in Piximi's class map, but two outputs here.
                _errors.Add(item, itemField, $"'{name}' is listed twice, first at line {first.Line}, column {first.Column}; allowed: each class name once");
                ok = false;
            }
            else
            {
                seen.Add(name, item);
                names.Add(name);
            }
        }
        return ok ? (names, true) : (null, false);
    }

    /// <summary>
    /// The models of the sweep with where each was given: every item of <c>parameters.model</c>, or the top-level
    /// <c>model:</c>, or the default (blamed on the <c>parameters:</c> mapping, or the top of the file).
    /// </summary>
    private static IEnumerable<ModelSource> ModelSources(YEntry? modelEntry, ParametersRead parameters, YMapping top)
    {
        var models = parameters.Space.ModelList;
        if (parameters.ModelNode is YSequence list)
            return models.Select((m, i) => new ModelSource(m, list.Items[i], $"parameters.model[{i}]"));
        if (parameters.ModelNode is { } one) return [new ModelSource(models[0], one, "parameters.model")];
        if (modelEntry is not null) return [new ModelSource(models[0], modelEntry.Value, "model")];
        return [new ModelSource(models[0], top, "model", IsDefault: true)];
    }

    /// <summary>
    /// <see cref="CheckModelsFit(TrainingImageCount?, DatasetSpec, IEnumerable{ModelSource})"/> for a reader that knows
    /// only one place the models were given (a W&amp;B file's model parameter, <c>piximi.model</c> or the model option).
    /// </summary>
    internal void CheckModelsFit(TrainingImageCount? images, DatasetSpec dataset, IReadOnlyList<ModelKind> models, YNode node, string field) =>
        CheckModelsFit(images, dataset, models.Select(m => new ModelSource(m, node, field)));

    /// <summary>
    /// Every model the sweep trains must take the images at the shape they train at (the dataset check's, or
    /// <c>dataset.input_shape</c>): a worker could not even build a smaller one, and every trial of it would fail.
    /// Nothing is checked while the shape is unknown (no checker, no input shape).
    /// </summary>
    private void CheckModelsFit(TrainingImageCount? images, DatasetSpec dataset, IEnumerable<ModelSource> models)
    {
        if ((images?.Shape ?? dataset.InputShape) is not { } shape) return;
        var reported = new HashSet<(ModelKind, string)>();
        foreach (var source in models)
        {
            if (ModelInputs.Fits(source.Model, shape) || !reported.Add((source.Model, source.Field))) continue;
            var minimum = ModelInputs.MinimumSide(source.Model, shape.Channels);
            var which = source.IsDefault ? $"the default model {source.Model}" : source.Model.ToString();
            var where = dataset.InputShape is not null ? "dataset.input_shape"
                : dataset.Kind == DatasetSpec.Idx ? "the IDX images' own size"
                : dataset.Kind == DatasetSpec.Piximi ? "the project's classifier input shape, or its images' own size" : "the images' size";
            _errors.Add(source.Node, source.Field,
                $"{which} needs images of {ModelInputs.Needs(source.Model, shape.Channels)}, but this dataset's are "
                + $"{shape.Height}×{shape.Width}×{shape.Channels} ({where}), so no trial of it could be built; allowed: a model that takes "
                + $"{shape.Height}×{shape.Width}×{shape.Channels} images, or dataset.input_shape: {{height: {minimum}, width: {minimum}, channels: {shape.Channels}}} "
                + "or larger, to which every image is resized");
        }
    }
}
