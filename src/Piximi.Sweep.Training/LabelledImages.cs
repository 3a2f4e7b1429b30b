namespace Piximi.Sweep.Training;

/// <summary>
/// What a dataset reader returns: every labelled image at one size, as floats in [0, 1] laid out [N, C, H, W]
/// (channels first, as torch wants them), their labels (indices into <see cref="ClassNames"/>) and the class names in
/// label order. <see cref="Skipped"/> counts images left out as bad (when the spec allows skipping).
/// </summary>
internal sealed record LabelledImages(float[] Pixels, long[] Labels, int Height, int Width, int Channels, IReadOnlyList<string> ClassNames)
{
    public int Count => Labels.Length;

    public int Skipped { get; init; }
}
