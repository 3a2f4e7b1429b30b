using System.Globalization;
using Piximi.Sweep.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Piximi.Sweep.Training;

/// <summary>
/// Piximi's MobileNet: Keras' <c>MobileNet(alpha=0.25, include_top=False)</c> up to <c>conv_pw_13_relu</c>, then
/// GlobalAveragePooling → Dropout(0.001) → 1×1 Conv2D(classes) (<c>conv_preds</c>). Trained from scratch: Piximi
/// starts from ImageNet weights, which cannot be downloaded here. Returns logits (no softmax; see
/// <see cref="SimpleCnn"/>).
/// <para>
/// Layer by layer as Keras builds it, so that a later TF.js export gives the same numbers: <c>conv1</c> 3×3 stride 2,
/// 8 filters, TF "same" padding (for odd sides that pads one more pixel after than before, as TF does), no bias;
/// then 13 depthwise-separable blocks <c>conv_dw_k</c> (3×3 depthwise, no bias; stride-1 blocks pad one pixel on
/// every side ("same"), stride-2 blocks pad zero before and one after (Keras' <c>ZeroPadding2D(((0, 1), (0, 1)))</c>)
/// then "valid") and <c>conv_pw_k</c> (1×1, no bias), each followed by BatchNorm (<c>_bn</c>; epsilon 1e-3,
/// Keras momentum 0.99 = PyTorch momentum 0.01) and ReLU6. Pointwise filters: 64, 128, 128, 256, 256, 512 × 6, 1024,
/// 1024 times 0.25; strides 2 at blocks 2, 4, 6 and 12. Kernels start Glorot-uniform (the depthwise one's fans are
/// Keras' too: 9·channels + 9 either way round), BatchNorm at γ = 1, β = 0, mean 0, variance 1, conv_preds' bias 0.
/// </para>
/// <para>
/// Images of other than 3 channels first pass a 3×3 stride-2 convolution to 3 channels (<c>input_adapter</c>; TF.js
/// Conv2D's defaults: "valid" padding, a bias, no activation), as Piximi adapts them; the backbone is unchanged. It
/// halves the image first, so those images must be about twice as large (see <see cref="MinimumSide"/>).
/// </para>
/// <para>
/// Parameter and buffer names are Keras' layer names (<c>conv1.weight</c>, <c>conv1_bn.running_mean</c>,
/// <c>conv_dw_1.weight</c>, …, <c>conv_preds.bias</c>), so an exporter can map them one to one.
/// </para>
/// </summary>
internal sealed class MobileNet : Module<Tensor, Tensor>
{
    internal const double Alpha = 0.25;
    internal const double DropoutRate = 0.001;
    internal const double Epsilon = 1e-3;
    internal const double KerasMomentum = 0.99;
    private const double Momentum = 1 - KerasMomentum;

    /// <summary>(pointwise filters before α, stride) of blocks 1 to 13, as Keras' MobileNet.</summary>
    private static readonly (int Filters, int Stride)[] Blocks =
    [
        (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
        (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1),
    ];

    /// <summary>The strides of blocks 1 to 13, for the TF.js export (Export/MobileNetLayers.cs), which pads as forward does.</summary>
    internal static readonly IReadOnlyList<int> BlockStrides = [.. Blocks.Select(b => b.Stride)];

    private readonly Conv2d? _adapter;
    private readonly Conv2d _conv1;
    private readonly BatchNorm2d _conv1Bn;
    private readonly Conv2d[] _depthwise;
    private readonly BatchNorm2d[] _depthwiseBn;
    private readonly Conv2d[] _pointwise;
    private readonly BatchNorm2d[] _pointwiseBn;
    private readonly int[] _strides;
    private readonly Dropout _dropout;
    private readonly Conv2d _preds;

    internal MobileNet(int channels, int height, int width, int classes) : base(nameof(MobileNet))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        var minimum = MinimumSide(channels);
        if (height < minimum || width < minimum)
            throw new ArgumentException(
                $"MobileNet needs images of at least {minimum}×{minimum} pixels with {Channels(channels)} " +
                $"(its four stride-2 blocks after conv1{(channels == 3 ? "" : " and the channel adapter")} would leave nothing); " +
                $"these are {height}×{width}. Resize them with the dataset's input_shape (Piximi's default is 224×224×3).");

        if (channels != 3)
        {
            _adapter = Conv2d(channels, 3, kernel_size: 3, stride: 2, bias: true);
            register_module("input_adapter", _adapter);
        }
        var filters = (int)(32 * Alpha);
        _conv1 = Conv2d(3, filters, kernel_size: 3, stride: 2, bias: false);
        _conv1Bn = BatchNorm(filters);
        register_module("conv1", _conv1);
        register_module("conv1_bn", _conv1Bn);

        _depthwise = new Conv2d[Blocks.Length];
        _depthwiseBn = new BatchNorm2d[Blocks.Length];
        _pointwise = new Conv2d[Blocks.Length];
        _pointwiseBn = new BatchNorm2d[Blocks.Length];
        _strides = new int[Blocks.Length];
        for (var i = 0; i < Blocks.Length; i++)
        {
            var id = (i + 1).ToString(CultureInfo.InvariantCulture);
            var (pointwiseFilters, stride) = Blocks[i];
            var outputs = (int)(pointwiseFilters * Alpha);
            _strides[i] = stride;
            // Padding is applied in forward, as Keras does (its own layer for stride 2, "same" for stride 1).
            _depthwise[i] = Conv2d(filters, filters, kernel_size: 3, stride: stride, groups: filters, bias: false);
            _depthwiseBn[i] = BatchNorm(filters);
            _pointwise[i] = Conv2d(filters, outputs, kernel_size: 1, bias: false);
            _pointwiseBn[i] = BatchNorm(outputs);
            register_module($"conv_dw_{id}", _depthwise[i]);
            register_module($"conv_dw_{id}_bn", _depthwiseBn[i]);
            register_module($"conv_pw_{id}", _pointwise[i]);
            register_module($"conv_pw_{id}_bn", _pointwiseBn[i]);
            filters = outputs;
        }
        Features = filters;

        _dropout = Dropout(DropoutRate);
        _preds = Conv2d(filters, classes, kernel_size: 1, bias: true);
        register_module("dropout", _dropout);
        register_module("conv_preds", _preds);

        using (no_grad())
        {
            foreach (var conv in new[] { _adapter, _conv1, _preds }.Concat(_depthwise).Concat(_pointwise))
            {
                if (conv is null) continue;
                init.xavier_uniform_(conv.weight!);
                if (conv.bias is { } bias) init.zeros_(bias);
            }
        }
    }

