using System.Text.Json;
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
    /// without the free-text <see cref="SweepDefinition.Description"/>.
    /// </summary>
    public static string Identity(SweepDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return Serialize(definition with { Dataset = definition.Dataset with { Facts = null }, Description = null });
    }

    /// <summary>Whether a stored definition's JSON and <paramref name="definition"/> are the same sweep.</summary>
    public static bool SameSweep(string storedJson, SweepDefinition definition) =>
        Identity(Deserialize(storedJson)) == Identity(definition);

    public static SweepDefinition Deserialize(string json) =>
        JsonSerializer.Deserialize<SweepDefinition>(json, Options)
        ?? throw new InvalidDataException("The stored sweep definition is empty.");

    public static string Serialize(Hyperparameters hyperparameters) => JsonSerializer.Serialize(hyperparameters, Options);
}
