using System.Text.Json.Nodes;

namespace Piximi.Sweep.Training.Export;

/// <summary>
/// The Keras layer configs of a TensorFlow.js Layers <c>model.json</c>, key for key as tfjs-layers 4.22 serialises
/// them (<c>model.save</c> of a <c>tf.sequential()</c>): every default it writes is written here too, so the file
/// reads like one TF.js saved itself. All the boilerplate lives here; <see cref="TfjsExport"/> only says which layers.
/// </summary>
/// <remarks>
/// The callers name the layers: SimpleCNN's are TF.js's own defaults (<c>conv2d_Conv2D1</c>,
/// <c>max_pooling2d_MaxPooling2D1</c>, …, <c>dense_Dense1</c>): the names a model trained in Piximi carries (Piximi
/// builds SimpleCNN without naming its layers), and Piximi's fallback for an upload without metadata looks for "dense"
/// in the last layer's name. MobileNet's are Keras' (MobileNetLayers.cs).
/// The initialisers are written as <c>glorotUniform</c> serialises (VarianceScaling, fan_avg, uniform): SimpleCNN and
/// MobileNet start from it (SimpleCnn.cs, MobileNet.cs). They do not matter for a trained model, but a later fit in
/// Piximi would use them.
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

    /// <summary>
    /// Conv2D, channels last (stride 1, valid padding and a bias unless told otherwise); the first layer also carries
    /// the batch input shape.
    /// </summary>
    internal static JsonObject Conv2D(
        string name, int filters, int kernelSize, string activation, int[]? inputShape = null,
        int strides = 1, string padding = "valid", bool useBias = true)
    {
        var config = new JsonObject
        {
            ["filters"] = filters,
            ["kernel_initializer"] = GlorotUniform(),
            ["kernel_regularizer"] = null,
            ["kernel_constraint"] = null,
            ["kernel_size"] = Pair(kernelSize),
            ["strides"] = Pair(strides),
            ["padding"] = padding,
            ["data_format"] = "channels_last",
            ["dilation_rate"] = Pair(1),
            ["activation"] = activation,
            ["use_bias"] = useBias,
            ["bias_initializer"] = Zeros(),
            ["bias_regularizer"] = null,
            ["activity_regularizer"] = null,
            ["bias_constraint"] = null,
            ["name"] = name,
            ["trainable"] = true,
        };
        return WithInputShape(Layer("Conv2D", config), inputShape);
    }

    /// <summary>DepthwiseConv2D, depth multiplier 1, no bias, no activation (MobileNet's blocks).</summary>
    internal static JsonObject DepthwiseConv2D(string name, int kernelSize, int strides, string padding) => Layer("DepthwiseConv2D", new JsonObject
    {
        ["kernel_size"] = Pair(kernelSize),
        ["strides"] = Pair(strides),
        ["padding"] = padding,
        ["data_format"] = "channels_last",
        ["dilation_rate"] = Pair(1),
        ["activation"] = "linear",
        ["use_bias"] = false,
        ["bias_initializer"] = Zeros(),
        ["bias_regularizer"] = null,
        ["activity_regularizer"] = null,
        ["bias_constraint"] = null,
        ["name"] = name,
        ["trainable"] = true,
        ["depth_multiplier"] = 1,
        ["depthwise_initializer"] = GlorotUniform(),
        ["depthwise_regularizer"] = null,
        ["depthwise_constraint"] = null,
    });

    /// <summary>BatchNormalization over the channels (last axis), centred and scaled, TF.js's initialisers.</summary>
    internal static JsonObject BatchNormalization(string name, double momentum, double epsilon) => Layer("BatchNormalization", new JsonObject
    {
        ["axis"] = -1,
        ["momentum"] = momentum,
        ["epsilon"] = epsilon,
        ["center"] = true,
        ["scale"] = true,
        ["beta_initializer"] = Zeros(),
        ["gamma_initializer"] = Ones(),
        ["moving_mean_initializer"] = Zeros(),
        ["moving_variance_initializer"] = Ones(),
        ["beta_regularizer"] = null,
        ["gamma_regularizer"] = null,
        ["beta_constraint"] = null,
        ["gamma_constraint"] = null,
        ["name"] = name,
        ["trainable"] = true,
    });

    /// <summary>The ReLU layer with a cap (Keras' <c>ReLU(6.)</c>: min(max(x, 0), maxValue)).</summary>
    internal static JsonObject ReLU(string name, double maxValue) => Layer("ReLU", new JsonObject
    {
        ["max_value"] = maxValue,
        ["name"] = name,
        ["trainable"] = true,
    });

    /// <summary>ZeroPadding2D with ((top, bottom), (left, right)) zero rows and columns.</summary>
    internal static JsonObject ZeroPadding2D(string name, int top, int bottom, int left, int right) => Layer("ZeroPadding2D", new JsonObject
    {
        ["padding"] = new JsonArray(new JsonArray(top, bottom), new JsonArray(left, right)),
        ["data_format"] = "channels_last",
        ["name"] = name,
        ["trainable"] = true,
    });

    internal static JsonObject GlobalAveragePooling2D(string name) => Layer("GlobalAveragePooling2D", new JsonObject
    {
        ["data_format"] = "channels_last",
        ["name"] = name,
        ["trainable"] = true,
    });

    internal static JsonObject Reshape(string name, params int[] targetShape) => Layer("Reshape", new JsonObject
    {
        ["target_shape"] = new JsonArray([.. targetShape.Select(d => (JsonNode)d)]),
        ["name"] = name,
        ["trainable"] = true,
    });

    internal static JsonObject Dropout(string name, double rate) => Layer("Dropout", new JsonObject
    {
        ["rate"] = rate,
        ["noise_shape"] = null,
        ["seed"] = null,
        ["name"] = name,
        ["trainable"] = true,
    });

    internal static JsonObject Activation(string name, string activation) => Layer("Activation", new JsonObject
    {
        ["activation"] = activation,
        ["name"] = name,
        ["trainable"] = true,
    });

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

    /// <summary>The first layer of a Sequential model carries the input shape (batch dimension open) and dtype.</summary>
    private static JsonObject WithInputShape(JsonObject layer, int[]? inputShape)
    {
        if (inputShape is not null)
        {
            var config = layer["config"]!.AsObject();
            config["batch_input_shape"] = new JsonArray([null, .. inputShape.Select(d => (JsonNode)d)]);
            config["dtype"] = "float32";
        }
        return layer;
    }

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

    private static JsonObject Ones() => new()
    {
        ["class_name"] = "Ones",
        ["config"] = new JsonObject(),
    };
}
