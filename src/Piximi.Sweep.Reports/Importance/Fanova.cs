using System.Globalization;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Reports;

/// <summary>One hyperparameter's fANOVA importance: its share (0–1, all add up to 1) of the forest's explained variance.</summary>
internal sealed record FanovaImportance(string Hyperparameter, double Importance, int Trials);

internal enum FanovaKind
{
    Categorical,
    Float,
    Int,
}

/// <summary>
/// One parameter as Optuna would declare it: a categorical with its choices, or a number with its bounds. Numbers are
/// used as they are, even a log-scale learning rate: Optuna 3.1's fANOVA transforms the space with
/// <c>transform_log=False</c> (<c>_evaluator.py:113-115</c>).
/// </summary>
internal sealed record FanovaParameter(string Name, FanovaKind Kind, IReadOnlyList<string> Choices, double Low, double High, bool Log)
{
    /// <summary>Optuna leaves a distribution with a single value out of the forest and gives it 0 (<c>_evaluator.py:98-106</c>).</summary>
    public bool IsSingle => Kind == FanovaKind.Categorical ? Choices.Count == 1 : Low == High;

    /// <summary>Columns in the encoded space: one per choice (one-hot), one for a number (<c>optuna/_transform.py:159-196</c>).</summary>
    public int Columns => Kind == FanovaKind.Categorical ? Choices.Count : 1;

    internal Func<Hyperparameters, string> Text { get; init; } = _ => "";

    internal Func<Hyperparameters, double> Number { get; init; } = _ => 0;
}

/// <summary>
/// fANOVA hyperparameter importance (Hutter et al. 2014) the way Optuna 3.1's <c>FanovaImportanceEvaluator</c> computes
/// it (<c>optuna/importance/_fanova/</c>): a random forest of 64 trees of depth at most 64 fitted on the completed
/// trials' encoded parameters and metric, then for each parameter the mean over trees of the variance of its marginal
/// prediction over the tree's total variance, normalized to add up to 1.
/// </summary>
internal static class FanovaEvaluator
{
    /// <summary>Optuna's defaults (<c>_evaluator.py:68-77</c>).</summary>
    public const int Trees = 64;
    public const int MaxDepth = 64;

    /// <summary>The report's forest seed: a report of the same trials always shows the same numbers.</summary>
    public const int ReportSeed = 0;

    /// <summary>
    /// At most this many trials go into the forest (a fixed random sample of them beyond it): fANOVA's cost grows faster
    /// than the trials (1,000 random trials took 0.8 s here, 10,000 took 5.4 s, the whole 10,000-trial report's budget).
    /// </summary>
    public const int MaxTrials = 2_000;

    /// <summary>
    /// The parameters a sweep's trials vary, sorted by name as Optuna's <c>intersection_search_space(ordered_dict=True)</c>
    /// sorts them: the sweep's lists, widened to any value a trial holds outside them (a baseline's settings), so that
    /// every trial lies inside the space (Optuna refuses a value outside its distribution). The seed is not one: it is
    /// noise, not a choice.
    /// </summary>
    public static IReadOnlyList<FanovaParameter> Space(ParameterSpace space, IReadOnlyList<Hyperparameters> trials)
    {
        return
        [
            Numbers("batch_size", FanovaKind.Int, space.BatchSizes.Select(b => (double)b), hp => hp.BatchSize),
            Numbers("epochs", FanovaKind.Int, space.Epochs.Select(e => (double)e), hp => hp.Epochs),
            Numbers("learning_rate", FanovaKind.Float, space.LearningRates, hp => hp.LearningRate)
                with { Log = space.LearningRateDistribution == LearningRateDistribution.LogUniform },
            Choices("loss_function", space.Losses.Select(l => l.ToString()), hp => hp.Loss.ToString()),
            Choices("model", space.ModelList.Select(m => m.ToString()), hp => hp.Model.ToString()),
            Choices("optimizer", space.Optimizers.Select(o => o.ToString()), hp => hp.Optimizer.ToString()),
        ];

        FanovaParameter Numbers(string name, FanovaKind kind, IEnumerable<double> listed, Func<Hyperparameters, double> value)
        {
            var all = listed.Concat(trials.Select(value)).ToList();
            return new FanovaParameter(name, kind, [], all.Min(), all.Max(), false) { Number = value };
        }

        FanovaParameter Choices(string name, IEnumerable<string> listed, Func<Hyperparameters, string> value) =>
            new(name, FanovaKind.Categorical, [.. listed.Concat(trials.Select(value)).Distinct()], 0, 0, false) { Text = value };
    }

