using System.Globalization;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Reports;

/// <summary>
/// How much one hyperparameter explains of the spread of final val_accuracy: η² (eta squared) = SS_between / SS_total
/// over completed trials, where SS_between = Σ_groups n_g (mean_g − mean)² and SS_total = Σ (x − mean)², grouping
/// the trials by that hyperparameter's value. 0 when it has one value only or all scores are equal.
/// <see cref="SmallestGroup"/>: the fewest trials sharing one of its values. With groups that small η² is mostly
/// noise (2 trials with 2 values always give 1), so reports show n and a caveat (<see cref="IsShaky"/>).
/// </summary>
internal sealed record Importance(string Hyperparameter, double EtaSquared, int Values, int Trials, int SmallestGroup)
{
    /// <summary>Below this many trials in a group, reports warn that η² cannot be trusted.</summary>
    public const int FewestTrusted = 3;

    public bool IsShaky => SmallestGroup < FewestTrusted;
}

/// <summary>Completed trials sharing one value (an optimizer, a loss): how many, the best and the mean val_accuracy.</summary>
internal sealed record GroupScore(string Value, int N, double Best, double Mean);

/// <summary>
/// Mean val_accuracy per learning rate (columns, ascending) × batch size (rows, ascending) for one optimizer,
/// averaged over every other hyperparameter (loss, epochs, seed); NaN where no completed trial is.
/// </summary>
internal sealed record Heatmap(OptimizerKind Optimizer, IReadOnlyList<double> LearningRates, IReadOnlyList<int> BatchSizes,
    double[,] Mean, int[,] Count, IReadOnlyList<LossKind> Losses);

internal static class Statistics
{
    /// <summary>The hyperparameters importance is measured for, by the names reports use, with the value to group by.</summary>
    internal static IReadOnlyList<(string Name, Func<Hyperparameters, string> Value)> Hyperparameters { get; } =
    [
        ("optimizer", hp => hp.Optimizer.ToString()),
        ("loss_function", hp => hp.Loss.ToString()),
        ("learning_rate", hp => hp.LearningRate.ToString("R", CultureInfo.InvariantCulture)),
        ("batch_size", hp => hp.BatchSize.ToString(CultureInfo.InvariantCulture)),
        ("epochs", hp => hp.Epochs.ToString(CultureInfo.InvariantCulture)),
        ("seed", hp => hp.Seed.ToString(CultureInfo.InvariantCulture)),
    ];

    /// <summary>
    /// What the analyses score: the completed trials' final val_accuracy, whatever the ranking metric (it is the number
    /// Piximi users read), finite values only.
    /// </summary>
    public static List<(Hyperparameters Hp, double Score)> ValAccuracies(IEnumerable<TrialSummary> summaries) =>
    [
        .. summaries
            .Where(s => s.Trial.State == TrialState.Completed && s.Final is { } f && double.IsFinite(f.ValAccuracy))
            .Select(s => (s.Trial.Hyperparameters, s.Final!.ValAccuracy)),
    ];

    public static IReadOnlyList<Importance> Importance(IReadOnlyList<(Hyperparameters Hp, double Score)> scored)
    {
        if (scored.Count == 0) return [];
        var mean = scored.Average(s => s.Score);
        var total = scored.Sum(s => (s.Score - mean) * (s.Score - mean));
        return
        [
            .. Hyperparameters.Select(h =>
            {
                var groups = scored.GroupBy(s => h.Value(s.Hp)).ToList();
                var between = groups.Sum(g => g.Count() * Square(g.Average(s => s.Score) - mean));
                // With no spread at all there is nothing to explain; 0 rather than 0/0.
                var eta = total > 0 ? Math.Clamp(between / total, 0, 1) : 0;
                return new Importance(h.Name, eta, groups.Count, scored.Count, groups.Min(g => g.Count()));
            })
            .OrderByDescending(i => i.EtaSquared),
        ];
    }

