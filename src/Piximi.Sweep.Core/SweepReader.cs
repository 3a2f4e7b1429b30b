using System.Globalization;
using System.Text.RegularExpressions;
using Piximi.Sweep.Core.Yaml;

namespace Piximi.Sweep.Core;

/// <summary>
/// Turns the YAML tree of one sweep file into a <see cref="LoadedSweep"/>, recording every problem in the
/// <see cref="ErrorSink"/> rather than stopping at the first. Each Read method returns null when its part is unusable
/// (having said why), so later checks that need it are skipped instead of piling up follow-on errors.
/// </summary>
internal sealed partial class SweepReader(string path, ErrorSink errors, Func<DatasetSpec, DatasetSize>? checkDataset, IFileSystemView files)
{
    public const double DefaultLearningRate = 0.01;
    public const int DefaultBatchSize = 32;
    public const int DefaultEpochs = 10;
    public const int DefaultSeed = 0;
    public const double DefaultTrainingPercentage = 0.75;
    public const int MaxEpochs = 10_000;
    public const string DefaultMetric = MetricNames.ValAccuracy;
    public static readonly TimeSpan MaxTimeBudget = TimeSpan.FromDays(7);

    private static readonly string[] TopKeys = ["name", "description", "dataset", "model", "metric", "parameters", "budget", "method", "sampler_seed", "trials", "pruner", "early_stopping", "baseline"];
    private const string MethodAllowed = "grid, random or tpe";
    private static readonly string[] BudgetKeys = ["deadline", "max_trials", "max_epochs", "compute_hours"];
    private static readonly string[] DatasetKeys = ["kind", "images", "labels", "training_percentage", "subset", "input_shape", "include_inference", "classes"];
    private static readonly string[] ParameterKeys = ["optimizer", "loss", "learning_rate", "batch_size", "epochs", "seed", "model"];
    private static readonly string[] LadderKeys = ["from", "to"];
    private static readonly string[] EpochBudgetKeys = ["max", "time_budget"];
    private static readonly string[] DatasetKinds = ["idx", "folder", "piximi"];

    // Other tools' names for Piximi's, offered as "did you mean" only: the file speaks Piximi's names.
    private static readonly Dictionary<string, string> NoAliases = new(StringComparer.OrdinalIgnoreCase);

