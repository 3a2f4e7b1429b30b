using System.Globalization;
using System.Text.Json.Nodes;
using Piximi.Sweep.Core;
using static TorchSharp.torch;

namespace Piximi.Sweep.Training.Export;

/// <summary>
/// A trained <see cref="MobileNet"/> as Keras layers (a Sequential topology) and its tensors as TF.js weights, in
/// layer order. The layers compute MobileNet.forward in eval mode, then a softmax. The layer list and the conversion
/// table are in README.md ("MobileNet").
/// </summary>
internal static class MobileNetLayers
{
    /// <exception cref="InvalidOperationException">The model's tensors and this layer list disagree (a MobileNet
    /// changed without its export): a tensor missing, or one left over.</exception>
    internal static (JsonObject Topology, (string Name, Tensor Value)[] Weights) Convert(
        MobileNet model, InputShape shape, int classes)
    {
        // Our parameter and buffer names are Keras' layer names (MobileNet.cs), so each layer takes its own tensors.
        var tensors = model.state_dict();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var layers = new List<JsonObject>();
        var weights = new List<(string Name, Tensor Value)>();
        int[]? inputShape = [shape.Height, shape.Width, shape.Channels];

        if (shape.Channels != 3)
        {
            // "valid" and stride 2 as torch's Conv2d without padding; TF.js's Conv2D defaults otherwise (a bias).
            var kernel = Take("input_adapter.weight");
            Add(KerasJson.Conv2D("input_adapter", (int)kernel.shape[0], 3, "linear", FirstLayer(), strides: 2));
            weights.Add(("input_adapter/kernel", ConvKernel(kernel)));
            weights.Add(("input_adapter/bias", Take("input_adapter.bias")));
        }

        // conv1: MobileNet pads as TF's "same" does for stride 2, so the layer can say "same".
        var conv1 = Take("conv1.weight");
        Add(KerasJson.Conv2D("conv1", (int)conv1.shape[0], 3, "linear", FirstLayer(), strides: 2, padding: "same", useBias: false));
        weights.Add(("conv1/kernel", ConvKernel(conv1)));
        BatchNormAndRelu6("conv1_bn", "conv1_relu");

        for (var i = 0; i < MobileNet.BlockStrides.Count; i++)
        {
            var id = (i + 1).ToString(CultureInfo.InvariantCulture);
            var stride = MobileNet.BlockStrides[i];
            // Stride 1: one pixel on every side, which is TF's "same" for 3×3 stride 1. Stride 2: the zero row and
            // column after only (MobileNet.DepthwisePadding), which "same" would not give for odd sides: a layer of
            // its own.
            if (stride == 2)
                Add(KerasJson.ZeroPadding2D($"conv_pad_{id}", 0, 1, 0, 1));
            Add(KerasJson.DepthwiseConv2D($"conv_dw_{id}", 3, stride, stride == 1 ? "same" : "valid"));
            // torch [channels, 1, kh, kw] → TF [kh, kw, channels, multiplier 1].
            weights.Add(($"conv_dw_{id}/depthwise_kernel", Take($"conv_dw_{id}.weight").permute(2, 3, 0, 1)));
            BatchNormAndRelu6($"conv_dw_{id}_bn", $"conv_dw_{id}_relu");

            var pointwise = Take($"conv_pw_{id}.weight");
            Add(KerasJson.Conv2D($"conv_pw_{id}", (int)pointwise.shape[0], 1, "linear", useBias: false));
            weights.Add(($"conv_pw_{id}/kernel", ConvKernel(pointwise)));
            BatchNormAndRelu6($"conv_pw_{id}_bn", $"conv_pw_{id}_relu");
        }

        // Piximi's head, with Keras' names: the 1×1 Conv2D over a 1×1 map is a Dense, but Piximi builds it as a
        // Conv2D between two Reshapes, and a model of the same layers is what Piximi can train further.
        var preds = Take("conv_preds.weight");
        Add(KerasJson.GlobalAveragePooling2D("global_average_pooling2d"));
        Add(KerasJson.Reshape("reshape_1", 1, 1, (int)preds.shape[1]));
        Add(KerasJson.Dropout("dropout", MobileNet.DropoutRate));
        Add(KerasJson.Conv2D("conv_preds", classes, 1, "linear"));
        weights.Add(("conv_preds/kernel", ConvKernel(preds)));
        weights.Add(("conv_preds/bias", Take("conv_preds.bias")));
        Add(KerasJson.Reshape("reshape_2", classes));
        Add(KerasJson.Activation("act_softmax", "softmax"));

        // BatchNorm's batch counter only matters to training without momentum; Keras has none.
        var left = tensors.Keys
            .Where(name => !taken.Contains(name) && !name.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
            .ToList();
        if (left.Count > 0)
            throw new InvalidOperationException($"MobileNet tensors without a TF.js layer: {string.Join(", ", left)}.");
        return (KerasJson.Sequential("sequential_1", [.. layers]), [.. weights]);

        void Add(JsonObject layer) => layers.Add(layer);

        int[]? FirstLayer()
        {
            var first = inputShape;
            inputShape = null;
            return first;
        }

        Tensor Take(string name)
        {
            if (!tensors.TryGetValue(name, out var tensor))
                throw new InvalidOperationException($"MobileNet has no tensor {name} for its TF.js layer.");
            taken.Add(name);
            return tensor;
        }

        // PyTorch's weight/bias/running_mean/running_var are Keras' gamma/beta/moving_mean/moving_variance; the
        // epsilon must be MobileNet's 1e-3 (TF.js's default too), the momentum only matters for training on.
        void BatchNormAndRelu6(string bn, string relu)
        {
            Add(KerasJson.BatchNormalization(bn, MobileNet.KerasMomentum, MobileNet.Epsilon));
            weights.Add(($"{bn}/gamma", Take($"{bn}.weight")));
            weights.Add(($"{bn}/beta", Take($"{bn}.bias")));
            weights.Add(($"{bn}/moving_mean", Take($"{bn}.running_mean")));
            weights.Add(($"{bn}/moving_variance", Take($"{bn}.running_var")));
            Add(KerasJson.ReLU(relu, 6));
        }
    }

    /// <summary>torch [out, in, kh, kw] → TF [kh, kw, in, out].</summary>
    private static Tensor ConvKernel(Tensor weight) => weight.permute(2, 3, 1, 0);
}
