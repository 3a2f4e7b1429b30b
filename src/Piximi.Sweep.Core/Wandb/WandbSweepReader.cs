using System.Globalization;
using Piximi.Sweep.Core.Yaml;

namespace Piximi.Sweep.Core.Wandb;

/// <summary>
/// Reads a Weights &amp; Biases sweep configuration into a <see cref="LoadedSweep"/> (mapping and refusals:
/// WANDB-SWEEPS.md beside the Core project). Like <see cref="SweepReader"/>, it records every problem in the
/// <see cref="ErrorSink"/>; what it leaves out on purpose is recorded as a note instead, for the user to see.
/// </summary>
internal sealed class WandbSweepReader(string path, ErrorSink errors, Func<DatasetSpec, DatasetSize>? checkDataset, SweepFileOptions options, IFileSystemView files)
{
    /// <summary>Keys W&amp;B defines that this reader uses.</summary>
    private static readonly string[] UsedKeys = ["name", "description", "method", "metric", "parameters", "early_terminate", "run_cap", "piximi"];

    /// <summary>Keys W&amp;B defines that mean nothing here (they say how W&amp;B's agent starts a script): noted, ignored.</summary>
    private static readonly string[] AgentKeys = ["program", "command", "project", "entity", "controller", "job", "image"];

    private static readonly string[] MetricKeys = ["name", "goal", "target"];
    private static readonly string[] EarlyTerminateKeys = ["type", "min_iter", "max_iter", "s", "eta", "strict"];
    private static readonly string[] PiximiKeys = ["dataset", "model", "sampler_seed"];
    private static readonly string[] ParameterSpecKeys = ["values", "value", "min", "max", "distribution", "q", "probabilities", "mu", "sigma", "a", "b", "parameters"];
    private static readonly string[] Distributions =
        ["constant", "categorical", "int_uniform", "uniform", "log_uniform_values", "log_uniform", "q_uniform", "q_log_uniform_values"];
    private const string MethodAllowed = "grid, random or bayes";

    /// <summary>int_uniform ranges become lists of whole numbers; longer ones would bloat the stored definition.</summary>
    public const int MaxIntUniformValues = 1000;

    private const string LearningRateAllowed = HyperparameterLimits.LearningRateAllowed;
    private const string BatchSizeAllowed = "whole numbers ≥ 1";
    private const string EpochsAllowed = "whole numbers from 1 to 10000";
    private const string SeedAllowed = "whole numbers from 0 to 2147483647";
    private const string RunCapAllowed = "a whole number from 1 to 100000";
    private const string ParametersAllowed = "lr (learning_rate), batch_size, epochs, optimizer, loss, seed, model (Piximi trains with just these)";

    private static readonly Dictionary<string, string> ParameterAliases = new(StringComparer.Ordinal)
    {
        ["lr"] = "learning_rate", ["learning_rate"] = "learning_rate", ["learningrate"] = "learning_rate",
        ["batch_size"] = "batch_size", ["batchsize"] = "batch_size", ["batch"] = "batch_size", ["bs"] = "batch_size",
        ["epochs"] = "epochs", ["epoch"] = "epochs", ["num_epochs"] = "epochs", ["n_epochs"] = "epochs", ["max_epochs"] = "epochs",
        ["optimizer"] = "optimizer", ["optimiser"] = "optimizer", ["optim"] = "optimizer", ["opt"] = "optimizer",
        ["loss"] = "loss", ["loss_fn"] = "loss", ["loss_function"] = "loss", ["criterion"] = "loss",
        ["seed"] = "seed", ["random_seed"] = "seed",
        ["model"] = "model", ["arch"] = "model", ["architecture"] = "model", ["model_name"] = "model",
    };

    private static readonly Dictionary<string, ModelKind> ModelSpellings = new(StringComparer.Ordinal)
    {
        ["simplecnn"] = ModelKind.SimpleCNN, ["cnn"] = ModelKind.SimpleCNN,
        ["mobilenet"] = ModelKind.MobileNet, ["mobilenetv1"] = ModelKind.MobileNet,
    };

    // Matched after lower-casing and dropping '_', '-' and spaces, so Piximi's own names match too.
    private static readonly Dictionary<string, OptimizerKind> OptimizerSpellings = new(StringComparer.Ordinal)
    {
        ["sgd"] = OptimizerKind.StochasticGradientDescent, ["stochasticgradientdescent"] = OptimizerKind.StochasticGradientDescent,
        ["momentum"] = OptimizerKind.Momentum, ["sgdmomentum"] = OptimizerKind.Momentum,
        ["rmsprop"] = OptimizerKind.RMSProp, ["adam"] = OptimizerKind.Adam, ["adamax"] = OptimizerKind.Adamax,
        ["adagrad"] = OptimizerKind.Adagrad, ["adadelta"] = OptimizerKind.Adadelta,
    };

    private static readonly Dictionary<string, LossKind> LossSpellings = new(StringComparer.Ordinal)
    {
        ["crossentropy"] = LossKind.CategoricalCrossEntropy, ["categoricalcrossentropy"] = LossKind.CategoricalCrossEntropy,
        ["ce"] = LossKind.CategoricalCrossEntropy,
        ["meansquarederror"] = LossKind.MeanSquaredError, ["mse"] = LossKind.MeanSquaredError,
        ["hinge"] = LossKind.Hinge, ["huber"] = LossKind.Huber,
        ["absolutedifference"] = LossKind.AbsoluteDifference, ["meanabsoluteerror"] = LossKind.AbsoluteDifference,
        ["mae"] = LossKind.AbsoluteDifference, ["l1"] = LossKind.AbsoluteDifference,
        ["sigmoidcrossentropy"] = LossKind.SigmoidCrossEntropy, ["binarycrossentropy"] = LossKind.SigmoidCrossEntropy,
        ["bce"] = LossKind.SigmoidCrossEntropy, ["log"] = LossKind.Log, ["logloss"] = LossKind.Log,
    };

    /// <summary>Prefixes of a metric's name that say which data it was measured on, as the spellings' own prefix.</summary>
    private static readonly Dictionary<string, string> DataPrefixes = new(StringComparer.Ordinal)
    {
        ["val"] = "val", ["valid"] = "val", ["validation"] = "val", ["eval"] = "val", ["train"] = "train", ["training"] = "train",
    };

    private static readonly Dictionary<string, string> MetricSpellings = new(StringComparer.Ordinal)
    {
        ["val_accuracy"] = MetricNames.ValAccuracy, ["val_acc"] = MetricNames.ValAccuracy,
        ["validation_accuracy"] = MetricNames.ValAccuracy, ["validation_acc"] = MetricNames.ValAccuracy,
        ["valid_accuracy"] = MetricNames.ValAccuracy, ["valid_acc"] = MetricNames.ValAccuracy,
        ["val_loss"] = MetricNames.ValLoss, ["validation_loss"] = MetricNames.ValLoss, ["valid_loss"] = MetricNames.ValLoss,
        ["accuracy"] = MetricNames.Accuracy, ["acc"] = MetricNames.Accuracy, ["train_accuracy"] = MetricNames.Accuracy,
        ["train_acc"] = MetricNames.Accuracy, ["training_accuracy"] = MetricNames.Accuracy,
        ["loss"] = MetricNames.Loss, ["train_loss"] = MetricNames.Loss, ["training_loss"] = MetricNames.Loss,
    };

