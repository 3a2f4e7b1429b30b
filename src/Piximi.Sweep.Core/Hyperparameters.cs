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

public enum ModelKind
{
    SimpleCNN,
}

/// <summary>
/// One point of the grid: everything a worker needs, besides the sweep's dataset and model, to train one trial.
/// <see cref="TimeBudget"/>, when set, caps the trial's wall time: training stops before an epoch that would not fit.
/// </summary>
public sealed record Hyperparameters(
    OptimizerKind Optimizer,
    LossKind Loss,
    double LearningRate,
    int BatchSize,
    int Epochs,
    TimeSpan? TimeBudget,
    int Seed);