    /// <summary>
    /// The completed trials with a finite <paramref name="metric"/> in their result epoch: what Optuna's study of the
    /// sweep would hold as COMPLETE trials with their values.
    /// </summary>
    public static IReadOnlyList<(Hyperparameters Hp, double Score)> Scored(IEnumerable<TrialSummary> trials, string metric) =>
    [
        .. trials.Where(t => t.Trial.State == TrialState.Completed && t.Final is not null)
            .Select(t => (t.Trial.Hyperparameters, MetricNames.ValueOf(t.Final!, metric)))
            .Where(s => double.IsFinite(s.Item2)),
    ];

    /// <summary>fANOVA of the sweep's completed trials by <paramref name="scored"/>; empty with fewer than 2 trials or no spread.</summary>
    public static IReadOnlyList<FanovaImportance> Importance(ParameterSpace space,
        IReadOnlyList<(Hyperparameters Hp, double Score)> scored, int seed = ReportSeed)
    {
        // Optuna refuses fewer than 2 completed trials (importance/_base.py:113-117) and non-finite values (:143-152).
        var finite = scored.Where(s => double.IsFinite(s.Score)).ToList();
        if (finite.Count < 2) return [];
        if (finite.Count > MaxTrials) finite = Sample(finite, seed);
        var parameters = Space(space, [.. finite.Select(s => s.Hp)]);
        var varied = parameters.Where(p => !p.IsSingle).ToList();
        if (varied.Count == 0) return [];

        var shares = Evaluate(varied, finite, seed);
        if (shares is null) return [];
        return
        [
            .. varied.Select((p, k) => new FanovaImportance(p.Name, shares[k], finite.Count))
                .Concat(parameters.Where(p => p.IsSingle).Select(p => new FanovaImportance(p.Name, 0, finite.Count)))
                .OrderByDescending(i => i.Importance),
        ];
    }

    /// <summary><see cref="MaxTrials"/> of the trials, drawn with the forest's seed, in their original order.</summary>
    private static List<(Hyperparameters Hp, double Score)> Sample(List<(Hyperparameters Hp, double Score)> trials, int seed)
    {
        var order = Enumerable.Range(0, trials.Count).ToArray();
        new Random(seed).Shuffle(order);
        return [.. order.Take(MaxTrials).Order().Select(i => trials[i])];
    }

    /// <summary>Each varied parameter's share, or null when no tree has any variance (Optuna raises, <c>_fanova.py:74-77</c>).</summary>
    private static double[]? Evaluate(IReadOnlyList<FanovaParameter> varied, IReadOnlyList<(Hyperparameters Hp, double Score)> scored, int seed)
    {
        var (rows, bounds, columns) = Encode(varied, [.. scored.Select(s => s.Hp)]);
        var forest = RandomForest.Fit(rows, [.. scored.Select(s => s.Score)], Trees, MaxDepth, seed);
        var trees = forest.Select(t => new FanovaTree(t, bounds)).ToList();
        if (trees.All(t => t.Variance == 0)) return null;

        // _fanova.py:79-112: the mean over trees with variance of the clipped marginal variance's fraction.
        var importances = columns.Select(c => trees.Where(t => t.Variance > 0)
            .Average(t => Math.Max(0, t.MarginalVariance(c)) / t.Variance)).ToArray();
        var sum = importances.Sum();
        // _evaluator.py:127-130 normalizes to a sum of 1; with nothing explained at all every share is 0.
        return [.. importances.Select(i => sum > 0 ? i / sum : 0)];
    }

    /// <summary>
    /// Optuna's <c>_SearchSpaceTransform(transform_log=False, transform_step=False)</c>: a categorical becomes one 0/1
    /// column per choice with bounds [0, 1], a number one column with its distribution's bounds (<c>optuna/_transform.py:100-117, 154-196</c>).
    /// </summary>
    internal static (double[][] Rows, (double Low, double High)[] Bounds, int[][] Columns) Encode(
        IReadOnlyList<FanovaParameter> parameters, IReadOnlyList<Hyperparameters> trials)
    {
        var bounds = new List<(double, double)>();
        var columns = new List<int[]>();
        foreach (var p in parameters)
        {
            columns.Add([.. Enumerable.Range(bounds.Count, p.Columns)]);
            for (var k = 0; k < p.Columns; k++) bounds.Add(p.Kind == FanovaKind.Categorical ? (0, 1) : (p.Low, p.High));
        }
        var rows = trials.Select(hp =>
        {
            var row = new double[bounds.Count];
            for (var j = 0; j < parameters.Count; j++)
            {
                var p = parameters[j];
                if (p.Kind == FanovaKind.Categorical) row[columns[j][0] + IndexOf(p.Choices, p.Text(hp))] = 1;
                else row[columns[j][0]] = p.Number(hp);
            }
            return row;
        }).ToArray();
        return (rows, [.. bounds], [.. columns]);
    }

    private static int IndexOf(IReadOnlyList<string> choices, string value)
    {
        for (var i = 0; i < choices.Count; i++)
            if (string.Equals(choices[i], value, StringComparison.Ordinal)) return i;
        throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"'{value}' is not one of the {choices.Count} choices."));
    }
}