    private readonly string _path = path;
    private readonly ErrorSink _errors = errors;
    private readonly SweepFileOptions _options = options;
    private readonly IFileSystemView _files = files;
    private readonly SweepReader _native = new(path, errors, checkDataset, files);
    private readonly List<string> _notes = [];

    /// <summary>The epochs read (and their key; null: not given, the default), for the pruner's check.</summary>
    private (Values<int> Values, YScalar? Key)? _epochs;

    /// <summary>One W&amp;B parameter read: its values (for ranges, the ends) and the nodes to blame for each.</summary>
    private sealed record Values<T>(IReadOnlyList<T> Items, IReadOnlyList<YNode> Nodes, LearningRateDistribution Distribution = LearningRateDistribution.Values);

    /// <summary>
    /// Whether <paramref name="root"/> is a W&amp;B sweep configuration rather than a native sweep file: a key only
    /// W&amp;B has, <c>method: bayes</c> or a <c>metric:</c> mapping (unless the file has the native <c>dataset:</c>), or a parameter written as W&amp;B writes them
    /// (a mapping with <c>values</c>, <c>value</c>, <c>min</c>, <c>distribution</c>, …, or <c>max</c> without the native
    /// <c>time_budget</c>). The native format has none of these, so the guess is never ambiguous for a valid file.
    /// </summary>
    public static bool Recognises(YNode root)
    {
        if (root is not YMapping top) return false;
        // A top-level dataset: is the native format's own key: there, a misspelt method or metric is the native
        // file's error to report, not a sign of W&B.
        var native = top.Entries.Any(e => e.Key is YScalar { Text: "dataset" });
        foreach (var entry in top.Entries)
        {
            if (entry.Key is not YScalar key) continue;
            if (key.Text is "early_terminate" or "run_cap" or "piximi" || AgentKeys.Contains(key.Text)) return true;
            if (!native && key.Text == "method" && entry.Value is YScalar method && Normalise(method.Text) == "bayes") return true;
            if (!native && key.Text == "metric" && entry.Value is YMapping) return true;
            if (key.Text == "parameters" && entry.Value is YMapping parameters
                && parameters.Entries.Any(p => p.Value is YMapping spec && LooksLikeWandbParameter(spec)))
                return true;
        }
        return false;
    }

    private static bool LooksLikeWandbParameter(YMapping spec)
    {
        var keys = spec.Entries.Select(e => e.Key).OfType<YScalar>().Select(k => k.Text).ToHashSet(StringComparer.Ordinal);
        return keys.Overlaps(["values", "value", "min", "distribution", "q", "probabilities", "mu", "sigma"])
            || (keys.Contains("max") && !keys.Contains("time_budget"));
    }

    public LoadedSweep? Read(YMapping top)
    {
        Note(top, "(format)", "read as a Weights & Biases sweep configuration (see WANDB-SWEEPS.md)");
        var keys = ReadTopKeys(top);

        var name = _native.ReadName(keys.GetValueOrDefault("name"), top);
        string? description = null;
        if (keys.TryGetValue("description", out var descriptionEntry))
        {
            if (descriptionEntry.Value is YScalar d) description = d.IsNull ? null : d.Text;
            else _errors.Add(descriptionEntry.Value, "description", $"expected text, found {Found(descriptionEntry.Value)}");
        }

        var method = ReadMethod(keys, top);
        var runCap = ReadRunCap(keys, top, method);
        var metric = ReadMetric(keys, top);
        var earlyTerminate = keys.TryGetValue("early_terminate", out var terminateEntry) ? ReadEarlyTerminate(terminateEntry.Value) : null;
        var (dataset, model, samplerSeed) = ReadPiximi(keys, top);
        var space = ReadParameters(keys, top, method);
        // One model (piximi.model, the model option) or a model parameter; the option wins over both, as the dataset option does.
        if (space is { ModelKey: { } modelKey } swept && model is not null)
        {
            if (_options.Model is not null)
            {
                Note(modelKey, $"parameters.{modelKey.Text}", $"{Option(CallerOption.Model)} {_options.Model} is used instead");
                space = swept with { Space = swept.Space with { Models = ParameterSpace.ModelsOf([model.Value]) }, ModelKey = null };
            }
            else if (keys.TryGetValue("piximi", out var piximiEntry) && piximiEntry.Value is YMapping piximiSection
                && piximiSection.Entries.Any(e => e.Key is YScalar { Text: "model" }))
            {
                _errors.Add(modelKey, $"parameters.{modelKey.Text}",
                    "the model is also given as piximi.model; give it in one place: piximi.model for one, or a model parameter for several");
                model = null;
            }
            else
            {
                model = swept.Space.ModelList[0];
            }
        }
        else if (space is { } one && model is not null)
        {
            space = one with { Space = one.Space with { Models = ParameterSpace.ModelsOf([model.Value]) } };
        }

        var trainingImages = dataset is null ? null : _native.CountTrainingImages(dataset);
        if (trainingImages is not null && space is not null)
        {
            var allowed = $"at most the number of training images: {trainingImages.Training} "
                + $"(training_percentage {Show(trainingImages.Percentage)} of {trainingImages.Total} images)";
            foreach (var (size, node) in space.Value.BatchSizes.Items.Zip(space.Value.BatchSizes.Nodes).Where(b => b.First > trainingImages.Training))
            {
                _errors.Add(node, "parameters.batch_size", $"batch size {size} is more than the training images; allowed: {allowed}");
                break; // one is enough to say the range or list reaches too far
            }
        }

        // The rule a native pruner: obeys, worded in W&B's keys; judged on the epochs even when other parameters failed.
        if (earlyTerminate is { } terminate && _epochs is { } epochs
            && terminate.Spec.NeverPrunes(epochs.Values.Items.Max(), terminate.Written,
                epochs.Key is { } epochsKey ? $"from parameters.{epochsKey.Text}" : "the default epochs, as no epochs parameter is given",
                "leave out early_terminate") is { } neverPrunes)
            _errors.Add(terminate.FirstRung, terminate.Field, neverPrunes);

        if (dataset is not null && space is not null && model is not null)
        {
            var (modelNode, modelField) = space.Value.ModelKey is { } key ? (key, $"parameters.{key.Text}") : ((YNode)top, _options.Model is null ? "piximi.model" : Option(CallerOption.Model));
            _native.CheckModelsFit(trainingImages, dataset.Spec, space.Value.Space.ModelList, modelNode, modelField);
        }

        if (space is not null && method == SearchMethod.Grid && Grid.Count(space.Value.Space) is var count && count > SweepFile.MaxTrials)
        {
            _errors.Add(keys.TryGetValue("parameters", out var p) ? p.Value : top, "parameters",
                $"the grid has {count} trials; allowed: at most {SweepFile.MaxTrials}");
        }

        if (_errors.Count > 0 || name is null || method is null || metric is null || dataset is null || model is null
            || space is null || samplerSeed is null || runCap is { Ok: false })
            return null;

        var definition = new SweepDefinition(name, dataset.Spec, model.Value, metric, space.Value.Space)
        {
            Method = method.Value,
            SamplerSeed = samplerSeed.Value,
            Trials = method == SearchMethod.Grid ? null : runCap?.Value,
            Pruner = earlyTerminate?.Spec,
            // W&B's agent walks a grid in order, early_terminate or not. Said only when it differs from the native
            // rule (a pruned grid is shuffled), so the JSON of every other W&B definition is what it was.
            GridOrder = method == SearchMethod.Grid && earlyTerminate is not null ? GridOrder.Written : default,
            Description = description,
        };
        var budget = method == SearchMethod.Grid && runCap?.Value is { } cap ? new SweepBudget(null, cap) : SweepBudget.None;
        var loaded = new LoadedSweep(definition) { Budget = budget };
        if (trainingImages is not null && MobileNetSteps.Note(definition, loaded.Trials, trainingImages.Training) is { } steps) _notes.Add(steps);
        return loaded with { Notes = _notes };
    }

