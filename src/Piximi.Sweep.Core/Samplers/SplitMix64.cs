namespace Piximi.Sweep.Core;

/// <summary>
/// Steele, Lea and Flood's SplitMix64: a fixed, published algorithm, so a seed means the same draws on every .NET
/// version (System.Random's algorithm is unspecified and has changed before). Not thread-safe; one per proposal.
/// </summary>
internal sealed class SplitMix64(ulong state)
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    private ulong _state = state;

    /// <summary>
    /// The generator of one proposal: seeded by the sampler's seed, the trial's position and a stream (one per sampler
    /// kind), so each proposal is reproducible on its own, without replaying the ones before it.
    /// </summary>
    public static SplitMix64 ForTrial(int seed, int trial, ulong stream) =>
        new(Mix(Mix(Mix((ulong)(long)seed) ^ stream) + (ulong)(long)trial * Golden));

    public ulong NextUInt64()
    {
        _state += Golden;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1): the top 53 bits, every value equally likely.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, <paramref name="count"/>), without the modulo bias of a plain remainder.</summary>
    public int NextInt(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var bound = (ulong)count;
        var threshold = (0UL - bound) % bound; // 2^64 mod bound: values below it would favour the low residues
        while (true)
        {
            var value = NextUInt64();
            if (value >= threshold) return (int)(value % bound);
        }
    }

    /// <summary>A standard normal draw (Box–Muller; 1 − u keeps the logarithm's argument in (0, 1]).</summary>
    public double NextGaussian()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
