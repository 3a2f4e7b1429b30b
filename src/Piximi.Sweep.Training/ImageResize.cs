namespace Piximi.Sweep.Training;

/// <summary>
/// Resizing as Piximi's classifiers do it, for training, validation and prediction alike: TensorFlow.js
/// <c>tf.image.cropAndResize(image, [[0, 0, 1, 1]], [0], [outHeight, outWidth], "bilinear")</c>
/// (Piximi 1.1.4 <c>src/utils/models/classification/AbstractClassifier/preprocess.ts:170,190-197</c>, crop schema
/// "None"). It is not <c>resizeBilinear</c>: the whole image is one box whose corners land on the corner pixels, so
/// output row y samples input row y·(inHeight − 1)/(outHeight − 1) (a single output row samples the middle row).
/// Computed as tfjs-backend-cpu 4.2.0's kernel (the version Piximi pins) computes it: the scale first, positions and
/// interpolation in double, the result rounded to float32 (<c>kernels/CropAndResize.js</c>), so the values equal
/// TF.js's to the last bit or nearly; a test compares them with TF.js itself. That includes the kernel's one quirk:
/// the last row's position (outHeight − 1)·scale can round to a hair beyond inHeight − 1 (28 → 24, 56 → 28: about 4 %
/// of size pairs), and a position outside the image gets the extrapolation value, 0, so that row (or column) is
/// black. TF.js's WebGL backend, which a browser usually runs, rounds in float32 and blackens other pairs; see
/// SWEEP-FILE.md. The same size copies the image.
/// </summary>
internal static class ImageResize
{
    /// <param name="source">One image, [channels, inHeight, inWidth].</param>
    /// <param name="target">Where the resized image goes, [channels, outHeight, outWidth].</param>
    public static void CropAndResize(ReadOnlySpan<float> source, int channels, int inHeight, int inWidth, Span<float> target, int outHeight, int outWidth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outWidth, 1);
        if (source.Length != channels * inHeight * inWidth) throw new ArgumentException("The source is not [channels, inHeight, inWidth].", nameof(source));
        if (target.Length != channels * outHeight * outWidth) throw new ArgumentException("The target is not [channels, outHeight, outWidth].", nameof(target));
        if (inHeight == outHeight && inWidth == outWidth)
        {
            source.CopyTo(target);
            return;
        }

        var lefts = new int[outWidth];
        var rights = new int[outWidth];
        var xLerps = new double[outWidth];
        var widthScale = Scale(inWidth, outWidth);
        for (var x = 0; x < outWidth; x++)
            (lefts[x], rights[x], xLerps[x]) = Position(x, widthScale, inWidth, outWidth);

        var heightScale = Scale(inHeight, outHeight);
        for (var y = 0; y < outHeight; y++)
        {
            var (top, bottom, yLerp) = Position(y, heightScale, inHeight, outHeight);
            for (var c = 0; c < channels; c++)
            {
                var output = target.Slice(c * outHeight * outWidth + y * outWidth, outWidth);
                if (top < 0)
                {
                    output.Fill(ExtrapolationValue);
                    continue;
                }
                var plane = source.Slice(c * inHeight * inWidth, inHeight * inWidth);
                var topRow = plane.Slice(top * inWidth, inWidth);
                var bottomRow = plane.Slice(bottom * inWidth, inWidth);
                for (var x = 0; x < outWidth; x++)
                {
                    if (lefts[x] < 0)
                    {
                        output[x] = ExtrapolationValue;
                        continue;
                    }
                    double topLeft = topRow[lefts[x]], topRight = topRow[rights[x]];
                    double bottomLeft = bottomRow[lefts[x]], bottomRight = bottomRow[rights[x]];
                    var upper = topLeft + (topRight - topLeft) * xLerps[x];
                    var lower = bottomLeft + (bottomRight - bottomLeft) * xLerps[x];
                    output[x] = (float)(upper + (lower - upper) * yLerp);
                }
            }
        }
    }

    /// <summary>tf.image.cropAndResize's default, which Piximi keeps: what a position outside the image gets.</summary>
    private const float ExtrapolationValue = 0;

    // The box is [0, 0, 1, 1]: (y2 − y1)·(inLength − 1)/(outLength − 1), and 0 for a single output row or column.
    private static double Scale(int inLength, int outLength) => outLength > 1 ? (1.0 - 0.0) * (inLength - 1) / (outLength - 1) : 0;

    // The two input rows (columns) an output row samples and the weight of the second: floor and ceil of the position;
    // (-1, -1, 0) for a position outside the image (see the class remarks).
    private static (int Low, int High, double Lerp) Position(int index, double scale, int inLength, int outLength)
    {
        var position = outLength > 1 ? 0.0 * (inLength - 1) + index * scale : 0.5 * (0.0 + 1.0) * (inLength - 1);
        if (position < 0 || position > inLength - 1) return (-1, -1, 0);
        var low = (int)Math.Floor(position);
        var high = (int)Math.Ceiling(position);
        return (low, high, position - low);
    }
}