    // ----- top level -----

    private Dictionary<string, YEntry> ReadTopKeys(YMapping top)
    {
        var found = new Dictionary<string, YEntry>(StringComparer.Ordinal);
        foreach (var entry in top.Entries)
        {
            if (entry.Key is not YScalar { IsNull: false } key)
            {
                _errors.Add(entry.Key, "?", $"a key must be a plain word, found {Found(entry.Key)}");
                continue;
            }
            if (AgentKeys.Contains(key.Text))
            {
                Note(key, key.Text, $"W&B's '{key.Text}' is for W&B's own agent and service (which script, where results go); Piximi.Sweep trains Piximi's model itself and stores results locally, so it is ignored");
            }
            else if (key.Text == "baseline")
            {
                // The native format's key: not silently dropped, and not a typo to suggest a W&B key for.
                Unhonoured(key, key.Text, "baseline: is a key of native sweep files only; a Weights & Biases sweep file cannot give one. "
                    + "To compare against your settings, write the sweep as a native file (SWEEP-FILE.md)");
            }
            else if (!UsedKeys.Contains(key.Text))
            {
                Unhonoured(key, key.Text, $"unknown key '{key.Text}'; {Suggestions.DidYouMean(key.Text, [.. UsedKeys, .. AgentKeys])}"
                    + $"allowed: {string.Join(", ", UsedKeys)} (and W&B's {string.Join(", ", AgentKeys)}, which are ignored)");
            }
            else if (found.TryGetValue(key.Text, out var first))
            {
                _errors.Add(key, key.Text, $"duplicate key '{key.Text}', first given at line {first.Key.Line}, column {first.Key.Column}; allowed: each key once");
            }
            else
            {
                found.Add(key.Text, entry);
            }
        }
        return found;
    }

    private SearchMethod? ReadMethod(Dictionary<string, YEntry> keys, YMapping top)
    {
        if (!keys.TryGetValue("method", out var entry))
        {
            _errors.Add(top, "method", $"missing; a W&B sweep names its search: {MethodAllowed}");
            return null;
        }
        if (RequireScalar(entry.Value, "method", MethodAllowed) is not { } scalar) return null;
        switch (Normalise(scalar.Text))
        {
            case "grid": return SearchMethod.Grid;
            case "random": return SearchMethod.Random;
            case "bayes":
                Note(scalar, "method", "bayes runs as TPE (Optuna's tree-structured Parzen estimator), not W&B's Gaussian-process "
                    + "optimiser: a different model of the results, over exactly the same search space");
                return SearchMethod.Tpe;
            default:
                _errors.Add(scalar, "method", $"'{scalar.Text}' is not a W&B search method; {Suggestions.DidYouMean(scalar.Text, ["grid", "random", "bayes"])}allowed: {MethodAllowed}");
                return null;
        }
    }

    /// <summary>
    /// run_cap: the trial count of random and bayes; a budget for the grid. W&amp;B does not require it: without it an
    /// agent runs random and bayes until stopped, and so does this sweep (a null trial count), until a budget, the
    /// deadline or Ctrl+C.
    /// </summary>
    private (bool Ok, int? Value)? ReadRunCap(Dictionary<string, YEntry> keys, YMapping top, SearchMethod? method)
    {
        if (!keys.TryGetValue("run_cap", out var entry))
        {
            if (method is SearchMethod.Random or SearchMethod.Tpe)
            {
                var written = method == SearchMethod.Random ? "random" : "bayes";
                Note(keys["method"].Value, "run_cap",
                    $"not given, so, as W&B runs method: {written}, trials are proposed until stopped: by a budget ({Option(CallerOption.MaxTrials)}, "
                    + $"{Option(CallerOption.MaxEpochs)}, {Option(CallerOption.ComputeHours)}), the deadline ({Option(CallerOption.Deadline)}) or Ctrl+C; add run_cap: N for a fixed number");
            }
            return null;
        }
        if (RequireScalar(entry.Value, "run_cap", RunCapAllowed) is not { } scalar
            || !ReadWhole(scalar, "run_cap", 1, SweepFile.MaxTrials, RunCapAllowed, out var cap))
            return (false, null);
        if (method == SearchMethod.Grid)
            Note(scalar, "run_cap", $"with method: grid, run_cap limits how many of the grid's trials one run starts (budget max_trials {cap})");
        return (true, cap);
    }

    private string? ReadMetric(Dictionary<string, YEntry> keys, YMapping top)
    {
        if (!keys.TryGetValue("metric", out var entry))
        {
            Note(top, "metric", $"not given; trials are ranked by {SweepReader.DefaultMetric} (higher is better)");
            return SweepReader.DefaultMetric;
        }
        if (RequireMapping(entry.Value, "metric", "a mapping with name: and goal:") is not { } mapping) return null;
        var fields = ReadKeys(mapping, "metric", MetricKeys, ignorable: false);

        string? metric = null;
        if (!fields.TryGetValue("name", out var nameEntry))
        {
            _errors.Add(mapping, "metric.name", $"missing; allowed: {string.Join(", ", MetricNames.All)} (or a common spelling such as val_acc)");
        }
        else if (RequireScalar(nameEntry.Value, "metric.name", "a metric name") is { } nameScalar)
        {
            metric = ReadMetricName(nameScalar);
        }

        if (fields.TryGetValue("target", out var targetEntry))
        {
            Unhonoured(targetEntry.Key, "metric.target", $"W&B stops the sweep once target is reached; Piximi.Sweep has no such stop (use budget limits such as {Option(CallerOption.Deadline)} or {Option(CallerOption.MaxTrials)})");
        }

        if (metric is null) return null;
        var better = MetricNames.HigherIsBetter(metric) ? "maximize" : "minimize";
        if (!fields.TryGetValue("goal", out var goalEntry))
        {
            _errors.Add(mapping, "metric.goal",
                $"missing; W&B's default goal is minimize, which for {metric} would look for the {(better == "maximize" ? "worst" : "best")} trials; allowed: goal: {better}");
            return null;
        }
        if (RequireScalar(goalEntry.Value, "metric.goal", "maximize or minimize") is not { } goal) return null;
        var written = Normalise(goal.Text);
        if (written is not ("maximize" or "minimize"))
        {
            _errors.Add(goal, "metric.goal", $"'{goal.Text}' is not a goal; allowed: maximize, minimize");
            return null;
        }
        if (written != better)
        {
            _errors.Add(goal, "metric.goal", $"goal: {written} disagrees with {metric}, for which {(better == "maximize" ? "higher" : "lower")} is better; allowed: goal: {better}");
            return null;
        }
        return metric;
    }

