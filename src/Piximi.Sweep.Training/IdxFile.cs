using System.Buffers.Binary;
using System.IO.Compression;

namespace Piximi.Sweep.Training;

/// <summary>
/// The IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/), gzip-compressed or raw: a
/// big-endian magic number 0x0000TTDD (T element type, D number of dimensions), D big-endian 32-bit sizes, then the
/// elements.
/// <para>
/// A file is read to its last byte, by validation as by loading (only loading keeps the elements), so that what would
/// fail a worker is found before anything is stored: the data must be exactly as long as its header says, and a gzip
/// file must decompress without error and end with its own trailer. .NET's <see cref="GZipStream"/> checks the trailer's
/// CRC-32 when it reads one, but says nothing when the file ends early, within the data or within the trailer, nor
/// when other bytes follow it; so the data's CRC-32 and length are computed here and compared with the file's last 8
/// bytes. A file of several gzip streams joined (<c>cat a.gz b.gz</c>) does not end with the trailer of all its data
/// and is refused too; gunzip it and give the raw file.
/// </para>
/// </summary>
internal static class IdxFile
{
    internal const byte UnsignedByte = 0x08;
    internal const byte Int32 = 0x0C;

    /// <summary>How far before the end of a gzip file its trailer is looked for, to tell bytes appended after it from a cut.</summary>
    private const int TrailerSearch = 1 << 16;

    internal sealed record Header(byte ElementType, int[] Dimensions)
    {
        internal int Count => Dimensions[0];
        internal long Elements => Dimensions.Aggregate(1L, (product, d) => product * d);
        internal int ElementSize => ElementType == Int32 ? 4 : 1;
    }

    /// <summary>
    /// What reading one file found: its header (null when it could not be read), its elements (when kept and the file
    /// is sound) and its one problem (null: none), a sentence that starts with the file's path.
    /// </summary>
    internal sealed record Contents(Header? Header, byte[]? Body, string? Problem);

    internal sealed record Kind(string Name, int Dimensions, byte[] ElementTypes, string Expected);

    /// <summary>Images: unsigned bytes, [count, height, width] (magic 0x00000803).</summary>
    internal static readonly Kind Images = new("image", 3, [UnsignedByte], "0x00000803 (unsigned bytes, 3 dimensions)");

    /// <summary>Labels: one dimension, unsigned bytes (0x00000801) or big-endian int32 (0x00000C01).</summary>
    internal static readonly Kind Labels = new(
        "label", 1, [UnsignedByte, Int32], "0x00000801 (unsigned bytes, 1 dimension) or 0x00000C01 (int32, 1 dimension)");

