namespace Piximi.Sweep.Training;

/// <summary>
/// Bilinear resizing as Piximi does it (TensorFlow.js <c>tf.image.resizeBilinear</c> with its defaults,
/// alignCorners = false and halfPixelCenters = false): output pixel (y, x) samples the input at
/// (y·inH/outH, x·inW/outW), interpolating between the two nearest rows and columns (the last row and column repeat
/// at the edge). The same size copies the image unchanged.
/// </summary>
internal static class ImageResize
{
    /// <param name="source">One image, [channels, inHeight, inWidth].</param>
    /// <param name="target">Where the resized image goes, [channels, outHeight, outWidth].</param>
    public static void Bilinear(ReadOnlySpan<float> source, int channels, int inHeight, int inWidth, Span<float> target, int outHeight, int outWidth)
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

        // In double, as TF.js computes the scale as a float ratio; a pixel's weights are the same for every channel.
        var heightScale = (double)inHeight / outHeight;
        var widthScale = (double)inWidth / outWidth;
        for (var y = 0; y < outHeight; y++)
        {
            var sourceY = y * heightScale;
            var top = Math.Min((int)Math.Floor(sourceY), inHeight - 1);
            var bottom = Math.Min(top + 1, inHeight - 1);
            var dy = (float)(sourceY - top);
            for (var x = 0; x < outWidth; x++)
            {
                var sourceX = x * widthScale;
                var left = Math.Min((int)Math.Floor(sourceX), inWidth - 1);
                var right = Math.Min(left + 1, inWidth - 1);
                var dx = (float)(sourceX - left);
                for (var c = 0; c < channels; c++)
                {
                    var plane = c * inHeight * inWidth;
                    var topLeft = source[plane + top * inWidth + left];
                    var topRight = source[plane + top * inWidth + right];
                    var bottomLeft = source[plane + bottom * inWidth + left];
                    var bottomRight = source[plane + bottom * inWidth + right];
                    var upper = topLeft + (topRight - topLeft) * dx;
                    var lower = bottomLeft + (bottomRight - bottomLeft) * dx;
                    target[c * outHeight * outWidth + y * outWidth + x] = upper + (lower - upper) * dy;
                }
            }
        }
    }
}
