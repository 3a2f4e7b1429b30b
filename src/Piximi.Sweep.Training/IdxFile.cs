using System.Buffers.Binary;
using System.IO.Compression;

namespace Piximi.Sweep.Training;

/// <summary>
/// The IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/), gzip-compressed or raw: a
/// big-endian magic number 0x0000TTDD (T element type, D number of dimensions), D big-endian 32-bit sizes, then the
/// elements. Every problem is a <see cref="DatasetException"/> naming the file.
/// </summary>
internal static class IdxFile
{
    internal const byte UnsignedByte = 0x08;
    internal const byte Int32 = 0x0C;

    internal sealed record Header(byte ElementType, int[] Dimensions)
    {
        internal int Count => Dimensions[0];
        internal long Elements => Dimensions.Aggregate(1L, (product, d) => product * d);
        internal int ElementSize => ElementType == Int32 ? 4 : 1;
        internal long HeaderBytes => 4 + 4L * Dimensions.Length;
    }

    /// <summary>Images: unsigned bytes, [count, height, width] (magic 0x00000803).</summary>
    internal static Header ReadImageHeader(string path)
    {
        using var stream = Open(path, out _);
        return ReadHeader(stream, path, ImageKind);
    }

    /// <summary>Labels: one dimension, unsigned bytes (0x00000801) or big-endian int32 (0x00000C01).</summary>
    internal static Header ReadLabelHeader(string path)
    {
        using var stream = Open(path, out _);
        return ReadHeader(stream, path, LabelKind);
    }

    internal static (Header Header, byte[] Pixels) ReadImages(string path)
    {
        using var stream = Open(path, out var compressed);
        var header = ReadHeader(stream, path, ImageKind);
        var body = ReadBody(stream, path, header, compressed);
        return (header, body);
    }

    internal static int[] ReadLabels(string path)
    {
        using var stream = Open(path, out var compressed);
        var header = ReadHeader(stream, path, LabelKind);
        var body = ReadBody(stream, path, header, compressed);
        var labels = new int[header.Count];
        if (header.ElementType == UnsignedByte)
        {
            for (var i = 0; i < labels.Length; i++)
                labels[i] = body[i];
        }
        else
        {
            for (var i = 0; i < labels.Length; i++)
                labels[i] = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(4 * i, 4));
        }
        return labels;
    }

    private sealed record Kind(string Name, int Dimensions, byte[] ElementTypes, string Expected);

    private static readonly Kind ImageKind = new("image", 3, [UnsignedByte], "0x00000803 (unsigned bytes, 3 dimensions)");
    private static readonly Kind LabelKind = new(
        "label", 1, [UnsignedByte, Int32], "0x00000801 (unsigned bytes, 1 dimension) or 0x00000C01 (int32, 1 dimension)");

    private static Stream Open(string path, out bool compressed)
    {
        if (!File.Exists(path))
            throw new DatasetException($"{path}: file not found.");
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetException($"{path}: cannot be opened: {e.Message}");
        }
        // gzip starts 1F 8B; an IDX file starts 00 00, so the two cannot be confused.
        Span<byte> magic = stackalloc byte[2];
        var read = file.Read(magic);
        file.Position = 0;
        compressed = read == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
        return compressed ? new BufferedStream(new GZipStream(file, CompressionMode.Decompress), 1 << 16) : file;
    }

    private static Header ReadHeader(Stream stream, string path, Kind kind)
    {
        Span<byte> magic = stackalloc byte[4];
        if (ReadFully(stream, path, magic) < 4)
            throw new DatasetException($"{path}: too short to be an IDX {kind.Name} file (no 4-byte magic number).");
        var value = BinaryPrimitives.ReadUInt32BigEndian(magic);
        if (magic[0] != 0 || magic[1] != 0 || !kind.ElementTypes.Contains(magic[2]) || magic[3] != kind.Dimensions)
            throw new DatasetException(
                $"{path}: not an IDX {kind.Name} file, gzip-compressed or raw: magic number 0x{value:X8}, expected {kind.Expected}.");

        var dimensions = new int[kind.Dimensions];
        Span<byte> size = stackalloc byte[4];
        for (var d = 0; d < dimensions.Length; d++)
        {
            if (ReadFully(stream, path, size) < 4)
                throw new DatasetException($"{path}: truncated inside the IDX header.");
            var n = BinaryPrimitives.ReadInt32BigEndian(size);
            if (n < 0 || (n == 0 && d > 0))
                throw new DatasetException($"{path}: dimension {d} of the IDX header is {n}.");
            dimensions[d] = n;
        }
        var header = new Header(magic[2], dimensions);
        if (header.Elements * header.ElementSize > Array.MaxLength)
            throw new DatasetException($"{path}: the header promises {header.Elements:N0} elements, more than fit in memory at once.");
        return header;
    }

    private static byte[] ReadBody(Stream stream, string path, Header header, bool compressed)
    {
        var expected = (int)(header.Elements * header.ElementSize);
        var body = GC.AllocateUninitializedArray<byte>(expected);
        var read = ReadFully(stream, path, body);
        var what = compressed ? "decompressed data" : "file";
        if (read < expected)
            throw new DatasetException(
                $"{path}: truncated: the header promises {Describe(header)} = {expected:N0} bytes of data, the {what} holds only {read:N0}.");
        Span<byte> extra = stackalloc byte[1];
        if (ReadFully(stream, path, extra) != 0)
            throw new DatasetException(
                $"{path}: longer than its header says: {Describe(header)} = {expected:N0} bytes of data expected, the {what} holds more.");
        return body;
    }

    private static string Describe(Header header) =>
        string.Join(" × ", header.Dimensions) + (header.ElementSize > 1 ? $" × {header.ElementSize}" : "");

    /// <summary>Reads until the buffer is full or the data ends; corrupt or cut gzip data becomes a DatasetException.</summary>
    private static int ReadFully(Stream stream, string path, Span<byte> buffer)
    {
        var total = 0;
        try
        {
            while (total < buffer.Length)
            {
                var n = stream.Read(buffer[total..]);
                if (n == 0)
                    break;
                total += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new DatasetException($"{path}: corrupt or truncated gzip data ({e.Message}).");
        }
        catch (IOException e)
        {
            throw new DatasetException($"{path}: cannot be read: {e.Message}");
        }
        return total;
    }
}
