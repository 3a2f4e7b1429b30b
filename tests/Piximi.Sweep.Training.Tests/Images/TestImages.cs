using System.Buffers.Binary;
using System.IO.Compression;
using BitMiracle.LibTiff.Classic;
using ImageMagick;

namespace Piximi.Sweep.Training.Tests.Images;

/// <summary>Writes test images: PNG and JPEG with Magick.NET, TIFF with LibTiff.NET, 16-bit PNG by hand.</summary>
internal static class TestImages
{
    /// <summary>An 8-bit image from interleaved bytes; <paramref name="mapping"/> "R" (grey), "RGB" or "RGBA".</summary>
    public static void Magick(string path, int width, int height, string mapping, byte[] interleaved, MagickFormat format)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var storage = mapping == "R" ? "I" : mapping;
        using var image = new MagickImage(interleaved, new PixelReadSettings((uint)width, (uint)height, StorageType.Char, storage));
        if (mapping == "R")
        {
            image.ColorType = ColorType.Grayscale;
        }
        if (format == MagickFormat.Jpeg) image.Quality = 100;
        image.Write(path, format);
    }

    /// <summary>A grey 8-bit PNG whose pixel i is (seed + i) mod 256.</summary>
    public static void GreyPng(string path, int width, int height, int seed = 0) =>
        Magick(path, width, height, "R", [.. Enumerable.Range(0, width * height).Select(i => (byte)((seed + i) % 256))], MagickFormat.Png);

    /// <summary>A TIFF with <paramref name="samples"/> interleaved (contiguous) samples per pixel, 8 or 16 bits, in strips or tiles.</summary>
    public static void Tiff16(string path, int width, int height, int samples, ushort[] interleaved, int bits = 16, int tile = 0)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var tiff = Tiff.Open(path, "w") ?? throw new IOException($"cannot write {path}");
        tiff.SetField(TiffTag.IMAGEWIDTH, width);
        tiff.SetField(TiffTag.IMAGELENGTH, height);
        tiff.SetField(TiffTag.BITSPERSAMPLE, bits);
        tiff.SetField(TiffTag.SAMPLESPERPIXEL, samples);
        tiff.SetField(TiffTag.PHOTOMETRIC, samples >= 3 ? Photometric.RGB : Photometric.MINISBLACK);
        tiff.SetField(TiffTag.PLANARCONFIG, PlanarConfig.CONTIG);
        tiff.SetField(TiffTag.COMPRESSION, Compression.LZW);
        if (samples is 2 or 4) tiff.SetField(TiffTag.EXTRASAMPLES, 1, new[] { (short)ExtraSample.UNASSALPHA });
        var bytesPerSample = bits / 8;
        byte[] Row(int y, int x0, int count, int rowPixels)
        {
            var row = new byte[rowPixels * samples * bytesPerSample];
            for (var x = 0; x < count && x0 + x < width; x++)
                for (var c = 0; c < samples; c++)
                {
                    var value = interleaved[((y * width) + x0 + x) * samples + c];
                    var at = (x * samples + c) * bytesPerSample;
                    if (bits == 8) row[at] = (byte)value;
                    else BitConverter.TryWriteBytes(row.AsSpan(at, 2), value); // LibTiff takes the machine's byte order
                }
            return row;
        }
        if (tile == 0)
        {
            tiff.SetField(TiffTag.ROWSPERSTRIP, height);
            for (var y = 0; y < height; y++)
                tiff.WriteScanline(Row(y, 0, width, width), y);
            return;
        }
        tiff.SetField(TiffTag.TILEWIDTH, tile);
        tiff.SetField(TiffTag.TILELENGTH, tile);
        for (var ty = 0; ty < height; ty += tile)
            for (var tx = 0; tx < width; tx += tile)
            {
                var buffer = new byte[tile * tile * samples * bytesPerSample];
                for (var y = 0; y < tile && ty + y < height; y++)
                    Row(ty + y, tx, tile, tile).CopyTo(buffer, y * tile * samples * bytesPerSample);
                tiff.WriteTile(buffer, tx, ty, 0, 0);
            }
    }

    /// <summary>A 16-bit grey PNG written by hand (Magick.NET-Q8 cannot write exact 16-bit values).</summary>
    public static void GreyPng16(string path, int width, int height, ushort[] values)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var raw = new MemoryStream();
        for (var y = 0; y < height; y++)
        {
            raw.WriteByte(0); // filter: none
            for (var x = 0; x < width; x++)
            {
                raw.WriteByte((byte)(values[y * width + x] >> 8));
                raw.WriteByte((byte)values[y * width + x]);
            }
        }
        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) raw.WriteTo(z);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 16; // bit depth
        header[9] = 0;  // colour type: grey
        using var file = File.Create(path);
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(file, "IHDR", header);
        Chunk(file, "IDAT", compressed.ToArray());
        Chunk(file, "IEND", []);
    }

    private static void Chunk(Stream stream, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        stream.Write(length);
        var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        stream.Write(typed);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        stream.Write(crc);
    }

    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>Cuts a file to half its length (a truncated download).</summary>
    public static void Truncate(string path)
    {
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
    }
}
