using System.Text;
using System.Text.Json;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Reports;

/// <summary>
/// A trial's settings as the file Piximi's "Export Hyperparameters" button writes (PIXIMI.md, "Exported
/// hyperparameters"; Piximi 1.1.4 <c>training-settings/TrainingSettings.tsx:20-35</c>). Piximi has no button that
/// reads this file back: it is a record of the settings, and the user sets each by hand (<see cref="ByHand"/>).
/// </summary>
public static class PiximiExport
{
    /// <summary>
    /// The input shape the sweep's trials were trained at: what validation found when the sweep was created
    /// (<see cref="DatasetSpec.Facts"/>), else the sweep file's own <c>input_shape</c>; null when neither is known
    /// (a sweep created before the facts were kept, without an input shape).
    /// </summary>
    public static InputShape? InputShapeOf(SweepDefinition sweep)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        return sweep.Dataset.Facts?.InputShape ?? sweep.Dataset.InputShape;
    }

    /// <summary>
    /// Piximi's <c>&lt;project&gt;-model_hyperparameters.json</c> for <paramref name="trial"/>: the same keys, nesting
    /// and display strings, with the input shape the trial was trained at (planes 1: the active plane). Piximi's
    /// other preprocessing settings are written as this tool trains: shuffle on, rescale on (to [0, 1], as Piximi
    /// holds images), no centring, one crop with schema "None" (the whole image resized).
    /// </summary>
    /// <exception cref="InvalidOperationException">The sweep's input shape is not known (<see cref="InputShapeOf"/>).</exception>
    public static string ModelHyperparameters(SweepDefinition sweep, Hyperparameters trial)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        ArgumentNullException.ThrowIfNull(trial);
        var shape = InputShapeOf(sweep)
            ?? throw new InvalidOperationException($"The input shape of sweep '{sweep.Name}' is not recorded.");
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartObject("preprocessOptions");
            json.WriteStartObject("inputShape");
            json.WriteNumber("planes", 1);
            json.WriteNumber("height", shape.Height);
            json.WriteNumber("width", shape.Width);
            json.WriteNumber("channels", shape.Channels);
            json.WriteEndObject();
            json.WriteBoolean("shuffle", true);
            json.WriteStartObject("rescaleOptions");
            json.WriteBoolean("rescale", true);
            json.WriteBoolean("center", false);
            json.WriteEndObject();
            json.WriteStartObject("cropOptions");
            json.WriteNumber("numCrops", 1);
            json.WriteString("cropSchema", PiximiNames.NoCrop);
            json.WriteEndObject();
            json.WriteNumber("trainingPercentage", sweep.Dataset.TrainingPercentage);
            json.WriteEndObject();

            json.WriteStartObject("compileOptions");
            json.WriteNumber("epochs", trial.Epochs);
            json.WriteNumber("batchSize", trial.BatchSize);
            json.WriteNumber("learningRate", trial.LearningRate);
            json.WriteString("lossFunction", PiximiNames.Loss(trial.Loss));
            json.WriteStartArray("metrics");
            json.WriteStringValue(PiximiNames.CategoricalAccuracy);
            json.WriteEndArray();
            json.WriteString("optimizationAlgorithm", PiximiNames.Optimizer(trial.Optimizer));
            json.WriteEndObject();

            json.WriteStartObject("fitOptions");
            json.WriteNumber("epochs", trial.Epochs);
            json.WriteNumber("batchSize", trial.BatchSize);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// What a user sets by hand in Piximi to train the trial's settings there: "Fit Model", tab "HyperParameters",
    /// each field by the label Piximi 1.1.4 shows, in the order it shows them (under
    /// <c>src/views/ProjectViewer/sections/ModelTaskSection/training-settings/</c>: <c>TrainingSettings.tsx:13-14</c>
    /// the model first, <c>ModelPicker.tsx:98</c>; then "Data Preprocessing Settings",
    /// <c>HyperparameterSettings/HyperperameterSettings.tsx:9,21</c>: "Input Shape:" Col, Row, Ch.,
    /// <c>preprocessing-settings/ImageAugmentationSettings.tsx:135-164</c>, and Training Percentage,
    /// <c>DataPartitioningSettings.tsx:88</c>; then "Optimization Settings", <c>HyperperameterSettings.tsx:12,30</c>:
    /// Epochs and Batch Size, <c>optimizer-settings/TrainingStrategySettings.tsx:90,108</c>, before Optimization
    /// Algorithm, Loss Function and Learning Rate, <c>OptimizationSettings.tsx:99,122,145</c>,
    /// <c>ClassifierOptimizerSettings.tsx:55-56</c>). The input shape reads "not recorded" when the sweep does not know it.
    /// </summary>
    public static IReadOnlyList<(string Name, string Value)> ByHand(SweepDefinition sweep, Hyperparameters hp)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        ArgumentNullException.ThrowIfNull(hp);
        var shape = InputShapeOf(sweep);
        return
        [
            ("Model Architecture", hp.Model.ToString()),
            ("Input Shape", shape is { } s ? $"Col {Display.Int(s.Width)}, Row {Display.Int(s.Height)}, Ch. {Display.Int(s.Channels)}" : "not recorded"),
            ("Training Percentage", Format.Exact(sweep.Dataset.TrainingPercentage)),
            ("Epochs", Display.Int(hp.Epochs)),
            ("Batch Size", Display.Int(hp.BatchSize)),
            ("Optimization Algorithm", PiximiNames.Optimizer(hp.Optimizer)),
            ("Loss Function", PiximiNames.Loss(hp.Loss)),
            ("Learning Rate", Display.Rate(hp.LearningRate)),
        ];
    }
}
