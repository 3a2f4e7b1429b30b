using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Piximi.Sweep.Core;
using Piximi.Sweep.Training;
using Piximi.Sweep.Training.Piximi;

namespace Piximi.Sweep.Cli.Commands;

/// <summary>
/// <c>piximi-sweep init --from &lt;project.zip&gt; [-o file] [--force]</c>: a starter sweep file centred on the
/// project's own classifier settings — its optimizer and two neighbours, its loss, a learning-rate ladder from
/// lr/3 to lr·3 and a batch-size ladder from bs/2 to bs·2 (both on the guide's ladders), its epochs and training
/// percentage; and those settings as its <c>baseline:</c>, so the sweep answers how much better than them its best is
/// (Piximi's defaults when the project has none). The text is validated as a sweep file (with the dataset counted)
/// before anything is written; an existing file is kept unless <c>--force</c>.
/// </summary>
internal sealed partial class InitCommand(TextWriter output)
{
    /// <summary>Neighbours tried next to the project's optimizer: the closest in kind first.</summary>
    private static readonly Dictionary<OptimizerKind, OptimizerKind[]> Neighbours = new()
    {
        [OptimizerKind.Adam] = [OptimizerKind.Adamax, OptimizerKind.RMSProp],
        [OptimizerKind.Adamax] = [OptimizerKind.Adam, OptimizerKind.RMSProp],
        [OptimizerKind.RMSProp] = [OptimizerKind.Adam, OptimizerKind.Adadelta],
        [OptimizerKind.Adadelta] = [OptimizerKind.Adagrad, OptimizerKind.RMSProp],
        [OptimizerKind.Adagrad] = [OptimizerKind.Adadelta, OptimizerKind.Adam],
        [OptimizerKind.Momentum] = [OptimizerKind.StochasticGradientDescent, OptimizerKind.Adam],
        [OptimizerKind.StochasticGradientDescent] = [OptimizerKind.Momentum, OptimizerKind.Adam],
    };

    public int Execute(string from, string? outputPath, bool force)
    {
        var project = Path.GetFullPath(from);
        PiximiClassifierSettings? settings;
        int labelled, channels;
        string version;
        try
        {
            (settings, labelled, channels, version) = PiximiProject.Summarise(project);
        }
        catch (DatasetException e)
        {
            throw new UserErrorException(e.Message);
        }

        var name = SweepName(project);
        var target = Path.GetFullPath(outputPath ?? Path.Combine("sweeps", $"{name}.yaml"));
        if (File.Exists(target) && !force)
            throw new UserErrorException($"{target} already exists; use --force to overwrite it, or -o to write elsewhere.");

        var text = Write(project, name, version, settings, labelled, channels);
        // Never write a file that does not validate: parse it back, checking the project's images, first.
        SweepFile.Parse(LocalDisk.Instance, text, target, spec => ImageDataset.Check(spec).Facts);

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temporary = target + ".tmp";
        File.WriteAllText(temporary, text, new UTF8Encoding(false));
        File.Move(temporary, target, overwrite: true);
        output.WriteLine($"Wrote {target}: a starter sweep for {project} (Piximi {version}, {labelled} labelled images).");
        output.WriteLine($"Next: ./piximi-sweep validate {target}    then    ./piximi-sweep run {target}");
        return ExitCodes.Ok;
    }