    /// <summary>
    /// metric.name as one of the metrics recorded here. W&amp;B's name is whatever the training script logs, often
    /// behind a prefix: Keras' WandbMetricsLogger logs epoch/val_accuracy, Lightning and Hugging Face val/acc,
    /// train/loss, eval/loss. Such a name is read by its last part, joined to the prefix when the prefix names the
    /// data (val/acc is val_acc, train/loss is train_loss), with a note naming the mapping. A test set's metric is
    /// refused: there is none here, and the last part alone would name the training data's.
    /// </summary>
    private string? ReadMetricName(YScalar scalar)
    {
        var normal = Normalise(scalar.Text);
        if (MetricSpellings.TryGetValue(normal, out var known)) return known;
        var parts = normal.Split('/', '.');
        var last = parts[^1];
        var prefixes = parts[..^1];
        if (prefixes.Contains("test") || last.StartsWith("test_", StringComparison.Ordinal))
        {
            _errors.Add(scalar, "metric.name",
                $"'{scalar.Text}' is measured on a test set, and Piximi.Sweep holds out only a validation set (training_percentage) "
                + $"and records no test metrics; allowed: {string.Join(", ", MetricNames.All)}, e.g. val_accuracy for the held-out images");
            return null;
        }
        if (prefixes.Length > 0)
        {
            var split = prefixes.LastOrDefault(DataPrefixes.ContainsKey);
            foreach (var candidate in split is null ? [last] : new[] { $"{DataPrefixes[split]}_{last}", last })
            {
                if (!MetricSpellings.TryGetValue(candidate, out var mapped)) continue;
                Note(scalar, "metric.name", $"'{scalar.Text}' is read as {mapped}, by its last part '{last}'"
                    + (split is null ? "" : $" on the '{split}' data") + $"; Piximi.Sweep records {string.Join(", ", MetricNames.All)} every epoch");
                return mapped;
            }
        }
        _errors.Add(scalar, "metric.name",
            $"unknown metric '{scalar.Text}'; Piximi.Sweep records only {string.Join(", ", MetricNames.All)}; "
            + $"{Suggestions.DidYouMean(last, MetricSpellings.Keys)}allowed: those, or a common spelling such as val_acc, validation_loss, "
            + "train_accuracy, also after a prefix such as epoch/ or val/ (epoch/val_accuracy, val/acc)");
        return null;
    }

    /// <summary>early_terminate read: the pruner, and where its first rung was written, to blame if it never prunes.</summary>
    private sealed record EarlyTerminateRead(PrunerSpec Spec, YNode FirstRung, string Field, string Written);

    /// <summary>early_terminate {type: hyperband, min_iter | max_iter + s, eta, strict} as Piximi.Sweep's Hyperband pruner.</summary>
    private EarlyTerminateRead? ReadEarlyTerminate(YNode node)
    {
        const string field = "early_terminate";
        if (RequireMapping(node, field, "a mapping with type: hyperband and min_iter:") is not { } mapping) return null;
        var keys = ReadKeys(mapping, field, EarlyTerminateKeys, ignorable: false);
        var ok = true;
        if (!keys.TryGetValue("type", out var typeEntry))
        {
            _errors.Add(mapping, $"{field}.type", "missing; allowed: hyperband");
            ok = false;
        }
        else if (RequireScalar(typeEntry.Value, $"{field}.type", "hyperband") is not { } type)
        {
            ok = false;
        }
        else if (Normalise(type.Text) != "hyperband")
        {
            _errors.Add(type, $"{field}.type", $"'{type.Text}' is not an early-termination type here; allowed: hyperband");
            ok = false;
        }

        var eta = 3;
        if (keys.TryGetValue("eta", out var etaEntry))
        {
            ok &= RequireScalar(etaEntry.Value, $"{field}.eta", "a whole number from 2 to 100") is { } s
                && ReadWhole(s, $"{field}.eta", 2, 100, "a whole number from 2 to 100 (Piximi.Sweep's Hyperband needs a whole factor)", out eta);
        }

        int? minIter = null;
        (YNode At, string Field, string Written)? firstRung = null;
        const string iterAllowed = "a whole number of epochs from 1 to 10000";
        if (keys.TryGetValue("min_iter", out var minEntry))
        {
            if (RequireScalar(minEntry.Value, $"{field}.min_iter", iterAllowed) is { } s && ReadWhole(s, $"{field}.min_iter", 1, SweepReader.MaxEpochs, iterAllowed, out var v))
            {
                minIter = v;
                firstRung = (s, $"{field}.min_iter", $"min_iter {v}");
            }
            else ok = false;
            if (keys.TryGetValue("max_iter", out var ignoredMax))
                Note(ignoredMax.Key, $"{field}.max_iter", "with min_iter given, max_iter is not needed: here the brackets end at each trial's epochs; ignored");
            if (keys.TryGetValue("s", out var ignoredS))
                Note(ignoredS.Key, $"{field}.s", "with min_iter given, s is not needed: here the brackets follow from min_iter, eta and each trial's epochs; ignored");
        }
        else if (keys.TryGetValue("max_iter", out var maxEntry) && keys.TryGetValue("s", out var sEntry))
        {
            // W&B's other form: max_iter with s brackets, so the first rung is max_iter / eta^s.
            if (RequireScalar(maxEntry.Value, $"{field}.max_iter", iterAllowed) is { } m && ReadWhole(m, $"{field}.max_iter", 1, SweepReader.MaxEpochs, iterAllowed, out var max)
                && RequireScalar(sEntry.Value, $"{field}.s", "a whole number from 0 to 20") is { } sScalar && ReadWhole(sScalar, $"{field}.s", 0, 20, "a whole number from 0 to 20", out var brackets) && ok)
            {
                var divisor = Math.Pow(eta, brackets);
                var derived = max / divisor;
                if (derived >= 1 && derived == Math.Floor(derived))
                {
                    minIter = (int)derived;
                    firstRung = (m, $"{field}.max_iter", $"the first rung, max_iter / eta^s = {max} / {eta}^{brackets} = {minIter} epochs,");
                    Note(m, $"{field}.max_iter", $"max_iter {max} with s {brackets} and eta {eta}: the first rung is at {minIter} epochs (min_iter {minIter})");
                }
                else
                {
                    _errors.Add(m, $"{field}.max_iter",
                        $"max_iter {max} / eta^s ({eta}^{brackets}) is {Show(derived)}, not a whole number of epochs ≥ 1; allowed: give min_iter: (the first rung, in epochs) instead");
                    ok = false;
                }
            }
            else
            {
                ok = false;
            }
        }
        else
        {
            _errors.Add(mapping, $"{field}.min_iter", $"missing; allowed: min_iter: ({iterAllowed}), or max_iter: and s: that divide evenly");
            ok = false;
        }

        if (keys.TryGetValue("strict", out var strictEntry) && RequireScalar(strictEntry.Value, $"{field}.strict", "true or false") is { } strict)
        {
            if (Normalise(strict.Text) == "true")
                Unhonoured(strict, $"{field}.strict", "strict: true is W&B's more aggressive Hyperband variant; Piximi.Sweep's Hyperband judges as Optuna's does");
            else if (Normalise(strict.Text) != "false")
            {
                _errors.Add(strict, $"{field}.strict", $"'{strict.Text}' is not true or false; allowed: false");
                ok = false;
            }
        }
        return ok && minIter is { } min && firstRung is { } rung
            ? new EarlyTerminateRead(new PrunerSpec(PrunerKind.Hyperband) { MinEpochs = min, ReductionFactor = eta }, rung.At, rung.Field, rung.Written)
            : null;
    }

