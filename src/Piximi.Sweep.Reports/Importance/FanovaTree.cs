namespace Piximi.Sweep.Reports;

/// <summary>
/// One tree's functional ANOVA: the variance of its prediction over the whole search space (each leaf weighted by the
/// volume of its cell) and the variance of its marginal prediction over some features. A line-by-line port of Optuna
/// 3.1's <c>optuna/importance/_fanova/_tree.py</c> (<c>_FanovaTree</c>); line numbers below are that file's.
/// </summary>
internal sealed class FanovaTree
{
    private readonly RegressionTree _tree;
    private readonly (double Low, double High)[] _bounds;
    private readonly (double Value, double Weight)[] _statistics;
    private readonly double[][] _midpoints;
    private readonly double[][] _sizes;
    private readonly bool[][] _subtreeActive;

    public FanovaTree(RegressionTree tree, (double Low, double High)[] bounds)
    {
        _tree = tree;
        _bounds = bounds;
        _statistics = Statistics();
        (_midpoints, _sizes) = MidpointsAndSizes();
        _subtreeActive = SubtreeActiveFeatures();
        Variance = LeafVariance();
    }

    /// <summary>The variance of the leaves' values, each weighted by its cell's volume (lines 33-46).</summary>
    public double Variance { get; }

    /// <summary>
    /// The variance of the marginal prediction over <paramref name="features"/> (one parameter's encoded columns): at
    /// every combination of the midpoints between split values of those features, the prediction averaged over all
    /// other features, weighted by the cell's size (lines 48-79). A categorical's one-hot columns combine freely, as
    /// Optuna's do, impossible combinations included.
    /// </summary>
    public double MarginalVariance(int[] features)
    {
        var values = new List<double>();
        var weights = new List<double>();
        var sample = new double[_bounds.Length];
        foreach (var (point, size) in Product(features))
        {
            Array.Fill(sample, double.NaN);
            for (var k = 0; k < features.Length; k++) sample[features[k]] = point[k];
            var (value, weight) = Marginalized(sample, features);
            values.Add(value);
            weights.Add(weight * size);
        }
        return WeightedVariance(values, weights);
    }

    /// <summary>Every combination of the features' midpoints, with the product of their sizes (lines 53-64's itertools.product).</summary>
    private IEnumerable<(double[] Point, double Size)> Product(int[] features)
    {
        var index = new int[features.Length];
        while (true)
        {
            var point = new double[features.Length];
            var size = 1.0;
            for (var k = 0; k < features.Length; k++)
            {
                point[k] = _midpoints[features[k]][index[k]];
                size *= _sizes[features[k]][index[k]];
            }
            yield return (point, size);
            var d = features.Length - 1;
            while (d >= 0 && ++index[d] == _midpoints[features[d]].Length) index[d--] = 0;
            if (d < 0) yield break;
        }
    }

    /// <summary>
    /// The prediction at <paramref name="sample"/> (NaN = marginalized), averaged over the marginalized features, and
    /// the weight of the cells reached (lines 81-141).
    /// </summary>
    private (double Value, double Weight) Marginalized(double[] sample, int[] active)
    {
        // Line 89: marginalized features count with width 1, so only the active ones' widths divide the weights.
        var start = new (double Low, double High)[_bounds.Length];
        for (var f = 0; f < start.Length; f++) start[f] = double.IsNaN(sample[f]) ? (0.0, 1.0) : _bounds[f];
        var stack = new Stack<(int Node, (double Low, double High)[] Space)>();
        stack.Push((0, start));
        var (sum, total) = (0.0, 0.0);
        while (stack.Count > 0)
        {
            var (node, space) = stack.Pop();
            var feature = _tree.Feature[node];
            if (feature >= 0)
            {
                if (!double.IsNaN(sample[feature]))
                {
                    // Lines 105-120: the active feature decides the child, and narrows that child's cell.
                    var goLeft = sample[feature] <= _tree.Threshold[node];
                    stack.Push((goLeft ? _tree.Left[node] : _tree.Right[node], Narrow(space, node, goLeft)));
                    continue;
                }
                if (active.Any(a => _subtreeActive[node][a]))
                {
                    // Lines 122-127: an active feature splits further down; both children, the cell unchanged.
                    stack.Push((_tree.Left[node], space));
                    stack.Push((_tree.Right[node], space));
                    continue;
                }
            }
            // Lines 129-139: a leaf, or a subtree no active feature splits: its average over the cell.
            var weight = _statistics[node].Weight / Cardinality(space);
            sum += _statistics[node].Value * weight;
            total += weight;
        }
        return (sum / total, total);
    }

