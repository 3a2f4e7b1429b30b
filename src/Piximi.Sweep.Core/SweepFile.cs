using Piximi.Sweep.Core.Wandb;
using Piximi.Sweep.Core.Yaml;

namespace Piximi.Sweep.Core;

/// <summary>A sweep file that passed validation.</summary>
public sealed record LoadedSweep(SweepDefinition Definition)
{
    private IReadOnlyList<Hyperparameters>? _trials;

    /// <summary>The definition the file gave; setting it (a <c>with</c>) forgets the trials planned for the old one.</summary>
    public SweepDefinition Definition
    {
        get;
        init
        {
            field = value;
            _trials = null;
        }
    } = Definition;

    /// <summary>
    /// The trials stored when the sweep is created (<see cref="TrialPlan.UpFront"/>), planned from the definition on
    /// first use: the reader only parses, and one place decides the trials of every format.
    /// </summary>
    public IReadOnlyList<Hyperparameters> Trials => _trials ??= TrialPlan.UpFront(Definition);

    /// <summary>The file's <c>budget:</c> (deadline, max_trials); also kept out of the definition: a budget limits one
    /// run of the sweep, and changing it must not make another sweep.</summary>
    public SweepBudget Budget { get; init; } = SweepBudget.None;

    /// <summary>
    /// What the reader left out or decided on the user's behalf (a W&amp;B file's <c>program:</c>, a default metric,
    /// what the ignore-unknown option dropped), each as <c>FILE:LINE:COLUMN: FIELD: note</c>, for run and validate to show.
    /// </summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>
/// How to read a Weights &amp; Biases sweep configuration (WANDB-SWEEPS.md), which does not say what to train on:
/// <see cref="Dataset"/> (a folder of MNIST-style IDX files) and <see cref="Model"/> supply or override its
/// <c>piximi:</c> section; <see cref="IgnoreUnknown"/> notes and drops what cannot be honoured instead of refusing.
/// They are refused for native sweep files, which say all of this themselves.
/// </summary>
public sealed record SweepFileOptions
{
    public string? Dataset { get; init; }

    public string? Model { get; init; }

    public bool IgnoreUnknown { get; init; }

    /// <summary>
    /// How the caller names its own options where messages point to them (the CLI: its flags, such as
    /// <c>--dataset</c>). Core knows no command line, so without it they are named in words.
    /// </summary>
    public Func<CallerOption, string> OptionName { get; init; } = CallerOptions.InWords;

    /// <summary>Whether any option that only a W&amp;B file takes was given.</summary>
    internal bool AnyGiven => Dataset is not null || Model is not null || IgnoreUnknown;

    public static SweepFileOptions None { get; } = new();
}

/// <summary>The caller's options that a sweep file's messages point the user to: to override or add to the file.</summary>
public enum CallerOption
{
    Dataset,
    Model,
    IgnoreUnknown,
    MaxTrials,
    MaxEpochs,
    ComputeHours,
    Deadline,
}

public static class CallerOptions
{
    /// <summary>The default of <see cref="SweepFileOptions.OptionName"/>: "the max-trials option", for a caller with no flags of its own.</summary>
    public static string InWords(CallerOption option) => $"the {Hyphenated(option)} option";

    /// <summary>MaxTrials as max-trials.</summary>
    public static string Hyphenated(CallerOption option) =>
        string.Concat(option.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? $"-{char.ToLowerInvariant(c)}" : $"{char.ToLowerInvariant(c)}"));
}

/// <summary>
/// How much one run of a sweep may do, whichever runs out first: a deadline (text as written, see
/// <see cref="Deadlines"/>), a trial cap, and caps on the epochs and compute hours (summed epoch wall time of every
/// trial) the whole sweep has stored.
/// </summary>
public sealed record SweepBudget(string? Deadline, int? MaxTrials)
{
    /// <summary>At most this many epochs, summed over every trial of the sweep.</summary>
    public int? MaxEpochs { get; init; }

    /// <summary>At most this many hours of training, summed over every trial's epochs (two workers count double).</summary>
    public double? ComputeHours { get; init; }

    public static SweepBudget None { get; } = new(null, null);
}

/// <summary>Reads sweep files (format: SWEEP-FILE.md beside this file).</summary>
public static class SweepFile
{
    /// <summary>Grids larger than this are refused: on this kind of machine they would never finish.</summary>
    public const int MaxTrials = 100_000;

    /// <summary>Field name of errors about the file itself (missing, unreadable).</summary>
    internal const string FileField = "(file)";

    /// <summary>
    /// Reads (through <paramref name="files"/>), parses and validates the sweep file at <paramref name="path"/>, relative
    /// to the view's current folder; see <see cref="Parse(IFileSystemView, string, string, Func{DatasetSpec, int}?, SweepFileOptions?)"/>.
    /// A file that cannot be read is reported as one error at line 0, column 0 that names the full path.
    /// </summary>
    /// <exception cref="SweepFileException">The file is missing, unreadable or invalid; holds every problem found.</exception>
    public static LoadedSweep Load(IFileSystemView files, string path, Func<DatasetSpec, int>? countImages = null, SweepFileOptions? options = null) =>
        Load(files, path, Sizes(countImages), options);

