using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Piximi.Sweep.Core;

/// <summary>
/// The canonical JSON form of a sweep definition: how the store keeps it, how workers read it back, and what
/// "the same definition" means when a sweep file is run again.
/// </summary>
public static class SweepJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = false,
    };

    public static string Serialize(SweepDefinition definition) => JsonSerializer.Serialize(definition, Options);

    /// <summary>
    /// What makes two definitions the same sweep: the canonical JSON without <see cref="DatasetSpec.Facts"/>, which
    /// record what the data held rather than what the file asks for (and which sweeps made before them lack), and
    /// without the free-text <see cref="SweepDefinition.Description"/>, nor the <see cref="SweepDefinition.GridOrder"/>
    /// (the reader's rule for its format, which W&amp;B grids stored before it existed lack).
    /// </summary>
    public static string Identity(SweepDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return Serialize(definition with { Dataset = definition.Dataset with { Facts = null }, Description = null, GridOrder = default });
    }

    /// <summary>Whether a stored definition's JSON and <paramref name="definition"/> are the same sweep.</summary>
    public static bool SameSweep(string storedJson, SweepDefinition definition) =>
        Identity(Deserialize(storedJson)) == Identity(definition);

    /// <summary>
    /// What makes <paramref name="file"/> another sweep than <paramref name="stored"/>, one line per differing field of
    /// their identities, by the stored JSON's names: "parameters.learning_rates: 0.001, 0.003 in the store; 0.001, 0.01
    /// in the file". Empty when they are the same sweep.
    /// </summary>
    public static IReadOnlyList<string> Differences(SweepDefinition stored, SweepDefinition file)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(file);
        var differences = new List<string>();
        Compare(JsonNode.Parse(Identity(stored)), JsonNode.Parse(Identity(file)), "", differences);
        return differences;
    }

    private static void Compare(JsonNode? stored, JsonNode? file, string path, List<string> differences)
    {
        if (stored is JsonObject a && file is JsonObject b)
        {
            foreach (var key in a.Select(p => p.Key).Union(b.Select(p => p.Key)))
                Compare(a[key], b[key], path.Length == 0 ? key : $"{path}.{key}", differences);
            return;
        }
        if (!JsonNode.DeepEquals(stored, file))
            differences.Add($"{path}: {Show(stored)} in the store; {Show(file)} in the file");
    }

    private static string Show(JsonNode? node) => node switch
    {
        null => "not set",
        JsonArray array => string.Join(", ", array.Select(Show)),
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        _ => node.ToJsonString(),
    };

    public static SweepDefinition Deserialize(string json) =>
        JsonSerializer.Deserialize<SweepDefinition>(json, Options)
        ?? throw new InvalidDataException("The stored sweep definition is empty.");

    /// <summary>
    /// A trial's hyperparameters as one JSON document: how the store keeps them, so that a new hyperparameter (a
    /// property of <see cref="Hyperparameters"/> with a default) needs no change to the store; documents written
    /// before it read with its default.
    /// </summary>
    public static string Serialize(Hyperparameters hyperparameters) => JsonSerializer.Serialize(hyperparameters, Options);

    public static Hyperparameters DeserializeHyperparameters(string json) =>
        JsonSerializer.Deserialize<Hyperparameters>(json, Options)
        ?? throw new InvalidDataException("A stored trial's hyperparameters are empty.");
}