    private static readonly Dictionary<string, string> OptimizerAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sgd"] = nameof(OptimizerKind.StochasticGradientDescent),
    };

    private static readonly Dictionary<string, string> LossAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["mse"] = nameof(LossKind.MeanSquaredError),
        ["mae"] = nameof(LossKind.AbsoluteDifference),
        ["l1"] = nameof(LossKind.AbsoluteDifference),
        ["bce"] = nameof(LossKind.SigmoidCrossEntropy),
        ["binary_crossentropy"] = nameof(LossKind.SigmoidCrossEntropy),
    };

    private const string LearningRateAllowed = HyperparameterLimits.LearningRateAllowed;
    private const string BatchSizeAllowed = "whole numbers ≥ 1";
    private const string EpochsAllowed = "whole numbers from 1 to 10000";
    private const string SeedAllowed = "whole numbers from 0 to 2147483647";
    private const string TrainingPercentageAllowed = "0.1 to 0.99";
    private const string SubsetAllowed = "a whole number ≥ 2";
    private const string NameAllowed = "1 to 100 letters, digits, '.', '_' or '-' (not '.' or '..')";
    private const string BudgetEpochsAllowed = "a whole number ≥ 1: epochs summed over every trial of the sweep";
    private const double MaxComputeHours = 10_000;
    private const string ComputeHoursAllowed = "a number of hours > 0 and ≤ 10000, such as 0.5 (epoch wall time summed over every trial)";
    private const string DurationAllowed = "hours, minutes and/or seconds such as 90s, 20m, 1h or 1h30m, at most 168h";

    private readonly string _path = path;
    private readonly ErrorSink _errors = errors;
    private readonly Func<DatasetSpec, DatasetSize>? _checkDataset = checkDataset;
    private readonly IFileSystemView _files = files;

    // Against the caller's current folder, not this process's: Core does no I/O and reads no process state.
    private readonly string _folder = Path.GetDirectoryName(Path.GetFullPath(path, files.CurrentFolder)) ?? files.CurrentFolder;

    /// <summary>A batch size with the node to blame if it exceeds the training images (null: the default).</summary>
    private sealed record BatchSource(int Value, YNode? Node, string Field, bool FromLadder);

    internal sealed record DatasetRead(DatasetSpec Spec, YNode ImagesNode, YNode? LabelsNode = null);

    /// <param name="ModelNode">The <c>parameters.model</c> node when the file gives one (null: the top-level model).</param>
    private sealed record ParametersRead(ParameterSpace Space, IReadOnlyList<BatchSource> BatchSources, YNode? ModelNode = null);

    public LoadedSweep? Read(YNode root)
    {
        if (root is not YMapping top)
        {
            _errors.Add(root, YamlTree.DocumentField,
                $"the top level must be a mapping of settings (dataset:, parameters: …), found {Found(root)}");
            return null;
        }

        var keys = ReadKeys(top, "", TopKeys);
        var name = ReadName(keys.GetValueOrDefault("name"), top);
        var description = keys.TryGetValue("description", out var descriptionEntry)
            ? ReadText(descriptionEntry.Value, "description")
            : null;
        var budget = keys.TryGetValue("budget", out var budgetEntry) ? ReadBudget(budgetEntry.Value) : SweepBudget.None;
        var search = ReadSearch(keys, top);

        DatasetRead? dataset = null;
        if (keys.TryGetValue("dataset", out var datasetEntry))
        {
            dataset = ReadDataset(datasetEntry.Value);
        }
        else
        {
            _errors.Add(top, "dataset", "missing; a sweep needs dataset: with kind: idx, images: and labels:");
        }

        ModelKind? model = keys.TryGetValue("model", out var modelEntry)
            ? ReadModel(modelEntry.Value)
            : ModelKind.SimpleCNN;
        var metric = keys.TryGetValue("metric", out var metricEntry) ? ReadMetric(metricEntry.Value) : DefaultMetric;

        // Defaults are blamed on the parameters: mapping (or the top of the file) when they do not fit the dataset.
        var parametersNode = keys.TryGetValue("parameters", out var parametersEntry) ? parametersEntry.Value : top;
        var parameters = ReadParameters(parametersEntry?.Value, parametersNode);
        var pruner = keys.TryGetValue("pruner", out var prunerEntry) ? ReadPruner(prunerEntry.Value, parameters) : null;
        var earlyStopping = keys.TryGetValue("early_stopping", out var stoppingEntry)
            ? ReadEarlyStopping(stoppingEntry.Value, metric)
            : null;
        var baseline = keys.TryGetValue("baseline", out var baselineEntry) ? ReadBaseline(baselineEntry.Value) : null;

        // The dataset is counted even when the parameters are wrong, so its own problems are reported in the same round.
        var trainingImages = dataset is null ? null : CountTrainingImages(dataset);
        if (trainingImages is not null && parameters is not null) CheckBatchSizesFit(trainingImages, parameters.BatchSources);
        if (trainingImages is not null && baseline is not null) CheckBatchSizesFit(trainingImages, [baseline.BatchSize]);

        // The model: top-level `model:` (one, as before models were a parameter) or `parameters.model:` (one or a
        // list), not both. Either way the space holds the list (null for SimpleCNN alone) and the definition's Model
        // its first entry.
        if (parameters?.ModelNode is { } modelNode && modelEntry is not null)
        {
            _errors.Add(modelNode, "parameters.model",
                "the model is also given at the top (model:); give it in one place: a single model at the top, or one or more under parameters");
            model = null;
        }
        else if (parameters is not null && model is { } single && parameters.ModelNode is null)
        {
            parameters = parameters with { Space = parameters.Space with { Models = ParameterSpace.ModelsOf([single]) } };
        }
        else if (parameters is not null && parameters.ModelNode is not null)
        {
            model = parameters.Space.ModelList[0];
        }

        // Every model against the images' shape: the dataset check's, or without one dataset.input_shape.
        if (dataset is not null && parameters is not null && model is not null)
            CheckModelsFit(trainingImages, dataset.Spec, [.. ModelSources(modelEntry, parameters, top), .. baseline is null ? [] : new[] { baseline.Model }]);

        if (parameters is not null && Grid.Count(parameters.Space) is var trialCount && trialCount > SweepFile.MaxTrials)
        {
            var space = parameters.Space;
            var models = space.ModelList.Count > 1 ? $"{space.ModelList.Count} models × " : "";
            _errors.Add(parametersNode, "parameters",
                $"the grid has {trialCount} trials ({models}{space.Optimizers.Count} optimizers × {space.Losses.Count} losses × "
                + $"{space.LearningRates.Count} learning rates × {space.BatchSizes.Count} batch sizes × "
                + $"{space.Epochs.Count} epochs × {space.Seeds.Count} seeds); allowed: at most {SweepFile.MaxTrials}");
        }

        if (_errors.Count > 0 || name is null || dataset is null || model is null || metric is null || parameters is null || search is null
            || (baselineEntry is not null && baseline is null))
        {
            return null;
        }

        var definition = new SweepDefinition(name, dataset.Spec, model.Value, metric, parameters.Space)
        {
            Method = search.Value.Method, SamplerSeed = search.Value.Seed, Trials = search.Value.Trials,
            Pruner = pruner, EarlyStopping = earlyStopping, Baseline = baseline?.Spec, Description = description,
        };
        var loaded = new LoadedSweep(definition) { Budget = budget ?? SweepBudget.None };
        var note = trainingImages is null ? null : MobileNetSteps.Note(definition, loaded.Trials, trainingImages.Training);
        return loaded with { Notes = note is null ? [] : [note] };
    }

    // ----- mappings and keys -----

    /// <summary>
    /// The mapping's entries by key, after reporting keys that are unknown (with a suggestion), repeated or not plain
    /// words. Only the first of repeated keys is used, so its value is still checked.
    /// </summary>
    private Dictionary<string, YEntry> ReadKeys(YMapping mapping, string parent, IReadOnlyList<string> allowed)
    {
        var found = new Dictionary<string, YEntry>(StringComparer.Ordinal);
        foreach (var entry in mapping.Entries)
        {
            if (entry.Key is not YScalar { IsNull: false } key)
            {
                _errors.Add(entry.Key, Join(parent, "?"),
                    $"a key must be a plain word, found {Found(entry.Key)}; allowed: {string.Join(", ", allowed)}");
                continue;
            }

            var field = Join(parent, key.Text);
            if (!allowed.Contains(key.Text, StringComparer.Ordinal))
            {
                _errors.Add(key, field,
                    $"unknown key '{key.Text}'; {Suggestions.DidYouMean(key.Text, allowed)}allowed: {string.Join(", ", allowed)}");
            }
            else if (found.TryGetValue(key.Text, out var first))
            {
                _errors.Add(key, field,
                    $"duplicate key '{key.Text}', first given at line {first.Key.Line}, column {first.Key.Column}; allowed: each key once");
            }
            else
            {
                found.Add(key.Text, entry);
            }
        }
        return found;
    }

    internal YMapping? RequireMapping(YNode node, string field, string expected)
    {
        if (node is YMapping mapping) return mapping;
        _errors.Add(node, field, $"expected {expected}, found {Found(node)}");
        return null;
    }

    /// <summary>The node's text if it is a single non-empty value; otherwise reports what was expected and returns null.</summary>
    internal YScalar? RequireScalar(YNode node, string field, string expected)
    {
        if (node is YScalar { IsNull: false } scalar) return scalar;
        _errors.Add(node, field, node is YScalar ? $"no value given; expected {expected}" : $"expected {expected}, found {Found(node)}");
        return null;
    }

    // ----- top-level settings -----

    internal string? ReadName(YEntry? entry, YMapping top)
    {
        if (entry is null)
        {
            var fromFile = Path.GetFileNameWithoutExtension(_path);
            if (IsValidName(fromFile)) return fromFile;
            _errors.Add(top, "name",
                $"no name: given, and the file name '{fromFile}' is not a valid name; add name: with {NameAllowed}");
            return null;
        }

        if (RequireScalar(entry.Value, "name", $"a name of {NameAllowed}") is not { } scalar) return null;
        if (IsValidName(scalar.Text)) return scalar.Text;
        _errors.Add(scalar, "name", $"'{scalar.Text}' is not a valid name; allowed: {NameAllowed}");
        return null;
    }

    // "." and ".." fit the character set but would name the current or parent folder wherever a name becomes a path.
    private static bool IsValidName(string name) => NamePattern().IsMatch(name) && name is not ("." or "..");

    [GeneratedRegex(@"\A[A-Za-z0-9._-]{1,100}\z")]
    private static partial Regex NamePattern();

    private string? ReadText(YNode node, string field)
    {
        if (node is YScalar scalar) return scalar.IsNull ? null : scalar.Text;
        _errors.Add(node, field, $"expected text, found {Found(node)}");
        return null;
    }

    /// <summary>
    /// <c>method:</c> (grid, random or tpe), <c>sampler_seed:</c> and <c>trials:</c>. Random and TPE need a trial
    /// count; the grid has as many trials as points and refuses one.
    /// </summary>
    private (SearchMethod Method, int Seed, int? Trials)? ReadSearch(Dictionary<string, YEntry> keys, YMapping top)
    {
        var method = SearchMethod.Grid;
        if (keys.TryGetValue("method", out var methodEntry))
        {
            if (RequireScalar(methodEntry.Value, "method", MethodAllowed) is not { } scalar) return null;
            switch (scalar.Text.Trim().ToLowerInvariant())
            {
                case "grid": method = SearchMethod.Grid; break;
                case "random": method = SearchMethod.Random; break;
                case "tpe": method = SearchMethod.Tpe; break;
                default:
                    _errors.Add(scalar, "method", $"'{scalar.Text}' is not a search method here; allowed: {MethodAllowed}");
                    return null;
            }
        }
        var seed = 0;
        if (keys.TryGetValue("sampler_seed", out var seedEntry)
            && (RequireScalar(seedEntry.Value, "sampler_seed", SeedAllowed) is not { } seedScalar
                || !ReadWhole(seedScalar, "sampler_seed", 0, int.MaxValue, SeedAllowed, out seed)))
            return null;
        int? trials = null;
        var trialsAllowed = $"a whole number from 1 to {SweepFile.MaxTrials}, with method: random or tpe";
        if (keys.TryGetValue("trials", out var trialsEntry))
        {
            if (RequireScalar(trialsEntry.Value, "trials", trialsAllowed) is not { } trialsScalar
                || !ReadWhole(trialsScalar, "trials", 1, SweepFile.MaxTrials, trialsAllowed, out var count))
                return null;
            if (method == SearchMethod.Grid)
            {
                _errors.Add(trialsScalar, "trials", $"the grid has as many trials as points; allowed: {trialsAllowed}");
                return null;
            }
            trials = count;
        }
        if (method != SearchMethod.Grid && trials is null)
        {
            _errors.Add(keys.TryGetValue("method", out var m) ? m.Value : top, "trials",
                $"missing; method: {method.ToString().ToLowerInvariant()} needs {trialsAllowed}");
            return null;
        }
        return (method, seed, trials);
    }

    /// <summary>
    /// <c>budget:</c> {deadline, max_trials, max_epochs, compute_hours}: how much of the sweep one run may do, not
    /// what the sweep is.
    /// </summary>
    private SweepBudget? ReadBudget(YNode node)
    {
        if (RequireMapping(node, "budget", "a mapping with deadline:, max_trials:, max_epochs: and/or compute_hours:") is not { } mapping)
            return null;
        var keys = ReadKeys(mapping, "budget", BudgetKeys);
        string? deadline = null;
        if (keys.TryGetValue("deadline", out var deadlineEntry)
            && RequireScalar(deadlineEntry.Value, "budget.deadline", Deadlines.Allowed) is { } deadlineScalar)
        {
            if (Deadlines.TryParse(deadlineScalar.Text, DateTimeOffset.Now, out _)) deadline = deadlineScalar.Text.Trim();
            else _errors.Add(deadlineScalar, "budget.deadline", $"'{deadlineScalar.Text}' is not a deadline; allowed: {Deadlines.Allowed}");
        }
        int? maxTrials = null;
        if (keys.TryGetValue("max_trials", out var maxEntry)
            && RequireScalar(maxEntry.Value, "budget.max_trials", "a whole number ≥ 1") is { } maxScalar
            && ReadWhole(maxScalar, "budget.max_trials", 1, int.MaxValue, "a whole number ≥ 1", out var max))
            maxTrials = max;
        int? maxEpochs = null;
        if (keys.TryGetValue("max_epochs", out var epochsEntry)
            && RequireScalar(epochsEntry.Value, "budget.max_epochs", BudgetEpochsAllowed) is { } epochsScalar
            && ReadWhole(epochsScalar, "budget.max_epochs", 1, int.MaxValue, BudgetEpochsAllowed, out var epochs))
            maxEpochs = epochs;
        double? computeHours = null;
        if (keys.TryGetValue("compute_hours", out var hoursEntry)
            && ReadNumberIn(hoursEntry.Value, "budget.compute_hours", double.Epsilon, MaxComputeHours, ComputeHoursAllowed, out var hours))
            computeHours = hours;
        return new SweepBudget(deadline, maxTrials) { MaxEpochs = maxEpochs, ComputeHours = computeHours };
    }

    private ModelKind? ReadModel(YNode node)
    {
        var names = Enum.GetNames<ModelKind>();
        if (RequireScalar(node, "model", $"one of {string.Join(", ", names)}") is not { } scalar) return null;
        return MatchName(scalar, "model", "model", names, aliases: null) is { } name ? Enum.Parse<ModelKind>(name) : null;
    }

    private string? ReadMetric(YNode node)
    {
        if (RequireScalar(node, "metric", $"one of {string.Join(", ", MetricNames.All)}") is not { } scalar) return null;
        return MatchName(scalar, "metric", "metric", MetricNames.All, aliases: null);
    }

    /// <summary>
    /// The canonical spelling of <paramref name="scalar"/> among <paramref name="names"/>, matched ignoring case.
    /// Enum.TryParse is not used: it would also accept numbers ("2") and comma lists ("Adam, Momentum").
    /// </summary>
    private string? MatchName(YScalar scalar, string field, string what, IReadOnlyList<string> names,
        IReadOnlyDictionary<string, string>? aliases)
    {
        var text = scalar.Text.Trim();
        foreach (var name in names)
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase)) return name;
        }

        var suggestion = aliases is not null && aliases.TryGetValue(text, out var alias)
            ? $"did you mean '{alias}'? "
            : UnofferedNames.Explain(what, text) is { } other ? $"{other}; " : Suggestions.DidYouMean(text, names);
        _errors.Add(scalar, field, $"unknown {what} '{text}'; {suggestion}allowed: {string.Join(", ", names)}");
        return null;
    }

    // ----- dataset -----

    internal DatasetRead? ReadDataset(YNode node)
    {
        if (RequireMapping(node, "dataset", "a mapping with kind: idx, images: and labels:") is not { } mapping) return null;
        var keys = ReadKeys(mapping, "dataset", DatasetKeys);
        var ok = true;

        string? kind = null;
        if (keys.TryGetValue("kind", out var kindEntry))
        {
            if (RequireScalar(kindEntry.Value, "dataset.kind", $"one of {string.Join(", ", DatasetKinds)}") is { } scalar)
            {
                kind = MatchName(scalar, "dataset.kind", "dataset kind", DatasetKinds, aliases: null);
            }
        }
        else
        {
            _errors.Add(mapping, "dataset.kind", $"missing; allowed: {string.Join(", ", DatasetKinds)}");
        }
        ok &= kind is not null;

        var folder = kind == DatasetSpec.Folder;
        var isPiximi = kind == DatasetSpec.Piximi; // kind: piximi's keys are read in SweepReaderPiximi.cs
        var images = folder ? ReadDatasetFolder(keys, mapping)
            : ReadDatasetFile(keys, mapping, "images", isPiximi ? PiximiImagesExpected : "the IDX file of images (.gz or raw)");
        var labels = folder || isPiximi ? null : ReadDatasetFile(keys, mapping, "labels", "the IDX file of labels (.gz or raw)");
        ok &= (folder ? RefuseLabels(keys) : isPiximi ? RefusePiximiLabels(keys) : labels is not null) & images is not null;
        var (inputShape, shapeOk) = ReadInputShape(keys, mapping, kind);
        ok &= shapeOk;
        var (classes, classesOk) = ReadClasses(keys, kind);
        ok &= classesOk;
        ok &= ReadIncludeInference(keys, kind, out var includeInference);

        var trainingPercentage = DefaultTrainingPercentage;
        if (keys.TryGetValue("training_percentage", out var percentageEntry))
        {
            ok &= ReadNumberIn(percentageEntry.Value, "dataset.training_percentage", 0.1, 0.99,
                TrainingPercentageAllowed, out trainingPercentage);
        }

        int? subset = null;
        if (keys.TryGetValue("subset", out var subsetEntry))
        {
            if (RequireScalar(subsetEntry.Value, "dataset.subset", SubsetAllowed) is { } scalar
                && ReadWhole(scalar, "dataset.subset", 2, int.MaxValue, SubsetAllowed, out var value))
            {
                subset = value;
            }
            else
            {
                ok = false;
            }
        }

        return ok
            ? new DatasetRead(new DatasetSpec(kind!, images!.Value.Path, labels?.Path, trainingPercentage, subset)
            {
                InputShape = inputShape, IncludeInference = includeInference, Classes = classes,
            }, images.Value.Node, labels?.Node)
            : null;
    }

    /// <summary>An existing file, resolved to an absolute path against the sweep file's folder.</summary>
    private (string Path, YNode Node)? ReadDatasetFile(Dictionary<string, YEntry> keys, YMapping dataset, string key, string expected)
    {
        var field = $"dataset.{key}";
        if (!keys.TryGetValue(key, out var entry))
        {
            _errors.Add(dataset, field, $"missing; expected {expected}");
            return null;
        }
        if (RequireScalar(entry.Value, field, $"the path of {expected}") is not { } scalar) return null;

        var written = scalar.Text.Trim();
        var full = ResolvePath(written);
        var how = Path.IsPathRooted(written) || IsHomeRelative(written) ? "" : $" (written '{written}', relative to {_folder})";
        var kind = _files.Kind(full);
        if (kind == PathKind.Folder)
        {
            _errors.Add(scalar, field, $"{full} is a folder{how}; allowed: {expected}");
            return null;
        }
        if (kind != PathKind.File)
        {
            _errors.Add(scalar, field, $"file not found: {full}{how}; allowed: {expected}");
            return null;
        }
        return (full, scalar);
    }

    private string ResolvePath(string written)
    {
        // "~/" is what people type in a terminal; honour it rather than look for a folder named "~".
        if (IsHomeRelative(written))
        {
            written = Path.Join(_files.HomeFolder, written[1..].TrimStart('/'));
        }
        return Path.GetFullPath(written, _folder);
    }

    private static bool IsHomeRelative(string written) => written == "~" || written.StartsWith("~/", StringComparison.Ordinal);

    // ----- parameters -----

    private ParametersRead? ReadParameters(YNode? node, YNode blameForDefaults)
    {
        Dictionary<string, YEntry> keys = [];
        // "parameters:" with every line commented out means "all defaults", as if the key were absent.
        if (node is not null && node is not YScalar { IsNull: true })
        {
            if (RequireMapping(node, "parameters", $"a mapping of {string.Join(", ", ParameterKeys)}") is not { } mapping)
            {
                return null;
            }
            keys = ReadKeys(mapping, "parameters", ParameterKeys);
        }

        var optimizers = keys.TryGetValue("optimizer", out var optimizerEntry)
            ? ReadValues(optimizerEntry.Value, "parameters.optimizer", OptimizerValue)
            : [OptimizerKind.Adam];

        var losses = keys.TryGetValue("loss", out var lossEntry)
            ? ReadValues(lossEntry.Value, "parameters.loss", LossValue)
            : [LossKind.CategoricalCrossEntropy];

        var learningRates = keys.TryGetValue("learning_rate", out var rateEntry)
            ? ReadLearningRates(rateEntry.Value)
            : [DefaultLearningRate];

        var batchSources = keys.TryGetValue("batch_size", out var batchEntry)
            ? ReadBatchSizes(batchEntry.Value)
            : [new BatchSource(DefaultBatchSize, null, "parameters.batch_size", FromLadder: false)];

        (IReadOnlyList<int> Values, TimeSpan? Budget)? epochs = keys.TryGetValue("epochs", out var epochsEntry)
            ? ReadEpochs(epochsEntry.Value)
            : ([DefaultEpochs], null);

        var seeds = keys.TryGetValue("seed", out var seedEntry)
            ? ReadValues(seedEntry.Value, "parameters.seed", SeedAllowed,
                (YScalar s, string f, out int v) => ReadWhole(s, f, 0, int.MaxValue, SeedAllowed, out v))
            : [DefaultSeed];

        var models = keys.TryGetValue("model", out var modelEntry)
            ? ReadValues(modelEntry.Value, "parameters.model", ModelValue)
            : [ModelKind.SimpleCNN];

        if (optimizers is null || losses is null || learningRates is null || batchSources is null || epochs is null || seeds is null
            || models is null)
        {
            return null;
        }

        var batchSizes = batchSources.Select(b => b.Value).ToArray();
        var space = new ParameterSpace(optimizers, losses, learningRates, batchSizes, epochs.Value.Values, epochs.Value.Budget, seeds)
        {
            Models = ParameterSpace.ModelsOf(models),
        };
        // The default batch size has no node of its own; blame the parameters: mapping if it does not fit.
        var sources = batchSources.Select(b => b.Node is null ? b with { Node = blameForDefaults } : b).ToArray();
        return new ParametersRead(space, sources, modelEntry?.Value);
    }

    private delegate bool ItemReader<T>(YScalar scalar, string field, out T value);

    /// <summary>
    /// How one value of a parameter is read: what is expected, and the reader with its checks. <c>parameters:</c>
    /// reads one or a list of them, <c>baseline:</c> exactly one, with the very same checks and words.
    /// </summary>
    private sealed record ValueReader<T>(string Expected, ItemReader<T> Read);

    private ValueReader<OptimizerKind> OptimizerValue => new($"one of {string.Join(", ", Enum.GetNames<OptimizerKind>())}",
        (YScalar s, string f, out OptimizerKind v) => TryEnum(s, f, "optimizer", Enum.GetNames<OptimizerKind>(), OptimizerAliases, out v));

    private ValueReader<LossKind> LossValue => new($"one of {string.Join(", ", Enum.GetNames<LossKind>())}",
        (YScalar s, string f, out LossKind v) => TryEnum(s, f, "loss", Enum.GetNames<LossKind>(), LossAliases, out v));

    private ValueReader<double> LearningRateValue => new($"a learning rate {LearningRateAllowed}",
        (YScalar s, string f, out double v) => ReadNumberIn(s, f, HyperparameterLimits.MinLearningRate, HyperparameterLimits.MaxLearningRate, LearningRateAllowed, out v));

    private ValueReader<int> BatchSizeValue => new($"a batch size: {BatchSizeAllowed}",
        (YScalar s, string f, out int v) => ReadWhole(s, f, 1, int.MaxValue, BatchSizeAllowed, out v));

    private ValueReader<int> EpochsValue => new($"a number of epochs: {EpochsAllowed}",
        (YScalar s, string f, out int v) => ReadWhole(s, f, 1, MaxEpochs, EpochsAllowed, out v));

    private ValueReader<ModelKind> ModelValue => new($"one of {string.Join(", ", Enum.GetNames<ModelKind>())}",
        (YScalar s, string f, out ModelKind v) => TryEnum(s, f, "model", Enum.GetNames<ModelKind>(), NoAliases, out v));

    private IReadOnlyList<T>? ReadValues<T>(YNode node, string field, ValueReader<T> reader) where T : notnull =>
        ReadValues(node, field, reader.Expected, reader.Read);

    /// <summary>
    /// A single value or a list of them. Lists must not be empty (the grid would be) and must not repeat a value
    /// (a repeated value would silently run the same trials twice).
    /// </summary>
    private IReadOnlyList<T>? ReadValues<T>(YNode node, string field, string expected, ItemReader<T> read)
        where T : notnull
    {
        switch (node)
        {
            case YScalar { IsNull: true }:
                _errors.Add(node, field, $"no value given; expected {expected}");
                return null;

            case YScalar scalar:
                return read(scalar, field, out var single) ? [single] : null;

            case YSequence { Items.Count: 0 }:
                _errors.Add(node, field, $"the list is empty, so the grid would be too; allowed: at least one value, {expected}");
                return null;

            case YSequence sequence:
            {
                var values = new List<T>();
                var seen = new Dictionary<T, YScalar>();
                var ok = true;
                for (var i = 0; i < sequence.Items.Count; i++)
                {
                    var itemField = $"{field}[{i}]";
                    if (RequireScalar(sequence.Items[i], itemField, expected) is not { } item || !read(item, itemField, out var value))
                    {
                        ok = false;
                    }
                    else if (seen.TryGetValue(value, out var first))
                    {
                        _errors.Add(item, itemField,
                            $"{item.Text} is listed twice, first at line {first.Line}, column {first.Column}; allowed: each value once");
                        ok = false;
                    }
                    else
                    {
                        seen.Add(value, item);
                        values.Add(value);
                    }
                }
                return ok ? values : null;
            }

            default:
                _errors.Add(node, field, $"expected {expected} or a list of them, found {Found(node)}");
                return null;
        }
    }

    private bool TryEnum<TEnum>(YScalar scalar, string field, string what, string[] names,
        IReadOnlyDictionary<string, string> aliases, out TEnum value) where TEnum : struct, Enum
    {
        value = default;
        if (MatchName(scalar, field, what, names, aliases) is not { } name) return false;
        value = Enum.Parse<TEnum>(name);
        return true;
    }

    private IReadOnlyList<double>? ReadLearningRates(YNode node)
    {
        const string field = "parameters.learning_rate";
        if (node is not YMapping ladder) return ReadValues(node, field, LearningRateValue);

        if (ReadLadderEnds(ladder, field, LearningRateValue.Expected, LearningRateValue.Read) is not var (from, to))
        {
            return null;
        }

        var values = Ladders.LearningRates(from, to);
        if (values.Count == 0)
        {
            _errors.Add(ladder, field,
                $"no ladder value lies between {Show(from)} and {Show(to)}, so the grid would be empty; "
                + "allowed: a range that holds a value 1·10^k or 3·10^k (… 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1)");
            return null;
        }
        return values;
    }

    private IReadOnlyList<BatchSource>? ReadBatchSizes(YNode node)
    {
        const string field = "parameters.batch_size";
        if (node is not YMapping ladder)
        {
            var items = new List<(int Value, YNode Node, string Field)>();
            var values = ReadValues(node, field, BatchSizeValue.Expected, (YScalar s, string f, out int v) =>
            {
                var ok = BatchSizeValue.Read(s, f, out v);
                if (ok) items.Add((v, s, f));
                return ok;
            });
            // Each value's own node, so a batch size too large for the dataset is pointed at exactly.
            return values?.Select(v => items.First(i => i.Value == v)).Select(i => new BatchSource(i.Value, i.Node, i.Field, false)).ToArray();
        }

        if (ReadLadderEnds(ladder, field, BatchSizeValue.Expected, BatchSizeValue.Read) is not var (from, to))
        {
            return null;
        }

        // The ladder's top is what may not fit the dataset: blame "to".
        var toNode = ladder.Entries.First(e => e.Key is YScalar { Text: "to" }).Value;
        return [.. Ladders.BatchSizes(from, to).Select(v => new BatchSource(v, toNode, $"{field}.to", FromLadder: true))];
    }

    /// <summary>The <c>{from, to}</c> of a ladder, both valid and from ≤ to; null after reporting otherwise.</summary>
    private (T From, T To)? ReadLadderEnds<T>(YMapping ladder, string field, string expected, ItemReader<T> read)
        where T : IComparable<T>
    {
        var keys = ReadKeys(ladder, field, LadderKeys);
        var ok = true;
        T from = default!, to = default!;
        foreach (var (key, setValue) in new (string, Action<T>)[] { ("from", v => from = v), ("to", v => to = v) })
        {
            if (!keys.TryGetValue(key, out var entry))
            {
                _errors.Add(ladder, $"{field}.{key}", $"missing; a ladder needs from: and to:, each {expected}");
                ok = false;
            }
            else if (RequireScalar(entry.Value, $"{field}.{key}", expected) is { } scalar && read(scalar, $"{field}.{key}", out var value))
            {
                setValue(value);
            }
            else
            {
                ok = false;
            }
        }
        if (!ok) return null;

        if (from.CompareTo(to) > 0)
        {
            var fromNode = keys["from"].Value;
            _errors.Add(fromNode, $"{field}.from",
                $"from ({((YScalar)fromNode).Text}) is greater than to ({((YScalar)keys["to"].Value).Text}); allowed: from ≤ to");
            return null;
        }
        return (from, to);
    }

    private (IReadOnlyList<int> Values, TimeSpan? Budget)? ReadEpochs(YNode node)
    {
        const string field = "parameters.epochs";
        if (node is not YMapping budget)
        {
            var values = ReadValues(node, field, EpochsValue);
            return values is null ? null : (values, null);
        }

        // {max, time_budget}: the guide's "as many epochs as fit in e.g. 20 minutes", with max as the cap.
        var keys = ReadKeys(budget, field, EpochBudgetKeys);
        int? max = null;
        TimeSpan? timeBudget = null;
        if (!keys.TryGetValue("max", out var maxEntry))
        {
            _errors.Add(budget, $"{field}.max", $"missing; with time_budget:, give max: the most epochs to run ({EpochsAllowed})");
        }
        else if (RequireScalar(maxEntry.Value, $"{field}.max", EpochsAllowed) is { } scalar
            && ReadWhole(scalar, $"{field}.max", 1, MaxEpochs, EpochsAllowed, out var value))
        {
            max = value;
        }

        if (!keys.TryGetValue("time_budget", out var budgetEntry))
        {
            _errors.Add(budget, $"{field}.time_budget", $"missing; give the wall time each trial may take: {DurationAllowed}");
        }
        else if (RequireScalar(budgetEntry.Value, $"{field}.time_budget", $"a duration: {DurationAllowed}") is { } scalar)
        {
            timeBudget = ReadDuration(scalar, $"{field}.time_budget");
        }

        return max is null || timeBudget is null ? null : ([max.Value], timeBudget);
    }

    private TimeSpan? ReadDuration(YScalar scalar, string field)
    {
        var match = DurationPattern().Match(scalar.Text.Trim());
        if (!match.Success || scalar.Text.Trim().Length == 0)
        {
            _errors.Add(scalar, field, $"'{scalar.Text}' is not a duration; allowed: {DurationAllowed}");
            return null;
        }

        // Up to 9 digits each, so the sum cannot overflow before it is compared with the limit.
        static long Part(Group group) => group.Success ? long.Parse(group.Value, CultureInfo.InvariantCulture) : 0;
        var seconds = Part(match.Groups["h"]) * 3600 + Part(match.Groups["m"]) * 60 + Part(match.Groups["s"]);
        if (seconds < 1 || seconds > MaxTimeBudget.TotalSeconds)
        {
            _errors.Add(scalar, field, $"{scalar.Text} is out of range; allowed: {DurationAllowed}");
            return null;
        }
        return TimeSpan.FromSeconds(seconds);
    }

    [GeneratedRegex(@"\A(?:(?<h>[0-9]{1,9})h)?(?:(?<m>[0-9]{1,9})m)?(?:(?<s>[0-9]{1,9})s)?\z")]
    private static partial Regex DurationPattern();

    // ----- numbers -----

    private bool ReadNumberIn(YNode node, string field, double min, double max, string allowed, out double value)
    {
        value = 0;
        return RequireScalar(node, field, $"a number: {allowed}") is { } scalar && ReadNumberIn(scalar, field, min, max, allowed, out value);
    }

    /// <summary>A finite number in [min, max]; quoted numbers ("0.01") are accepted, since the intent is plain.</summary>
    internal bool ReadNumberIn(YScalar scalar, string field, double min, double max, string allowed, out double value)
    {
        if (!TryNumber(scalar.Text, out value))
        {
            _errors.Add(scalar, field, $"'{scalar.Text}' is not a number; allowed: {allowed}");
            return false;
        }
        if (value < min || value > max)
        {
            _errors.Add(scalar, field, $"{scalar.Text.Trim()} is out of range; allowed: {allowed}");
            return false;
        }
        return true;
    }

    /// <summary>A whole number in [min, max]; "32.0" and "1e3" count as whole, "2.5" does not.</summary>
    internal bool ReadWhole(YScalar scalar, string field, long min, long max, string allowed, out int value)
    {
        value = 0;
        if (!TryNumber(scalar.Text, out var number))
        {
            _errors.Add(scalar, field, $"'{scalar.Text}' is not a number; allowed: {allowed}");
            return false;
        }
        if (number != Math.Floor(number))
        {
            _errors.Add(scalar, field, $"{scalar.Text.Trim()} is not a whole number; allowed: {allowed}");
            return false;
        }
        if (number < min || number > max)
        {
            _errors.Add(scalar, field, $"{scalar.Text.Trim()} is out of range; allowed: {allowed}");
            return false;
        }
        value = (int)number;
        return true;
    }

    /// <summary>Invariant-culture decimal or exponent notation; NaN and infinities are not numbers a sweep can use.</summary>
    internal static bool TryNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    // ----- checks across sections -----

    /// <param name="Shape">The shape the images train at, when the caller's check says (else the spec's input shape, if any).</param>
    internal sealed record TrainingImageCount(int Training, int Total, double Percentage, InputShape? Shape = null);

    /// <summary>
    /// How many images training gets, and at what shape, from the caller's dataset check (which reads the data as the
    /// workers will, so that what would fail them is refused here, before anything is stored); null without a checker
    /// or after reporting why there is no usable count.
    /// </summary>
    internal TrainingImageCount? CountTrainingImages(DatasetRead dataset)
    {
        if (_checkDataset is null) return null;

        int count;
        InputShape? shape;
        try
        {
            (count, shape) = _checkDataset(dataset.Spec);
        }
#pragma warning disable CA1031 // The contract: whatever the counter throws, its message is the user's error.
        catch (Exception e)
#pragma warning restore CA1031
        {
            // A problem of the labels file (its message starts with its path) is reported at dataset.labels.
            if (dataset.Spec.Labels is { } labelsPath && dataset.LabelsNode is { } labelsNode && e.Message.StartsWith(labelsPath + ":", StringComparison.Ordinal))
                _errors.Add(labelsNode, "dataset.labels", e.Message);
            else
                _errors.Add(dataset.ImagesNode, "dataset.images", e.Message);
            return null;
        }

        var percentage = dataset.Spec.TrainingPercentage;
        var training = dataset.Spec.TrainingImages(count);
        if (training < 1)
        {
            _errors.Add(dataset.ImagesNode, "dataset.images",
                $"the dataset yields {count} images, and training_percentage {Show(percentage)} of them leaves no training "
                + "image; allowed: a dataset with at least 1 training image");
            return null;
        }
        return new TrainingImageCount(training, count, percentage, shape ?? dataset.Spec.InputShape);
    }

    /// <summary>Every batch size must fit in the training images, or a trial would have no full batch to train on.</summary>
    private void CheckBatchSizesFit(TrainingImageCount images, IReadOnlyList<BatchSource> batchSources)
    {
        var allowed = $"at most the number of training images: {images.Training} "
            + $"(training_percentage {Show(images.Percentage)} of {images.Total} images)";
        foreach (var source in batchSources.Where(b => b.Value > images.Training))
        {
            var message = source.FromLadder
                ? $"the ladder reaches batch size {source.Value}, more than the training images; allowed: {allowed}"
                : source.Node is YScalar { IsNull: false }
                    ? $"{source.Value} is more than the training images; allowed: {allowed}"
                    : $"the default batch size {source.Value} is more than the training images; allowed: {allowed}";
            _errors.Add(source.Node!, source.Field, message);
            if (source.FromLadder) break; // one error for the ladder's "to", not one per rung
        }
    }

    // ----- wording -----

    private static string Join(string parent, string key) => parent.Length == 0 ? key : $"{parent}.{key}";

    private static string Found(YNode node) => node switch
    {
        YScalar { IsNull: true } => "nothing",
        YScalar scalar => $"'{scalar.Text}'",
        _ => node.KindName,
    };

    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
