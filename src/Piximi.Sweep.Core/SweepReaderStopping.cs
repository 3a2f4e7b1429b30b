using Piximi.Sweep.Core.Yaml;

namespace Piximi.Sweep.Core;

// pruner: and early_stopping: — the two ways a trial stops before its last epoch. Kept in their own file so the
// rest of the reader (shared with the samplers' and importers' work) is left as it was.
internal sealed partial class SweepReader
{
    private static readonly string[] PrunerTypes = ["asha", "hyperband", "median", "none"];
    private static readonly string[] PrunerKeys = ["type", "min_epochs", "reduction_factor", "warmup_epochs", "min_trials"];
    private static readonly string[] EarlyStoppingKeys = ["patience", "metric", "min_delta"];

    /// <summary>Which pruners take each setting of the <c>pruner:</c> mapping.</summary>
    private static readonly Dictionary<string, PrunerKind[]> PrunerSettingOwners = new(StringComparer.Ordinal)
    {
        ["min_epochs"] = [PrunerKind.Asha, PrunerKind.Hyperband],
        ["reduction_factor"] = [PrunerKind.Asha, PrunerKind.Hyperband],
        ["warmup_epochs"] = [PrunerKind.Median],
        ["min_trials"] = [PrunerKind.Median],
    };

    private const string PrunerAllowed =
        "asha, hyperband, median or none, or a mapping such as {type: asha, min_epochs: 1, reduction_factor: 3}";
    private const string MinEpochsAllowed = "a whole number ≥ 1, below the most epochs a trial runs";
    private const string ReductionFactorAllowed = "a whole number from 2 to 10";
    private const string WarmupEpochsAllowed = "a whole number ≥ 0, below the most epochs a trial runs";
    private const string MinTrialsAllowed = "a whole number ≥ 1";
    private const string PatienceAllowed = "a whole number from 1 to 10000";
    private const string MinDeltaAllowed = "a number ≥ 0";

    /// <summary>
    /// <c>pruner:</c> — a type (<c>asha</c>, <c>hyperband</c>, <c>median</c>, <c>none</c>) or a mapping of the type
    /// and its settings. Null for none, and after reporting a problem. <paramref name="parameters"/> (when readable)
    /// gives the most epochs a trial runs, which the first rung or the warm-up must stay below.
    /// </summary>
    private PrunerSpec? ReadPruner(YNode node, ParametersRead? parameters)
    {
        int? maxEpochs = parameters?.Space.Epochs.Max();
        switch (node)
        {
            case YScalar { IsNull: true }:
                _errors.Add(node, "pruner", $"no value given; expected {PrunerAllowed}");
                return null;

            case YScalar scalar:
            {
                if (!ReadPrunerType(scalar, "pruner", out var kind) || kind is null) return null;
                var spec = new PrunerSpec(kind.Value);
                CheckPrunerHasEpochsToPrune(spec, maxEpochs, setNodes: new Dictionary<string, YNode>(), scalar);
                return spec;
            }

            case YMapping mapping:
                return ReadPrunerMapping(mapping, maxEpochs);

            default:
                _errors.Add(node, "pruner", $"expected {PrunerAllowed}, found {Found(node)}");
                return null;
        }
    }

    private PrunerSpec? ReadPrunerMapping(YMapping mapping, int? maxEpochs)
    {
        var keys = ReadKeys(mapping, "pruner", PrunerKeys);
        var typeKnown = false;
        PrunerKind? kind = null;
        if (!keys.TryGetValue("type", out var typeEntry))
        {
            _errors.Add(mapping, "pruner.type", $"missing; allowed: {string.Join(", ", PrunerTypes)}");
        }
        else if (RequireScalar(typeEntry.Value, "pruner.type", $"one of {string.Join(", ", PrunerTypes)}") is { } typeScalar)
        {
            typeKnown = ReadPrunerType(typeScalar, "pruner.type", out kind);
        }

        var spec = new PrunerSpec(kind ?? PrunerKind.Asha);
        var setNodes = new Dictionary<string, YNode>(StringComparer.Ordinal);
        var ok = typeKnown;
        foreach (var (key, owners) in PrunerSettingOwners)
        {
            if (!keys.TryGetValue(key, out var entry)) continue;
            var field = $"pruner.{key}";
            // A setting the chosen type does not use would be silently ignored; say which type takes it instead.
            if (typeKnown && (kind is null || !owners.Contains(kind.Value)))
            {
                var chosen = kind is null ? "none" : Lower(kind.Value);
                var takes = PrunerSettingOwners.Where(o => kind is not null && o.Value.Contains(kind.Value)).Select(o => o.Key).ToArray();
                var allowed = takes.Length == 0
                    ? "only type (none takes no settings)"
                    : $"type, {string.Join(", ", takes)} (with {chosen})";
                _errors.Add(entry.Key, field,
                    $"{key} is a setting of {string.Join(" and ", owners.Select(Lower))}, not of {chosen}; allowed: {allowed}");
                ok = false;
                continue;
            }

            var (min, max, expected) = key switch
            {
                "min_epochs" => (1, MaxEpochs, MinEpochsAllowed),
                "reduction_factor" => (2, 10, ReductionFactorAllowed),
                "warmup_epochs" => (0, MaxEpochs, WarmupEpochsAllowed),
                _ => (1, int.MaxValue, MinTrialsAllowed),
            };
            if (RequireScalar(entry.Value, field, expected) is not { } scalar || !ReadWhole(scalar, field, min, max, expected, out var value))
            {
                ok = false;
                continue;
            }
            setNodes[key] = scalar;
            spec = key switch
            {
                "min_epochs" => spec with { MinEpochs = value },
                "reduction_factor" => spec with { ReductionFactor = value },
                "warmup_epochs" => spec with { WarmupEpochs = value },
                _ => spec with { MinTrials = value },
            };
        }

        if (!ok || kind is null) return null;
        CheckPrunerHasEpochsToPrune(spec, maxEpochs, setNodes, typeEntry!.Value);
        return spec;
    }

