using System.Buffers.Binary;
using System.Text.Json;

namespace Piximi.Sweep.Training.Piximi;

/// <summary>
/// The little of Zarr v2 that Piximi's project files use: an array's <c>.zarray</c> metadata, and its data held in
/// one uncompressed chunk (<c>0.0.0.0</c> for four dimensions), in C order, little-endian. Anything else (a compressor,
/// filters, Fortran order, big-endian or non-numeric dtypes, several chunks) is refused with a message saying what
/// was found, rather than read wrongly.
/// </summary>
internal sealed record ZarrArrayInfo(int[] Shape, int[] Chunks, string DType)
{
    public long Count => Shape.Aggregate(1L, (product, n) => product * n);

    /// <summary>The one chunk's file name: "0" per dimension, joined by dots (Zarr v2's default separator).</summary>
    public string ChunkKey => string.Join('.', Enumerable.Repeat("0", Math.Max(1, Shape.Length)));

    /// <summary>Parses a <c>.zarray</c>; throws <see cref="FormatException"/> saying what is unsupported.</summary>
    public static ZarrArrayInfo Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new FormatException("the .zarray is not a JSON object");
        if (root.TryGetProperty("zarr_format", out var format) && format.ValueKind == JsonValueKind.Number && format.GetInt32() != 2)
            throw new FormatException($"zarr_format {format.GetInt32()} (only Zarr v2 is read)");
        var shape = Ints(root, "shape");
        var chunks = root.TryGetProperty("chunks", out _) ? Ints(root, "chunks") : shape;
        if (chunks.Length != shape.Length) throw new FormatException("chunks and shape have different lengths");
        for (var i = 0; i < shape.Length; i++)
        {
            if (shape[i] < 0) throw new FormatException($"a negative dimension in shape [{string.Join(", ", shape)}]");
            if (chunks[i] < shape[i])
                throw new FormatException($"the array is split into several chunks (shape [{string.Join(", ", shape)}], chunks [{string.Join(", ", chunks)}]); Piximi writes one");
        }
        if (root.TryGetProperty("compressor", out var compressor) && compressor.ValueKind != JsonValueKind.Null)
            throw new FormatException($"compressor {Id(compressor)} (Piximi writes uncompressed chunks; only those are read)");
        if (root.TryGetProperty("filters", out var filters) && filters.ValueKind == JsonValueKind.Array && filters.GetArrayLength() > 0)
            throw new FormatException("filters (Piximi writes none; arrays with filters are not read)");
        if (root.TryGetProperty("order", out var order) && order.GetString() is { } o && o != "C")
            throw new FormatException($"order '{o}' (only C order is read)");
        var dtype = root.TryGetProperty("dtype", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : throw new FormatException("no dtype");
        if (ItemSize(dtype) is null)
            throw new FormatException($"dtype '{dtype}' (read: little-endian or single-byte numbers: <f4, <f8, |u1, |i1, <u2, <i2, <u4, <i4, <u8, <i8)");
        return new ZarrArrayInfo(shape, chunks, dtype);
    }

    /// <summary>The array's values (C order, exactly <see cref="Count"/> of them) from its chunk's bytes.</summary>
    public double[] Decode(byte[] chunk)
    {
        var size = ItemSize(DType)!.Value;
        var chunkCount = Chunks.Aggregate(1L, (product, n) => product * n);
        if (chunk.Length != chunkCount * size)
            throw new FormatException($"the chunk holds {chunk.Length} bytes, but a [{string.Join(", ", Chunks)}] chunk of {DType} needs {chunkCount * size} (truncated or compressed)");
        var values = new double[Count];
        // A chunk larger than the array (allowed by Zarr) is padded at the end of each dimension: map each index.
        var same = Chunks.SequenceEqual(Shape);
        var index = new int[Shape.Length];
        for (long i = 0; i < values.Length; i++)
        {
            long offset = i;
            if (!same)
            {
                offset = 0;
                for (var dim = 0; dim < Shape.Length; dim++) offset = offset * Chunks[dim] + index[dim];
                for (var dim = Shape.Length - 1; dim >= 0; dim--)
                {
                    if (++index[dim] < Shape[dim]) break;
                    index[dim] = 0;
                }
            }
            values[i] = Read(chunk.AsSpan((int)(offset * size), size));
        }
        return values;
    }

    private double Read(ReadOnlySpan<byte> bytes) => DType[1..] switch
    {
        "f4" => BinaryPrimitives.ReadSingleLittleEndian(bytes),
        "f8" => BinaryPrimitives.ReadDoubleLittleEndian(bytes),
        "u1" => bytes[0],
        "i1" => (sbyte)bytes[0],
        "u2" => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
        "i2" => BinaryPrimitives.ReadInt16LittleEndian(bytes),
        "u4" => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
        "i4" => BinaryPrimitives.ReadInt32LittleEndian(bytes),
        "u8" => BinaryPrimitives.ReadUInt64LittleEndian(bytes),
        "i8" => BinaryPrimitives.ReadInt64LittleEndian(bytes),
        _ => throw new FormatException($"dtype '{DType}'"),
    };

    private static int? ItemSize(string dtype) => dtype switch
    {
        "|u1" or "<u1" or "|i1" or "<i1" => 1,
        "<u2" or "<i2" => 2,
        "<f4" or "<u4" or "<i4" => 4,
        "<f8" or "<u8" or "<i8" => 8,
        _ => null,
    };

    private static int[] Ints(JsonElement root, string key)
    {
        if (!root.TryGetProperty(key, out var value) || value.ValueKind != JsonValueKind.Array)
            throw new FormatException($"no {key} list");
        return [.. value.EnumerateArray().Select(e => e.TryGetInt32(out var n) ? n : throw new FormatException($"{key} holds '{e}', not a whole number"))];
    }

    private static string Id(JsonElement compressor) =>
        compressor.ValueKind == JsonValueKind.Object && compressor.TryGetProperty("id", out var id) ? $"'{id}'" : compressor.ToString();
}
