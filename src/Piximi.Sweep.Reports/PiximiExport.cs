using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Reports;

/// <summary>A trial's settings as the file Piximi exports and imports (PIXIMI.md, "Exported hyperparameters").</summary>
public static class PiximiExport
{
    /// <summary>
    /// Piximi's <c>&lt;project&gt;-model_hyperparameters.json</c> for <paramref name="trial"/>: the same keys, nesting
    /// and display strings. The input shape is read from the header of the sweep's IDX images file (planes 1,
    /// channels 1: IDX images are single-plane grey); when that file cannot be read it is MNIST's 28×28, the only
    /// shape the sweep's model is built for by default. Piximi's other preprocessing defaults are written as Piximi
    /// sets them: shuffle on, rescale on, no centring, one crop without a schema.
    /// </summary>
    public static string ModelHyperparameters(SweepDefinition sweep, Hyperparameters trial)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        ArgumentNullException.ThrowIfNull(trial);
        var (height, width) = ImageSize(sweep.Dataset.Images) ?? (28, 28);
        return ModelHyperparameters(sweep, trial, height, width);
    }

    internal static string ModelHyperparameters(SweepDefinition sweep, Hyperparameters trial, int height, int width)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartObject("preprocessOptions");
            json.WriteStartObject("inputShape");
            json.WriteNumber("planes", 1);
            json.WriteNumber("height", height);
            json.WriteNumber("width", width);
            json.WriteNumber("channels", 1);
            json.WriteEndObject();
            json.WriteBoolean("shuffle", true);
            json.WriteStartObject("rescaleOptions");
            json.WriteBoolean("rescale", true);
            json.WriteBoolean("center", false);
            json.WriteEndObject();
            json.WriteStartObject("cropOptions");
            json.WriteNumber("numCrops", 1);
            json.WriteString("cropSchema", "None");
            json.WriteEndObject();
            json.WriteNumber("trainingPercentage", sweep.Dataset.TrainingPercentage);
            json.WriteEndObject();

            json.WriteStartObject("compileOptions");
            json.WriteNumber("epochs", trial.Epochs);
            json.WriteNumber("batchSize", trial.BatchSize);
            json.WriteNumber("learningRate", trial.LearningRate);
            json.WriteString("lossFunction", LossName(trial.Loss));
            json.WriteStartArray("metrics");
            json.WriteStringValue(CategoricalAccuracy);
            json.WriteEndArray();
            json.WriteString("optimizationAlgorithm", OptimizerName(trial.Optimizer));
            json.WriteEndObject();

            json.WriteStartObject("fitOptions");
            json.WriteNumber("epochs", trial.Epochs);
            json.WriteNumber("batchSize", trial.BatchSize);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    internal const string CategoricalAccuracy = "Categorical accuracy";

    /// <summary>
    /// Piximi's display string of an optimizer: the values of its <c>OptimizationAlgorithm</c> enum, checked against
    /// Piximi's source (its enums file: Adadelta, Adagrad, Adam, Adamax, Momentum, RMSProp, "Stochastic gradient
    /// descent (SGD)").
    /// </summary>
    public static string OptimizerName(OptimizerKind optimizer) => optimizer switch
    {
        OptimizerKind.Adadelta => "Adadelta",
        OptimizerKind.Adagrad => "Adagrad",
        OptimizerKind.Adam => "Adam",
        OptimizerKind.Adamax => "Adamax",
        OptimizerKind.Momentum => "Momentum",
        OptimizerKind.RMSProp => "RMSProp",
        OptimizerKind.StochasticGradientDescent => "Stochastic gradient descent (SGD)",
        _ => throw new ArgumentOutOfRangeException(nameof(optimizer), optimizer, null),
    };

    /// <summary>
    /// Piximi's display string of a loss: the values of its <c>LossFunction</c> enum, checked against Piximi's source
    /// (the same enums file; its disabled "Cosine distance" has no counterpart here).
    /// </summary>
    public static string LossName(LossKind loss) => loss switch
    {
        LossKind.AbsoluteDifference => "Absolute difference",
        LossKind.CategoricalCrossEntropy => "Categorical (softmax) cross entropy",
        LossKind.Hinge => "Hinge",
        LossKind.Huber => "Huber",
        LossKind.Log => "Log",
        LossKind.MeanSquaredError => "Mean squared error (MSE)",
        LossKind.SigmoidCrossEntropy => "Sigmoid cross entropy",
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, null),
    };

    /// <summary>Height and width from an IDX images header (gzipped or raw), or null when it cannot be read.</summary>
    internal static (int Height, int Width)? ImageSize(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            Span<byte> magic = stackalloc byte[2];
            if (file.Read(magic) != 2) return null;
            file.Position = 0;
            using Stream stream = magic[0] == 0x1f && magic[1] == 0x8b ? new GZipStream(file, CompressionMode.Decompress) : file;
            Span<byte> header = stackalloc byte[16];
            stream.ReadExactly(header);
            // 0x00000803: unsigned bytes, 3 dimensions [count, height, width].
            if (BinaryPrimitives.ReadInt32BigEndian(header) != 0x0803) return null;
            var height = BinaryPrimitives.ReadInt32BigEndian(header[8..]);
            var width = BinaryPrimitives.ReadInt32BigEndian(header[12..]);
            return height > 0 && width > 0 ? (height, width) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or EndOfStreamException)
        {
            return null;
        }
    }
}
