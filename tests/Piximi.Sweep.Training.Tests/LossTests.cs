using Piximi.Sweep.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Piximi.Sweep.Training.Tests;

/// <summary>
/// Each loss against a value computed by hand. Logits [[ln 2, 0, 0], [0, ln 3, 0]] give softmax rows
/// [1/2, 1/4, 1/4] and [1/5, 3/5, 1/5]; the labels are 0 and 2, so the one-hot rows are [1, 0, 0] and [0, 0, 1].
/// </summary>
public class EachLossOnTwoImagesOfThreeClasses : IDisposable
{
    private readonly Tensor _logits;
    private readonly Tensor _labels;

    public EachLossOnTwoImagesOfThreeClasses()
    {
        FashionMnist.InitializeTorch();
        _logits = torch.tensor(new[] { (float)Math.Log(2), 0, 0, 0, (float)Math.Log(3), 0 }, [2, 3]);
        _labels = torch.tensor(new long[] { 0, 2 });
    }

    public void Dispose()
    {
        _logits.Dispose();
        _labels.Dispose();
    }

    [Fact]
    public void CategoricalCrossEntropyIsTheMeanNegativeLogProbabilityOfTheLabel()
    {
        Assert.Equal((-Math.Log(1 / 2.0) - Math.Log(1 / 5.0)) / 2, Loss(LossKind.CategoricalCrossEntropy), tolerance: 1e-6);
    }

    [Fact]
    public void SigmoidCrossEntropyIsTheMeanBinaryCrossEntropyOfEveryLogit()
    {
        // Per element log(1 + e^z) − y·z.
        var expected = (Math.Log(3) - Math.Log(2) + Math.Log(2) + Math.Log(2)
                        + Math.Log(2) + Math.Log(4) + Math.Log(2)) / 6;
        Assert.Equal(expected, Loss(LossKind.SigmoidCrossEntropy), tolerance: 1e-6);
    }

    [Fact]
    public void AbsoluteDifferenceIsTheMeanAbsoluteErrorOfTheProbabilities()
    {
        Assert.Equal((0.5 + 0.25 + 0.25 + 0.2 + 0.6 + 0.8) / 6, Loss(LossKind.AbsoluteDifference), tolerance: 1e-6);
    }

    [Fact]
    public void MeanSquaredErrorIsTheMeanSquaredErrorOfTheProbabilities()
    {
        Assert.Equal((0.25 + 0.0625 + 0.0625 + 0.04 + 0.36 + 0.64) / 6, Loss(LossKind.MeanSquaredError), tolerance: 1e-6);
    }

    [Fact]
    public void HuberIsHalfTheMeanSquaredErrorBecauseProbabilitiesAreNeverMoreThanOneAway()
    {
        Assert.Equal(0.5 * (0.25 + 0.0625 + 0.0625 + 0.04 + 0.36 + 0.64) / 6, Loss(LossKind.Huber), tolerance: 1e-6);
    }

    [Fact]
    public void LogIsTensorFlowsLogLossOnTheProbabilities()
    {
        // −[y·log(p + ε) + (1 − y)·log(1 − p + ε)], ε = 1e-7.
        const double e = 1e-7;
        double Term(double y, double p) => -(y * Math.Log(p + e) + (1 - y) * Math.Log(1 - p + e));
        var expected = (Term(1, 0.5) + Term(0, 0.25) + Term(0, 0.25) + Term(0, 0.2) + Term(0, 0.6) + Term(1, 0.2)) / 6;
        Assert.Equal(expected, Loss(LossKind.Log), tolerance: 1e-6);
    }

    [Fact]
    public void HingeIsTensorFlowsHingeOnTheLogitsWithLabelsMappedToPlusMinusOne()
    {
        // max(0, 1 − (2y − 1)·z) per element: row 1 signs [+, −, −], row 2 [−, −, +].
        var expected = (1 - Math.Log(2) + 1 + 1 + 1 + 1 + Math.Log(3) + 1) / 6;
        Assert.Equal(expected, Loss(LossKind.Hinge), tolerance: 1e-6);
    }

    [Fact]
    public void HingeIgnoresLogitsBeyondTheMargin()
    {
        using var logits = torch.tensor(new[] { 5f, -5f }, [1, 2]);
        using var labels = torch.tensor(new long[] { 0 });
        using var loss = Losses.For(LossKind.Hinge, 2)(logits, labels);

        Assert.Equal(0f, loss.item<float>());
    }

    private double Loss(LossKind kind)
    {
        using var scope = torch.NewDisposeScope();
        return Losses.For(kind, classes: 3)(_logits, _labels).item<float>();
    }
}