    /// <summary>Channels entering the global pooling: 1024 × 0.25 = 256.</summary>
    internal int Features { get; }

    /// <summary>
    /// The smallest height and width that leave at least one pixel after the last stride-2 block: 31 for 3 channels
    /// (conv1 "same": ⌈31/2⌉ = 16, then each stride-2 block ⌊n/2⌋: 8, 4, 2, 1); 63 for any other count, whose
    /// adapter ("valid", stride 2) first makes ⌊(n − 3)/2⌋ + 1 = 31. Core's number, which validation reads too.
    /// </summary>
    internal static int MinimumSide(int channels) => ModelInputs.MinimumSide(ModelKind.MobileNet, channels);

    /// <summary>The side of the last block's output for an input side <paramref name="side"/>: 7 for 224 × 224 × 3.</summary>
    internal static int OutputSide(int side, int channels)
    {
        if (channels != 3) side = (side - 3) / 2 + 1;
        side = (side + 1) / 2;
        foreach (var (_, stride) in Blocks)
            if (stride == 2) side /= 2;
        return side;
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = Backbone(input).mean([2, 3], keepdim: true);
        x = _preds.forward(_dropout.forward(x));
        return x.flatten(1).MoveToOuterDisposeScope();
    }

    /// <summary>The adapter (if any) and conv1 to <c>conv_pw_13_relu</c>: [batch, 256, side, side].</summary>
    internal Tensor Backbone(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = _adapter is null ? input : _adapter.forward(input);
        x = Relu6(_conv1Bn.forward(_conv1.forward(SamePadding(x, stride: 2))));
        for (var i = 0; i < _depthwise.Length; i++)
        {
            x = Relu6(_depthwiseBn[i].forward(_depthwise[i].forward(DepthwisePadding(x, _strides[i]))));
            x = Relu6(_pointwiseBn[i].forward(_pointwise[i].forward(x)));
        }
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Keras' padding of a 3×3 depthwise block: stride 1 is "same" (one pixel on every side); stride 2 is
    /// <c>ZeroPadding2D(((0, 1), (0, 1)))</c>, one row after and one column after, then "valid".
    /// </summary>
    internal static Tensor DepthwisePadding(Tensor x, int stride) =>
        stride == 1 ? functional.pad(x, [1, 1, 1, 1]) : functional.pad(x, [0, 1, 0, 1]);

    /// <summary>
    /// TF's "same" padding of a 3×3 convolution: total max((⌈n/s⌉ − 1)·s + 3 − n, 0), the smaller half before.
    /// For conv1 on an even side that is zero before and one after; on an odd side one on each.
    /// </summary>
    internal static Tensor SamePadding(Tensor x, int stride)
    {
        var (top, bottom) = Split(x.shape[2], stride);
        var (left, right) = Split(x.shape[3], stride);
        return functional.pad(x, [left, right, top, bottom]);

        static (long Before, long After) Split(long side, int stride)
        {
            var total = Math.Max(((side + stride - 1) / stride - 1) * stride + 3 - side, 0);
            return (total / 2, total - total / 2);
        }
    }

    private static Tensor Relu6(Tensor x) => functional.relu6(x);

    private static BatchNorm2d BatchNorm(int features) => BatchNorm2d(features, eps: Epsilon, momentum: Momentum);

    private static string Channels(int channels) =>
        channels == 1 ? "1 channel" : $"{channels.ToString(CultureInfo.InvariantCulture)} channels";
}
