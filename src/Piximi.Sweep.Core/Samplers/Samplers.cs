namespace Piximi.Sweep.Core;

/// <summary>
/// The samplers a sweep draws its trials from: the grid's walk, random draws or TPE. <see cref="For"/> says which one a
/// definition uses; the sweep-file readers only parse, and never choose or run one.
/// </summary>
public static class Samplers
{
    /// <summary>
    /// The sampler of <paramref name="definition"/>: its method's, seeded by its <c>sampler_seed</c>. A grid with a
    /// pruner is walked in an order shuffled by that seed unless the definition keeps the written order
    /// (<see cref="GridOrder"/>): ASHA judges each trial against those that reached its rung before it, and the written
    /// order puts near-identical settings side by side, so the first trials at a rung would all be alike (Optuna's
    /// GridSampler visits a grid shuffled for the same reason).
    /// </summary>
    /// <exception cref="ArgumentException">The space has an empty list, or a learning rate a sampler cannot draw from.</exception>
    public static ISampler For(SweepDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return definition.Method switch
        {
            SearchMethod.Grid => Grid(definition.Parameters, ShufflesGrid(definition) ? definition.SamplerSeed : null),
            SearchMethod.Random => Random(definition.Parameters, definition.SamplerSeed),
            SearchMethod.Tpe => Tpe(definition.Parameters, definition.SamplerSeed),
            _ => throw new ArgumentOutOfRangeException(nameof(definition), definition.Method, "Not a search method."),
        };
    }

    private static bool ShufflesGrid(SweepDefinition definition) =>
        definition.Pruner is not null && definition.GridOrder == GridOrder.ShuffledWhenPruned;

    /// <summary>
    /// Every point of <see cref="Core.Grid.Expand"/> once, position i proposing the i-th: in the written order, or,
    /// given <paramref name="shuffleSeed"/>, in an order shuffled by it (each order equally likely). There are
    /// <see cref="Core.Grid.Count"/> positions; the history is not read.
    /// </summary>
    /// <exception cref="ArgumentException">A list of the space is empty.</exception>
    public static ISampler Grid(ParameterSpace space, int? shuffleSeed = null) => new GridSampler(space, shuffleSeed);

    /// <summary>
    /// Each list of the space uniformly; the learning rate log-uniformly over [min, max] of the space's learning
    /// rates. Proposals ignore the history's contents (only its length, the trial's position, picks the draw).
    /// </summary>
    /// <exception cref="ArgumentException">A list of the space is empty, or a learning rate lies outside (0, 1].</exception>
    public static ISampler Random(ParameterSpace space, int seed) => new RandomSampler(SamplingSpace.Of(space), seed);

    /// <summary>
    /// Tree-structured Parzen estimator, as Optuna's (independent) TPESampler: random for the first
    /// <see cref="TpeOptions.StartupTrials"/> proposals — the very proposals <see cref="Random"/> makes with the same
    /// seed — then each parameter from the candidates that maximise l(x)/g(x).
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="Random"/>, or the options are out of range.</exception>
    public static ISampler Tpe(ParameterSpace space, int seed, TpeOptions? options = null)
    {
        options ??= new TpeOptions();
        options.Validate();
        var sampling = SamplingSpace.Of(space);
        return new TpeSampler(sampling, seed, options, new RandomSampler(sampling, seed));
    }
}

/// <summary>
/// Optuna's TPESampler defaults: <c>n_startup_trials</c> 10, <c>n_ei_candidates</c> 24, <c>prior_weight</c> 1.
/// The split into good and bad is Optuna's default γ(n) = min(⌈0.1·n⌉, 25) best observations.
/// </summary>
public sealed record TpeOptions(int StartupTrials = 10, int Candidates = 24, double PriorWeight = 1.0)
{
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(StartupTrials, nameof(StartupTrials));
        ArgumentOutOfRangeException.ThrowIfLessThan(Candidates, 1, nameof(Candidates));
        // A prior of zero would leave g(x) = 0 wherever no bad observation lies, and l/g undefined there.
        if (!(PriorWeight > 0 && double.IsFinite(PriorWeight)))
        {
            throw new ArgumentOutOfRangeException(nameof(PriorWeight), PriorWeight, "Must be > 0 and finite.");
        }
    }
}
