using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Piximi.Sweep.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Piximi.Sweep.Training.Export;

/// <summary>
/// A trained SimpleCNN or MobileNet as a TensorFlow.js Layers model in the form Piximi 1.1.4 saves its own models
/// (<c>Model/Model.ts:137-236</c>, <c>getSavedModelFiles</c>) and its "Load Model" → "Upload Local" dialog loads
/// (<c>UploadedClassifier.ts:56-124</c>): <c>&lt;name&gt;.json</c> (Keras topology, weights manifest, and Piximi's
/// <c>preprocessSettings</c>, <c>classes</c> and <c>optimizerSettings</c>, which Piximi checks with an io-ts codec and
/// drops all together if one is missing, <c>runtimeTypes.ts:150-176</c>) and <c>&lt;name&gt;.weights.bin</c>; and
/// the same two files in one zip, the form of <c>classifierHandler.ts:166-223</c>. See Export/README.md.
/// </summary>
/// <remarks>
/// <para>MobileNet's layers and conversion are <see cref="MobileNetLayers"/>'s (and README.md's); SimpleCNN's follow.</para>
/// <para>What is converted. SimpleCNN here is PyTorch-shaped (NCHW; conv kernels [out, in, kh, kw], linear
/// [out, in]) and returns logits; TF.js is channels-last (NHWC; kernels [kh, kw, in, out], dense [in, out]) and
/// Piximi's SimpleCNN ends in a softmax. So: conv kernels are transposed (2, 3, 1, 0); the dense kernel is transposed
/// and its rows permuted, because torch's Flatten runs over (C, H, W) and Keras's over (H, W, C) — torch feature
/// c·H·W + h·W + w is Keras feature h·W·C + w·C + c; and the Dense layer gets <c>activation: softmax</c>, as in
/// Piximi's SimpleCNN (no separate Softmax layer), so the model outputs probabilities.</para>
/// <para>Which weights. The checkpoint's model, unless it carries an early-stopping best epoch's weights (written
/// only when the best epoch is an earlier one): those are the trial's model (<see cref="TrainingOutcome.ResultEpoch"/>).</para>
/// <para>The shape and the class count come from the checkpoint's trial fingerprint (what the trial was trained on),
/// so exporting needs neither the dataset nor its files; class names are the caller's, checked against the count.</para>
/// </remarks>
public static class TfjsExport
{
    /// <summary>The file name's ending of the weights, as Piximi names them (Model.ts:141).</summary>
    public const string WeightsEnding = ".weights.bin";

    // TF.js's default layer names (see KerasJson), in SimpleCNN's order.
    private const string Conv1 = "conv2d_Conv2D1";
    private const string Pool1 = "max_pooling2d_MaxPooling2D1";
    private const string Conv2 = "conv2d_Conv2D2";
    private const string Pool2 = "max_pooling2d_MaxPooling2D2";
    private const string FlattenLayer = "flatten_Flatten1";
    private const string DenseLayer = "dense_Dense1";

