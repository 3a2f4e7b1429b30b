using Piximi.Sweep.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Piximi.Sweep.Training;

/// <summary>
/// Piximi's SimpleCNN: Conv2d(channels→8, 5×5, valid) ReLU → MaxPool 2×2/2 → Conv2d(8→16, 5×5, valid) ReLU →
/// MaxPool 2×2/2 → Flatten → Linear(→classes). It returns logits: Piximi ends in a softmax and then applies
/// categorical cross-entropy to the probabilities as if they were logits (softmax twice); every loss here decides
/// itself whether it needs probabilities.
/// <para>
/// Weights start Glorot-uniform with zero biases (TF.js's default), rather than PyTorch's Kaiming defaults. Piximi
/// 1.1.4 starts its SimpleCNN's kernels with TF.js's <c>varianceScaling</c> (scale 1, fan in, truncated normal;
/// <c>src/utils/models/classification/SimpleCNN/loadSimpleCNN.ts:32,48,62</c>), a different start: learning-rate
/// findings carry over to Piximi approximately, not exactly.
/// </para>
/// </summary>
internal sealed class SimpleCnn : Module<Tensor, Tensor>
{
    /// <summary>Below this the second pooling leaves nothing (28×28 → 24 → 12 → 8 → 4); validation reads the same number.</summary>
    internal const int MinimumSide = ModelInputs.SimpleCnnMinimumSide;

    private readonly Conv2d _conv1;
    private readonly MaxPool2d _pool1;
    private readonly Conv2d _conv2;
    private readonly MaxPool2d _pool2;
    private readonly Flatten _flatten;
    private readonly Linear _classifier;

    internal SimpleCnn(int channels, int height, int width, int classes) : base(nameof(SimpleCnn))
    {
        if (height < MinimumSide || width < MinimumSide)
            throw new ArgumentException(
                $"SimpleCNN needs images of at least {MinimumSide}×{MinimumSide} pixels; these are {height}×{width}.");
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);

        _conv1 = Conv2d(channels, 8, kernel_size: 5);
        _pool1 = MaxPool2d(kernel_size: 2, stride: 2);
        _conv2 = Conv2d(8, 16, kernel_size: 5);
        _pool2 = MaxPool2d(kernel_size: 2, stride: 2);
        _flatten = Flatten();
        FlattenedSize = 16 * Pooled(Pooled(height)) * Pooled(Pooled(width));
        _classifier = Linear(FlattenedSize, classes);
        RegisterComponents();

        using (no_grad())
        {
            foreach (var layer in new Module[] { _conv1, _conv2, _classifier })
            {
                var (weight, bias) = layer switch
                {
                    Conv2d c => (c.weight!, c.bias!),
                    Linear l => (l.weight, l.bias!),
                    _ => throw new InvalidOperationException(),
                };
                init.xavier_uniform_(weight);
                init.zeros_(bias);
            }
        }
    }

    /// <summary>Features entering the classifier: 256 on 28×28×1.</summary>
    internal int FlattenedSize { get; }

    /// <summary>The three layers with weights, in order, for the TensorFlow.js export (Export/TfjsExport.cs).</summary>
    internal (Conv2d Conv1, Conv2d Conv2, Linear Classifier) WeightedLayers => (_conv1, _conv2, _classifier);

    public override Tensor forward(Tensor input)
    {
        var x = _pool1.forward(functional.relu(_conv1.forward(input)));
        x = _pool2.forward(functional.relu(_conv2.forward(x)));
        return _classifier.forward(_flatten.forward(x));
    }

    /// <summary>Height or width of the feature maps entering Flatten: 4 from 28.</summary>
    internal static int FeatureSide(int side) => Pooled(Pooled(side));

    // A 5×5 valid convolution takes 4 pixels, then 2×2/2 pooling halves (flooring).
    private static int Pooled(int side) => (side - 4) / 2;
}
