using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;
using Piximi.Sweep.Training;
using Piximi.Sweep.Training.Tests.Piximi;

namespace Piximi.Sweep.Cli.Tests;

public class PiximiProjectCliTests
{
    private const string Dark = "6c1f3d0e-a";
    private const string Bright = "9b2e4f1a-b";

    /// <summary>A tiny project: 40 images of 20×20, dark ones and bright ones, as Piximi 1.1.4 saves them.</summary>
    private static string TinyProject(TestFolder folder, Action<PiximiProjectBuilder>? change = null)
    {
        var p = new PiximiProjectBuilder { InputShape = [1, 20, 20, 1], BatchSize = 8, Epochs = 1, LearningRate = 0.01 };
        change?.Invoke(p);
        for (var i = 0; i < 40; i++)
        {
            var bright = i % 2 == 1;
            var data = PiximiProjectBuilder.Pattern(i, 20, 20, 1).Select(v => bright ? 0.5f + v / 2 : v / 2).ToArray();
            p.Things.Add(new TestThing($"img{i}.png", bright ? Bright : Dark, i % 4 == 0 ? "Validation" : "Training", data, 20, 20, 1));
        }
        p.Things.Add(p.Image("todo.png", PiximiProjectBuilder.UnknownImageCategory, "Unassigned", 20, 20));
        var path = Path.Combine(folder.Path, "tiny project.zip");
        p.Write(path);
        return path;
    }