    internal static string Write(string project, string name, string version, PiximiClassifierSettings? settings, int labelled, int channels)
    {
        var centre = Centre.Of(settings, labelled);
        var sb = new StringBuilder();
        Header(sb, project, version, settings, labelled);
        sb.AppendLine(CultureInfo.InvariantCulture, $"name: {name}");
        Dataset(sb, project, centre.Percentage, settings?.InputShape, channels);
        if (settings is not null && settings.Model != "SimpleCNN")
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"# The project's model is {settings.Model}. SimpleCNN below trains far faster on a CPU; `model: MobileNet` (trained from scratch) sweeps Piximi's MobileNet.");
        sb.AppendLine("model: SimpleCNN");
        sb.AppendLine("metric: val_accuracy");
        Parameters(sb, centre);
        Baseline(sb, settings, new BaselineSpec(centre.Optimizer, centre.Loss, centre.Rate, centre.Batch, centre.Epochs, ModelKind.SimpleCNN), centre.Training);
        return sb.ToString();
    }

    /// <summary>
    /// The project's settings the ladders are centred on (Piximi's defaults where it has none, or where a value is out
    /// of range), and how many of its labelled images train.
    /// </summary>
    private sealed record Centre(OptimizerKind Optimizer, LossKind Loss, double Rate, int Batch, int Epochs, double Percentage, int Training)
    {
        public static Centre Of(PiximiClassifierSettings? settings, int labelled)
        {
            var piximi = BaselineSpec.PiximiDefaults;
            var percentage = settings?.TrainingPercentage is { } p && p is >= 0.1 and <= 0.99 ? p : DefaultTrainingPercentage;
            return new Centre(
                settings?.Optimizer ?? piximi.Optimizer,
                settings?.Loss ?? piximi.Loss,
                settings?.LearningRate is { } r && HyperparameterLimits.IsLearningRate(r) ? r : piximi.LearningRate,
                settings?.BatchSize ?? piximi.BatchSize,
                Math.Clamp(settings?.Epochs ?? piximi.Epochs, 1, 10_000),
                percentage,
                (int)decimal.Floor(labelled * (decimal)percentage));
        }
    }

    private static void Header(StringBuilder sb, string project, string version, PiximiClassifierSettings? settings, int labelled)
    {
        sb.AppendLine(CultureInfo.InvariantCulture, $"# A starter sweep for the Piximi project {project}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"# (saved by Piximi {version}; {labelled} labelled images), written by `piximi-sweep init`.");
        if (settings is null)
            sb.AppendLine("# The project holds no classifier settings: Piximi's defaults are the centre of the ladders.");
        else
            sb.AppendLine(
                $"# Centred on the project's {settings.Model} settings: optimizer {Written(settings.OptimizerWritten, settings.Optimizer)}, loss {Written(settings.LossWritten, settings.Loss)}, "
                + $"learning rate {Show(settings.LearningRate)}, batch size {Show(settings.BatchSize)}, epochs {Show(settings.Epochs)}, training percentage {Show(settings.TrainingPercentage)}.");
        sb.AppendLine("# Edit freely; `piximi-sweep validate` checks it. Reference: src/Piximi.Sweep.Core/SWEEP-FILE.md");
    }

    private static void Dataset(StringBuilder sb, string project, double percentage, InputShape? shape, int channels)
    {
        sb.AppendLine("dataset:");
        sb.AppendLine("  kind: piximi");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  images: {Quote(project)}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  training_percentage: {Number(percentage)}   # the project's: the share that trains, the rest validates");
        sb.AppendLine("  include_inference: false   # true: also train on Inference items with a category (Piximi's predictions)");
        sb.AppendLine(shape switch
        {
            // Written out, so the file says what the images are resized to (the same as leaving it out).
            { Height: >= 16 and <= 1024, Width: >= 16 and <= 1024 } s =>
                FormattableString.Invariant($"  input_shape: {{height: {s.Height}, width: {s.Width}, channels: {channels}}}   # the project's own"),
            { } s => FormattableString.Invariant($"  # input_shape: the project's {s.Height}×{s.Width} is outside 16–1024 a side; give one that fits"),
            null => "  # input_shape: the project has none; the images' own size is used (they must share one)",
        });
    }

    /// <summary>The ladders around the centre: the guide's 3-fold learning rates, 2-fold batch sizes that fit the training images.</summary>
    private static void Parameters(StringBuilder sb, Centre centre)
    {
        var (rateFrom, rateTo) = RateLadder(centre.Rate);
        var batchFrom = Math.Max(1, centre.Batch / 2);
        var batchTo = (long)centre.Batch * 2;
        while (batchTo > Math.Max(1, centre.Training) && batchTo > batchFrom) batchTo /= 2; // every batch must fit the training images
        if (batchFrom > centre.Training) batchFrom = (int)batchTo;
        var optimizers = new[] { centre.Optimizer }.Concat(Neighbours[centre.Optimizer]).ToList();
        sb.AppendLine("parameters:");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  optimizer: [{string.Join(", ", optimizers)}]   # the project's, then two neighbours");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  loss: {centre.Loss}");
        sb.AppendLine(FormattableString.Invariant($"  learning_rate: {{from: {Number(rateFrom)}, to: {Number(rateTo)}}}   # the guide's 3-fold ladder around {Number(centre.Rate)}")
            + (Ladders.LearningRates(centre.Rate, centre.Rate).Count == 0 ? $" ({Number(centre.Rate)} itself is not on the ladder)" : ""));
        sb.AppendLine(FormattableString.Invariant($"  batch_size: {{from: {batchFrom}, to: {batchTo}}}   # the guide's 2-fold ladder around {centre.Batch}")
            + (batchTo < (long)centre.Batch * 2 ? FormattableString.Invariant($" (capped: {centre.Training} training images)") : ""));
        sb.AppendLine(CultureInfo.InvariantCulture, $"  epochs: {centre.Epochs}");
        sb.AppendLine("  seed: 1");
    }

    /// <summary>
    /// <c>baseline:</c>, the settings the project trains with now (those the ladders are centred on), so that best,
    /// status and the report say how much better than them the sweep's best is; Piximi's own defaults when the project
    /// holds none, saying so. SimpleCNN, as the sweep trains: the gain is then the settings', not another model's.
    /// </summary>
    private static void Baseline(StringBuilder sb, PiximiClassifierSettings? settings, BaselineSpec baseline, int training)
    {
        sb.AppendLine(settings is null
            ? "# The project holds no classifier settings, so the baseline is Piximi's defaults (getDefaultModelParams)."
            : "# The baseline is the project's own settings: best, status and the report say how much better the sweep's best is.");
        if (settings is not null && settings.Model != "SimpleCNN")
            sb.AppendLine(CultureInfo.InvariantCulture, $"# (It trains SimpleCNN like the sweep, not the project's {settings.Model}, so the gain is the settings'.)");
        // A batch larger than the training images would have no full batch to train on; the reader refuses it.
        var batch = Math.Min(baseline.BatchSize, Math.Max(1, training));
        sb.AppendLine("baseline:");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  optimizer: {baseline.Optimizer}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  loss: {baseline.Loss}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  learning_rate: {Number(baseline.LearningRate)}");
        sb.AppendLine(FormattableString.Invariant($"  batch_size: {batch}")
            + (batch < baseline.BatchSize ? FormattableString.Invariant($"   # {baseline.BatchSize} is more than the {training} training images") : ""));
        sb.AppendLine(CultureInfo.InvariantCulture, $"  epochs: {baseline.Epochs}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  model: {baseline.Model}");
    }

    /// <summary>lr/3 and lr·3 moved outwards onto the guide's ladder (… 0.001, 0.003, 0.01 …), within (0, 1].</summary>
    internal static (double From, double To) RateLadder(double rate)
    {
        var ladder = Ladders.LearningRates(1e-9, 1);
        var low = rate / 3 * (1 + 1e-9);
        var high = Math.Min(1, rate * 3) * (1 - 1e-9);
        var from = ladder.LastOrDefault(v => v <= low, ladder[0]);
        var to = ladder.FirstOrDefault(v => v >= high, 1);
        return (from, to);
    }

    private static string SweepName(string project)
    {
        var name = NameCharacters().Replace(Path.GetFileNameWithoutExtension(project), "-").Trim('-', '.');
        if (name.Length == 0) name = "piximi-project";
        return name.Length > 100 ? name[..100] : name;
    }

    [GeneratedRegex("[^A-Za-z0-9._-]+")]
    private static partial Regex NameCharacters();

    private static string Written<T>(string written, T? kind) where T : struct, Enum =>
        kind is { } k ? (written == k.ToString() ? written : $"\"{written}\" ({k})") : $"\"{written}\" (not recognised; {Default<T>()} used)";

    private static string Default<T>() => typeof(T) == typeof(OptimizerKind) ? "Adam" : "CategoricalCrossEntropy";

    private static string Show(double? value) => value is { } v ? Number(v) : "(none)";

    private static string Show(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "(none)";

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A YAML double-quoted scalar: safe for any path.</summary>
    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>Piximi's training percentage (getDefaultModelParams' trainingPercentage), as the sweep reader's default.</summary>
    private const double DefaultTrainingPercentage = 0.75;
}

internal sealed partial class InitCommand
{
    /// <summary>The <c>init</c> command line, added to the root by <see cref="CliApp"/>.</summary>
    public static System.CommandLine.Command Command(TextWriter output)
    {
        var from = new System.CommandLine.Option<string>("--from") { Description = "A saved Piximi project (.zip)", Required = true };
        var file = new System.CommandLine.Option<string?>("--output", "-o") { Description = "Where to write (default: sweeps/<project>.yaml)" };
        var force = new System.CommandLine.Option<bool>("--force") { Description = "Overwrite an existing file" };
        var command = new System.CommandLine.Command("init", "Write a starter sweep file from a Piximi project's own classifier settings") { from, file, force };
        command.SetAction(p => new InitCommand(output).Execute(p.GetRequiredValue(from), p.GetValue(file), p.GetValue(force)));
        return command;
    }
}