    /// <summary>
    /// The dataset and model (the <c>piximi:</c> section or the dataset and model options, which win) and the sampler seed;
    /// null parts have been reported.
    /// </summary>
    private (SweepReader.DatasetRead? Dataset, ModelKind? Model, int? SamplerSeed) ReadPiximi(Dictionary<string, YEntry> keys, YMapping top)
    {
        Dictionary<string, YEntry> section = [];
        if (keys.TryGetValue("piximi", out var piximiEntry)
            && RequireMapping(piximiEntry.Value, "piximi", "a mapping with dataset:, model: and/or sampler_seed:") is { } piximi)
            section = ReadKeys(piximi, "piximi", PiximiKeys, ignorable: false);

        SweepReader.DatasetRead? dataset = null;
        if (_options.Dataset is { } folder)
        {
            if (section.TryGetValue("dataset", out var overridden))
                Note(overridden.Key, "piximi.dataset", $"{Option(CallerOption.Dataset)} {folder} is used instead");
            dataset = DatasetFromFolder(folder);
        }
        else if (section.TryGetValue("dataset", out var datasetEntry))
        {
            dataset = _native.ReadDataset(datasetEntry.Value);
        }
        else
        {
            _errors.Add(piximiEntry?.Value ?? top, "piximi.dataset",
                $"missing; W&B files do not say what to train on: give {Option(CallerOption.Dataset)} FOLDER (holding train-images-idx3-ubyte[.gz] and "
                + "train-labels-idx1-ubyte[.gz]) or piximi: {dataset: {kind: idx, images: …, labels: …}}");
        }

        ModelKind? model = ModelKind.SimpleCNN;
        if (_options.Model is { } modelOption)
        {
            if (section.TryGetValue("model", out var overridden)) Note(overridden.Key, "piximi.model", $"{Option(CallerOption.Model)} {modelOption} is used instead");
            model = MatchModel(modelOption);
            if (model is null) _errors.Add(0, 0, Option(CallerOption.Model), $"unknown model '{modelOption}'; allowed: {string.Join(", ", Enum.GetNames<ModelKind>())}");
        }
        else if (section.TryGetValue("model", out var modelEntry) && RequireScalar(modelEntry.Value, "piximi.model", "a model name") is { } scalar)
        {
            model = MatchModel(scalar.Text);
            if (model is null) _errors.Add(scalar, "piximi.model", $"unknown model '{scalar.Text}'; allowed: {string.Join(", ", Enum.GetNames<ModelKind>())}");
        }
        else if (section.ContainsKey("model"))
        {
            model = null;
        }

        int? samplerSeed = 0;
        if (section.TryGetValue("sampler_seed", out var seedEntry))
        {
            samplerSeed = RequireScalar(seedEntry.Value, "piximi.sampler_seed", SeedAllowed) is { } s
                && ReadWhole(s, "piximi.sampler_seed", 0, int.MaxValue, SeedAllowed, out var seed) ? seed : null;
        }
        return (dataset, model, samplerSeed);
    }

    private static ModelKind? MatchModel(string text) =>
        Enum.GetNames<ModelKind>().FirstOrDefault(n => string.Equals(n, text.Trim(), StringComparison.OrdinalIgnoreCase)) is { } name
            ? Enum.Parse<ModelKind>(name)
            : null;

    /// <summary>The dataset option: a folder with MNIST-style training files (as the fashion-mnist package installs them).</summary>
    private SweepReader.DatasetRead? DatasetFromFolder(string folder)
    {
        // The option is relative to the caller's current folder (a command line's), as the user typed it.
        var full = Path.GetFullPath(folder, _files.CurrentFolder);
        const string expected = "a folder holding train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]";
        var kind = _files.Kind(full);
        if (kind != PathKind.Folder)
        {
            _errors.Add(0, 0, Option(CallerOption.Dataset), (kind == PathKind.File ? $"{full} is a file" : $"folder not found: {full}") + $"; allowed: {expected}");
            return null;
        }
        string? Find(string stem) =>
            new[] { stem + ".gz", stem }.Select(n => Path.Combine(full, n)).FirstOrDefault(p => _files.Kind(p) == PathKind.File);
        var images = Find("train-images-idx3-ubyte");
        var labels = Find("train-labels-idx1-ubyte");
        if (images is null || labels is null)
        {
            _errors.Add(0, 0, Option(CallerOption.Dataset), $"{full} holds no {(images is null ? "train-images-idx3-ubyte[.gz]" : "train-labels-idx1-ubyte[.gz]")}; allowed: {expected}");
            return null;
        }
        var spec = new DatasetSpec("idx", images, labels, SweepReader.DefaultTrainingPercentage, null);
        return new SweepReader.DatasetRead(spec, new YScalar(0, 0, images, IsPlain: false));
    }

    // ----- parameters -----

/// <param name="ModelKey">The <c>model</c> parameter's key when the file sweeps the model (null: one model, from
    /// piximi.model or the model option).</param>
    private readonly record struct SpaceRead(ParameterSpace Space, Values<int> BatchSizes, YScalar? ModelKey);

