namespace Piximi.Sweep.Core;

/// <summary>
/// Every point of the grid once, position i proposing the i-th (see <see cref="Samplers.Grid"/>). The history is not
/// read: a grid's order is fixed before the first result, so a resumed sweep and a parallel worker see the same walk.
/// </summary>
internal sealed class GridSampler : ISampler
{
    /// <summary>"GRIDSHUF": a stream of its own under the sampler seed, apart from the random sampler's draws.</summary>
    private const ulong ShuffleStream = 0x4752494453485546UL;

    private readonly IReadOnlyList<Hyperparameters> _points;

    public GridSampler(ParameterSpace space, int? shuffleSeed)
    {
        var points = Grid.Expand(space);
        _points = shuffleSeed is { } seed ? Shuffled(points, seed) : points;
    }

    /// <summary>How many points the walk has: <see cref="Grid.Count"/> of the space.</summary>
    public int Count => _points.Count;

    public Hyperparameters Propose(IReadOnlyList<Observation> history, int position)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        // Past the last point there is nothing left to propose; repeating one would silently run a trial twice.
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(position, _points.Count);
        return _points[position];
    }

    /// <summary>Fisher–Yates on one generator, so every order is equally likely and a seed always means the same order.</summary>
    private static Hyperparameters[] Shuffled(IReadOnlyList<Hyperparameters> points, int seed)
    {
        var order = points.ToArray();
        var rng = SplitMix64.ForTrial(seed, 0, ShuffleStream);
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
