using System.Globalization;
using System.Text.Json;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Training.Piximi;

/// <summary>
/// A project's image-classifier settings as Piximi saved them: the optimizer and loss as written (display strings such
/// as "Stochastic gradient descent (SGD)", or enum names) and as this tool's kinds (null when not recognised).
/// </summary>
public sealed record PiximiClassifierSettings(
    string Model,
    string OptimizerWritten,
    OptimizerKind? Optimizer,
    string LossWritten,
    LossKind? Loss,
    double? LearningRate,
    int? BatchSize,
    int? Epochs,
    InputShape? InputShape,
    double? TrainingPercentage);

public sealed partial class PiximiProject
{
    /// <summary>
    /// The image classifier's settings: <c>classifier/&lt;kind&gt;/&lt;model&gt;/model_info/{optimizer_settings,
    /// preprocessing_settings}</c> (Piximi 1.1), or <c>classifier/{optimizer_settings, input_shape}</c> (0.2–1.0), for
    /// the <c>Image</c> kind and its SimpleCNN (else its first model); null when the project has none.
    /// </summary>
    public PiximiClassifierSettings? ReadSettingsOrNull()
    {
        var kinds = TextList(Attributes("classifier"), "classifier_kinds", "classifier");
        if (kinds is not null)
        {
            var kind = kinds.Contains(ImageKind) ? ImageKind : kinds.FirstOrDefault();
            if (kind is null) return null;
            var models = TextList(Attributes($"classifier/{kind}"), "models", $"classifier/{kind}") ?? [];
            var model = models.FirstOrDefault(m => m == "SimpleCNN") ?? models.FirstOrDefault();
            if (model is null) return null;
            var info = $"classifier/{kind}/{model}/model_info";
            return Settings(model, $"{info}/optimizer_settings", $"{info}/preprocessing_settings", $"{info}/preprocessing_settings");
        }
        if (Exists("classifier/optimizer_settings/.zattrs"))
            return Settings("SimpleCNN", "classifier/optimizer_settings", "classifier", "classifier");
        return null;
    }

    private PiximiClassifierSettings Settings(string model, string optimizerGroup, string shapeGroup, string percentGroup)
    {
        var optimizer = Attributes(optimizerGroup);
        var optimizerWritten = Text(optimizer, "optimization_algorithm") ?? "";
        var lossWritten = Text(optimizer, "loss_function") ?? "";
        var percent = Number(Attributes(percentGroup), "training_percent");
        InputShape? shape = null;
        if (Exists($"{shapeGroup}/input_shape/.zarray"))
        {
            var info = ArrayInfo($"{shapeGroup}/input_shape");
            var values = ArrayValues($"{shapeGroup}/input_shape", info);
            if (values.Length == 4 && values.Skip(1).All(v => v >= 1 && v == Math.Floor(v) && v <= 10_000))
                shape = new InputShape((int)values[1], (int)values[2], (int)values[3]);
        }
        return new PiximiClassifierSettings(
            model, optimizerWritten, MatchOptimizer(optimizerWritten), lossWritten, MatchLoss(lossWritten),
            Number(optimizer, "learning_rate") is { } rate ? Math.Round(rate, 6) : null, // Piximi rounds to 6 places too
            Whole(Number(optimizer, "batch_size")), Whole(Number(optimizer, "epochs")), shape,
            percent is { } p ? Math.Round(p, 2) : null);
    }

    private static int? Whole(double? value) => value is { } v && v >= 1 && v <= int.MaxValue ? (int)v : null;

    // Piximi's display strings (PiximiNames) and the enum names, compared by letters only: "Stochastic gradient
    // descent (SGD)", "StochasticGradientDescent" and "stochastic_gradient_descent" match; so does "sgd".
    private static readonly Dictionary<string, OptimizerKind> Optimizers =
        Enum.GetValues<OptimizerKind>().ToDictionary(k => Letters(PiximiNames.Optimizer(k)), StringComparer.Ordinal);

    private static readonly Dictionary<string, LossKind> Losses =
        Enum.GetValues<LossKind>().ToDictionary(k => Letters(PiximiNames.Loss(k)), StringComparer.Ordinal);

    public static OptimizerKind? MatchOptimizer(string written)
    {
        var letters = Letters(written);
        foreach (var kind in Enum.GetValues<OptimizerKind>())
            if (Letters(kind.ToString()) == letters) return kind;
        if (letters == "sgd") return OptimizerKind.StochasticGradientDescent;
        return Optimizers.TryGetValue(letters, out var k) ? k : null;
    }

    public static LossKind? MatchLoss(string written)
    {
        var letters = Letters(written);
        foreach (var kind in Enum.GetValues<LossKind>())
            if (Letters(kind.ToString()) == letters) return kind;
        return Losses.TryGetValue(letters, out var k) ? k : null;
    }

    private static string Letters(string text) =>
        new([.. text.Where(char.IsLetterOrDigit).Select(c => char.ToLower(c, CultureInfo.InvariantCulture))]);

    /// <summary>For <c>init</c>: the settings and the labelled-image count, refusing what a sweep could not train on.</summary>
    public static (PiximiClassifierSettings? Settings, int LabelledImages, int Channels, string Version) Summarise(string path)
    {
        using var project = Open(path);
        var labels = project.Labels(includeInference: false);
        return (project.ReadSettingsOrNull(), labels.Items.Count, labels.Items[0].Channels, project.Version);
    }

}
