using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Piximi.Sweep.Cli.Tests.Conformance;

/// <summary>
/// Piximi 1.1.4's own upload and prediction path, run under Node by <c>tests/piximi-conformance/upload.mjs</c>
/// (Piximi's files verbatim, with the library versions Piximi pins; see that folder's README). The README's test
/// command installs it; a test that needs it fails saying so when it is missing: a skipped check proves nothing.
/// </summary>
internal static class PiximiUpload
{
    /// <summary>What Piximi made of the files: its upload, its metadata check, and its predictions (see upload.mjs).</summary>
    internal sealed record Result(
        bool Uploaded,
        bool MetadataAccepted,
        IReadOnlyList<string> Warnings,
        string? ErrorMessage,
        IReadOnlyDictionary<string, string> FailedModels,
        string? ModelName,
        IReadOnlyList<string>? Classes,
        JsonNode? PreprocessSettings,
        IReadOnlyList<string>? Predictions,
        string? PredictError,
        string Raw)
    {
        public override string ToString() => Raw;
    }

    internal static string Folder => Path.Combine(RepositoryRoot(), "tests", "piximi-conformance");

    /// <summary>
    /// The user picks <paramref name="files"/> (in this order, as the browser hands them over) in Load Model → Upload
    /// Local, confirms the class mapping (<paramref name="classMap"/>: "create" or "manual", choosing by name among
    /// <paramref name="projectCategories"/>) and predicts <paramref name="images"/>: [N, H, W, C] in [0, 1] at
    /// their own size, as Piximi holds images.
    /// </summary>
    internal static Result Run(IReadOnlyList<string> files, float[] images, int[] shape, string classMap = "create", IReadOnlyList<string>? projectCategories = null)
    {
        var script = Path.Combine(Folder, "upload.mjs");
        RequireInstalled();
        var work = Directory.CreateTempSubdirectory("piximi-upload-").FullName;
        try
        {
            var imagesFile = Path.Combine(work, "images.f32");
            var bytes = new byte[images.Length * 4];
            for (var i = 0; i < images.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), images[i]);
            File.WriteAllBytes(imagesFile, bytes);
            var request = new JsonObject
            {
                ["files"] = new JsonArray([.. files.Select(f => (JsonNode)Path.GetFullPath(f))]),
                ["images"] = imagesFile,
                ["shape"] = new JsonArray([.. shape.Select(n => (JsonNode)n)]),
                ["classMap"] = classMap,
                ["projectCategories"] = new JsonArray([.. (projectCategories ?? []).Select(c => (JsonNode)c)]),
            };
            var requestFile = Path.Combine(work, "request.json");
            File.WriteAllText(requestFile, request.ToJsonString());

            var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Folder };
            foreach (var a in new[] { script, "--request", requestFile }) start.ArgumentList.Add(a);
            using var node = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
            var stderr = node.StandardError.ReadToEndAsync();
            var stdout = node.StandardOutput.ReadToEnd();
            if (!node.WaitForExit(TimeSpan.FromMinutes(3)))
            {
                node.Kill(entireProcessTree: true);
                Assert.Fail("Piximi's upload path did not finish within 3 minutes");
            }
            Assert.True(node.ExitCode == 0, $"upload.mjs exited {node.ExitCode}: {stderr.Result}\n{stdout}");
            var json = JsonNode.Parse(stdout)!;
            return new Result(
                json["uploaded"]?.GetValue<bool>() ?? false,
                json["metadataAccepted"]?.GetValue<bool>() ?? false,
                Strings(json["warnings"]) ?? [],
                json["errorMessage"]?.GetValue<string>(),
                json["failedModels"] is JsonObject failed ? failed.ToDictionary(p => p.Key, p => p.Value?.ToJsonString() ?? "") : new Dictionary<string, string>(),
                json["modelName"]?.GetValue<string>(),
                Strings(json["classes"]),
                json["preprocessSettings"]?.DeepClone(),
                Strings(json["predictions"]),
                json["predictError"]?.GetValue<string>(),
                json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Fails, saying how to install it, when the harness's packages are missing.</summary>
    internal static void RequireInstalled()
    {
        if (!File.Exists(Path.Combine(Folder, "node_modules", "@tensorflow", "tfjs", "package.json")))
            Assert.Fail($"Piximi's upload path is not installed in {Folder}: run scripts/ensure-prereqs --tests (the README's test command does).");
    }

    private static string[]? Strings(JsonNode? node) =>
        node is JsonArray array ? [.. array.Select(n => n?.GetValue<string>() ?? "")] : null;

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Piximi.Sweep.sln"))) return dir.FullName;
        throw new InvalidOperationException("cannot find Piximi.Sweep.sln above " + AppContext.BaseDirectory);
    }
}
