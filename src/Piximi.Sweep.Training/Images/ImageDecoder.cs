using System.Globalization;
using System.Runtime.InteropServices;
using BitMiracle.LibTiff.Classic;
using ImageMagick;

namespace Piximi.Sweep.Training;

/// <summary>One decoded image: floats in [0, 1] laid out [channels, height, width], and the file's bit depth.</summary>
internal sealed record DecodedImage(float[] Pixels, int Height, int Width, int Channels, int BitDepth);

/// <summary>Why one image file cannot be used (the message is the problem, without the path).</summary>
internal sealed class BadImageException(string problem) : Exception(problem);

/// <summary>
/// Decodes the image files of a folder dataset into floats in [0, 1], scaled by the file's bit depth as Piximi does
/// (raw / (2^bits − 1)). The decoder is chosen by the file's extension, never by sniffing its content, so a file
/// named <c>.png</c> is decoded as PNG or refused:
/// <list type="bullet">
/// <item>TIFF (<c>.tif</c>, <c>.tiff</c>): BitMiracle LibTiff.NET, exactly: 8- and 16-bit unsigned samples, 1 to 4
/// per pixel, strips or tiles, any compression LibTiff reads; one page only (a stack of planes is refused).</item>
/// <item>PNG and JPEG (<c>.png</c>, <c>.jpg</c>, <c>.jpeg</c>): Magick.NET-Q8 (the only Magick.NET build served here).
/// Its pixels are 8-bit, so a 16-bit PNG is read rounded to 8 bits: value v becomes round(v / 257) / 255, within
/// 1/510 of v / 65535. Bit depths below 8 (1-, 2-, 4-bit greys and palettes) are scaled up exactly by ImageMagick,
/// so raw / 255 equals raw / (2^bits − 1). Grey images have 1 channel (2 with alpha), colour images 3 (4 with alpha),
/// as ImageMagick reads them; CMYK is refused.</item>
/// </list>
/// </summary>
internal static class ImageDecoder
{
    /// <summary>The extensions (lower case) that are images; compared ignoring case.</summary>
    public static readonly IReadOnlyList<string> Extensions = [".png", ".jpg", ".jpeg", ".tif", ".tiff"];

    public static bool IsImage(string path) =>
        Extensions.Contains(Path.GetExtension(path).ToLowerInvariant(), StringComparer.Ordinal);

