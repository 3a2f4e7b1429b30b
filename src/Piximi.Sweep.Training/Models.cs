using Piximi.Sweep.Core;
using static TorchSharp.torch;

namespace Piximi.Sweep.Training;

/// <summary>Builds a trial's model for its data's shape and classes.</summary>
internal static class Models
{
    /// <exception cref="ArgumentException">The images are too small for the model (the message gives the minimum).</exception>
    internal static nn.Module<Tensor, Tensor> Create(ModelKind model, int channels, int height, int width, int classes) =>
        model switch
        {
            ModelKind.SimpleCNN => new SimpleCnn(channels, height, width, classes),
            ModelKind.MobileNet => new MobileNet(channels, height, width, classes),
            _ => throw new ArgumentException($"Model {model} is not one of {string.Join(", ", Enum.GetNames<ModelKind>())}.", nameof(model)),
        };
}