    /// <summary>
    /// Reads, parses and validates the sweep file at <paramref name="path"/>, checking its dataset with
    /// <paramref name="checkDataset"/>: see <see cref="Parse(IFileSystemView, string, string, Func{DatasetSpec, DatasetFacts}, SweepFileOptions?)"/>.
    /// </summary>
    /// <exception cref="SweepFileException">The file is missing, unreadable or invalid; holds every problem found.</exception>
    public static LoadedSweep Load(IFileSystemView files, string path, Func<DatasetSpec, DatasetFacts> checkDataset, SweepFileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(checkDataset);
        return Load(files, path, Sizes(checkDataset), options);
    }

    private static LoadedSweep Load(IFileSystemView files, string path, Func<DatasetSpec, DatasetSize>? checkDataset, SweepFileOptions? options)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path, files.CurrentFolder);
        return Parse(files, ReadText(files, path, fullPath), path, checkDataset, options);
    }

    /// <summary>The file's text, or the one error that says why it cannot be had (the wording of the file system's own).</summary>
    private static string ReadText(IFileSystemView files, string path, string fullPath)
    {
        try
        {
            return files.Kind(fullPath) switch
            {
                PathKind.Folder => throw FileError(path, $"cannot read {fullPath}: {fullPath} is a folder, not a sweep file"),
                PathKind.Missing => throw FileError(path, $"file not found: {fullPath}"),
                _ => files.ReadText(fullPath),
            };
        }
        // Gone or locked between the look and the read: said as the look would have said it.
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw FileError(path, $"file not found: {fullPath}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw FileError(path, $"cannot read {fullPath}: {e.Message}");
        }
    }

    /// <summary>
    /// Parses and validates sweep-file text. <paramref name="path"/> names the file in messages, gives the default
    /// sweep name (file name without extension) and, resolved against <paramref name="files"/>' current folder, the
    /// folder that relative dataset paths resolve against; <paramref name="files"/> says whether the dataset's files
    /// and folders exist. <paramref name="countImages"/>, when given, returns how many images the dataset yields
    /// (after its subset), by reading the dataset; any exception it throws is reported at <c>dataset.images</c> with
    /// its message. Every batch size must then be at most floor(count × training_percentage).
    /// Nothing is returned unless the whole file is valid.
    /// A Weights &amp; Biases sweep configuration is told from a native file by its shape (see WANDB-SWEEPS.md) and read
    /// with <paramref name="options"/>.
    /// </summary>
    /// <exception cref="SweepFileException">The text is invalid; holds every problem found, in file order.</exception>
    public static LoadedSweep Parse(IFileSystemView files, string yamlText, string path, Func<DatasetSpec, int>? countImages = null, SweepFileOptions? options = null) =>
        Parse(files, yamlText, path, Sizes(countImages), options);

    /// <summary>
    /// Parses and validates sweep-file text as <see cref="Parse(IFileSystemView, string, string, Func{DatasetSpec, int}?, SweepFileOptions?)"/>
    /// does, with a dataset check that also says the shape the images train at (<see cref="DatasetFacts.InputShape"/>):
    /// every model the sweep trains (<c>model</c>, <c>parameters.model</c>, <c>baseline.model</c>) must then take
    /// images of that shape (<see cref="ModelInputs"/>). Without it, only a <c>dataset.input_shape</c> is checked so.
    /// </summary>
    /// <exception cref="SweepFileException">The text is invalid; holds every problem found, in file order.</exception>
    public static LoadedSweep Parse(IFileSystemView files, string yamlText, string path, Func<DatasetSpec, DatasetFacts> checkDataset, SweepFileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(checkDataset);
        return Parse(files, yamlText, path, Sizes(checkDataset), options);
    }

    private static Func<DatasetSpec, DatasetSize>? Sizes(Func<DatasetSpec, int>? countImages) =>
        countImages is null ? null : spec => new DatasetSize(countImages(spec), null);

    private static Func<DatasetSpec, DatasetSize> Sizes(Func<DatasetSpec, DatasetFacts> checkDataset) =>
        spec =>
        {
            var facts = checkDataset(spec);
            return new DatasetSize(facts.Images, facts.InputShape);
        };

    private static LoadedSweep Parse(IFileSystemView files, string yamlText, string path, Func<DatasetSpec, DatasetSize>? checkDataset, SweepFileOptions? options)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(yamlText);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= SweepFileOptions.None;

        var errors = new ErrorSink(path);
        var root = YamlTree.Load(yamlText, errors);
        LoadedSweep? sweep = null;
        if (root is YMapping top && WandbSweepReader.Recognises(top))
        {
            sweep = new WandbSweepReader(path, errors, checkDataset, options, files).Read(top);
        }
        else if (root is not null && options.AnyGiven)
        {
            foreach (var (given, option) in new[] { (options.Dataset is not null, CallerOption.Dataset), (options.Model is not null, CallerOption.Model), (options.IgnoreUnknown, CallerOption.IgnoreUnknown) })
            {
                if (given)
                    errors.Add(0, 0, options.OptionName(option), "applies to Weights & Biases sweep files only; this is a native sweep file, which names its dataset: and model: itself");
            }
        }
        else if (root is not null)
        {
            sweep = new SweepReader(path, errors, checkDataset, files).Read(root);
        }
        if (sweep is null || errors.Count > 0) throw new SweepFileException(errors.Sorted());
        return sweep;
    }

    private static SweepFileException FileError(string path, string message) =>
        new([new SweepFileError(path, 0, 0, FileField, message)]);
}
