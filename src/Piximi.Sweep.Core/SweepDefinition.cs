using System.Text.Json.Serialization;

namespace Piximi.Sweep.Core;

/// <summary>
/// Where the images come from. Paths are absolute (resolved against the sweep file's folder when parsed).
/// <see cref="Kind"/>: <c>idx</c> (<see cref="Images"/> and <see cref="Labels"/> are IDX files), <c>piximi</c>
/// (<see cref="Images"/> is a saved Piximi project <c>.zip</c>), <c>folder</c> (<see cref="Images"/> is a folder of
/// <c>&lt;class name&gt;/&lt;image&gt;</c>); <see cref="Labels"/> is null but for idx.
/// <see cref="Subset"/> takes a fixed sample (seed 0) of that many images before the split, so every trial of a
/// sweep draws from the same pool; the split into training and validation is shuffled with each trial's own seed.
/// </summary>
public sealed record DatasetSpec(
    string Kind,
    string Images,
    string? Labels,
    double TrainingPercentage,
    int? Subset)
{
    public const string Idx = "idx";
    public const string Piximi = "piximi";
    public const string Folder = "folder";

    /// <summary>Labels are class indices; beyond this many classes a label is surely not one.</summary>
    public const int MaxClasses = 65_536;

    // Left out of the stored JSON at their defaults, so existing sweeps keep their stored identity.

    /// <summary>
    /// The size every image is resized to (bilinear) before training, as Piximi's input shape; null: the images'
    /// own size (IDX files, whose images all have one size), or the project's own input shape (Piximi projects).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public InputShape? InputShape { get; init; }

    /// <summary>
    /// IDX only: the classes' names in label order (<c>dataset.classes</c>), so label i is <c>Classes[i]</c> and their
    /// count is the class count, whatever labels the file holds; null: the labels 0 to the largest one, named by number,
    /// each of which must occur. The names reach the trials' stored evaluations, and so the reports and exports.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Classes { get; init; }

    /// <summary>Piximi projects: also train on <c>Inference</c> items with a known category (predictions, not labels).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool IncludeInference { get; init; }

    /// <summary>Skip (and count) corrupt or unreadable images instead of refusing the dataset.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool SkipBadImages { get; init; }

    /// <summary>
    /// What validation found in the data when the sweep was created (null for sweeps created before it was kept):
    /// what the exports and reports tell Piximi without reading the data again. Not part of the sweep's identity
    /// (<see cref="SweepJson.Identity"/>): the same file run again is the same sweep.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DatasetFacts? Facts { get; init; }

    /// <summary>
    /// How many of <paramref name="count"/> images train: floor(count × training percentage), in decimal so that
    /// e.g. 1000 × 0.7 is 700 and not 699.99999999999989 → 699. Validation and training both split this way.
    /// </summary>
    public int TrainingImages(int count) => TrainingImagesOf(count, TrainingPercentage);

    /// <inheritdoc cref="TrainingImages(int)"/>
    public static int TrainingImagesOf(int count, double trainingPercentage) =>
        count <= 0 ? 0 : (int)decimal.Floor(count * (decimal)trainingPercentage);
}

/// <summary>
/// What a dataset held when its sweep was created: the <see cref="InputShape"/> every image is trained at (the spec's,
/// or, when it sets none, the images' own size, or a Piximi project's classifier input shape), the number of images
/// the sweep draws from (after its subset) and how many bad images were skipped (with <see cref="DatasetSpec.SkipBadImages"/>).
/// </summary>
public sealed record DatasetFacts(InputShape InputShape, int Images, int SkippedImages);

/// <summary>
/// Piximi's input shape without its planes (always 1 here): every image is resized to height × width and has this
/// many channels (1 to 4).
/// </summary>
public sealed record InputShape(int Height, int Width, int Channels);

/// <summary>The lists the grid is the product of; each list holds at least one value.</summary>
public sealed record ParameterSpace(
    IReadOnlyList<OptimizerKind> Optimizers,
    IReadOnlyList<LossKind> Losses,
    IReadOnlyList<double> LearningRates,
    IReadOnlyList<int> BatchSizes,
    IReadOnlyList<int> Epochs,
    TimeSpan? TimeBudget,
    IReadOnlyList<int> Seeds)
{
    /// <summary>
    /// How a sampler draws the learning rate (the grid always takes <see cref="LearningRates"/> as listed). Left out
    /// of the stored JSON at its default, so the definitions of sweeps made before it existed read exactly as before.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public LearningRateDistribution LearningRateDistribution { get; init; }

    /// <summary>
    /// The models the sweep tries (<c>parameters.model</c>), or null for SimpleCNN alone. Null rather than
    /// [SimpleCNN], and left out of the stored JSON when null, so sweeps that only ever had SimpleCNN read and compare
    /// exactly as before models became a parameter. Use <see cref="ModelList"/> to read it.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ModelKind>? Models { get; init; }

    /// <summary>The models to try, in the order given: <see cref="Models"/>, or SimpleCNN alone.</summary>
    [JsonIgnore]
    public IReadOnlyList<ModelKind> ModelList => Models ?? DefaultModels;

    private static readonly ModelKind[] DefaultModels = [ModelKind.SimpleCNN];

    /// <summary>
    /// The <see cref="Models"/> value for these models: null for SimpleCNN alone (the form sweeps had before models
    /// became a parameter), else the list as given.
    /// </summary>
    public static IReadOnlyList<ModelKind>? ModelsOf(IReadOnlyList<ModelKind> models) =>
        models.Count == 1 && models[0] == ModelKind.SimpleCNN ? null : models;

    /// <summary>Throws when a list is empty: a grid or a sampler over it would silently have nothing to try.</summary>
    /// <param name="user">Who needs the values, for the message ("the grid", "a sampler").</param>
    internal void RequireEveryList(string user)
    {
        Require(Optimizers, nameof(Optimizers));
        Require(Losses, nameof(Losses));
        Require(LearningRates, nameof(LearningRates));
        Require(BatchSizes, nameof(BatchSizes));
        Require(Epochs, nameof(Epochs));
        Require(Seeds, nameof(Seeds));
        if (Models is not null) Require(Models, nameof(Models));

        void Require<T>(IReadOnlyList<T> values, string name)
        {
            if (values is null || values.Count == 0)
                throw new ArgumentException($"The parameter space's {name} list is empty; {user} needs at least one value.", name);
        }
    }
}

