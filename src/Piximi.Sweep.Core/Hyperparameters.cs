using System.Text.Json.Serialization;

namespace Piximi.Sweep.Core;

/// <summary>Piximi's optimizers (<c>OptimizationAlgorithm</c>), by Piximi's own names.</summary>
public enum OptimizerKind
{
    Adadelta,
    Adagrad,
    Adam,
    Adamax,
    /// <summary>SGD with momentum 0.9 (Piximi silently falls back to plain SGD; we do not).</summary>
    Momentum,
    RMSProp,
    StochasticGradientDescent,
}

/// <summary>Piximi's loss functions (<c>LossFunction</c>), by Piximi's own names.</summary>
public enum LossKind
{
    AbsoluteDifference,
    CategoricalCrossEntropy,
    Hinge,
    Huber,
    Log,
    MeanSquaredError,
    SigmoidCrossEntropy,
}

/// <summary>Piximi's classifier models, by Piximi's own names.</summary>
public enum ModelKind
{
    SimpleCNN,
    /// <summary>MobileNet v1, width 0.25, as Piximi builds it, trained from scratch (no pretrained weights here).</summary>
    MobileNet,
}

/// <summary>
/// One point of the grid: everything a worker needs, besides the sweep's dataset, to train one trial.
/// <see cref="TimeBudget"/>, when set, caps the trial's wall time: training stops before an epoch that would not fit.
/// </summary>
public sealed record Hyperparameters(
    OptimizerKind Optimizer,
    LossKind Loss,
    double LearningRate,
    int BatchSize,
    int Epochs,
    TimeSpan? TimeBudget,
    int Seed)
{
    /// <summary>
    /// The model the trial trains (<c>model</c> is a parameter like the optimizer). Left out of JSON at its default,
    /// SimpleCNN, so trials and stores written before it existed read exactly as before.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ModelKind Model { get; init; }
}
