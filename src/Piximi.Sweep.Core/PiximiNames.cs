namespace Piximi.Sweep.Core;

/// <summary>
/// Piximi's display strings, the values of its enums (Piximi 1.1.4 <c>src/utils/models/enums.ts</c>:
/// <c>OptimizationAlgorithm</c> lines 26-34, <c>LossFunction</c> 36-49, <c>Metric</c> 51-63, <c>CropSchema</c> 1-6).
/// Piximi's files hold these strings, not the enum names: its exported hyperparameters, a saved model's
/// <c>optimizerSettings</c> (checked on upload by an io-ts codec of exactly these values), a project's classifier
/// settings. One place for them, used by every writer and reader.
/// </summary>
public static class PiximiNames
{
    /// <summary><c>Metric.CategoricalAccuracy</c>: the one metric Piximi trains with by default.</summary>
    public const string CategoricalAccuracy = "Categorical accuracy";

    /// <summary><c>CropSchema.None</c>: the whole image is resized to the input shape (no crop).</summary>
    public const string NoCrop = "None";

    public static string Optimizer(OptimizerKind optimizer) => optimizer switch
    {
        OptimizerKind.Adadelta => "Adadelta",
        OptimizerKind.Adagrad => "Adagrad",
        OptimizerKind.Adam => "Adam",
        OptimizerKind.Adamax => "Adamax",
        OptimizerKind.Momentum => "Momentum",
        OptimizerKind.RMSProp => "RMSProp",
        OptimizerKind.StochasticGradientDescent => "Stochastic gradient descent (SGD)",
        _ => throw new ArgumentOutOfRangeException(nameof(optimizer), optimizer, null),
    };

    /// <summary>Piximi's <c>LossFunction</c> values (its disabled "Cosine distance" has no counterpart here).</summary>
    public static string Loss(LossKind loss) => loss switch
    {
        LossKind.AbsoluteDifference => "Absolute difference",
        LossKind.CategoricalCrossEntropy => "Categorical (softmax) cross entropy",
        LossKind.Hinge => "Hinge",
        LossKind.Huber => "Huber",
        LossKind.Log => "Log",
        LossKind.MeanSquaredError => "Mean squared error (MSE)",
        LossKind.SigmoidCrossEntropy => "Sigmoid cross entropy",
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, null),
    };
}
