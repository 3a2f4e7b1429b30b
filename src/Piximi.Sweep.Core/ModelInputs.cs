using System.Globalization;

namespace Piximi.Sweep.Core;

/// <summary>
/// The smallest images each model takes: below it a layer is left with no pixel and the model cannot be built.
/// <para>
/// Kept here, beside <see cref="ModelKind"/>, rather than handed to validation by Training through a callback: a
/// minimum is a fact of the architecture Piximi specifies (like the model's name), validation must know it before
/// anything is stored and Core may not reference Training, and Training's models read these very numbers when they
/// refuse smaller images, so there is one number per model and nothing to keep in step. Training's tests derive
/// each number from the layers (a model builds at its minimum and not one pixel below).
/// </para>
/// </summary>
public static class ModelInputs
{
    /// <summary>SimpleCNN: two 5×5 "valid" convolutions, each followed by a 2×2 pooling: 16 → 12 → 6 → 2 → 1.</summary>
    public const int SimpleCnnMinimumSide = 16;

    /// <summary>MobileNet on 3 channels: conv1 ("same", stride 2) then four stride-2 blocks: 31 → 16 → 8 → 4 → 2 → 1.</summary>
    public const int MobileNetMinimumSideRgb = 31;

    /// <summary>MobileNet on any other channel count: its 3×3 "valid" stride-2 adapter first makes 63 → 31.</summary>
    public const int MobileNetMinimumSideOther = 63;

    /// <summary>The least height and width <paramref name="model"/> takes with <paramref name="channels"/> channels.</summary>
    public static int MinimumSide(ModelKind model, int channels) => model switch
    {
        ModelKind.SimpleCNN => SimpleCnnMinimumSide,
        ModelKind.MobileNet => channels == 3 ? MobileNetMinimumSideRgb : MobileNetMinimumSideOther,
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, "not a model this tool builds"),
    };

    /// <summary>Whether images of <paramref name="shape"/> are large enough for <paramref name="model"/>.</summary>
    public static bool Fits(ModelKind model, InputShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var minimum = MinimumSide(model, shape.Channels);
        return shape.Height >= minimum && shape.Width >= minimum;
    }

    /// <summary>What the model needs, in words: "at least 63×63 pixels with 1 channel (31×31 with 3 channels)".</summary>
    public static string Needs(ModelKind model, int channels)
    {
        var minimum = MinimumSide(model, channels);
        var side = $"{minimum.ToString(CultureInfo.InvariantCulture)}×{minimum.ToString(CultureInfo.InvariantCulture)} pixels";
        if (model != ModelKind.MobileNet) return $"at least {side}";
        return channels == 3
            ? $"at least {side} with 3 channels ({MobileNetMinimumSideOther}×{MobileNetMinimumSideOther} with any other count)"
            : $"at least {side} with {channels} channel{(channels == 1 ? "" : "s")} ({MobileNetMinimumSideRgb}×{MobileNetMinimumSideRgb} with 3 channels)";
    }
}
