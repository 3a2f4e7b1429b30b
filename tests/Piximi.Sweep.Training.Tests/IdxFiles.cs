using System.Buffers.Binary;
using System.IO.Compression;

namespace Piximi.Sweep.Training.Tests;

/// <summary>Small IDX files made in a test, raw or gzipped, and the ways they are damaged (also linked into the CLI tests).</summary>
internal static class IdxFiles
{
    /// <summary>An IDX file: big-endian magic, sizes, then the body as given.</summary>
    internal static byte[] Idx(int magic, int[] dimensions, byte[] body)
    {
        var bytes = new byte[4 + 4 * dimensions.Length + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (var d = 0; d < dimensions.Length; d++)
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), dimensions[d]);
        body.CopyTo(bytes, 4 + 4 * dimensions.Length);
        return bytes;
    }

    /// <summary><paramref name="count"/> images of side × side, each a different pattern (so gzip has work to do).</summary>
    internal static byte[] ImageFile(int count, int side = 28) =>
        Idx(0x0803, [count, side, side], [.. Enumerable.Range(0, count * side * side).Select(i => (byte)(i * 7919 % 251))]);

    /// <summary>Unsigned-byte labels.</summary>
    internal static byte[] LabelFile(params int[] labels) => Idx(0x0801, [labels.Length], [.. labels.Select(l => (byte)l)]);

    /// <summary>Big-endian int32 labels (negative ones and labels above 255 are possible).</summary>
    internal static byte[] Int32Labels(params int[] labels)
    {
        var body = new byte[4 * labels.Length];
        for (var i = 0; i < labels.Length; i++) BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(4 * i), labels[i]);
        return Idx(0x0C01, [labels.Length], body);
    }

    /// <summary>0, 1, …, classes − 1 over and over: every class has images.</summary>
    internal static int[] Cycle(int count, int classes = 10) => [.. Enumerable.Range(0, count).Select(i => i % classes)];

    internal static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(data);
        return output.ToArray();
    }

    /// <summary>A gzip file whose deflate data has a damaged byte in its middle.</summary>
    internal static byte[] Damaged(byte[] gzip)
    {
        var copy = (byte[])gzip.Clone();
        copy[copy.Length / 2] ^= 0x5A;
        return copy;
    }

    /// <summary>Decompresses as far as the data goes (a cut file ends early without an error).</summary>
    internal static byte[] Gunzip(string path)
    {
        using var input = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
