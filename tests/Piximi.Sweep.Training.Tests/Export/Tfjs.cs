using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Piximi.Sweep.Training.Tests.Export;

/// <summary>
/// The real <c>@tensorflow/tfjs</c> under Node: <c>scripts/ensure-prereqs --tests</c> installs it once into
/// <see cref="Folder"/> (outside the repository). Tests that need it fail with that instruction when it is missing:
/// a silently skipped comparison would prove nothing.
/// </summary>
internal static class Tfjs
{
    internal const string Version = "4.22.0";

    /// <summary><c>$PIXIMI_SWEEP_TFJS</c>, else <c>~/.cache/piximi-sweep/tfjs</c>: holds node_modules/@tensorflow/tfjs.</summary>
    internal static string Folder =>
        Environment.GetEnvironmentVariable("PIXIMI_SWEEP_TFJS") is { Length: > 0 } folder
            ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "piximi-sweep", "tfjs");

    internal sealed record Prediction(float[] Probabilities, long[] Shape, string Backend, JsonNode Topology);

    /// <summary>
    /// Loads the model <paramref name="modelFile"/> (its .json; the weights beside it) with TF.js and predicts
    /// <paramref name="count"/> images given as [N·C·H·W] (our layout; written NHWC for TF.js here).
    /// </summary>
    internal static Prediction Predict(string modelFile, float[] nchw, int count, int channels, int height, int width)
    {
        var modules = Path.Combine(Folder, "node_modules");
        var package = Path.Combine(modules, "@tensorflow", "tfjs", "package.json");
        if (!File.Exists(package))
            Assert.Fail($"@tensorflow/tfjs@{Version} is not installed in {Folder}: run scripts/ensure-prereqs --tests.");

        var images = Path.Combine(Path.GetTempPath(), $"piximi-images-{Guid.NewGuid():N}.f32");
        File.WriteAllBytes(images, Nhwc(nchw, count, channels, height, width));
        try
        {
            var script = Path.Combine(AppContext.BaseDirectory, "Export", "tfjs-predict.js");
            var start = new ProcessStartInfo("node")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { script, modelFile, images, count.ToString(System.Globalization.CultureInfo.InvariantCulture) })
                start.ArgumentList.Add(argument);
            start.Environment["NODE_PATH"] = modules;
            using var node = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
            var stderr = node.StandardError.ReadToEndAsync();
            var stdout = node.StandardOutput.ReadToEnd();
            if (!node.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                node.Kill();
                Assert.Fail("node did not finish within 2 minutes");
            }
            Assert.True(node.ExitCode == 0, $"node exited {node.ExitCode}: {stderr.Result}");
            var result = JsonNode.Parse(stdout)!;
            return new Prediction(
                // JSON.stringify writes NaN as null (a negative variance, say): NaN here, so comparisons fail on it.
                [.. result["probabilities"]!.AsArray().Select(v => v?.GetValue<float>() ?? float.NaN)],
                [.. result["shape"]!.AsArray().Select(v => v!.GetValue<long>())],
                result["backend"]!.GetValue<string>(),
                result["topology"]!);
        }
        finally
        {
            File.Delete(images);
        }
    }

    /// <summary>The class with the highest probability in row <paramref name="row"/> of [count × classes] probabilities.</summary>
    internal static int ArgMax(float[] probabilities, int row, int classes)
    {
        var best = 0;
        for (var k = 1; k < classes; k++)
        {
            if (probabilities[row * classes + k] > probabilities[row * classes + best])
                best = k;
        }
        return best;
    }

    private static byte[] Nhwc(float[] nchw, int count, int channels, int height, int width)
    {
        var bytes = new byte[nchw.Length * 4];
        var i = 0;
        for (var n = 0; n < count; n++)
            for (var h = 0; h < height; h++)
                for (var w = 0; w < width; w++)
                    for (var c = 0; c < channels; c++)
                        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i++), nchw[((n * channels + c) * height + h) * width + w]);
        return bytes;
    }
}