    private SpaceRead? ReadParameters(Dictionary<string, YEntry> keys, YMapping top, SearchMethod? method)
    {
        if (!keys.TryGetValue("parameters", out var entry))
        {
            _errors.Add(top, "parameters", "missing; a W&B sweep needs parameters: (lr, batch_size, epochs, optimizer, loss, seed)");
            return null;
        }
        if (RequireMapping(entry.Value, "parameters", "a mapping of parameter names to {values: …}, {value: …} or {min: …, max: …}") is not { } mapping) return null;

        var found = new Dictionary<string, (YScalar Key, YMapping Spec)>(StringComparer.Ordinal);
        var ok = true;
        foreach (var parameter in mapping.Entries)
        {
            if (parameter.Key is not YScalar { IsNull: false } key)
            {
                _errors.Add(parameter.Key, "parameters.?", $"a parameter name must be a plain word, found {Found(parameter.Key)}");
                ok = false;
                continue;
            }
            var field = $"parameters.{key.Text}";
            if (!ParameterAliases.TryGetValue(Normalise(key.Text), out var canonical))
            {
                // A dotted name is the training script's config path (Hydra's model.lr, passed by W&B's
                // ${args_no_hyphens}): its last part is the hyperparameter's name.
                var suggestion = Suggestions.DidYouMean(key.Text.Split('.')[^1], ParameterAliases.Keys);
                Unhonoured(key, field, $"'{key.Text}' is not a Piximi hyperparameter; {suggestion}allowed: {ParametersAllowed}");
                continue;
            }
            if (found.TryGetValue(canonical, out var first))
            {
                _errors.Add(key, field, $"'{key.Text}' is {canonical} again, first given as '{first.Key.Text}' at line {first.Key.Line}, column {first.Key.Column}; allowed: each parameter once");
                ok = false;
                continue;
            }
            if (RequireMapping(parameter.Value, field, "a mapping with values:, value:, or min: and max:") is not { } spec)
            {
                ok = false;
                continue;
            }
            found.Add(canonical, (key, spec));
        }

        var optimizers = found.TryGetValue("optimizer", out var o) ? ReadNames(o.Key, o.Spec, "optimizer", OptimizerSpellings) : Default([OptimizerKind.Adam]);
        var losses = found.TryGetValue("loss", out var l) ? ReadNames(l.Key, l.Spec, "loss", LossSpellings) : Default([LossKind.CategoricalCrossEntropy]);
        var rates = found.TryGetValue("learning_rate", out var r) ? ReadLearningRates(r.Key, r.Spec, method) : Default([SweepReader.DefaultLearningRate]);
        var batches = found.TryGetValue("batch_size", out var b) ? ReadWholes(b.Key, b.Spec, 1, int.MaxValue, BatchSizeAllowed) : Default([SweepReader.DefaultBatchSize], mapping);
        var epochs = found.TryGetValue("epochs", out var e) ? ReadWholes(e.Key, e.Spec, 1, SweepReader.MaxEpochs, EpochsAllowed) : Default([SweepReader.DefaultEpochs]);
        if (epochs is not null) _epochs = (epochs, found.ContainsKey("epochs") ? e.Key : null);
        var seeds = found.TryGetValue("seed", out var s) ? ReadWholes(s.Key, s.Spec, 0, int.MaxValue, SeedAllowed) : Default([SweepReader.DefaultSeed]);
        var models = found.TryGetValue("model", out var m) ? ReadNames(m.Key, m.Spec, "model", ModelSpellings) : Default([ModelKind.SimpleCNN]);

        var defaults = new List<string>();
        if (!found.ContainsKey("optimizer")) defaults.Add($"optimizer {OptimizerKind.Adam}");
        if (!found.ContainsKey("loss")) defaults.Add($"loss {LossKind.CategoricalCrossEntropy}");
        if (!found.ContainsKey("learning_rate")) defaults.Add($"learning_rate {Show(SweepReader.DefaultLearningRate)}");
        if (!found.ContainsKey("batch_size")) defaults.Add($"batch_size {SweepReader.DefaultBatchSize}");
        if (!found.ContainsKey("epochs")) defaults.Add($"epochs {SweepReader.DefaultEpochs}");
        if (defaults.Count > 0) Note(mapping, "parameters", $"not given, so every trial uses Piximi.Sweep's default: {string.Join(", ", defaults)}");

        if (!ok || optimizers is null || losses is null || rates is null || batches is null || epochs is null || seeds is null
            || models is null) return null;
        var space = new ParameterSpace(optimizers.Items, losses.Items, rates.Items, batches.Items, epochs.Items, null, seeds.Items)
        {
            // The grid takes the list as it is; only samplers need to know how to draw.
            LearningRateDistribution = method == SearchMethod.Grid ? LearningRateDistribution.LogUniform : rates.Distribution,
            Models = ParameterSpace.ModelsOf(models.Items),
        };
        return new SpaceRead(space, batches, found.TryGetValue("model", out var given) ? given.Key : null);
    }

    private static Values<T> Default<T>(IReadOnlyList<T> values, YNode? blame = null) =>
        new(values, [.. values.Select(_ => blame ?? new YScalar(0, 0, "", IsPlain: false))]);

    /// <summary>A parameter's mapping checked, with its distribution named or inferred as W&amp;B infers it.</summary>
    private (string Distribution, Dictionary<string, YEntry> Keys)? ReadSpec(YScalar key, YMapping spec, string canonical)
    {
        var field = $"parameters.{key.Text}";
        var keys = ReadKeys(spec, field, ParameterSpecKeys, ignorable: false);
        if (keys.ContainsKey("parameters"))
        {
            _errors.Add(keys["parameters"].Key, $"{field}.parameters", $"nested parameters are not supported; {canonical} takes values:, value:, or min: and max:");
            return null;
        }
        if (keys.TryGetValue("probabilities", out var probabilities))
        {
            _errors.Add(probabilities.Key, $"{field}.probabilities",
                "weighted choices cannot be honoured: here every listed value is equally likely; allowed: values: without probabilities:");
            return null;
        }

        string distribution;
        if (keys.TryGetValue("distribution", out var distributionEntry))
        {
            if (RequireScalar(distributionEntry.Value, $"{field}.distribution", string.Join(", ", Distributions)) is not { } d) return null;
            distribution = Normalise(d.Text);
            if (!Distributions.Contains(distribution))
            {
                _errors.Add(d, $"{field}.distribution",
                    $"distribution '{d.Text}' cannot be honoured (Piximi.Sweep draws only from lists, uniform and log-uniform ranges); "
                    + $"allowed: {string.Join(", ", Distributions)}");
                return null;
            }
        }
        else if (keys.ContainsKey("values")) distribution = "categorical";
        else if (keys.ContainsKey("value")) distribution = "constant";
        else if (keys.ContainsKey("min") || keys.ContainsKey("max"))
        {
            // W&B's inference: whole-number bounds mean int_uniform, others uniform.
            distribution = new[] { "min", "max" }.All(k => keys.TryGetValue(k, out var v) && v.Value is YScalar sc && IsWholeLiteral(sc.Text))
                ? "int_uniform" : "uniform";
        }
        else
        {
            _errors.Add(spec, field, "no values given; allowed: values: [...], value: x, or min: and max: (with a distribution:)");
            return null;
        }

        foreach (var unused in new[] { "mu", "sigma", "a", "b" }.Where(keys.ContainsKey))
        {
            _errors.Add(keys[unused].Key, $"{field}.{unused}", $"'{unused}' belongs to a distribution that cannot be honoured here; allowed: values, value, min, max, distribution");
            return null;
        }
        var needs = distribution switch
        {
            "constant" => new[] { "value" },
            "categorical" => ["values"],
            "q_uniform" or "q_log_uniform_values" => ["min", "max"],
            _ => ["min", "max"],
        };
        var missing = needs.Where(k => !keys.ContainsKey(k)).ToArray();
        if (missing.Length > 0)
        {
            _errors.Add(spec, $"{field}.{missing[0]}", $"missing; distribution {distribution} needs {string.Join(" and ", needs.Select(n => n + ":"))}");
            return null;
        }
        var extra = keys.Keys.Where(k => k != "distribution" && k != "q" && !needs.Contains(k)).ToArray();
        if (extra.Length > 0)
        {
            _errors.Add(keys[extra[0]].Key, $"{field}.{extra[0]}", $"'{extra[0]}' does not go with distribution {distribution}, which takes {string.Join(" and ", needs.Select(n => n + ":"))}");
            return null;
        }
        if (keys.ContainsKey("q") && !distribution.StartsWith("q_", StringComparison.Ordinal))
        {
            _errors.Add(keys["q"].Key, $"{field}.q", $"q: goes with q_uniform or q_log_uniform_values, not {distribution}");
            return null;
        }
        return (distribution, keys);
    }

