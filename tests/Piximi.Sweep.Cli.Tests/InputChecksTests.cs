using System.IO.Compression;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;
using Piximi.Sweep.Training;
using Piximi.Sweep.Training.Tests;
using Piximi.Sweep.Training.Tests.Images;
using Piximi.Sweep.Training.Tests.Piximi;
using static Piximi.Sweep.Training.Tests.IdxFiles;

namespace Piximi.Sweep.Cli.Tests;

/// <summary>
/// Validation and the workers side by side: every bad input below must be refused by <c>validate</c> (exit 2, nothing
/// stored) and by what a worker does with the stored sweep (load the dataset, build each trial's model), each naming
/// the same culprit. A case only one of them refuses fails, so a check added to one cannot be forgotten in the other.
/// </summary>
public sealed class Validation_and_the_workers_refuse_the_same_inputs
{
    /// <summary>A sweep file to validate, and what both refusals must name: a data file, or the model and its minimum.</summary>
    private sealed record BadInput(string SweepFile, params string[] Names)
    {
        /// <summary>The models the sweep trains, when it names any (its <see cref="ModelLine"/> under <c>parameters:</c>).</summary>
        public ModelKind[] Models { get; init; } = [];
    }

    /// <summary>The line under <c>parameters:</c> that names <paramref name="models"/>.</summary>
    private static string ModelLine(params ModelKind[] models) => $"  model: [{string.Join(", ", models)}]\n";