    /// <summary>
    /// A name Piximi's zip upload accepts for <c>&lt;name&gt;.json</c>: it takes the text before the first dot as the
    /// model's name (classifierHandler.ts:181-183), so no dots; letters, digits, '-' and '_' only, so that it is a
    /// file name everywhere.
    /// </summary>
    public static string ModelName(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var name = new string([.. text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-')]).Trim('-');
        return name.Length > 0 ? name : "model";
    }

    /// <summary>
    /// Writes the trial's model into <paramref name="folder"/> (created if needed) as <c>&lt;name&gt;.json</c> and
    /// <c>&lt;name&gt;.weights.bin</c>, and the two into <c>&lt;folder&gt;.zip</c> (replaced).
    /// </summary>
    /// <param name="checkpoint">The trial's stored checkpoint bytes (its last epoch's).</param>
    /// <param name="hyperparameters">The trial's: Piximi's optimizerSettings and the batch size of its preprocessSettings.</param>
    /// <param name="classNames">The classes' names in label order, or null for "0", "1", … (IDX datasets' names).</param>
    /// <param name="folder">Where the two files go; the zip is written beside it.</param>
    /// <param name="name">The files' and the model's name in Piximi (<see cref="ModelName"/> makes one).</param>
    /// <exception cref="ModelExportException">Another model than SimpleCNN or MobileNet, class names that do not fit,
    /// or a checkpoint that is not a readable one of its model; the message says which.</exception>
    public static TfjsExportResult Write(
        byte[] checkpoint, Hyperparameters hyperparameters, IReadOnlyList<string>? classNames, string folder, string name = "model")
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(hyperparameters);
        ArgumentNullException.ThrowIfNull(folder);
        if (ModelName(name) != name) throw new ArgumentException($"'{name}' is not a model name Piximi's upload takes; see ModelName.", nameof(name));
        using var scope = torch.NewDisposeScope();
        using var loaded = Load(checkpoint);
        IReadOnlyList<string> names = classNames ?? [.. Enumerable.Range(0, loaded.Classes).Select(i => i.ToString(CultureInfo.InvariantCulture))];
        if (names.Count != loaded.Classes)
            throw new ModelExportException(
                $"The model has {loaded.Classes} outputs but {names.Count} class names were given.");

        var shape = loaded.Shape;
        var (topology, weights) = loaded.Kind switch
        {
            ModelKind.MobileNet => MobileNetLayers.Convert((MobileNet)loaded.Model, shape, loaded.Classes),
            _ => SimpleCnnLayers((SimpleCnn)loaded.Model, shape, loaded.Classes),
        };
        var (modelFile, weightsFile) = (name + ".json", name + WeightsEnding);
        var model = new JsonObject
        {
            ["modelTopology"] = topology,
            ["format"] = "layers-model",
            ["generatedBy"] = $"Piximi.Sweep (TorchSharp {loaded.Kind})",
            ["convertedBy"] = $"Piximi.Sweep TensorFlow.js export (tfjs-layers {KerasJson.TfjsLayersVersion} format)",
            ["weightsManifest"] = new JsonArray(new JsonObject
            {
                ["paths"] = new JsonArray("./" + weightsFile),
                ["weights"] = new JsonArray([.. weights.Select(w => KerasJson.WeightSpec(w.Name, w.Value.shape))]),
            }),
            // Piximi's own keys, as Piximi's own saves carry them (Model.ts:202-210) and its upload checks them
            // (runtimeTypes.ts:150-176): all three or Piximi ignores every one.
            ["preprocessSettings"] = PreprocessSettings(shape, hyperparameters),
            ["classes"] = new JsonArray([.. names.Select(n => (JsonNode)n)]),
            ["optimizerSettings"] = OptimizerSettings(hyperparameters),
        };

        Directory.CreateDirectory(folder);
        var bytes = new MemoryStream();
        Span<byte> four = stackalloc byte[4];
        foreach (var (_, value) in weights)
        {
            foreach (var number in ToHost(value))
            {
                BinaryPrimitives.WriteSingleLittleEndian(four, number);
                bytes.Write(four);
            }
        }
        var json = JsonSerializer.SerializeToUtf8Bytes(model, new JsonSerializerOptions { WriteIndented = true });
        var weightBytes = bytes.ToArray();
        var zip = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)) + ".zip";
        WriteAtomically(Path.Combine(folder, weightsFile), weightBytes);
        // The manifest after its weights: a model.json never points at a weights file of another export.
        WriteAtomically(Path.Combine(folder, modelFile), json);
        WriteAtomically(zip, Zip((modelFile, json), (weightsFile, weightBytes)));
        return new TfjsExportResult(folder, Path.Combine(folder, modelFile), Path.Combine(folder, weightsFile), zip,
            shape, names, loaded.ModelEpoch, loaded.CheckpointEpoch);
    }

    /// <summary>Piximi's preprocessSettings: the shape the model was trained at, images resized whole ("None" crop), in [0, 1].</summary>
    private static JsonObject PreprocessSettings(InputShape shape, Hyperparameters hp) => new()
    {
        ["cropSchema"] = PiximiNames.NoCrop,
        ["numCrops"] = 1,
        ["inputShape"] = new JsonObject
        {
            ["planes"] = 1,
            ["height"] = shape.Height,
            ["width"] = shape.Width,
            ["channels"] = shape.Channels,
        },
        ["shuffle"] = true,
        ["rescale"] = true,
        ["batchSize"] = hp.BatchSize,
    };

    /// <summary>Piximi's optimizerSettings (its OptimizerSettings type), in its display strings: how the model was trained.</summary>
    private static JsonObject OptimizerSettings(Hyperparameters hp) => new()
    {
        ["epochs"] = hp.Epochs,
        ["batchSize"] = hp.BatchSize,
        ["optimizationAlgorithm"] = PiximiNames.Optimizer(hp.Optimizer),
        ["learningRate"] = hp.LearningRate,
        ["lossFunction"] = PiximiNames.Loss(hp.Loss),
        ["metrics"] = new JsonArray(PiximiNames.CategoricalAccuracy),
    };

    /// <summary>A zip of the files at its root, as Piximi's zip upload reads them (classifierHandler.ts:178-204).</summary>
    private static byte[] Zip(params (string Name, byte[] Bytes)[] files)
    {
        using var memory = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(memory, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (fileName, content) in files)
            {
                using var entry = zip.CreateEntry(fileName, System.IO.Compression.CompressionLevel.Optimal).Open();
                entry.Write(content);
            }
        }
        return memory.ToArray();
    }

    /// <summary>SimpleCNN's layers and weights (the conversion: the class remarks and README.md).</summary>
    private static (JsonObject Topology, (string Name, Tensor Value)[] Weights) SimpleCnnLayers(SimpleCnn cnn, InputShape shape, int classes)
    {
        var (conv1, conv2, dense) = cnn.WeightedLayers;
        int side1 = SimpleCnn.FeatureSide(shape.Height), side2 = SimpleCnn.FeatureSide(shape.Width);
        // Keras order: Flatten over (H, W, C), so the dense kernel's rows go (h, w, c); torch's columns go (c, h, w).
        var denseKernel = dense.weight.view(classes, 16, side1, side2).permute(2, 3, 1, 0)
            .reshape(dense.weight.shape[1], classes);
        (string Name, Tensor Value)[] weights =
        [
            ($"{Conv1}/kernel", conv1.weight!.permute(2, 3, 1, 0)),
            ($"{Conv1}/bias", conv1.bias!),
            ($"{Conv2}/kernel", conv2.weight!.permute(2, 3, 1, 0)),
            ($"{Conv2}/bias", conv2.bias!),
            ($"{DenseLayer}/kernel", denseKernel),
            ($"{DenseLayer}/bias", dense.bias!),
        ];

        return (KerasJson.Sequential("sequential_1",
            KerasJson.Conv2D(Conv1, 8, 5, "relu", [shape.Height, shape.Width, shape.Channels]),
            KerasJson.MaxPooling2D(Pool1, 2),
            KerasJson.Conv2D(Conv2, 16, 5, "relu"),
            KerasJson.MaxPooling2D(Pool2, 2),
            KerasJson.Flatten(FlattenLayer),
            KerasJson.Dense(DenseLayer, classes, "softmax")), weights);
    }

    /// <summary>
    /// Our model's softmax probabilities for <paramref name="count"/> images, [N·C·H·W] float32 as the dataset holds
    /// them, under no_grad: [count × classes], row-major. The weights are those <see cref="Write"/> exports.
    /// </summary>
    internal static float[] Predict(byte[] checkpoint, float[] images, int count)
    {
        using var scope = torch.NewDisposeScope();
        using var loaded = Load(checkpoint);
        var shape = loaded.Shape;
        using var noGrad = torch.no_grad();
        var input = torch.tensor(images, [count, shape.Channels, shape.Height, shape.Width], ScalarType.Float32);
        return ToHost(nn.functional.softmax(loaded.Model.forward(input), 1));
    }

    /// <summary>The checkpoint's trial model, rebuilt and in eval mode.</summary>
    private static LoadedModel Load(byte[] bytes)
    {
        Checkpoint checkpoint;
        try
        {
            checkpoint = Checkpoint.Decode(bytes);
        }
        catch (InvalidDataException e)
        {
            throw new ModelExportException($"The trial's checkpoint cannot be read: {e.Message}");
        }
        var facts = TrialFingerprint.Parse(checkpoint.Fingerprint);
        var model = facts.GetValueOrDefault("model") ?? "(not named)";
        var kind = model switch
        {
            nameof(ModelKind.SimpleCNN) => ModelKind.SimpleCNN,
            nameof(ModelKind.MobileNet) => ModelKind.MobileNet,
            _ => throw new ModelExportException(
                $"Only SimpleCNN and MobileNet models can be exported to TensorFlow.js; this checkpoint holds a {model} model."),
        };
        var shape = ShapeOf(facts.GetValueOrDefault("data.size"));
        if (shape is null || !int.TryParse(facts.GetValueOrDefault("data.classes"), NumberStyles.None, CultureInfo.InvariantCulture, out var classes))
            throw new ModelExportException("The checkpoint does not say the image size and class count it was trained on.");

        // Early stopping's best epoch, when it is not the checkpoint's own: the trial's real model.
        var (tensors, epoch) = checkpoint.EarlyStopping is { BestModel: { } best, BestEpoch: { } bestEpoch }
            ? (best, bestEpoch)
            : (checkpoint.Model, checkpoint.Epoch);
        TorchRuntime.EnsureNativeReady();
        nn.Module<Tensor, Tensor> net;
        try
        {
            net = Models.Create(kind, shape.Channels, shape.Height, shape.Width, classes);
        }
        catch (ArgumentException e)
        {
            throw new ModelExportException($"The checkpoint's {kind} cannot be built: {e.Message}");
        }
        try
        {
            TorchState.RestoreModel(net, tensors);
        }
        catch (InvalidDataException e)
        {
            net.Dispose();
            throw new ModelExportException($"The checkpoint's weights do not fit {kind}: {e.Message}");
        }
        // Eval: BatchNorm uses its running statistics (what the export writes) and Dropout passes through.
        net.eval();
        return new LoadedModel(kind, net, shape, classes, epoch, checkpoint.Epoch);
    }

    /// <summary>"28x28" (one channel) or "20x24x2", as TrialFingerprint writes data.size.</summary>
    private static InputShape? ShapeOf(string? size)
    {
        var parts = size?.Split('x');
        if (parts is null || parts.Length is < 2 or > 3)
            return null;
        var numbers = new int[3];
        numbers[2] = 1;
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
                return null;
        }
        return new InputShape(numbers[0], numbers[1], numbers[2]);
    }

    private static float[] ToHost(Tensor tensor) => tensor.detach().cpu().contiguous().data<float>().ToArray();

    private static void WriteAtomically(string path, byte[] bytes)
    {
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
    }

    private sealed record LoadedModel(ModelKind Kind, nn.Module<Tensor, Tensor> Model, InputShape Shape, int Classes, int ModelEpoch, int CheckpointEpoch) : IDisposable
    {
        public void Dispose() => Model.Dispose();
    }
}

/// <summary>
/// What <see cref="TfjsExport.Write"/> wrote: the folder, its two files and the zip of them; the input shape (height
/// × width × channels, as the model's batch input shape and Piximi's inputShape), the classes in output order, the
/// epoch whose weights were exported (early stopping's best epoch, or the checkpoint's) and the checkpoint's epoch.
/// </summary>
public sealed record TfjsExportResult(
    string Folder, string ModelFile, string WeightsFile, string ZipFile,
    InputShape Shape, IReadOnlyList<string> ClassNames, int ModelEpoch, int CheckpointEpoch);

/// <summary>A model that cannot be exported; the message says why, for the user.</summary>
public sealed class ModelExportException(string message) : Exception(message);
