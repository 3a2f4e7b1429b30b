using System.Text.Json.Nodes;

namespace Piximi.Sweep.Training.Export;

/// <summary>
/// The Keras layer configs of a TensorFlow.js Layers <c>model.json</c>, key for key as tfjs-layers 4.22 serialises
/// them (<c>model.save</c> of a <c>tf.sequential()</c>): every default it writes is written here too, so the file
/// reads like one TF.js saved itself. All the boilerplate lives here; <see cref="TfjsExport"/> only says which layers.
/// </summary>
/// <remarks>
/// Layer names are TF.js's own defaults (<c>conv2d_Conv2D1</c>, <c>max_pooling2d_MaxPooling2D1</c>, …,
/// <c>dense_Dense1</c>): the names a model trained in Piximi carries (Piximi builds SimpleCNN without naming its
/// layers), and Piximi's fallback for an upload without metadata looks for "dense" in the last layer's name.
/// The initialisers are written as <c>glorotUniform</c> serialises (VarianceScaling, fan_avg, uniform): SimpleCNN
/// starts from it (SimpleCnn.cs). They do not matter for a trained model, but a later fit in Piximi would use them.
/// </remarks>
internal static class KerasJson
{
    /// <summary>The tfjs-layers version whose serialisation this follows (and which the tests load it with).</summary>
    internal const string TfjsLayersVersion = "4.22.0";

    internal static JsonObject Sequential(string name, params JsonObject[] layers) => new()
    {
        ["class_name"] = "Sequential",
        ["config"] = new JsonObject
        {
            ["name"] = name,
            ["layers"] = new JsonArray(layers),
        },
        ["keras_version"] = $"tfjs-layers {TfjsLayersVersion}",
        ["backend"] = "tensor_flow.js",
    };

    /// <summary>Conv2D, stride 1, valid padding, channels last; the first layer also carries the batch input shape.</summary>
    internal static JsonObject Conv2D(string name, int filters, int kernelSize, string activation, int[]? inputShape = null)
    {
        var config = new JsonObject
        {
            ["filters"] = filters,
            ["kernel_initializer"] = GlorotUniform(),
            ["kernel_regularizer"] = null,
            ["kernel_constraint"] = null,
            ["kernel_size"] = Pair(kernelSize),
            ["strides"] = Pair(1),
            ["padding"] = "valid",
            ["data_format"] = "channels_last",
            ["dilation_rate"] = Pair(1),
            ["activation"] = activation,
            ["use_bias"] = true,
            ["bias_initializer"] = Zeros(),
            ["bias_regularizer"] = null,
            ["activity_regularizer"] = null,
            ["bias_constraint"] = null,
            ["name"] = name,
            ["trainable"] = true,
        };
        if (inputShape is not null)
        {
            config["batch_input_shape"] = new JsonArray([null, .. inputShape.Select(d => (JsonNode)d)]);
            config["dtype"] = "float32";
        }
        return Layer("Conv2D", config);
    }

    internal static JsonObject MaxPooling2D(string name, int size) => Layer("MaxPooling2D", new JsonObject
    {
        ["pool_size"] = Pair(size),
        ["padding"] = "valid",
        ["strides"] = Pair(size),
        ["data_format"] = "channels_last",
        ["name"] = name,
        ["trainable"] = true,
    });

    internal static JsonObject Flatten(string name) => Layer("Flatten", new JsonObject
    {
        ["name"] = name,
        ["trainable"] = true,
    });

    internal static JsonObject Dense(string name, int units, string activation) => Layer("Dense", new JsonObject
    {
        ["units"] = units,
        ["activation"] = activation,
        ["use_bias"] = true,
        ["kernel_initializer"] = GlorotUniform(),
        ["bias_initializer"] = Zeros(),
        ["kernel_regularizer"] = null,
        ["bias_regularizer"] = null,
        ["activity_regularizer"] = null,
        ["kernel_constraint"] = null,
        ["bias_constraint"] = null,
        ["name"] = name,
        ["trainable"] = true,
    });

    /// <summary>One entry of a weights manifest's <c>weights</c>: name, shape, float32.</summary>
    internal static JsonObject WeightSpec(string name, IEnumerable<long> shape) => new()
    {
        ["name"] = name,
        ["shape"] = new JsonArray([.. shape.Select(d => (JsonNode)d)]),
        ["dtype"] = "float32",
    };

    private static JsonObject Layer(string className, JsonObject config) => new()
    {
        ["class_name"] = className,
        ["config"] = config,
    };

    private static JsonArray Pair(int value) => [value, value];

    private static JsonObject GlorotUniform() => new()
    {
        ["class_name"] = "VarianceScaling",
        ["config"] = new JsonObject
        {
            ["scale"] = 1,
            ["mode"] = "fan_avg",
            ["distribution"] = "uniform",
            ["seed"] = null,
        },
    };

    private static JsonObject Zeros() => new()
    {
        ["class_name"] = "Zeros",
        ["config"] = new JsonObject(),
    };
}
