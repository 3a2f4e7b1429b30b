using Piximi.Sweep.Core;
using TorchSharp;
using TorchSharp.Modules;

namespace Piximi.Sweep.Training;

/// <summary>
/// Piximi's optimizers. Piximi sets only the learning rate, so everything else is TF.js's default (Piximi's
/// runtime) where TorchSharp exposes it; ε is TF.js's backend epsilon, 1e-7. Where the update rules differ in a
/// detail TorchSharp does not expose, it is noted.
/// </summary>
internal static class Optimizers
{
    internal const double TfEpsilon = 1e-7;

    /// <summary>The momentum we give <see cref="OptimizerKind.Momentum"/> (Piximi silently uses plain SGD).</summary>
    internal const double Momentum = 0.9;

    internal static torch.optim.Optimizer Create(OptimizerKind kind, IEnumerable<Parameter> parameters, double learningRate) => kind switch
    {
        // tf.train.adadelta: rho 0.95 (PyTorch 0.9), ε 1e-7 (PyTorch 1e-6); same update rule.
        OptimizerKind.Adadelta => torch.optim.Adadelta(parameters, learningRate, rho: 0.95, eps: TfEpsilon),
        // tf.train.adagrad: accumulators start at 0.1 (PyTorch 0); TF.js adds ε inside the square root, PyTorch
        // outside, which only matters while the accumulator is near zero, and it starts at 0.1.
        OptimizerKind.Adagrad => torch.optim.Adagrad(parameters, learningRate, initial_accumulator_value: 0.1, eps: TfEpsilon),
        // tf.train.adam: β1 0.9, β2 0.999, ε 1e-7 (PyTorch 1e-8).
        OptimizerKind.Adam => torch.optim.Adam(parameters, learningRate, beta1: 0.9, beta2: 0.999, eps: TfEpsilon),
        // tf.train.adamax: β1 0.9, β2 0.999, ε 1e-7, no decay. PyTorch adds ε to |g| inside the max, TF.js to the
        // denominator; both only keep it from dividing by zero.
        OptimizerKind.Adamax => torch.optim.Adamax(parameters, learningRate, beta1: 0.9, beta2: 0.999, eps: TfEpsilon),
        // SGD with momentum 0.9, no Nesterov: v = 0.9·v + g, w −= lr·v, the same rule as tf.train.momentum.
        OptimizerKind.Momentum => torch.optim.SGD(parameters, learningRate, momentum: Momentum),
        // tf.train.rmsprop: decay 0.9 (PyTorch's alpha, default 0.99), no momentum, not centred, ε 1e-7 (TF.js
        // inside the square root, PyTorch outside).
        OptimizerKind.RMSProp => torch.optim.RMSProp(parameters, learningRate, alpha: 0.9, eps: TfEpsilon),
        OptimizerKind.StochasticGradientDescent => torch.optim.SGD(parameters, learningRate),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown optimizer."),
    };
}