    [Fact]
    public async Task InitWritesAStarterSweepThatValidatesAndRefusesToOverwrite()
    {
        using var folder = new TestFolder();
        var project = TinyProject(folder);
        var file = Path.Combine(folder.Path, "sweeps", "tiny.yaml");

        var init = await Cli.RunAsync("init", "--from", project, "-o", file);
        Assert.True(init.ExitCode == 0, init.ToString());
        var text = File.ReadAllText(file);
        Assert.Contains("kind: piximi", text, StringComparison.Ordinal);
        Assert.Contains($"images: \"{project}\"", text, StringComparison.Ordinal);
        Assert.Contains("optimizer: [Adam, Adamax, RMSProp]", text, StringComparison.Ordinal);
        Assert.Contains("learning_rate: {from: 0.003, to: 0.03}", text, StringComparison.Ordinal);
        Assert.Contains("batch_size: {from: 4, to: 16}", text, StringComparison.Ordinal);
        Assert.Contains("epochs: 1", text, StringComparison.Ordinal);

        var validate = await Cli.RunAsync("validate", file);
        Assert.True(validate.ExitCode == 0, validate.ToString());
        Assert.Contains("Grid: 27 trials", validate.Output, StringComparison.Ordinal);

        var again = await Cli.RunAsync("init", "--from", project, "-o", file);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already exists; use --force", again.Error, StringComparison.Ordinal);
        Assert.Equal(0, (await Cli.RunAsync("init", "--from", project, "-o", file, "--force")).ExitCode);

        var missing = await Cli.RunAsync("init", "--from", Path.Combine(folder.Path, "none.zip"), "-o", Path.Combine(folder.Path, "x.yaml"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("none.zip: file not found", missing.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(folder.Path, "x.yaml")));
    }

    [Fact]
    public async Task InitWritesTheProjectsOwnSettingsAsTheBaselineAndPiximisDefaultsWhenItHasNone()
    {
        using var folder = new TestFolder();
        var project = TinyProject(folder, p => { p.Optimizer = "Stochastic gradient descent (SGD)"; p.LearningRate = 0.005; p.Epochs = 2; });
        var file = Path.Combine(folder.Path, "sgd.yaml");

        var init = await Cli.RunAsync("init", "--from", project, "-o", file);

        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.Contains("""
            baseline:
              optimizer: StochasticGradientDescent
              loss: CategoricalCrossEntropy
              learning_rate: 0.005
              batch_size: 8
              epochs: 2
              model: SimpleCNN
            """.ReplaceLineEndings("\n"), File.ReadAllText(file), StringComparison.Ordinal);
        Assert.Equal(new BaselineSpec(OptimizerKind.StochasticGradientDescent, LossKind.CategoricalCrossEntropy, 0.005, 8, 2, ModelKind.SimpleCNN),
            SweepFile.Load(LocalDisk.Instance, file).Definition.Baseline);
        // 0.005 is off the guide's ladder, so the baseline is a trial of its own before the grid's.
        var validate = await Cli.RunAsync("validate", file);
        Assert.Contains("+ 1 of the baseline", validate.Output, StringComparison.Ordinal);
        Assert.Contains("Baseline (your settings): StochasticGradientDescent, CategoricalCrossEntropy, learning rate 0.005, batch size 8, 2 epochs",
            validate.Output, StringComparison.Ordinal);

        // No classifier settings: Piximi's defaults, said so; its batch of 32 cut to the 30 training images (40 × 0.75).
        var bare = TinyProject(folder, p => p.WithClassifier = false);
        var defaults = Path.Combine(folder.Path, "bare.yaml");
        Assert.Equal(0, (await Cli.RunAsync("init", "--from", bare, "-o", defaults)).ExitCode);
        var text = File.ReadAllText(defaults);
        Assert.Contains("# The project holds no classifier settings, so the baseline is Piximi's defaults", text, StringComparison.Ordinal);
        Assert.Contains("  batch_size: 30   # 32 is more than the 30 training images", text, StringComparison.Ordinal);
        Assert.Equal(BaselineSpec.PiximiDefaults with { BatchSize = 30 }, SweepFile.Load(LocalDisk.Instance, defaults).Definition.Baseline);
    }

    /// <summary>
    /// The question a Piximi user asks, answered from a saved project: init --from writes the project's settings as the
    /// baseline, the sweep runs it first, and best and the report say how the winner compares with it, in numbers the
    /// store holds. Three trials (the baseline and two of the grid) keep it short.
    /// </summary>
    [Fact]
    public async Task AnInitSweepShowsTheGainOverTheProjectsOwnSettingsInBestAndTheReport()
    {
        using var folder = new TestFolder();
        var project = TinyProject(folder, p => { p.LearningRate = 0.001; p.BatchSize = 16; });
        var file = Path.Combine(folder.Path, "tiny.yaml");
        Assert.Equal(0, (await Cli.RunAsync("init", "--from", project, "-o", file)).ExitCode);

        var run = await Cli.RunProcessAsync(folder.Path, TimeSpan.FromMinutes(3), "run", file, "--db", folder.Db, "--workers", "1", "--max-trials", "3");
        Assert.True(run.ExitCode is 0 or 4, run.ToString());
        var best = await Cli.RunAsync("best", "--db", folder.Db);
        var report = await Cli.RunAsync("report", "--db", folder.Db, "--format", "md");

        using var store = TrialStores.OpenSqlite(folder.Db);
        var sweep = store.ListSweeps().Single();
        var summaries = store.SummarizeTrials(sweep.Id);
        var baseline = summaries.Single(s => s.Trial.Number == 1);
        Assert.Equal((OptimizerKind.Adam, 0.001, 16), (baseline.Trial.Hyperparameters.Optimizer, baseline.Trial.Hyperparameters.LearningRate, baseline.Trial.Hyperparameters.BatchSize));
        var winner = Ranking.Rank(summaries, sweep.Definition.Metric).First();
        var expected = winner.Summary.Trial.Number == 1
            ? "your settings are the best found"
            : ((winner.Summary.Final!.ValAccuracy - baseline.Final!.ValAccuracy) * 100).ToString("+0.0;-0.0;+0.0", System.Globalization.CultureInfo.InvariantCulture)
              + " pp val_accuracy over your settings";
        Assert.Contains(expected, best.Output, StringComparison.Ordinal);
        Assert.Contains(expected, report.Output, StringComparison.OrdinalIgnoreCase); // the report starts its sentence with a capital
        Assert.Contains("## Against your settings", report.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASweepTrainsFromAPiximiProject()
    {
        using var folder = new TestFolder();
        var project = TinyProject(folder);
        var file = folder.Write("tiny.yaml", $"""
            name: tiny
            dataset: {"{"}kind: piximi, images: "{project}", training_percentage: 0.75{"}"}
            parameters: {"{"}optimizer: Adam, learning_rate: 0.01, batch_size: 8, epochs: 1, seed: 1{"}"}
            """);

        var run = await Cli.RunProcessAsync(folder.Path, TimeSpan.FromMinutes(3), "run", file, "--db", folder.Db, "--workers", "1");
        Assert.True(run.ExitCode == 0, run.ToString());
        var trials = await Cli.RunAsync("trials", "--db", folder.Db, "--sweep", "tiny", "--format", "csv");
        Assert.Contains("completed", trials.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// A project with one image's chunk removed: validate and run refuse it, naming the image and its file, exit 2,
    /// nothing stored. Skipping: the run trains on the rest and says how many it skipped, and so do status, trials
    /// and the report (from the store: the sweep records it).
    /// </summary>
    [Fact]
    public async Task AProjectWithAMissingChunkIsRefusedBeforeAnythingIsStoredAndSkippingCountsIt()
    {
        using var folder = new TestFolder();
        var project = TinyProject(folder);
        using (var zip = System.IO.Compression.ZipFile.Open(project, System.IO.Compression.ZipArchiveMode.Update))
            zip.GetEntry("cells.zarr/project/things/img7.png/img7.png/0.0.0.0")!.Delete();
        var file = folder.Write("tiny.yaml", $"""
            name: tiny
            description: dark against bright, one image short
            dataset: {"{"}kind: piximi, images: "{project}", training_percentage: 0.75{"}"}
            parameters: {"{"}optimizer: Adam, learning_rate: 0.01, batch_size: 8, epochs: 1, seed: 1{"}"}
            """);

        var validate = await Cli.RunAsync("validate", file);
        var run = await Cli.RunAsync("run", file, "--db", folder.Db, "--workers", "1");

        foreach (var refused in new[] { validate, run })
        {
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains($"{project}: 1 problem(s) with the images", refused.Error, StringComparison.Ordinal);
            Assert.Contains("image 'img7.png' (project/things/img7.png/img7.png/0.0.0.0): its pixel data is missing from the zip", refused.Error, StringComparison.Ordinal);
        }
        Assert.False(File.Exists(folder.Db));

        var skipping = await Cli.RunProcessAsync(folder.Path, TimeSpan.FromMinutes(3), "run", file, "--db", folder.Db, "--workers", "1", "--skip-bad-images");
        Assert.True(skipping.ExitCode == 0, skipping.ToString());
        Assert.Contains("Skipped 1 bad image(s) (--skip-bad-images): image 'img7.png'", skipping.Output, StringComparison.Ordinal);
        var status = await Cli.RunAsync("status", "--db", folder.Db);
        var trials = await Cli.RunAsync("trials", "--db", folder.Db);
        var report = await Cli.RunAsync("report", "--db", folder.Db, "--format", "md");
        Assert.Contains("Data: 39 images at 20×20×1, 1 bad image(s) skipped", status.Output, StringComparison.Ordinal);
        Assert.Contains("Description: dark against bright, one image short", status.Output, StringComparison.Ordinal);
        Assert.Contains("- Description: dark against bright, one image short", report.Output, StringComparison.Ordinal);
        Assert.Contains("data: 39 images at 20×20×1, 1 bad image(s) skipped", trials.Output, StringComparison.Ordinal);
        Assert.Contains("39 images at 20×20×1, 1 bad image(s) skipped", report.Output, StringComparison.Ordinal);
    }
}
