using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Piximi.Sweep.Training;

namespace Piximi.Sweep.Cli.Tests.Conformance;

/// <summary>
/// Our resize against Piximi's, run for real: random images through Piximi 1.1.4's inference preprocessing
/// (crop-and-resize.mjs: cropAndResize of the whole image on tfjs 4.2.0) and through <see cref="ImageResize"/>.
/// </summary>
public sealed class Our_resize_is_piximis
{
    private const float Tolerance = 1e-5f;

    [Theory]
    [InlineData(28, 28, 1, 20, 20)]   // Piximi's default input shape from MNIST-sized images
    [InlineData(28, 28, 3, 24, 24)]   // a pair where TF.js's CPU kernel blackens the last row and column
    [InlineData(20, 20, 1, 28, 28)]   // up
    [InlineData(50, 50, 2, 24, 24)]   // BBBC013-sized, two channels
    [InlineData(37, 53, 4, 19, 71)]   // odd sides, one up and one down, four channels
    [InlineData(224, 224, 3, 20, 20)] // far down
    [InlineData(5, 7, 1, 1, 1)]       // a single output pixel samples the middle
    [InlineData(56, 56, 1, 28, 28)]
    public void Every_pixel_is_within_1e_5_of_piximis(int height, int width, int channels, int toHeight, int toWidth)
    {
        const int count = 6;
        var random = new Random(height * 1000 + width * 10 + channels);
        var nhwc = new float[count * height * width * channels];
        for (var i = 0; i < nhwc.Length; i++) nhwc[i] = random.Next(256) / 255f;

        var theirs = Piximi(nhwc, [count, height, width, channels], toHeight, toWidth);

        var worst = 0f;
        var size = toHeight * toWidth * channels;
        for (var n = 0; n < count; n++)
        {
            var ours = new float[size];
            ImageResize.CropAndResize(ChannelsFirst(nhwc.AsSpan(n * height * width * channels, height * width * channels), height, width, channels),
                channels, height, width, ours, toHeight, toWidth);
            var oursNhwc = ChannelsLast(ours, toHeight, toWidth, channels);
            for (var i = 0; i < size; i++) worst = Math.Max(worst, Math.Abs(oursNhwc[i] - theirs[n * size + i]));
        }
        Assert.True(worst <= Tolerance, $"{height}×{width}×{channels} → {toHeight}×{toWidth}: ours and Piximi's differ by up to {worst:G3}");
    }

    /// <summary>Piximi's resize of [N, H, W, C] images to [N, h, w, C].</summary>
    internal static float[] Piximi(float[] nhwc, int[] shape, int toHeight, int toWidth)
    {
        var work = Directory.CreateTempSubdirectory("piximi-resize-").FullName;
        try
        {
            var input = Path.Combine(work, "in.f32");
            var output = Path.Combine(work, "out.f32");
            var bytes = new byte[nhwc.Length * 4];
            for (var i = 0; i < nhwc.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), nhwc[i]);
            File.WriteAllBytes(input, bytes);
            var request = Path.Combine(work, "request.json");
            File.WriteAllText(request, new JsonObject
            {
                ["images"] = input,
                ["shape"] = new JsonArray([.. shape.Select(d => (JsonNode)d)]),
                ["size"] = new JsonArray(toHeight, toWidth),
                ["output"] = output,
            }.ToJsonString());
            PiximiUpload.RequireInstalled();
            var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { Path.Combine(PiximiUpload.Folder, "crop-and-resize.mjs"), "--request", request }) start.ArgumentList.Add(a);
            using var node = Process.Start(start)!;
            var stderr = node.StandardError.ReadToEndAsync();
            var stdout = node.StandardOutput.ReadToEnd();
            node.WaitForExit();
            Assert.True(node.ExitCode == 0, $"crop-and-resize.mjs exited {node.ExitCode}: {stderr.Result}\n{stdout}");
            Assert.Equal("cpu", JsonNode.Parse(stdout)!["backend"]!.GetValue<string>());
            var result = File.ReadAllBytes(output);
            var values = new float[result.Length / 4];
            for (var i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(result.AsSpan(i * 4));
            Assert.Equal(shape[0] * toHeight * toWidth * shape[3], values.Length);
            return values;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    internal static float[] ChannelsFirst(ReadOnlySpan<float> hwc, int height, int width, int channels)
    {
        var chw = new float[hwc.Length];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                for (var c = 0; c < channels; c++)
                    chw[(c * height + y) * width + x] = hwc[(y * width + x) * channels + c];
        return chw;
    }

    internal static float[] ChannelsLast(ReadOnlySpan<float> chw, int height, int width, int channels)
    {
        var hwc = new float[chw.Length];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                for (var c = 0; c < channels; c++)
                    hwc[(y * width + x) * channels + c] = chw[(c * height + y) * width + x];
        return hwc;
    }
}
