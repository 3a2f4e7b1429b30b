using TorchSharp;

namespace Piximi.Sweep.Training.Tests;

public class SimpleCnnOnTwentyEightByTwentyEightImages
{
    public SimpleCnnOnTwentyEightByTwentyEightImages() => FashionMnist.InitializeTorch();

    [Fact]
    public void FlattensTo256FeaturesAndOutputsOneLogitPerClass()
    {
        using var model = new SimpleCnn(channels: 1, height: 28, width: 28, classes: 10);
        using var input = torch.rand(5, 1, 28, 28);
        using var logits = model.forward(input);

        Assert.Equal(256, model.FlattenedSize);
        Assert.Equal(new long[] { 5, 10 }, logits.shape);
    }

    [Fact]
    public void HasPiximisParameterCount()
    {
        using var model = new SimpleCnn(channels: 1, height: 28, width: 28, classes: 10);

        // conv 1→8 5×5: 8·25 + 8; conv 8→16 5×5: 16·8·25 + 16; dense 256→10: 2560 + 10 (Keras' model.summary()).
        var counts = model.parameters().Select(p => p.numel()).ToArray();
        Assert.Equal(new long[] { 200, 8, 3200, 16, 2560, 10 }, counts);
    }

    [Fact]
    public void OutputsLogitsNotProbabilities()
    {
        torch.manual_seed(0);
        using var model = new SimpleCnn(channels: 1, height: 28, width: 28, classes: 10);
        using var input = torch.rand(4, 1, 28, 28);
        using var logits = model.forward(input);
        using var rowSums = logits.sum(1);

        // A softmax layer would make every row sum to 1 and every value positive.
        Assert.True(logits.lt(0).any().item<bool>(), "some logit should be negative");
        Assert.False(rowSums.sub(1).abs().lt(1e-4).all().item<bool>());
    }

    [Fact]
    public void StartsFromGlorotUniformKernelsAndZeroBiasesAsKerasDoes()
    {
        torch.manual_seed(0);
        using var model = new SimpleCnn(channels: 1, height: 28, width: 28, classes: 10);
        var parameters = model.parameters().ToArray();

        // Glorot limit √(6 / (fan_in + fan_out)); for the first convolution fan_in = 1·25, fan_out = 8·25.
        var limit = Math.Sqrt(6.0 / (25 + 200));
        Assert.True(parameters[0].abs().max().item<float>() <= limit);
        Assert.True(parameters[0].abs().max().item<float>() > 0.9 * limit);
        Assert.Equal(0f, parameters[1].abs().max().item<float>());
        Assert.Equal(0f, parameters[5].abs().max().item<float>());
    }

    [Fact]
    public void RefusesImagesTooSmallForTwoConvolutionsAndPoolings()
    {
        var error = Assert.Throws<ArgumentException>(() => new SimpleCnn(channels: 1, height: 15, width: 28, classes: 10));

        Assert.Contains("at least 16×16 pixels; these are 15×28", error.Message);
    }
}