/// <summary>How samplers draw the learning rate from <see cref="ParameterSpace.LearningRates"/>.</summary>
public enum LearningRateDistribution
{
    /// <summary>Log-uniformly over [min, max] of the list (the native format's random search; W&amp;B's <c>log_uniform_values</c>).</summary>
    LogUniform,
    /// <summary>Uniformly over [min, max] of the list (W&amp;B's <c>uniform</c>).</summary>
    Uniform,
    /// <summary>One of the listed values, each equally likely (W&amp;B's <c>values:</c> / <c>categorical</c>).</summary>
    Values,
}

/// <summary>
/// A validated sweep file. <see cref="Metric"/> ranks trials: one of <c>val_accuracy</c> (the default),
/// <c>val_loss</c>, <c>accuracy</c>, <c>loss</c>, always in that lower-case spelling. Built by <see cref="SweepFile"/>.
/// </summary>
public sealed record SweepDefinition(
    string Name,
    DatasetSpec Dataset,
    ModelKind Model,
    string Metric,
    ParameterSpace Parameters)
{
    // Left out of the stored JSON at their defaults, so a grid sweep's definition reads exactly as before they existed
    // (and stores made then still recognise their sweeps).

    /// <summary>How trials are chosen: every point of the grid, or <see cref="Trials"/> random draws.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public SearchMethod Method { get; init; }

    /// <summary>The seed of the sampler's draws (not of training: that is each trial's own seed).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int SamplerSeed { get; init; }

    /// <summary>
    /// How many trials a sampler draws; null for the grid, which has as many as its points, and for a random or TPE
    /// search without a count (a W&amp;B file without <c>run_cap</c>), which goes on until a budget, the deadline or Ctrl+C
    /// stops it (<see cref="IsOpenEnded"/>).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Trials { get; init; }

    /// <summary>
    /// The order a grid with a pruner is walked in (<see cref="Samplers.For"/>); without a pruner, or for another
    /// method, both orders are the written one. Stored, but not part of the sweep's identity (<see cref="SweepJson.Identity"/>):
    /// it is the file format's rule rather than a setting, and W&amp;B grids stored before it existed do not hold it.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public GridOrder GridOrder { get; init; }

    /// <summary>A random or TPE search without a trial count: its sampler proposes until a budget, the deadline or Ctrl+C.</summary>
    [JsonIgnore]
    public bool IsOpenEnded => Method != SearchMethod.Grid && Trials is null;

    /// <summary>
    /// Whether the sampler proposes each trial when a worker is free, rather than every trial being stored when the
    /// sweep is created: TPE (which learns from the results so far), and an open-ended random search (whose draws
    /// are those it would have made up front: each is seeded by its position).
    /// </summary>
    [JsonIgnore]
    public bool ProposesAsItRuns => Method == SearchMethod.Tpe || IsOpenEnded;

    /// <summary>Early stopping between trials (ASHA, Hyperband, median); null: every trial runs all its epochs.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PrunerSpec? Pruner { get; init; }

    /// <summary>
    /// The file's free-text <c>description:</c>, shown by status and the reports. Stored, but not part of the sweep's
    /// identity (<see cref="SweepJson.Identity"/>): rewording it does not make another sweep; the first wording stays.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Description { get; init; }

    /// <summary>Early stopping within a trial, restoring the best epoch's weights; null: none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public EarlyStoppingSpec? EarlyStopping { get; init; }

    /// <summary>
    /// The settings the user has now (<c>baseline:</c>), run once per seed before anything else and never pruned, so
    /// that the result can be told as a gain over them (<see cref="Baselines"/>); null: none.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BaselineSpec? Baseline { get; init; }
}

/// <summary>How a grid with a pruner is walked (<see cref="SweepDefinition.GridOrder"/>).</summary>
public enum GridOrder
{
    /// <summary>Shuffled by <c>sampler_seed</c> (the native format; see <see cref="Samplers.For"/> for why).</summary>
    ShuffledWhenPruned,
    /// <summary>As written, pruner or not: a W&amp;B grid, which W&amp;B's agent walks in order whatever its <c>early_terminate</c>.</summary>
    Written,
}

public enum SearchMethod
{
    Grid,
    /// <summary>Each parameter drawn from its list, the learning rate log-uniformly between its lowest and highest value.</summary>
    Random,
    /// <summary>
    /// Tree-structured Parzen estimator (<see cref="Samplers.Tpe"/>): <see cref="SweepDefinition.Trials"/> trials,
    /// each proposed when a worker asks for one, from the results stored so far.
    /// </summary>
    Tpe,
}