    /// <summary>
    /// Reads the whole file: its header, every element (kept only with <paramref name="keepBody"/>; otherwise
    /// streamed and counted) and, for gzip, its end. Never throws for a bad file: the problem is in the result.
    /// </summary>
    internal static Contents Read(string path, Kind kind, bool keepBody)
    {
        if (!File.Exists(path)) return new Contents(null, null, $"{path}: file not found.");
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new Contents(null, null, $"{path}: cannot be opened: {e.Message}");
        }
        using (file)
        {
            var reader = new Reader(path, file);
            try
            {
                return reader.ReadAll(kind, keepBody);
            }
            catch (InvalidDataException)
            {
                // .NET's words ("unsupported compression method") mislead: the deflate data or its checksum is damaged.
                // Where it stopped depends on how much was asked for at a time, so it is not said.
                return new Contents(reader.Header, null,
                    $"{path}: corrupt gzip data: it cannot be decompressed (a damaged byte, or a checksum that does not match); download it again.");
            }
            catch (IOException e)
            {
                return new Contents(reader.Header, null, $"{path}: cannot be read: {e.Message}");
            }
        }
    }

    /// <summary>One pass over a file, counting and checksumming what it decompresses to.</summary>
    private sealed class Reader(string path, FileStream file)
    {
        private readonly bool _compressed = StartsWithGzipMagic(file);
        private Stream? _data;
        private uint _crc = Crc32.Start;

        /// <summary>Bytes of data read so far (decompressed, for gzip).</summary>
        private long _total;

        internal Header? Header { get; private set; }

        internal Contents ReadAll(Kind kind, bool keepBody)
        {
            using var data = _data = _compressed ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : file;
            if (ReadHeader(kind) is { } problem) return new Contents(Header, null, problem);
            var header = Header!;
            var expected = header.Elements * header.ElementSize;
            var body = keepBody ? GC.AllocateUninitializedArray<byte>((int)expected) : null;
            var buffer = body is null ? new byte[1 << 16] : null;
            long read = 0;
            while (read < expected)
            {
                var n = body is not null
                    ? Next(body.AsSpan((int)read))
                    : Next(buffer.AsSpan(0, (int)Math.Min(buffer!.Length, expected - read)));
                if (n == 0) break;
                read += n;
            }
            var what = _compressed ? "decompressed data" : "file";
            if (read < expected)
                return new Contents(header, null,
                    $"{path}: truncated: the header promises {Describe(header)} = {expected:N0} bytes of data, the {what} holds only {read:N0}.");
            Span<byte> rest = stackalloc byte[4096];
            long extra = 0;
            for (int n; (n = Next(rest)) > 0;) extra += n;
            if (extra > 0)
                return new Contents(header, null,
                    $"{path}: longer than its header says: {Describe(header)} = {expected:N0} bytes of data expected, the {what} holds {extra:N0} more.");
            if (_compressed && GzipEndProblem() is { } end) return new Contents(header, null, end);
            return new Contents(header, body, null);
        }

        private string? ReadHeader(Kind kind)
        {
            Span<byte> magic = stackalloc byte[4];
            if (Fill(magic) < 4)
                return _compressed
                    ? $"{path}: truncated: its gzip data decompresses to {_total} byte(s), too short to be an IDX {kind.Name} file (no 4-byte magic number)."
                    : $"{path}: too short to be an IDX {kind.Name} file (no 4-byte magic number).";
            var value = BinaryPrimitives.ReadUInt32BigEndian(magic);
            if (magic[0] != 0 || magic[1] != 0 || !kind.ElementTypes.Contains(magic[2]) || magic[3] != kind.Dimensions)
                return $"{path}: not an IDX {kind.Name} file, gzip-compressed or raw: magic number 0x{value:X8}, expected {kind.Expected}.";

            var dimensions = new int[kind.Dimensions];
            Span<byte> size = stackalloc byte[4];
            for (var d = 0; d < dimensions.Length; d++)
            {
                if (Fill(size) < 4) return $"{path}: truncated inside the IDX header.";
                var n = BinaryPrimitives.ReadInt32BigEndian(size);
                if (n < 0 || (n == 0 && d > 0)) return $"{path}: dimension {d} of the IDX header is {n}.";
                dimensions[d] = n;
            }
            var header = new Header(magic[2], dimensions);
            if (header.Elements * header.ElementSize > Array.MaxLength)
                return $"{path}: the header promises {header.Elements:N0} elements, more than fit in memory at once.";
            Header = header;
            return null;
        }

        /// <summary>
        /// A gzip file must end with the trailer of the data it decompressed to: its CRC-32 and length mod 2^32, little-endian.
        /// Found earlier in the file's last <see cref="TrailerSearch"/> bytes, other bytes were appended; not found, it was cut.
        /// </summary>
        private string? GzipEndProblem()
        {
            Span<byte> trailer = stackalloc byte[8];
            BinaryPrimitives.WriteUInt32LittleEndian(trailer, Crc32.Finish(_crc));
            BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], unchecked((uint)_total));
            var length = file.Length;
            var tail = new byte[(int)Math.Min(length, TrailerSearch)];
            file.Position = length - tail.Length;
            file.ReadExactly(tail);
            var at = tail.AsSpan().LastIndexOf(trailer);
            if (at >= 0 && at == tail.Length - 8) return null;
            return at >= 0
                ? $"{path}: {tail.Length - at - 8:N0} byte(s) of other data after the end of its gzip data; download it again, or gunzip it and give the raw file."
                : $"{path}: truncated: its gzip data ends without the trailer (CRC-32 and length) that closes a complete gzip file, so the file "
                  + "was cut short; download it again (several gzip files joined into one are refused too: gunzip it and give the raw file).";
        }

        /// <summary>Reads until the buffer is full or the data ends.</summary>
        private int Fill(Span<byte> buffer)
        {
            var total = 0;
            for (int n; total < buffer.Length && (n = Next(buffer[total..])) > 0;) total += n;
            return total;
        }

        /// <summary>One read of the data, counted and checksummed.</summary>
        private int Next(Span<byte> buffer)
        {
            var n = _data!.Read(buffer);
            if (_compressed) _crc = Crc32.Update(_crc, buffer[..n]);
            _total += n;
            return n;
        }

        // gzip starts 1F 8B; an IDX file starts 00 00, so the two cannot be confused.
        private static bool StartsWithGzipMagic(FileStream file)
        {
            Span<byte> magic = stackalloc byte[2];
            var read = file.Read(magic);
            file.Position = 0;
            return read == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
        }
    }

    /// <summary>The labels of a label file's elements (big-endian int32 or unsigned bytes).</summary>
    internal static int[] LabelValues(Header header, byte[] body)
    {
        var labels = new int[header.Count];
        if (header.ElementType == UnsignedByte)
        {
            for (var i = 0; i < labels.Length; i++) labels[i] = body[i];
        }
        else
        {
            for (var i = 0; i < labels.Length; i++) labels[i] = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(4 * i, 4));
        }
        return labels;
    }

    private static string Describe(Header header) =>
        string.Join(" × ", header.Dimensions) + (header.ElementSize > 1 ? $" × {header.ElementSize}" : "");

    /// <summary>
    /// gzip's CRC-32 (ISO-HDLC: reflected polynomial 0xEDB88320, start and final XOR 0xFFFFFFFF), eight bytes a step
    /// (slicing-by-8), so that checking Fashion-MNIST's 47 MB costs tens of milliseconds. The BCL has none public.
    /// </summary>
    internal static class Crc32
    {
        internal const uint Start = 0xFFFFFFFF;

        private static readonly uint[] Table = Build();

        internal static uint Finish(uint crc) => crc ^ 0xFFFFFFFF;

        internal static uint Update(uint crc, ReadOnlySpan<byte> data)
        {
            var t = Table;
            while (data.Length >= 8)
            {
                var one = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ crc;
                var two = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
                crc = t[7 * 256 + (one & 0xFF)] ^ t[6 * 256 + ((one >> 8) & 0xFF)] ^ t[5 * 256 + ((one >> 16) & 0xFF)] ^ t[4 * 256 + (one >> 24)]
                    ^ t[3 * 256 + (two & 0xFF)] ^ t[2 * 256 + ((two >> 8) & 0xFF)] ^ t[256 + ((two >> 16) & 0xFF)] ^ t[two >> 24];
                data = data[8..];
            }
            foreach (var b in data) crc = t[(crc ^ b) & 0xFF] ^ (crc >> 8);
            return crc;
        }

        private static uint[] Build()
        {
            var table = new uint[8 * 256];
            for (uint i = 0; i < 256; i++)
            {
                var c = i;
                for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
                table[i] = c;
            }
            for (var i = 0; i < 256; i++)
                for (var s = 1; s < 8; s++)
                    table[s * 256 + i] = table[(s - 1) * 256 + i] >> 8 ^ table[table[(s - 1) * 256 + i] & 0xFF];
            return table;
        }
    }
}