    /// <summary>The child's cell: the split's threshold becomes its upper (left) or lower (right) bound (lines 266-304).</summary>
    private (double Low, double High)[] Narrow((double Low, double High)[] space, int node, bool left)
    {
        var child = ((double Low, double High)[])space.Clone();
        var f = _tree.Feature[node];
        child[f] = left ? (child[f].Low, _tree.Threshold[node]) : (_tree.Threshold[node], child[f].High);
        return child;
    }

    private static double Cardinality((double Low, double High)[] space)
    {
        var product = 1.0;
        foreach (var (low, high) in space) product *= high - low;
        return product;
    }

    /// <summary>
    /// Each node's value and weight (lines 143-180): a leaf's value with the volume of its cell; an inner node the
    /// weighted average of its children and the sum of their weights.
    /// </summary>
    private (double Value, double Weight)[] Statistics()
    {
        var n = _tree.NodeCount;
        var statistics = new (double Value, double Weight)[n];
        var spaces = new (double Low, double High)[n][];
        spaces[0] = _bounds;
        for (var node = 0; node < n; node++)
        {
            if (_tree.Feature[node] < 0)
            {
                statistics[node] = (_tree.Value[node], Cardinality(spaces[node]));
                continue;
            }
            spaces[_tree.Left[node]] = Narrow(spaces[node], node, left: true);
            spaces[_tree.Right[node]] = Narrow(spaces[node], node, left: false);
        }
        for (var node = n - 1; node >= 0; node--)
        {
            if (_tree.Feature[node] < 0) continue;
            var (l, r) = (statistics[_tree.Left[node]], statistics[_tree.Right[node]]);
            var weight = l.Weight + r.Weight;
            statistics[node] = ((l.Value * l.Weight + r.Value * r.Weight) / weight, weight);
        }
        return statistics;
    }

    /// <summary>
    /// For each feature, the midpoints and widths of the intervals its split values cut its bounds into (lines
    /// 182-221); a feature the tree never splits on has one interval, its whole range.
    /// </summary>
    private (double[][] Midpoints, double[][] Sizes) MidpointsAndSizes()
    {
        var midpoints = new double[_bounds.Length][];
        var sizes = new double[_bounds.Length][];
        for (var f = 0; f < _bounds.Length; f++)
        {
            var cuts = new List<double> { _bounds[f].Low };
            cuts.AddRange(Enumerable.Range(0, _tree.NodeCount).Where(i => _tree.Feature[i] == f).Select(i => _tree.Threshold[i]).Distinct().Order());
            cuts.Add(_bounds[f].High);
            midpoints[f] = [.. cuts.Zip(cuts.Skip(1), (a, b) => 0.5 * (b + a))];
            sizes[f] = [.. cuts.Zip(cuts.Skip(1), (a, b) => b - a)];
        }
        return (midpoints, sizes);
    }

    /// <summary>Which features split somewhere in each node's subtree (lines 223-235).</summary>
    private bool[][] SubtreeActiveFeatures()
    {
        var n = _tree.NodeCount;
        var active = new bool[n][];
        for (var node = n - 1; node >= 0; node--)
        {
            active[node] = new bool[_bounds.Length];
            var f = _tree.Feature[node];
            if (f < 0) continue;
            active[node][f] = true;
            for (var k = 0; k < _bounds.Length; k++) active[node][k] |= active[_tree.Left[node]][k] || active[_tree.Right[node]][k];
        }
        return active;
    }

    private double LeafVariance()
    {
        var leaves = Enumerable.Range(0, _tree.NodeCount).Where(i => _tree.Feature[i] < 0).ToList();
        return WeightedVariance([.. leaves.Select(i => _statistics[i].Value)], [.. leaves.Select(i => _statistics[i].Weight)]);
    }

    /// <summary>numpy.average((v − numpy.average(v, weights=w))², weights=w).</summary>
    private static double WeightedVariance(IReadOnlyList<double> values, IReadOnlyList<double> weights)
    {
        var total = weights.Sum();
        var mean = values.Zip(weights, (v, w) => v * w).Sum() / total;
        return values.Zip(weights, (v, w) => w * (v - mean) * (v - mean)).Sum() / total;
    }
}
