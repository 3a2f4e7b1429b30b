using Piximi.Sweep.Core;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Piximi.Sweep.Training;

/// <summary>
/// Piximi's seven losses, computed from the model's logits and the integer labels (one-hot where the definition
/// needs it). Unless said otherwise a loss is averaged over every element of the [batch, classes] matrix, which is
/// what TF.js's losses do with their default reduction (SUM_BY_NONZERO_WEIGHTS with no weights). See LOSSES.md.
/// </summary>
internal static class Losses
{
    /// <summary>ε of <see cref="LossKind.Log"/>, TF's default.</summary>
    internal const float LogEpsilon = 1e-7f;

    /// <summary>δ of <see cref="LossKind.Huber"/>, TF's default.</summary>
    internal const double HuberDelta = 1.0;

    /// <summary>The loss as a function of (logits [B, C], labels [B] int64) → scalar.</summary>
    internal static Func<Tensor, Tensor, Tensor> For(LossKind kind, int classes) => kind switch
    {
        LossKind.CategoricalCrossEntropy => CategoricalCrossEntropy,
        LossKind.SigmoidCrossEntropy => (z, y) => SigmoidCrossEntropy(z, OneHot(y, classes)),
        LossKind.AbsoluteDifference => (z, y) => AbsoluteDifference(z, OneHot(y, classes)),
        LossKind.MeanSquaredError => (z, y) => MeanSquaredError(z, OneHot(y, classes)),
        LossKind.Huber => (z, y) => Huber(z, OneHot(y, classes)),
        LossKind.Log => (z, y) => Log(z, OneHot(y, classes)),
        LossKind.Hinge => (z, y) => Hinge(z, OneHot(y, classes)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown loss."),
    };

    /// <summary>Cross-entropy of softmax(z) against the label: mean over the batch of −log softmax(z)[label].</summary>
    internal static Tensor CategoricalCrossEntropy(Tensor logits, Tensor labels) => F.cross_entropy(logits, labels);

    /// <summary>Binary cross-entropy of sigmoid(z) against the one-hot target, per class, averaged over all elements.</summary>
    internal static Tensor SigmoidCrossEntropy(Tensor logits, Tensor oneHot) =>
        F.binary_cross_entropy_with_logits(logits, oneHot);

    /// <summary>mean |softmax(z) − onehot|.</summary>
    internal static Tensor AbsoluteDifference(Tensor logits, Tensor oneHot) =>
        (F.softmax(logits, 1) - oneHot).abs().mean();

    /// <summary>mean (softmax(z) − onehot)².</summary>
    internal static Tensor MeanSquaredError(Tensor logits, Tensor oneHot) =>
        (F.softmax(logits, 1) - oneHot).square().mean();

    /// <summary>
    /// Huber with δ = 1 on softmax(z) − onehot: ½x² where |x| ≤ δ, else δ(|x| − ½δ), averaged. Probabilities and a
    /// one-hot target never differ by more than 1, so this is exactly half the mean squared error.
    /// </summary>
    internal static Tensor Huber(Tensor logits, Tensor oneHot) =>
        F.huber_loss(F.softmax(logits, 1), oneHot, HuberDelta);

    /// <summary>TF's log loss on p = softmax(z): mean of −[y·log(p + ε) + (1 − y)·log(1 − p + ε)], ε = 1e-7.</summary>
    internal static Tensor Log(Tensor logits, Tensor oneHot)
    {
        var p = F.softmax(logits, 1);
        return -(oneHot * (p + LogEpsilon).log() + (1 - oneHot) * (1 - p + LogEpsilon).log()).mean();
    }

    /// <summary>TF's hinge loss on the logits with labels mapped to ±1: mean max(0, 1 − (2y − 1)·z).</summary>
    internal static Tensor Hinge(Tensor logits, Tensor oneHot) =>
        F.relu(1 - (2 * oneHot - 1) * logits).mean();

    internal static Tensor OneHot(Tensor labels, int classes) =>
        F.one_hot(labels, classes).to_type(ScalarType.Float32);
}