    /// <summary>The type's name among <see cref="PrunerTypes"/>; <paramref name="kind"/> is null for none.</summary>
    private bool ReadPrunerType(YScalar scalar, string field, out PrunerKind? kind)
    {
        kind = null;
        if (MatchName(scalar, field, "pruner", PrunerTypes, aliases: null) is not { } name) return false;
        if (name != "none") kind = Enum.Parse<PrunerKind>(name, ignoreCase: true);
        return true;
    }

    /// <summary>
    /// A pruner that could never stop a trial is refused (<see cref="PrunerSpec.NeverPrunes"/>, the rule W&amp;B files
    /// share). Blames the setting when it was written, else the pruner's type (the default is what does not fit).
    /// </summary>
    private void CheckPrunerHasEpochsToPrune(PrunerSpec spec, int? maxEpochs, IReadOnlyDictionary<string, YNode> setNodes, YNode typeNode)
    {
        if (maxEpochs is not { } max) return;
        var (key, value, _) = spec.FirstJudgement;
        var written = setNodes.TryGetValue(key, out var node);
        if (spec.NeverPrunes(max, written ? $"{value}" : $"the default {key} {value}", "from parameters.epochs", "pruner: none") is { } message)
            _errors.Add(node ?? typeNode, $"pruner.{key}", message);
    }

    /// <summary>
    /// <c>early_stopping:</c> {patience, metric, min_delta}; the metric defaults to the sweep's. Null after reporting
    /// a problem.
    /// </summary>
    private EarlyStoppingSpec? ReadEarlyStopping(YNode node, string? sweepMetric)
    {
        const string expected = "a mapping with patience: (and optionally metric: and min_delta:)";
        if (RequireMapping(node, "early_stopping", expected) is not { } mapping) return null;
        var keys = ReadKeys(mapping, "early_stopping", EarlyStoppingKeys);

        int? patience = null;
        if (!keys.TryGetValue("patience", out var patienceEntry))
        {
            _errors.Add(mapping, "early_stopping.patience",
                $"missing; give the epochs in a row without improvement after which a trial stops: {PatienceAllowed}");
        }
        else if (RequireScalar(patienceEntry.Value, "early_stopping.patience", PatienceAllowed) is { } patienceScalar
            && ReadWhole(patienceScalar, "early_stopping.patience", 1, 10_000, PatienceAllowed, out var value))
        {
            patience = value;
        }

        var metric = sweepMetric ?? DefaultMetric;
        var metricOk = true;
        if (keys.TryGetValue("metric", out var metricEntry))
        {
            var chosen = RequireScalar(metricEntry.Value, "early_stopping.metric", $"one of {string.Join(", ", MetricNames.All)}") is { } scalar
                ? MatchName(scalar, "early_stopping.metric", "metric", MetricNames.All, aliases: null)
                : null;
            metricOk = chosen is not null;
            metric = chosen ?? metric;
        }

        var minDelta = 0.0;
        var minDeltaOk = !keys.TryGetValue("min_delta", out var deltaEntry)
            || ReadNumberIn(deltaEntry.Value, "early_stopping.min_delta", 0, double.MaxValue, MinDeltaAllowed, out minDelta);

        return patience is { } p && metricOk && minDeltaOk ? new EarlyStoppingSpec(metric, p, Math.Abs(minDelta)) : null;
    }

    private static string Lower(PrunerKind kind) => kind.ToString().ToLowerInvariant();
}