    /// <summary>Decodes the whole image. Throws <see cref="BadImageException"/> naming the problem (not the path).</summary>
    public static DecodedImage Decode(string path)
    {
        var extension = Path.GetExtension(path).ToLowerInvariant();
        try
        {
            return extension switch
            {
                ".tif" or ".tiff" => DecodeTiff(path),
                ".png" => DecodeMagick(path, MagickFormat.Png, "PNG"),
                ".jpg" or ".jpeg" => DecodeMagick(path, MagickFormat.Jpeg, "JPEG"),
                _ => throw new BadImageException($"'{extension}' is not an image extension; allowed: {string.Join(", ", Extensions)}"),
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BadImageException($"cannot be read: {e.Message}");
        }
    }

    private static DecodedImage DecodeMagick(string path, MagickFormat format, string name)
    {
        MagickImage image;
        try
        {
            image = new MagickImage(path, new MagickReadSettings { Format = format });
        }
        catch (MagickException e)
        {
            // e.g. "MagickCorruptImageErrorException: UnexpectedEndOfFile …": the exception's type says what kind of problem.
            throw new BadImageException($"not a readable {name} image ({Describe(e)})");
        }
        using (image)
        {
            if (image.ColorSpace == ColorSpace.CMYK)
                throw new BadImageException($"a CMYK {name} image; allowed: grey or RGB, with or without alpha");
            var grey = image.ColorSpace is ColorSpace.Gray or ColorSpace.LinearGray;
            var mapping = (grey ? "R" : "RGB") + (image.HasAlpha ? "A" : "");
            var channels = mapping.Length;
            var width = checked((int)image.Width);
            var height = checked((int)image.Height);
            using var pixels = image.GetPixelsUnsafe();
            var bytes = pixels.ToByteArray(mapping) ?? throw new BadImageException($"ImageMagick returned no pixels for this {name} image");
            if (bytes.Length != checked(width * height * channels))
                throw new BadImageException($"ImageMagick returned {bytes.Length} values for a {width}×{height}×{channels} image");
            var result = GC.AllocateUninitializedArray<float>(bytes.Length);
            var plane = width * height;
            for (var p = 0; p < plane; p++)
            {
                for (var c = 0; c < channels; c++)
                    result[c * plane + p] = bytes[p * channels + c] / 255f;
            }
            return new DecodedImage(result, height, width, channels, checked((int)image.Depth));
        }
    }

    private static string Describe(MagickException e)
    {
        var kind = e.GetType().Name.Replace("Magick", "", StringComparison.Ordinal).Replace("Exception", "", StringComparison.Ordinal);
        var message = e.Message.Split('\n')[0].Trim();
        return $"{kind}: {message}";
    }

    // ----- TIFF -----

    private static DecodedImage DecodeTiff(string path)
    {
        using var errors = TiffErrors.Capture();
        using var tiff = Tiff.Open(path, "r") ?? throw new BadImageException($"not a readable TIFF image ({errors.Text("cannot be opened")})");
        var width = Field(tiff, TiffTag.IMAGEWIDTH, 0);
        var height = Field(tiff, TiffTag.IMAGELENGTH, 0);
        var bits = Field(tiff, TiffTag.BITSPERSAMPLE, 1);
        var samples = Field(tiff, TiffTag.SAMPLESPERPIXEL, 1);
        var format = (SampleFormat)Field(tiff, TiffTag.SAMPLEFORMAT, (int)SampleFormat.UINT);
        var photometric = (Photometric)Field(tiff, TiffTag.PHOTOMETRIC, (int)Photometric.MINISBLACK);
        var planar = (PlanarConfig)Field(tiff, TiffTag.PLANARCONFIG, (int)PlanarConfig.CONTIG);
        if (width < 1 || height < 1) throw new BadImageException($"a TIFF image of {width}×{height} pixels");
        if (bits is not (8 or 16) || format != SampleFormat.UINT)
            throw new BadImageException($"a TIFF image of {bits}-bit {Show(format)} samples; allowed: 8- or 16-bit unsigned integers");
        if (samples is < 1 or > 4) throw new BadImageException($"a TIFF image with {samples} samples per pixel; allowed: 1 to 4 channels");
        if (photometric is not (Photometric.MINISBLACK or Photometric.MINISWHITE or Photometric.RGB))
            throw new BadImageException($"a TIFF image with photometric interpretation {photometric}; allowed: grey (MINISBLACK, MINISWHITE) or RGB");
        var pages = tiff.NumberOfDirectories();
        if (pages > 1) throw new BadImageException($"a TIFF with {pages} pages (planes); allowed: single-plane images");

        var max = (1 << bits) - 1;
        var plane = checked(width * height);
        var pixels = new float[checked(plane * samples)];
        var bytesPerSample = bits / 8;
        if (tiff.IsTiled())
            ReadTiles(tiff, pixels, width, height, samples, bytesPerSample, planar, max, errors);
        else
            ReadStrips(tiff, pixels, width, height, samples, bytesPerSample, planar, max, errors);
        if (photometric == Photometric.MINISWHITE)
        {
            for (var i = 0; i < pixels.Length; i++) pixels[i] = 1 - pixels[i];
        }
        return new DecodedImage(pixels, height, width, samples, bits);
    }

    private static void ReadStrips(Tiff tiff, float[] pixels, int width, int height, int samples, int bytesPerSample, PlanarConfig planar,
        int max, TiffErrors errors)
    {
        var line = new byte[tiff.ScanlineSize()];
        var separate = planar == PlanarConfig.SEPARATE;
        for (var s = 0; s < (separate ? samples : 1); s++)
        {
            for (var y = 0; y < height; y++)
            {
                if (!tiff.ReadScanline(line, y, (short)s))
                    throw new BadImageException($"corrupt or truncated TIFF data at row {y} ({errors.Text("unreadable scanline")})");
                // Contiguous: width × samples values; separate: width values of sample s.
                if (separate) Unpack(line, bytesPerSample, 1, pixels, s * width * height + y * width, 0, width, max, width * height);
                else Unpack(line, bytesPerSample, samples, pixels, y * width, 0, width, max, width * height);
            }
        }
    }

    private static void ReadTiles(Tiff tiff, float[] pixels, int width, int height, int samples, int bytesPerSample, PlanarConfig planar,
        int max, TiffErrors errors)
    {
        var tileWidth = Field(tiff, TiffTag.TILEWIDTH, 0);
        var tileHeight = Field(tiff, TiffTag.TILELENGTH, 0);
        if (tileWidth < 1 || tileHeight < 1) throw new BadImageException("a tiled TIFF without a tile size");
        var tile = new byte[tiff.TileSize()];
        var separate = planar == PlanarConfig.SEPARATE;
        var perPixel = separate ? 1 : samples;
        var rowBytes = tileWidth * perPixel * bytesPerSample;
        for (var s = 0; s < (separate ? samples : 1); s++)
        {
            for (var ty = 0; ty < height; ty += tileHeight)
            {
                for (var tx = 0; tx < width; tx += tileWidth)
                {
                    if (tiff.ReadTile(tile, 0, tx, ty, 0, (short)s) < 0)
                        throw new BadImageException($"corrupt or truncated TIFF data in the tile at ({tx}, {ty}) ({errors.Text("unreadable tile")})");
                    var columns = Math.Min(tileWidth, width - tx);
                    for (var y = 0; y < Math.Min(tileHeight, height - ty); y++)
                    {
                        var row = tile.AsSpan(y * rowBytes, rowBytes);
                        var offset = (separate ? s * width * height : 0) + (ty + y) * width;
                        Unpack(row, bytesPerSample, perPixel, pixels, offset, tx, columns, max, width * height);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Copies <paramref name="count"/> pixels of one row of interleaved samples (<paramref name="perPixel"/> each, in
    /// the machine's byte order, as LibTiff returns them) into channel-first floats: pixel x goes to
    /// <c>target[rowStart + start + x]</c> plus one <paramref name="plane"/> per sample.
    /// </summary>
    private static void Unpack(ReadOnlySpan<byte> row, int bytesPerSample, int perPixel, float[] target, int rowStart,
        int start, int count, int max, int plane)
    {
        if (bytesPerSample == 1)
        {
            for (var x = 0; x < count; x++)
                for (var c = 0; c < perPixel; c++)
                    target[rowStart + c * plane + start + x] = row[x * perPixel + c] / (float)max;
        }
        else
        {
            var values = MemoryMarshal.Cast<byte, ushort>(row);
            for (var x = 0; x < count; x++)
                for (var c = 0; c < perPixel; c++)
                    target[rowStart + c * plane + start + x] = values[x * perPixel + c] / (float)max;
        }
    }

    private static int Field(Tiff tiff, TiffTag tag, int missing)
    {
        var value = tiff.GetField(tag);
        return value is { Length: > 0 } ? value[0].ToInt() : missing;
    }

    private static string Show(SampleFormat format) => format switch
    {
        SampleFormat.UINT => "unsigned integer",
        SampleFormat.INT => "signed integer",
        SampleFormat.IEEEFP => "floating-point",
        _ => format.ToString().ToLowerInvariant(),
    };

    /// <summary>
    /// LibTiff.NET reports problems through one process-wide handler (by default to the console); this one keeps the
    /// current thread's messages so they can go into the image's problem instead.
    /// </summary>
    private sealed class TiffErrors : TiffErrorHandler, IDisposable
    {
        [ThreadStatic] private static List<string>? t_messages;
        private static readonly Lock InstallLock = new();
        private static bool s_installed;

        public static TiffErrors Capture()
        {
            lock (InstallLock)
            {
                if (!s_installed)
                {
                    Tiff.SetErrorHandler(new TiffErrors());
                    s_installed = true;
                }
            }
            t_messages = [];
            return new TiffErrors();
        }

        public string Text(string otherwise) =>
            t_messages is { Count: > 0 } messages ? string.Join("; ", messages.Distinct().Take(3)) : otherwise;

        public override void ErrorHandler(Tiff tif, string method, string format, params object[] args) =>
            t_messages?.Add(Format(method, format, args));

        public override void ErrorHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args)
        {
        }

        public override void WarningHandler(Tiff tif, string method, string format, params object[] args)
        {
            // Warnings (unknown tags and the like) do not make an image bad.
        }

        public override void WarningHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args)
        {
        }

        private static string Format(string method, string format, object[] args)
        {
            string text;
            try
            {
                text = string.Format(CultureInfo.InvariantCulture, format, args);
            }
            catch (FormatException)
            {
                text = format;
            }
            return string.IsNullOrEmpty(method) ? text : $"{method}: {text}";
        }

        public void Dispose() => t_messages = null;
    }
}