    private Values<T>? ReadNames<T>(YScalar key, YMapping spec, string what, IReadOnlyDictionary<string, T> spellings)
    {
        if (ReadSpec(key, spec, what) is not var (distribution, keys)) return null;
        var field = $"parameters.{key.Text}";
        if (distribution is not ("constant" or "categorical"))
        {
            _errors.Add(keys.TryGetValue("distribution", out var d) ? d.Value : spec, $"{field}.distribution",
                $"{what} is a choice of names, not a number; allowed: values: [...] or value: x");
            return null;
        }
        var items = new List<T>();
        var nodes = new List<YNode>();
        var ok = true;
        foreach (var (node, itemField) in Items(keys, distribution, field))
        {
            if (RequireScalar(node, itemField, $"a {what} name") is not { } scalar) { ok = false; continue; }
            var normal = Normalise(scalar.Text).Replace("_", "", StringComparison.Ordinal);
            if (!spellings.TryGetValue(normal, out var value))
            {
                var allowed = string.Join(", ", Enum.GetNames(typeof(T)));
                // Another library's real optimizer or loss is no typo: say what Piximi has instead.
                var instead = UnofferedNames.Explain(what, scalar.Text) is { } other
                    ? $": {other}; "
                    : $"; {Suggestions.DidYouMean(scalar.Text, spellings.Keys)}";
                Unhonoured(scalar, itemField, $"'{scalar.Text}' is not one of Piximi's {what} names{instead}allowed: {allowed} (or sgd, rmsprop, cross_entropy, mse … spellings)");
                ok &= _options.IgnoreUnknown; // refused: no second error saying the list is left empty
                continue;
            }
            if (items.Contains(value))
            {
                var at = nodes[items.IndexOf(value)];
                _errors.Add(scalar, itemField, $"'{scalar.Text}' is {value} again, first at line {at.Line}, column {at.Column}; allowed: each value once");
                ok = false;
                continue;
            }
            items.Add(value);
            nodes.Add(scalar);
        }
        if (!ok) return null;
        if (items.Count == 0)
        {
            _errors.Add(spec, field, $"no {what} left that Piximi has; allowed: at least one of {string.Join(", ", Enum.GetNames(typeof(T)))}");
            return null;
        }
        return new Values<T>(items, nodes);
    }

    /// <summary>The nodes of value: or values:, with the field to blame for each.</summary>
    private IEnumerable<(YNode Node, string Field)> Items(Dictionary<string, YEntry> keys, string distribution, string field)
    {
        if (distribution == "constant")
        {
            yield return (keys["value"].Value, $"{field}.value");
            yield break;
        }
        var values = keys["values"].Value;
        if (values is YSequence { Items.Count: > 0 } sequence)
        {
            for (var i = 0; i < sequence.Items.Count; i++) yield return (sequence.Items[i], $"{field}.values[{i}]");
        }
        else
        {
            _errors.Add(values, $"{field}.values", values is YSequence ? "the list is empty; allowed: at least one value" : $"expected a list, found {Found(values)}");
        }
    }

    private Values<double>? ReadLearningRates(YScalar key, YMapping spec, SearchMethod? method)
    {
        if (ReadSpec(key, spec, "learning_rate") is not var (distribution, keys)) return null;
        var field = $"parameters.{key.Text}";
        switch (distribution)
        {
            case "constant" or "categorical":
            {
                var items = new List<double>();
                var nodes = new List<YNode>();
                var ok = true;
                foreach (var (node, itemField) in Items(keys, distribution, field))
                {
                    if (!ReadNumber(node, itemField, HyperparameterLimits.MinLearningRate, HyperparameterLimits.MaxLearningRate, LearningRateAllowed, out var rate)) { ok = false; continue; }
                    if (items.Contains(rate))
                    {
                        _errors.Add(node, itemField, $"{Show(rate)} is listed twice; allowed: each value once");
                        ok = false;
                        continue;
                    }
                    items.Add(rate);
                    nodes.Add(node);
                }
                if (!ok || items.Count == 0) return null;
                return new Values<double>(items, nodes, LearningRateDistribution.Values);
            }
            case "uniform" or "log_uniform_values" or "log_uniform":
            {
                if (method == SearchMethod.Grid)
                {
                    _errors.Add(keys.TryGetValue("distribution", out var d) ? d.Value : spec, field,
                        $"method: grid needs a list, and {distribution} is a continuous range; allowed: values: [...] (or method: random or bayes)");
                    return null;
                }
                var exponents = distribution == "log_uniform";
                var allowed = exponents ? "natural logarithms of learning rates: ≤ 0 (ln 1), e.g. -9.2 for 0.0001" : LearningRateAllowed;
                var low = exponents ? -745 : double.Epsilon;
                var high = exponents ? 0 : 1;
                if (!ReadNumber(keys["min"].Value, $"{field}.min", low, high, allowed, out var min)
                    | !ReadNumber(keys["max"].Value, $"{field}.max", low, high, allowed, out var max))
                    return null;
                if (exponents)
                {
                    (min, max) = (Math.Exp(min), Math.Exp(max));
                    if (min <= 0)
                    {
                        _errors.Add(keys["min"].Value, $"{field}.min", $"e^min is 0 in double precision; allowed: {allowed}");
                        return null;
                    }
                }
                if (min > max)
                {
                    _errors.Add(keys["min"].Value, $"{field}.min", "min is greater than max; allowed: min ≤ max");
                    return null;
                }
                return new Values<double>([min, max], [keys["min"].Value, keys["max"].Value],
                    distribution == "uniform" ? LearningRateDistribution.Uniform : LearningRateDistribution.LogUniform);
            }
            case "int_uniform":
                _errors.Add(keys.TryGetValue("distribution", out var di) ? di.Value : spec, field,
                    "a learning rate is not a whole number (int_uniform, or min: and max: both whole, as W&B reads them); "
                    + "allowed: uniform or log_uniform_values with min: and max: in (0, 1], or values: [...]");
                return null;
            default:
                RefuseQuantised(keys, field, distribution, HyperparameterLimits.MinLearningRate, HyperparameterLimits.MaxLearningRate);
                return null;
        }
    }

