using System.Buffers.Binary;
using System.Text;

namespace Piximi.Sweep.Training.Tests.Piximi;

/// <summary>Byte-level damage to a zip file that the zip API cannot make, for tests of how damage is reported.</summary>
internal static class ZipBytes
{
    /// <summary>
    /// Writes <paramref name="method"/> into the compression-method field of <paramref name="entry"/>'s local and
    /// central headers (APPNOTE 4.3.7 and 4.3.12: offsets 8 and 10), as a damaged or foreign zip may hold.
    /// </summary>
    public static void SetCompressionMethod(string path, string entry, ushort method)
    {
        var bytes = File.ReadAllBytes(path);
        var name = Encoding.UTF8.GetBytes(entry);
        var changed = 0;
        for (var i = 0; i + 46 < bytes.Length; i++)
        {
            var signature = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i));
            var (nameOffset, methodOffset) = signature switch
            {
                0x04034b50 => (30, 8),
                0x02014b50 => (46, 10),
                _ => (-1, -1),
            };
            if (nameOffset < 0) continue;
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i + nameOffset - (signature == 0x04034b50 ? 4 : 18)));
            if (nameLength != name.Length || !bytes.AsSpan(i + nameOffset, name.Length).SequenceEqual(name)) continue;
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i + methodOffset), method);
            changed++;
        }
        if (changed != 2) throw new InvalidOperationException($"expected a local and a central header for {entry}, changed {changed}");
        File.WriteAllBytes(path, bytes);
    }
}
