namespace Piximi.Sweep.Reports;

/// <summary>
/// A regression tree as scikit-learn 1.2 grows one inside <c>RandomForestRegressor</c> with the settings Optuna 3.1's
/// fANOVA passes (<c>optuna/importance/_fanova/_evaluator.py:71-77</c>, <c>_fanova.py:46-52</c>): squared error, best
/// split over every feature (<c>max_features=1.0</c>, sklearn 1.2's default for regressors), <c>min_samples_split=2</c>,
/// <c>min_samples_leaf=1</c>, <c>max_depth</c> as given. Nodes are numbered depth-first, so a parent's index is below its
/// children's: Optuna's <c>_tree.py:153-178</c> relies on that order.
/// </summary>
internal sealed class RegressionTree
{
    // sklearn/tree/_splitter.pyx: values closer than this are one value (FEATURE_THRESHOLD), and
    // sklearn/tree/_tree.pyx: a node whose impurity is at most DBL_EPSILON is a leaf (EPSILON).
    private const double FeatureThreshold = 1e-7;
    private const double Epsilon = 2.220446049250313e-16;

    private readonly List<int> _feature = [];
    private readonly List<double> _threshold = [];
    private readonly List<int> _left = [];
    private readonly List<int> _right = [];
    private readonly List<double> _value = [];

    /// <summary>The feature a node splits on, or -1 for a leaf (sklearn's <c>TREE_LEAF</c> convention).</summary>
    public IReadOnlyList<int> Feature => _feature;

    /// <summary>Samples with a feature value at most this go left.</summary>
    public IReadOnlyList<double> Threshold => _threshold;

    public IReadOnlyList<int> Left => _left;

    public IReadOnlyList<int> Right => _right;

    /// <summary>The weighted mean of the node's training targets.</summary>
    public IReadOnlyList<double> Value => _value;

    public int NodeCount => _feature.Count;

    /// <param name="x">Rows of features; sklearn fits on float32 (its <c>DTYPE</c>), so they are rounded to float here too.</param>
    /// <param name="y">Targets.</param>
    /// <param name="weight">Each row's weight: its count in the bootstrap sample; rows of weight 0 are left out, as sklearn does.</param>
    /// <param name="maxDepth">The deepest a node may be (the root is depth 0).</param>
    /// <param name="random">Orders the features tried at each node, which decides between equally good splits.</param>
    public static RegressionTree Fit(float[][] x, double[] y, double[] weight, int maxDepth, Random random)
    {
        var tree = new RegressionTree();
        var rows = Enumerable.Range(0, y.Length).Where(i => weight[i] != 0).ToArray();
        if (rows.Length > 0) tree.Grow(x, y, weight, rows, 0, maxDepth, random);
        return tree;
    }

    /// <summary>The leaf value for one row (used by tests; fANOVA reads the nodes).</summary>
    public double Predict(IReadOnlyList<double> row)
    {
        var node = 0;
        while (_feature[node] >= 0) node = (float)row[_feature[node]] <= _threshold[node] ? _left[node] : _right[node];
        return _value[node];
    }

    private int Grow(float[][] x, double[] y, double[] weight, int[] rows, int depth, int maxDepth, Random random)
    {
        var (sum, squares, total) = (0.0, 0.0, 0.0);
        foreach (var i in rows)
        {
            sum += weight[i] * y[i];
            squares += weight[i] * y[i] * y[i];
            total += weight[i];
        }
        var node = AddNode(sum / total);
        var impurity = squares / total - (sum / total) * (sum / total);
        // sklearn/tree/_tree.pyx DepthFirstTreeBuilder.build: depth, min_samples_split (2 rows), min_samples_leaf (1 each side), then impurity.
        if (depth >= maxDepth || rows.Length < 2 || impurity <= Epsilon) return node;
        if (BestSplit(x, y, weight, rows, random) is not { } split) return node;

        var left = rows.Where(i => x[i][split.Feature] <= split.Threshold).ToArray();
        var right = rows.Where(i => x[i][split.Feature] > split.Threshold).ToArray();
        _feature[node] = split.Feature;
        _threshold[node] = split.Threshold;
        _left[node] = Grow(x, y, weight, left, depth + 1, maxDepth, random);
        _right[node] = Grow(x, y, weight, right, depth + 1, maxDepth, random);
        return node;
    }