    private Values<int>? ReadWholes(YScalar key, YMapping spec, long min, long max, string allowed)
    {
        var canonical = ParameterAliases[Normalise(key.Text)];
        if (ReadSpec(key, spec, canonical) is not var (distribution, keys)) return null;
        var field = $"parameters.{key.Text}";
        switch (distribution)
        {
            case "constant" or "categorical":
            {
                var items = new List<int>();
                var nodes = new List<YNode>();
                var ok = true;
                foreach (var (node, itemField) in Items(keys, distribution, field))
                {
                    if (RequireScalar(node, itemField, allowed) is not { } scalar || !ReadWhole(scalar, itemField, min, max, allowed, out var value)) { ok = false; continue; }
                    if (items.Contains(value))
                    {
                        _errors.Add(node, itemField, $"{value} is listed twice; allowed: each value once");
                        ok = false;
                        continue;
                    }
                    items.Add(value);
                    nodes.Add(node);
                }
                if (!ok || items.Count == 0) return null;
                return new Values<int>(items, nodes);
            }
            case "int_uniform":
            {
                // Uniform over the whole numbers min..max is exactly a uniform choice from the list of them.
                var lowScalar = RequireScalar(keys["min"].Value, $"{field}.min", allowed);
                var highScalar = RequireScalar(keys["max"].Value, $"{field}.max", allowed);
                if (lowScalar is null || highScalar is null) return null;
                if (!ReadWhole(lowScalar, $"{field}.min", min, max, allowed, out var low) | !ReadWhole(highScalar, $"{field}.max", min, max, allowed, out var high)) return null;
                if (low > high)
                {
                    _errors.Add(lowScalar, $"{field}.min", $"min ({low}) is greater than max ({high}); allowed: min ≤ max");
                    return null;
                }
                if ((long)high - low + 1 > MaxIntUniformValues)
                {
                    _errors.Add(lowScalar, field,
                        $"int_uniform from {low} to {high} is {(long)high - low + 1} whole numbers; allowed: at most {MaxIntUniformValues} "
                        + "(each becomes a listed value; for batch sizes, values: [16, 32, 64, 128] is the usual choice)");
                    return null;
                }
                var values = Enumerable.Range(low, high - low + 1).ToArray();
                // A too-large batch size is blamed on max, where the range ends.
                return new Values<int>(values, [.. values.Select(_ => (YNode)highScalar)]);
            }
            case "uniform" or "log_uniform_values" or "log_uniform":
                _errors.Add(keys.TryGetValue("distribution", out var d) ? d.Value : spec, $"{field}.distribution",
                    $"{canonical} takes whole numbers, and {distribution} draws fractional ones (W&B reads min: and max: with a decimal point as uniform); "
                    + "allowed: int_uniform with whole min: and max:, or values: [...]");
                return null;
            default:
                RefuseQuantised(keys, field, distribution, min, Math.Min(max, int.MaxValue));
                return null;
        }
    }

    /// <summary>
    /// q_uniform and q_log_uniform_values round each draw to a multiple of q, so the range's end values come up half as
    /// often as the others: no list drawn uniformly is the same distribution. Refused, naming the list to use instead.
    /// </summary>
    private void RefuseQuantised(Dictionary<string, YEntry> keys, string field, string distribution, double low, double high)
    {
        var at = keys["distribution"].Value;
        var example = "";
        double q = 1;
        if (keys.TryGetValue("q", out var qEntry) && qEntry.Value is YScalar qs) _ = TryNumber(qs.Text, out q);
        if (keys["min"].Value is YScalar a && keys["max"].Value is YScalar b && TryNumber(a.Text, out var min) && TryNumber(b.Text, out var max)
            && q > 0 && min <= max && (max - min) / q <= 50)
        {
            var multiples = new List<string>();
            for (var k = Math.Ceiling(min / q); k * q <= max * (1 + 1e-12); k++)
            {
                var v = Math.Round(k * q, 12);
                if (v >= low && v <= high) multiples.Add(Show(v));
            }
            if (multiples.Count > 0) example = $" [{string.Join(", ", multiples)}]";
        }
        _errors.Add(at, $"{field}.distribution",
            $"{distribution} rounds draws to multiples of q, which makes the range's ends half as likely as the other values; "
            + $"that cannot be honoured exactly; allowed: use values:{(example.Length > 0 ? example : " [...]")} instead (each equally likely)");
    }

    // ----- small readers -----

    private Dictionary<string, YEntry> ReadKeys(YMapping mapping, string parent, IReadOnlyList<string> allowed, bool ignorable)
    {
        var found = new Dictionary<string, YEntry>(StringComparer.Ordinal);
        foreach (var entry in mapping.Entries)
        {
            if (entry.Key is not YScalar { IsNull: false } key)
            {
                _errors.Add(entry.Key, $"{parent}.?", $"a key must be a plain word, found {Found(entry.Key)}; allowed: {string.Join(", ", allowed)}");
                continue;
            }
            var field = $"{parent}.{key.Text}";
            if (!allowed.Contains(key.Text))
            {
                var message = $"unknown key '{key.Text}'; {Suggestions.DidYouMean(key.Text, allowed)}allowed: {string.Join(", ", allowed)}";
                if (ignorable) Unhonoured(key, field, message);
                else _errors.Add(key, field, message);
            }
            else if (found.TryGetValue(key.Text, out var first))
            {
                _errors.Add(key, field, $"duplicate key '{key.Text}', first given at line {first.Key.Line}, column {first.Key.Column}; allowed: each key once");
            }
            else
            {
                found.Add(key.Text, entry);
            }
        }
        return found;
    }

    private YMapping? RequireMapping(YNode node, string field, string expected) => _native.RequireMapping(node, field, expected);

    private YScalar? RequireScalar(YNode node, string field, string expected) => _native.RequireScalar(node, field, expected);

    // Numbers are read as the native format reads them: the same words for the same mistakes.
    private bool ReadNumber(YNode node, string field, double min, double max, string allowed, out double value)
    {
        value = 0;
        return RequireScalar(node, field, $"a number: {allowed}") is { } scalar && _native.ReadNumberIn(scalar, field, min, max, allowed, out value);
    }

    private bool ReadWhole(YScalar scalar, string field, long min, long max, string allowed, out int value) =>
        _native.ReadWhole(scalar, field, min, max, allowed, out value);

    private static bool TryNumber(string text, out double value) => SweepReader.TryNumber(text, out value);

    /// <summary>Written as a whole number (no '.', no exponent), as W&amp;B's YAML/JSON reading would give an int.</summary>
    private static bool IsWholeLiteral(string text) =>
        long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);

    /// <summary>Something the file asks for that this reader cannot honour: an error, or with the ignore-unknown option a note.</summary>
    private void Unhonoured(YNode at, string field, string message)
    {
        if (_options.IgnoreUnknown) Note(at, field, $"{message}; ignored ({Option(CallerOption.IgnoreUnknown)})");
        else _errors.Add(at, field, $"{message} (or pass {Option(CallerOption.IgnoreUnknown)} to ignore it)");
    }

    /// <summary>An option of the caller's, as the caller names it (the CLI: its flag).</summary>
    private string Option(CallerOption option) => _options.OptionName(option);

    private void Note(YNode at, string field, string message) => _notes.Add($"{_path}:{at.Line}:{at.Column}: {field}: {message}");

    private static string Normalise(string text) => text.Trim().ToLowerInvariant().Replace('-', '_').Replace(' ', '_');

    private static string Found(YNode node) => node switch
    {
        YScalar { IsNull: true } => "nothing",
        YScalar scalar => $"'{scalar.Text}'",
        _ => node.KindName,
    };

    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
