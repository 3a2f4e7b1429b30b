namespace Piximi.Sweep.Training;

/// <summary>
/// The seeded generator behind every shuffle here (the dataset subset, each trial's split, each epoch's batch order).
/// Our own rather than <see cref="Random"/> so that a recorded seed reproduces the same trial on any .NET version;
/// SplitMix64 (Steele, Lea and Flood 2014) is tiny, fast and statistically plenty for shuffling.
/// </summary>
internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    /// <summary>Everything the generator is: <c>new SplitMix64(State)</c> continues where this one is.</summary>
    internal readonly ulong State => _state;

    /// <summary>A generator for one purpose of one seed: streams of the same seed do not overlap in practice.</summary>
    internal static SplitMix64 ForStream(long seed, ulong stream) =>
        new(unchecked((ulong)seed * 0x9E3779B97F4A7C15UL ^ (stream + 1) * 0xD1B54A32D192ED03UL));

    internal ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, bound) by multiply-shift; the bias (below bound / 2^32) is irrelevant for shuffling.</summary>
    internal int NextInt(int bound) => (int)(((Next() >> 32) * (ulong)bound) >> 32);

    /// <summary>Fisher–Yates, in place.</summary>
    internal void Shuffle<T>(Span<T> items)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
