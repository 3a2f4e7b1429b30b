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

    public static SweepDefinition Deserialize(string json) =>
        JsonSerializer.Deserialize<SweepDefinition>(json, Options)
        ?? throw new InvalidDataException("The stored sweep definition is empty.");

    public static string Serialize(Hyperparameters hyperparameters) => JsonSerializer.Serialize(hyperparameters, Options);
}
