using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.Json;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Reports.Tests;

public sealed class PiximiExportWritesPiximisHyperparametersFile
{
    private static readonly SweepDefinition Definition = new("grid",
        new DatasetSpec("idx", "/nonexistent/images.idx", "/nonexistent/labels.idx", 0.8, null),
        ModelKind.SimpleCNN, MetricNames.ValAccuracy, KnownSweep.Space);

    private static readonly Hyperparameters Trial = new(OptimizerKind.StochasticGradientDescent, LossKind.MeanSquaredError, 0.03, 64, 12, null, 3);

    /// <summary>Every key path of a JSON document, nested with dots, objects only (PIXIMI.md's shape).</summary>
    private static IEnumerable<string> Paths(JsonElement element, string prefix = "") =>
        element.ValueKind != JsonValueKind.Object
            ? [prefix]
            : element.EnumerateObject().SelectMany(p => Paths(p.Value, prefix.Length == 0 ? p.Name : $"{prefix}.{p.Name}"));

    [Fact]
    public void ItHasExactlyPiximisKeysNested()
    {
        using var json = JsonDocument.Parse(PiximiExport.ModelHyperparameters(Definition, Trial));

        string[] expected =
        [
            "preprocessOptions.inputShape.planes", "preprocessOptions.inputShape.height", "preprocessOptions.inputShape.width",
            "preprocessOptions.inputShape.channels", "preprocessOptions.shuffle", "preprocessOptions.rescaleOptions.rescale",
            "preprocessOptions.rescaleOptions.center", "preprocessOptions.cropOptions.numCrops", "preprocessOptions.cropOptions.cropSchema",
            "preprocessOptions.trainingPercentage", "compileOptions.epochs", "compileOptions.batchSize", "compileOptions.learningRate",
            "compileOptions.lossFunction", "compileOptions.metrics", "compileOptions.optimizationAlgorithm", "fitOptions.epochs",
            "fitOptions.batchSize",
        ];
        Assert.Equal(expected, Paths(json.RootElement));
    }

    [Fact]
    public void ItHoldsTheTrialsSettingsAsPiximisDisplayStrings()
    {
        using var json = JsonDocument.Parse(PiximiExport.ModelHyperparameters(Definition, Trial));
        var compile = json.RootElement.GetProperty("compileOptions");

        Assert.Equal("Stochastic gradient descent (SGD)", compile.GetProperty("optimizationAlgorithm").GetString());
        Assert.Equal("Mean squared error (MSE)", compile.GetProperty("lossFunction").GetString());
        Assert.Equal(["Categorical accuracy"], compile.GetProperty("metrics").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(0.03, compile.GetProperty("learningRate").GetDouble());
        Assert.Equal(64, compile.GetProperty("batchSize").GetInt32());
        Assert.Equal(12, compile.GetProperty("epochs").GetInt32());
        Assert.Equal(64, json.RootElement.GetProperty("fitOptions").GetProperty("batchSize").GetInt32());
        Assert.Equal(12, json.RootElement.GetProperty("fitOptions").GetProperty("epochs").GetInt32());
        Assert.Equal(0.8, json.RootElement.GetProperty("preprocessOptions").GetProperty("trainingPercentage").GetDouble());
        // No images file to read: MNIST's 28×28.
        Assert.Equal(28, json.RootElement.GetProperty("preprocessOptions").GetProperty("inputShape").GetProperty("height").GetInt32());
    }

    [Fact]
    public void PiximisGivenNamesAreExactAndEveryOptimizerAndLossHasItsOwn()
    {
        Assert.Equal("Adam", PiximiNames.Optimizer(OptimizerKind.Adam));
        Assert.Equal("Categorical (softmax) cross entropy", PiximiNames.Loss(LossKind.CategoricalCrossEntropy));
        Assert.Equal(7, Enum.GetValues<OptimizerKind>().Select(PiximiNames.Optimizer).Distinct().Count());
        Assert.Equal(7, Enum.GetValues<LossKind>().Select(PiximiNames.Loss).Distinct().Count());
    }

    [Fact]
    public void TheInputShapeComesFromTheGzippedIdxHeader()
    {
        using var folder = new TempFolder();
        var path = folder.File("images.idx3-ubyte.gz");
        var header = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(header, 0x0803);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), 10);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), 50);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), 40);
        using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest)) gzip.Write(header);
        var definition = Definition with { Dataset = Definition.Dataset with { Images = path } };

        using var json = JsonDocument.Parse(PiximiExport.ModelHyperparameters(definition, Trial));

        var shape = json.RootElement.GetProperty("preprocessOptions").GetProperty("inputShape");
        Assert.Equal(50, shape.GetProperty("height").GetInt32());
        Assert.Equal(40, shape.GetProperty("width").GetInt32());
        Assert.Equal(1, shape.GetProperty("channels").GetInt32());
    }
}
