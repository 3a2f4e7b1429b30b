using System.Text.Json;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Reports.Tests;

public sealed class PiximiExportWritesPiximisHyperparametersFile
{
    /// <summary>A 24×24×3 Piximi project's sweep, as validation recorded it; the project file itself is not there.</summary>
    private static readonly SweepDefinition Definition = new("grid",
        new DatasetSpec("piximi", "/nonexistent/cells.zip", null, 0.8, null) { Facts = new DatasetFacts(new InputShape(24, 24, 3), 120, 0) },
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
    }

    [Fact]
    public void TheInputShapeIsTheOneTheSweepRecordedWithoutReadingTheData()
    {
        using var json = JsonDocument.Parse(PiximiExport.ModelHyperparameters(Definition, Trial));

        Assert.Equal("{\"planes\":1,\"height\":24,\"width\":24,\"channels\":3}",
            json.RootElement.GetProperty("preprocessOptions").GetProperty("inputShape").GetRawText().Replace(" ", "").Replace("\n", ""));
        Assert.Contains(("Input Shape", "Col 24, Row 24, Ch. 3"), PiximiExport.ByHand(Definition, Trial));
    }

    [Fact]
    public void WithoutRecordedFactsTheSweepFilesInputShapeIsUsedAndWithoutEitherNothingIsGuessed()
    {
        var noFacts = Definition with { Dataset = Definition.Dataset with { Facts = null, InputShape = new InputShape(20, 30, 2) } };
        using (var json = JsonDocument.Parse(PiximiExport.ModelHyperparameters(noFacts, Trial)))
        {
            var shape = json.RootElement.GetProperty("preprocessOptions").GetProperty("inputShape");
            Assert.Equal((20, 30, 2), (shape.GetProperty("height").GetInt32(), shape.GetProperty("width").GetInt32(), shape.GetProperty("channels").GetInt32()));
        }

        var unknown = noFacts with { Dataset = noFacts.Dataset with { InputShape = null } };
        Assert.Null(PiximiExport.InputShapeOf(unknown));
        Assert.Throws<InvalidOperationException>(() => PiximiExport.ModelHyperparameters(unknown, Trial));
        Assert.Contains(("Input Shape", "not recorded"), PiximiExport.ByHand(unknown, Trial));
    }

    [Fact]
    public void WhatToSetByHandIsEveryFieldInPiximisWordsAndOrder()
    {
        Assert.Equal(
            ["Model Architecture", "Input Shape", "Training Percentage", "Epochs", "Batch Size", "Optimization Algorithm", "Loss Function", "Learning Rate"],
            PiximiExport.ByHand(Definition, Trial).Select(f => f.Name));
        Assert.Equal(
            ["SimpleCNN", "Col 24, Row 24, Ch. 3", "0.8", "12", "64", "Stochastic gradient descent (SGD)", "Mean squared error (MSE)", "0.03"],
            PiximiExport.ByHand(Definition, Trial).Select(f => f.Value));
    }

    [Fact]
    public void PiximisGivenNamesAreExactAndEveryOptimizerAndLossHasItsOwn()
    {
        Assert.Equal("Adam", PiximiNames.Optimizer(OptimizerKind.Adam));
        Assert.Equal("Categorical (softmax) cross entropy", PiximiNames.Loss(LossKind.CategoricalCrossEntropy));
        Assert.Equal(7, Enum.GetValues<OptimizerKind>().Select(PiximiNames.Optimizer).Distinct().Count());
        Assert.Equal(7, Enum.GetValues<LossKind>().Select(PiximiNames.Loss).Distinct().Count());
    }
}