    private int AddNode(double value)
    {
        _feature.Add(-1);
        _threshold.Add(-2);
        _left.Add(-1);
        _right.Add(-1);
        _value.Add(value);
        return _feature.Count - 1;
    }

    /// <summary>
    /// sklearn/tree/_splitter.pyx BestSplitter.node_split: features in a random order, each sorted; every position
    /// between two distinct values is a candidate, scored by the squared-error proxy sum_l²/w_l + sum_r²/w_r
    /// (MSE.proxy_impurity_improvement); the first strictly best wins. The threshold is the midpoint, or the lower
    /// value when the midpoint rounds up to the upper one. Null when every feature is constant in the node.
    /// </summary>
    private static (int Feature, double Threshold)? BestSplit(float[][] x, double[] y, double[] weight, int[] rows, Random random)
    {
        var features = Enumerable.Range(0, x[rows[0]].Length).ToArray();
        random.Shuffle(features);
        var (sumTotal, weightTotal) = (0.0, 0.0);
        foreach (var i in rows)
        {
            sumTotal += weight[i] * y[i];
            weightTotal += weight[i];
        }

        (int Feature, double Threshold)? best = null;
        var bestProxy = double.NegativeInfinity;
        var sorted = (int[])rows.Clone();
        var keys = new float[rows.Length];
        foreach (var f in features)
        {
            for (var k = 0; k < rows.Length; k++) (sorted[k], keys[k]) = (rows[k], x[rows[k]][f]);
            Array.Sort(keys, sorted);
            if (keys[^1] <= keys[0] + FeatureThreshold) continue;
            var (sumLeft, weightLeft) = (0.0, 0.0);
            for (var p = 1; p < sorted.Length; p++)
            {
                sumLeft += weight[sorted[p - 1]] * y[sorted[p - 1]];
                weightLeft += weight[sorted[p - 1]];
                if (keys[p] <= keys[p - 1] + FeatureThreshold) continue;
                var sumRight = sumTotal - sumLeft;
                var proxy = sumLeft * sumLeft / weightLeft + sumRight * sumRight / (weightTotal - weightLeft);
                if (proxy > bestProxy)
                {
                    bestProxy = proxy;
                    var threshold = keys[p - 1] / 2.0 + keys[p] / 2.0;
                    if (threshold == keys[p] || double.IsInfinity(threshold)) threshold = keys[p - 1];
                    best = (f, threshold);
                }
            }
        }
        return best;
    }
}

/// <summary>
/// A random forest regressor as scikit-learn 1.2's <c>RandomForestRegressor</c> builds one (sklearn/ensemble/_forest.py
/// <c>_parallel_build_trees</c>, <c>_generate_sample_indices</c>): each tree is fitted on a bootstrap sample of as many
/// draws as rows, given to the tree as per-row counts. Seeded with <see cref="Random"/>, so it is deterministic here but
/// does not draw the same samples as NumPy: compare its conclusions with sklearn's, not its trees.
/// </summary>
internal static class RandomForest
{
    public static IReadOnlyList<RegressionTree> Fit(IReadOnlyList<double[]> x, double[] y, int trees, int maxDepth, int seed)
    {
        var random = new Random(seed);
        var rows = x.Select(r => r.Select(v => (float)v).ToArray()).ToArray();
        var forest = new List<RegressionTree>(trees);
        for (var t = 0; t < trees; t++)
        {
            var counts = new double[y.Length];
            for (var draw = 0; draw < y.Length; draw++) counts[random.Next(y.Length)]++;
            forest.Add(RegressionTree.Fit(rows, y, counts, maxDepth, random));
        }
        return forest;
    }
}