    public static IReadOnlyList<GroupScore> GroupScores(IReadOnlyList<(Hyperparameters Hp, double Score)> scored,
        Func<Hyperparameters, string> key) =>
    [
        .. scored.GroupBy(s => key(s.Hp))
            .Select(g => new GroupScore(g.Key, g.Count(), g.Max(s => s.Score), g.Average(s => s.Score)))
            .OrderByDescending(g => g.Best),
    ];

    public static IReadOnlyList<Heatmap> Heatmaps(IReadOnlyList<(Hyperparameters Hp, double Score)> scored) =>
    [
        .. scored.GroupBy(s => s.Hp.Optimizer).OrderBy(g => g.Key).Select(g =>
        {
            var rates = g.Select(s => s.Hp.LearningRate).Distinct().Order().ToList();
            var batches = g.Select(s => s.Hp.BatchSize).Distinct().Order().ToList();
            var sum = new double[batches.Count, rates.Count];
            var count = new int[batches.Count, rates.Count];
            foreach (var (hp, score) in g)
            {
                var (row, column) = (batches.IndexOf(hp.BatchSize), rates.IndexOf(hp.LearningRate));
                sum[row, column] += score;
                count[row, column]++;
            }
            var mean = new double[batches.Count, rates.Count];
            for (var r = 0; r < batches.Count; r++)
                for (var c = 0; c < rates.Count; c++)
                    mean[r, c] = count[r, c] > 0 ? sum[r, c] / count[r, c] : double.NaN;
            return new Heatmap(g.Key, rates, batches, mean, count, [.. g.Select(s => s.Hp.Loss).Distinct().Order()]);
        }),
    ];

    /// <summary>Mean and sample standard deviation (n − 1; 0 for a single value).</summary>
    private static double Square(double x) => x * x;
}

/// <summary>A class's precision, recall and F1 computed the standard way (not Piximi's swapped one).</summary>
internal sealed record ClassScores(string Name, int Support, int Predicted, double Precision, double Recall, double F1);

/// <summary>
/// Scores of a confusion matrix [actual][predicted]: precision = TP / (TP + FP), down the predicted column; recall =
/// TP / (TP + FN), along the actual row; F1 = 2PR / (P + R); 0 where a denominator is 0 (scikit-learn's
/// zero_division=0). Macro = unweighted mean over classes. With exactly 2 classes, <see cref="Binary"/> is the
/// first class taken as the positive one, as Piximi's binary variant takes it (Piximi 1.1.4
/// <c>src/utils/models/utils.ts:192-197</c>, which also swaps precision and recall; these are the standard ones).
/// </summary>
internal sealed record EvaluationScores(IReadOnlyList<ClassScores> Classes, int Total, double Accuracy,
    double MacroPrecision, double MacroRecall, double MacroF1, ClassScores? Binary)
{
    public static EvaluationScores Of(TrialEvaluation evaluation)
    {
        var m = evaluation.Confusion;
        var n = evaluation.ClassNames.Count;
        var total = 0;
        var correct = 0;
        var classes = new List<ClassScores>(n);
        for (var k = 0; k < n; k++)
        {
            var tp = m[k][k];
            var actual = m[k].Sum();
            var predicted = 0;
            for (var i = 0; i < n; i++) predicted += m[i][k];
            var precision = predicted > 0 ? (double)tp / predicted : 0;
            var recall = actual > 0 ? (double)tp / actual : 0;
            var f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
            classes.Add(new ClassScores(evaluation.ClassNames[k], actual, predicted, precision, recall, f1));
            total += actual;
            correct += tp;
        }
        return new EvaluationScores(classes, total, total > 0 ? (double)correct / total : 0,
            n > 0 ? classes.Average(c => c.Precision) : 0, n > 0 ? classes.Average(c => c.Recall) : 0,
            n > 0 ? classes.Average(c => c.F1) : 0, n == 2 ? classes[0] : null);
    }
}
