namespace Piximi.Sweep.Core;

/// <summary>
/// CRC-32 (IEEE 802.3, the one Python's zlib.crc32 and Optuna's Hyperband use). Hyperband needs a hash of the trial
/// id that is the same in every process and on every machine, which string.GetHashCode is not (it is randomised per
/// process). Written here rather than taking System.IO.Hashing for one small function.
/// </summary>
internal static class Crc32
{
    private static readonly uint[] _table = BuildTable();

    public static uint Of(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
            crc = _table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (var i = 0u; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }
}
