using Piximi.Sweep.Core;
using TorchSharp;

namespace Piximi.Sweep.Training.Tests;

/// <summary>
/// Core's minimum input sizes (<see cref="ModelInputs"/>), which validation checks the data against, are the models'
/// own: each builds and runs at its minimum and refuses one pixel less, in height or in width.
/// </summary>
public class The_models_minimum_input_sizes
{
    public The_models_minimum_input_sizes() => FashionMnist.InitializeTorch();

    [Theory]
    [InlineData(ModelKind.SimpleCNN, 1)]
    [InlineData(ModelKind.SimpleCNN, 3)]
    [InlineData(ModelKind.MobileNet, 1)]
    [InlineData(ModelKind.MobileNet, 2)]
    [InlineData(ModelKind.MobileNet, 3)]
    [InlineData(ModelKind.MobileNet, 4)]
    public void Are_the_smallest_sides_each_model_can_be_built_and_run_on(ModelKind kind, int channels)
    {
        var minimum = ModelInputs.MinimumSide(kind, channels);

        using (var model = Models.Create(kind, channels, minimum, minimum, classes: 3))
        {
            model.eval();
            using var input = torch.rand(2, channels, minimum, minimum);
            using var output = model.forward(input);
            Assert.Equal(new long[] { 2, 3 }, output.shape);
        }
        Assert.True(ModelInputs.Fits(kind, new InputShape(minimum, minimum, channels)));
        Assert.False(ModelInputs.Fits(kind, new InputShape(minimum - 1, minimum, channels)));
        Assert.False(ModelInputs.Fits(kind, new InputShape(minimum, minimum - 1, channels)));
        Assert.Contains($"at least {minimum}×{minimum}", Assert.Throws<ArgumentException>(() => Models.Create(kind, channels, minimum - 1, minimum, 3)).Message);
        Assert.Contains($"at least {minimum}×{minimum}", Assert.Throws<ArgumentException>(() => Models.Create(kind, channels, minimum, minimum - 1, 3)).Message);
    }
}
