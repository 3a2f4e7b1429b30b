using Piximi.Sweep.Core.Yaml;

namespace Piximi.Sweep.Core;

// dataset: kind: piximi — a saved Piximi project .zip. Kept in its own file so that ReadDataset, which other dataset
// kinds extend too, changes by a few lines only.
internal sealed partial class SweepReader
{
    private const string PiximiImagesExpected = "a Piximi project .zip (as Piximi saves it)";
    private const string IncludeInferenceAllowed = "true or false (kind: piximi only)";

    /// <summary>A Piximi project carries its own labels (its categories): a labels: key is a mistake, said clearly.</summary>
    private bool RefusePiximiLabels(Dictionary<string, YEntry> keys)
    {
        if (!keys.TryGetValue("labels", out var entry)) return true;
        _errors.Add(entry.Key, "dataset.labels",
            "not allowed with kind: piximi: the project's categories are its labels; allowed: leave labels: out");
        return false;
    }

    /// <summary>
    /// <c>include_inference:</c> (default false): also train on the project's <c>Inference</c> items that have a known
    /// category — Piximi's predictions, not labels a person gave. Only for kind: piximi.
    /// </summary>
    private bool ReadIncludeInference(Dictionary<string, YEntry> keys, string? kind, out bool value)
    {
        value = false;
        if (!keys.TryGetValue("include_inference", out var entry)) return true;
        if (kind is not null && kind != DatasetSpec.Piximi)
        {
            _errors.Add(entry.Key, "dataset.include_inference", $"only for kind: piximi, not kind: {kind}; allowed: leave it out");
            return false;
        }
        if (RequireScalar(entry.Value, "dataset.include_inference", IncludeInferenceAllowed) is not { } scalar) return false;
        switch (scalar.Text.Trim().ToLowerInvariant())
        {
            case "true":
                value = true;
                return true;
            case "false":
                return true;
            default:
                _errors.Add(scalar, "dataset.include_inference", $"'{scalar.Text}' is not true or false; allowed: {IncludeInferenceAllowed}");
                return false;
        }
    }
}
