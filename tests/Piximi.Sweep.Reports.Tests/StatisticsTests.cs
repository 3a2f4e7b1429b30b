using Piximi.Sweep.Core;

namespace Piximi.Sweep.Reports.Tests;

public sealed class ImportanceIsTheShareOfVarianceEachHyperparameterExplains
{
    private static Hyperparameters Hp(OptimizerKind optimizer, double learningRate, int seed = 0) =>
        new(optimizer, LossKind.CategoricalCrossEntropy, learningRate, 32, 10, null, seed);

    [Fact]
    public void OptimizerExplainsNineTenthsAndLearningRateNothingOnAHandComputedGrid()
    {
        // mean 0.7; SS_total = 0.04 + 0.01 + 0.04 + 0.01 = 0.10.
        // Optimizer: Adam 0.85, SGD 0.55 → SS_between = 2·0.15² + 2·0.15² = 0.09 → η² 0.9.
        // Learning rate: 0.01 → 0.7, 0.03 → 0.7 → η² 0.
        (Hyperparameters, double)[] scored =
        [
            (Hp(OptimizerKind.Adam, 0.01), 0.9), (Hp(OptimizerKind.Adam, 0.03), 0.8),
            (Hp(OptimizerKind.StochasticGradientDescent, 0.01), 0.5), (Hp(OptimizerKind.StochasticGradientDescent, 0.03), 0.6),
        ];

        var importance = Statistics.Importance(scored).ToDictionary(i => i.Hyperparameter);

        Assert.Equal(0.9, importance["optimizer"].EtaSquared, 12);
        Assert.Equal(0.0, importance["learning_rate"].EtaSquared, 12);
        Assert.Equal(0.0, importance["seed"].EtaSquared, 12);
        Assert.Equal(2, importance["optimizer"].Values);
        Assert.Equal("optimizer", Statistics.Importance(scored)[0].Hyperparameter);
    }

    [Fact]
    public void AnInteractionSplitsTheVarianceBetweenTwoHyperparameters()
    {
        // Scores 1, 0, 0, 0 (Adam at 0.01 alone is good): mean 0.25, SS_total 0.75; each of optimizer and learning
        // rate has group means 0.5 and 0 → SS_between 2·0.25² + 2·0.25² = 0.25 → η² 1/3 each.
        (Hyperparameters, double)[] scored =
        [
            (Hp(OptimizerKind.Adam, 0.01), 1), (Hp(OptimizerKind.Adam, 0.03), 0),
            (Hp(OptimizerKind.StochasticGradientDescent, 0.01), 0), (Hp(OptimizerKind.StochasticGradientDescent, 0.03), 0),
        ];

        var importance = Statistics.Importance(scored).ToDictionary(i => i.Hyperparameter);

        Assert.Equal(1.0 / 3, importance["optimizer"].EtaSquared, 12);
        Assert.Equal(1.0 / 3, importance["learning_rate"].EtaSquared, 12);
    }

    [Fact]
    public void EqualScoresExplainNothingRatherThanDividingByZero()
    {
        (Hyperparameters, double)[] scored = [(Hp(OptimizerKind.Adam, 0.01), 0.7), (Hp(OptimizerKind.Adamax, 0.03), 0.7)];

        Assert.All(Statistics.Importance(scored), i => Assert.Equal(0.0, i.EtaSquared));
    }
}

public sealed class PrecisionIsReadDownColumnsAndRecallAlongRows
{
    [Fact]
    public void ANonSymmetricThreeClassMatrixGivesTheHandComputedScores()
    {
        var scores = EvaluationScores.Of(new TrialEvaluation(1, ["a", "b", "c"], KnownSweep.BestConfusion));

        // Columns (predicted): a 5+0+4 = 9, b 2+7+0 = 9, c 1+3+6 = 10. Rows (actual): 8, 10, 10.
        Assert.Equal(5.0 / 9, scores.Classes[0].Precision, 12);
        Assert.Equal(5.0 / 8, scores.Classes[0].Recall, 12);
        Assert.Equal(7.0 / 9, scores.Classes[1].Precision, 12);
        Assert.Equal(7.0 / 10, scores.Classes[1].Recall, 12);
        Assert.Equal(6.0 / 10, scores.Classes[2].Precision, 12);
        Assert.Equal(6.0 / 10, scores.Classes[2].Recall, 12);
        var f1A = 2 * (5.0 / 9) * (5.0 / 8) / (5.0 / 9 + 5.0 / 8);
        Assert.Equal(f1A, scores.Classes[0].F1, 12);
        Assert.Equal((5.0 / 9 + 7.0 / 9 + 0.6) / 3, scores.MacroPrecision, 12);
        Assert.Equal((5.0 / 8 + 0.7 + 0.6) / 3, scores.MacroRecall, 12);
        Assert.Equal(scores.Classes.Average(c => c.F1), scores.MacroF1, 12);
        Assert.Equal(18.0 / 28, scores.Accuracy, 12);
        Assert.Equal(8, scores.Classes[0].Support);
        Assert.Null(scores.Binary);
    }

    [Fact]
    public void TwoClassesAlsoGiveTheBinaryScoresOfTheFirstClassAsPiximisBinaryVariantTakesIt()
    {
        var scores = EvaluationScores.Of(new TrialEvaluation(1, ["healthy", "infected"], [[8, 2], [1, 9]]));

        // Piximi (src/utils/models/utils.ts:192-197): "precision" m[0][0] / (m[0][0] + m[0][1]) = 8/10, "recall"
        // m[0][0] / (m[0][0] + m[1][0]) = 8/9: class 0 positive, the two swapped. The standard ones:
        var positive = Assert.IsType<ClassScores>(scores.Binary);
        Assert.Equal("healthy", positive.Name);
        Assert.Equal(8.0 / 9, positive.Precision, 12);
        Assert.Equal(8.0 / 10, positive.Recall, 12);
    }

    [Fact]
    public void AClassNeverPredictedHasPrecisionZeroNotNaN()
    {
        var scores = EvaluationScores.Of(new TrialEvaluation(1, ["a", "b"], [[4, 0], [3, 0]]));

        Assert.Equal(0.0, scores.Classes[1].Precision);
        Assert.Equal(0.0, scores.Classes[1].F1);
        Assert.Equal(4.0 / 7, scores.Classes[0].Precision, 12);
    }
}