    private static readonly string[] Fashion = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    public static TheoryData<string> Cases =>
    [
        "truncated raw IDX", "truncated gz", "gz cut inside its trailer", "corrupt gz", "bytes after the gz", "raw IDX longer than its header",
        "wrong magic", "count mismatch", "negative label", "label beyond classes", "empty classes", "subset larger than the data",
        "both files bad", "MobileNet on 28×28 IDX", "MobileNet among the models on a small folder", "SimpleCNN on 10×10 IDX",
        "Piximi project with a missing chunk", "Piximi project too small for MobileNet", "folder with a corrupt image", "folder with a class of one image",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_bad_input_is_refused_by_validate_and_by_the_worker_naming_the_same_culprit(string name)
    {
        using var folder = new TestFolder();
        var bad = Make(name, folder);

        var validate = await Cli.RunAsync("validate", bad.SweepFile);
        var worker = WorkerRefusal(bad.SweepFile, bad.Models);

        Assert.True(validate.ExitCode == 2, $"validate accepted {name}:\n{validate}");
        Assert.True(worker is not null, $"the worker accepted {name}; validate said:\n{validate.Error}");
        foreach (var culprit in bad.Names)
        {
            Assert.Contains(culprit, validate.Error, StringComparison.Ordinal);
            Assert.Contains(culprit, worker, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("empty classes", "idx.idx.yaml:5:11: dataset.labels: ")]
    [InlineData("negative label", "idx.idx.yaml:5:11: dataset.labels: ")]
    [InlineData("truncated raw IDX", "idx.idx.yaml:4:11: dataset.images: ")]
    public async Task Validate_names_the_field_of_the_file_at_fault(string name, string start)
    {
        using var folder = new TestFolder();
        var bad = Make(name, folder);

        var validate = await Cli.RunAsync("validate", bad.SweepFile);

        Assert.True(validate.ExitCode == 2, validate.ToString());
        Assert.StartsWith(start, validate.Error.Replace(folder.Path + Path.DirectorySeparatorChar, "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_harness_passes_sound_inputs_of_every_kind()
    {
        using var folder = new TestFolder();
        string[] sound =
        [
            IdxSweep(folder, Gzip(ImageFile(20)), Gzip(LabelFile(Cycle(20))), ".gz", extra: $"  classes: [{string.Join(", ", Fashion)}]"),
            FolderSweep(folder, perClass: 3, corrupt: false),
            PiximiSweep(folder, side: 20, dropChunk: false),
        ];
        var mobileNet = new BadInput(IdxSweep(folder, ImageFile(20, side: 63), LabelFile(Cycle(20)), ".idx", parameters: ModelLine(ModelKind.MobileNet))) { Models = [ModelKind.MobileNet] };

        foreach (var (file, models) in sound.Select(f => (f, Array.Empty<ModelKind>())).Append((mobileNet.SweepFile, mobileNet.Models)))
        {
            var validate = await Cli.RunAsync("validate", file);
            Assert.True(validate.ExitCode == 0, validate.ToString());
            Assert.Null(WorkerRefusal(file, models));
        }
    }

    /// <summary>
    /// What a worker does with the sweep had it been stored: load its dataset and build the model of every trial. The
    /// dataset is the file's as read without any check of the data (the model line left out, as validation would refuse
    /// it there); <paramref name="models"/> are the sweep's models (none: SimpleCNN). The refusal's message, or null.
    /// </summary>
    private static string? WorkerRefusal(string sweepFile, ModelKind[] models)
    {
        var text = File.ReadAllText(sweepFile);
        if (models.Length > 0) text = text.Replace(ModelLine(models), "", StringComparison.Ordinal);
        var dataset = SweepFile.Parse(LocalDisk.Instance, text, sweepFile).Definition.Dataset;
        try
        {
            using var data = ImageDataset.Load(dataset);
            foreach (var model in models.Length == 0 ? [ModelKind.SimpleCNN] : models)
            {
                using var built = Models.Create(model, data.Channels, data.Height, data.Width, data.Classes);
            }
            return null;
        }
        catch (Exception e) when (e is DatasetException or ArgumentException)
        {
            return e.Message;
        }
    }

    private static BadInput Make(string name, TestFolder folder)
    {
        var images = ImageFile(20);
        var labels = LabelFile(Cycle(20));
        var gzip = Gzip(images);
        string Images() => Path.Combine(folder.Path, "images.gz");
        string Labels() => Path.Combine(folder.Path, "labels.gz");
        string RawImages() => Path.Combine(folder.Path, "images.idx");
        string RawLabels() => Path.Combine(folder.Path, "labels.idx");
        switch (name)
        {
            case "truncated raw IDX": return new(IdxSweep(folder, images[..^100], labels, ".idx"), RawImages(), "truncated");
            case "truncated gz": return new(IdxSweep(folder, gzip[..(gzip.Length / 2)], Gzip(labels), ".gz"), Images(), "truncated");
            case "gz cut inside its trailer": return new(IdxSweep(folder, gzip[..^2], Gzip(labels), ".gz"), Images(), "truncated");
            case "corrupt gz": return new(IdxSweep(folder, Damaged(gzip), Gzip(labels), ".gz"), Images(), "corrupt gzip data");
            case "bytes after the gz": return new(IdxSweep(folder, gzip, [.. Gzip(labels), 0, 0, 0, 0], ".gz"), Labels(), "after the end of its gzip data");
            case "raw IDX longer than its header": return new(IdxSweep(folder, [.. images, 1], labels, ".idx"), RawImages(), "longer than its header");
            case "wrong magic": return new(IdxSweep(folder, labels, labels, ".idx"), RawImages(), "not an IDX image file");
            case "count mismatch": return new(IdxSweep(folder, images, LabelFile(Cycle(21)), ".idx"), RawLabels(), "must match one to one");
            case "negative label":
                return new(IdxSweep(folder, images, Int32Labels([.. Cycle(19), -3]), ".idx"), RawLabels(), "label -3 of image 19 is out of range");
            case "label beyond classes":
                return new(IdxSweep(folder, images, LabelFile([.. Cycle(19), 10]), ".idx", extra: $"  classes: [{string.Join(", ", Fashion)}]"),
                    RawLabels(), "label 10 of image 19 is out of range");
            case "empty classes":
                return new(IdxSweep(folder, images, LabelFile([.. Cycle(19), 200]), ".idx"), RawLabels(), "190 of the classes 0 to 200 have no image: 10–199");
            case "subset larger than the data": return new(IdxSweep(folder, images, labels, ".idx", extra: "  subset: 21"), RawImages(), "subset 21 is larger");
            case "both files bad":
                return new(IdxSweep(folder, gzip[..^20], [.. Gzip(labels), 9], ".gz"), Images(), Labels(), "2 problems with the dataset's files");
            case "MobileNet on 28×28 IDX":
                return new(IdxSweep(folder, images, labels, ".idx", parameters: ModelLine(ModelKind.MobileNet)), "MobileNet", "63×63", "28×28") { Models = [ModelKind.MobileNet] };
            case "MobileNet among the models on a small folder":
                return new(FolderSweep(folder, perClass: 3, corrupt: false, parameters: ModelLine(ModelKind.SimpleCNN, ModelKind.MobileNet)), "MobileNet", "63×63", "20×20")
                { Models = [ModelKind.SimpleCNN, ModelKind.MobileNet] };
            case "SimpleCNN on 10×10 IDX":
                return new(IdxSweep(folder, ImageFile(20, side: 10), labels, ".idx"), "SimpleCNN", "16×16", "10×10");
            case "Piximi project with a missing chunk":
                return new(PiximiSweep(folder, side: 20, dropChunk: true), Path.Combine(folder.Path, "cells.zip"), "pixel data is missing");
            case "Piximi project too small for MobileNet":
                return new(PiximiSweep(folder, side: 20, dropChunk: false, parameters: ModelLine(ModelKind.MobileNet)), "MobileNet", "63×63", "20×20") { Models = [ModelKind.MobileNet] };
            case "folder with a corrupt image":
                return new(FolderSweep(folder, perClass: 3, corrupt: true), Path.Combine(folder.Path, "images", "a", "bad.png"));
            case "folder with a class of one image":
                return new(FolderSweep(folder, perClass: 1, corrupt: false), Path.Combine(folder.Path, "images", "b") + Path.DirectorySeparatorChar, "at least 2");
            default: throw new ArgumentException($"no case '{name}'", nameof(name));
        }
    }

    private const string Parameters = "parameters:\n  batch_size: 2\n  epochs: 1\n";

    private static string IdxSweep(TestFolder folder, byte[] images, byte[] labels, string extension, string extra = "", string parameters = "")
    {
        File.WriteAllBytes(Path.Combine(folder.Path, "images" + extension), images);
        File.WriteAllBytes(Path.Combine(folder.Path, "labels" + extension), labels);
        return folder.Write($"idx{extension}.yaml",
            $"name: inputs\ndataset:\n  kind: idx\n  images: images{extension}\n  labels: labels{extension}\n  training_percentage: 0.5\n{extra}\n{Parameters}{parameters}");
    }

    /// <summary>Two classes, a and b, of 20×20 grey PNGs; with <paramref name="corrupt"/> class a also holds a PNG that is not one.</summary>
    private static string FolderSweep(TestFolder folder, int perClass, bool corrupt, string parameters = "")
    {
        for (var i = 0; i < 3; i++) TestImages.GreyPng(Path.Combine(folder.Path, "images", "a", $"{i}.png"), 20, 20, seed: i);
        for (var i = 0; i < perClass; i++) TestImages.GreyPng(Path.Combine(folder.Path, "images", "b", $"{i}.png"), 20, 20, seed: 100 + i);
        if (corrupt) File.WriteAllBytes(Path.Combine(folder.Path, "images", "a", "bad.png"), [0x89, (byte)'P', (byte)'N', (byte)'G', 0, 1, 2]);
        return folder.Write("folder.yaml",
            "name: inputs\ndataset:\n  kind: folder\n  images: images\n  input_shape: {height: 20, width: 20, channels: 1}\n  training_percentage: 0.5\n"
            + Parameters + parameters);
    }

    /// <summary>A project of 8 images of side × side in two categories; with <paramref name="dropChunk"/> one image's pixel data is gone.</summary>
    private static string PiximiSweep(TestFolder folder, int side, bool dropChunk, string parameters = "")
    {
        var p = new PiximiProjectBuilder { InputShape = [1, side, side, 1] };
        var categories = p.Categories.Where(c => c.Kind == "Image" && c.Id != PiximiProjectBuilder.UnknownImageCategory).Select(c => c.Id).ToList();
        for (var i = 0; i < 8; i++) p.Things.Add(p.Image($"img{i}.png", categories[i % 2], "Training", side, side, seed: i));
        var path = Path.Combine(folder.Path, "cells.zip");
        p.Write(path);
        if (dropChunk)
        {
            using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
            zip.Entries.Single(e => e.FullName.EndsWith("img3.png/img3.png/0.0.0.0", StringComparison.Ordinal)).Delete();
        }
        return folder.Write("piximi.yaml", "name: inputs\ndataset:\n  kind: piximi\n  images: cells.zip\n  training_percentage: 0.5\n" + Parameters + parameters);
    }
}

/// <summary><c>validate</c> and <c>run</c> refuse what a worker could not train on with exit 2, and store nothing.</summary>
public sealed class Refusing_inputs_before_the_store
{
    private static string TruncatedGz(TestFolder folder)
    {
        var whole = File.ReadAllBytes($"{TestFolder.FashionMnist}/t10k-images-idx3-ubyte.gz");
        File.WriteAllBytes(Path.Combine(folder.Path, "images.gz"), whole[..^4]);
        return folder.Write("cut.yaml", $"""
            name: cut
            dataset:
              kind: idx
              images: images.gz
              labels: {TestFolder.FashionMnist}/t10k-labels-idx1-ubyte.gz
              subset: 600
            """);
    }

    private static string MobileNetOnFashionMnist(TestFolder folder) =>
        folder.Write("mobilenet.yaml", TestFolder.SmallSweep("mobilenet", 600, ("model", "[SimpleCNN, MobileNet]")));

    /// <summary>Runs validate and then run on the file: each must exit 2 without creating the store. Returns what each printed as errors.</summary>
    private static async Task<IReadOnlyList<string>> RefusedWithoutAStore(TestFolder folder, string file)
    {
        var errors = new List<string>();
        foreach (var command in new[] { "validate", "run" })
        {
            var result = await Cli.RunAsync(command, file, "--db", folder.Db);
            Assert.True(result.ExitCode == 2, $"{command}: {result}");
            Assert.False(File.Exists(folder.Db), $"{command} created the store");
            errors.Add(result.Error);
        }
        return errors;
    }

    [Fact]
    public async Task A_gz_cut_inside_its_trailer_is_refused_by_validate_and_run_and_nothing_is_stored()
    {
        using var folder = new TestFolder();

        foreach (var error in await RefusedWithoutAStore(folder, TruncatedGz(folder)))
            Assert.Contains($"cut.yaml:4:11: dataset.images: {Path.Combine(folder.Path, "images.gz")}: truncated: its gzip data ends without the trailer", error);
    }

    [Fact]
    public async Task MobileNet_on_28_by_28_idx_is_refused_by_validate_and_run_and_nothing_is_stored()
    {
        using var folder = new TestFolder();

        foreach (var error in await RefusedWithoutAStore(folder, MobileNetOnFashionMnist(folder)))
        {
            Assert.Matches(@"mobilenet\.yaml:\d+:\d+: parameters\.model\[1\]: MobileNet needs images of at least 63×63 pixels with 1 channel .* but this dataset's are 28×28×1 \(the IDX images' own size\)", error);
            Assert.Contains("dataset.input_shape: {height: 63, width: 63, channels: 1}", error);
        }
    }

    [Fact]
    public async Task Class_names_from_dataset_classes_reach_the_stored_evaluation_and_the_report()
    {
        using var folder = new TestFolder();
        var names = "[T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot]";
        var file = folder.Write("named.yaml", TestFolder.SmallSweep("named", 600, ("learning_rate", "0.01"), ("batch_size", "32"))
            .Replace("  subset: 600\n", $"  subset: 600\n  classes: {names}\n", StringComparison.Ordinal));

        var validate = await Cli.RunAsync("validate", file);
        var result = await Cli.RunAsync("run", file, "--db", folder.Db, "--workers", "1");

        Assert.Contains("Classes (10): T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot", validate.Output);
        Assert.True(result.ExitCode == 0, result.ToString());
        using (var store = TrialStores.OpenSqlite(folder.Db))
        {
            var sweep = store.FindSweep("named")!;
            var evaluation = store.LoadEvaluation(store.ListTrials(sweep.Id).Single().Id)!;
            Assert.Equal(["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"], evaluation.ClassNames);
        }
        var report = await Cli.RunAsync("report", "named", "--db", folder.Db, "--format", "md", "-o", Path.Combine(folder.Path, "named.md"));
        Assert.True(report.ExitCode == 0, report.ToString());
        Assert.Contains("Ankle boot", File.ReadAllText(Path.Combine(folder.Path, "named.md")), StringComparison.Ordinal);
    }
}
