namespace Piximi.Sweep.Core;

/// <summary>
/// The settings a Piximi user trains with today (sweep file <c>baseline:</c>): the reference the sweep's result is
/// measured against. One value each, and no seed: a baseline runs once per seed of the sweep, like any setting.
/// </summary>
public sealed record BaselineSpec(
    OptimizerKind Optimizer,
    LossKind Loss,
    double LearningRate,
    int BatchSize,
    int Epochs,
    ModelKind Model)
{
    /// <summary>
    /// What Piximi trains with when nobody changed anything: <c>getDefaultModelParams</c> (Piximi's
    /// src/utils/models/classification/utils.ts:25-55, commit 20f46898: Adam, CategoricalCrossEntropy, learning rate
    /// 0.01, batch size 32, 10 epochs) and its first classifier architecture (src/store/classifier/classifierSlice.ts:22
    /// <c>modelNameOrArch: 0</c>, which is SimpleCNN in classifierHandler.ts:27). The sweep file's parameter defaults
    /// are the same values.
    /// </summary>
    public static BaselineSpec PiximiDefaults { get; } = new(
        OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, SweepReader.DefaultLearningRate, SweepReader.DefaultBatchSize,
        SweepReader.DefaultEpochs, ModelKind.SimpleCNN);

    /// <summary>
    /// The trial of these settings with <paramref name="seed"/>. No time budget, even in a sweep whose epochs have one:
    /// Piximi trains its epochs in full, and the baseline is what the user has there.
    /// </summary>
    public Hyperparameters Trial(int seed) =>
        new(Optimizer, Loss, LearningRate, BatchSize, Epochs, TimeBudget: null, seed) { Model = Model };
}

/// <summary>
/// Which trials are a sweep's baseline, and where they go. A trial is a baseline trial when its hyperparameters, seed
/// aside, equal the definition's baseline: nothing is stored to mark it, so any store, old or new, answers the same.
/// </summary>
public static class Baselines
{
    /// <summary>Whether <paramref name="trial"/> runs the definition's baseline settings (with any seed).</summary>
    public static bool IsBaseline(SweepDefinition definition, Hyperparameters trial)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(trial);
        return definition.Baseline is { } baseline && trial with { Seed = 0 } == baseline.Trial(0);
    }

    /// <summary>The baseline's trials, one per seed of the sweep in the seeds' order; none without a baseline.</summary>
    public static IReadOnlyList<Hyperparameters> Trials(SweepDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return definition.Baseline is { } baseline ? [.. definition.Parameters.Seeds.Select(baseline.Trial)] : [];
    }

    /// <summary>
    /// How many trials a sweep whose sampler proposes as it runs (<see cref="SweepDefinition.ProposesAsItRuns"/>) holds
    /// when done: its <c>trials:</c> on top of the baseline's, which are stored when the sweep is created;
    /// <see cref="OpenEnded"/> for a sweep without a trial count. Null for sweeps whose trials are all stored then.
    /// </summary>
    public static int? ProposedTotal(SweepDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (!definition.ProposesAsItRuns) return null;
        return definition.Trials is { } trials ? trials + Trials(definition).Count : OpenEnded;
    }

    /// <summary>
    /// <see cref="ProposedTotal"/> of an open-ended sweep: trial numbers are <see cref="int"/>s, so no store holds more,
    /// and the sums of trials in the store and still to propose never overflow.
    /// </summary>
    public const int OpenEnded = int.MaxValue;

    /// <summary>
    /// Where the sampler's next proposal stands among its own proposals, when the store holds
    /// <paramref name="trialsInStore"/> trials: the baseline's trials come first and are not the sampler's, so its
    /// draws are those of a sweep without a baseline.
    /// </summary>
    public static int ProposalPosition(SweepDefinition definition, int trialsInStore) =>
        Math.Max(0, trialsInStore - Trials(definition).Count);

    /// <summary>
    /// The gain of the sweep's winner over its baseline in <paramref name="metric"/> (default: the sweep's), from the
    /// stored trial summaries; null for a sweep without a baseline. The winner is whom <c>best</c> ranks first: the
    /// setting with the best mean over its seeds when the sweep has several (unless <paramref name="perTrial"/>), else
    /// the best single trial. The baseline is its completed trials' mean.
    /// </summary>
    public static BaselineGain? Gain(SweepDefinition definition, IReadOnlyList<TrialSummary> summaries, string? metric = null, bool perTrial = false)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(summaries);
        if (definition.Baseline is not { } settings) return null;
        metric ??= definition.Metric;
        var ranked = Ranking.Rank(summaries, metric);
        var trials = summaries.Select(s => s.Trial).Where(t => IsBaseline(definition, t.Hyperparameters)).ToList();
        var scored = ranked.Where(r => IsBaseline(definition, r.Summary.Trial.Hyperparameters))
            .Select(r => (r.Summary.Trial.Number, r.Score)).OrderBy(r => r.Number).ToList();
        var baseline = scored.Count > 0 ? ScoreGroup.Of(scored) : null;

        Hyperparameters? winnerSettings = null;
        ScoreGroup? winner = null;
        var bySettings = Replicates.BySettings(definition, perTrial);
        if (bySettings)
        {
            if (Replicates.Rank(ranked.Select(r => (r.Summary.Trial, r.Score)), MetricNames.HigherIsBetter(metric)).FirstOrDefault() is { } top)
                (winnerSettings, winner) = (top.Settings, new ScoreGroup(top.Mean, top.StandardDeviation, top.N, top.Trials));
        }
        else if (ranked.FirstOrDefault() is { } best)
        {
            (winnerSettings, winner) = (best.Summary.Trial.Hyperparameters, ScoreGroup.Of([(best.Summary.Trial.Number, best.Score)]));
        }

        var standing = baseline is null ? BaselineStanding.NotCompleted
            : IsBaseline(definition, winnerSettings!) ? BaselineStanding.Best
            : BaselineStanding.Beaten;
        return new BaselineGain(metric, settings, trials, baseline, winnerSettings, winner, standing) { BySettings = bySettings };
    }

    /// <summary>
    /// The baseline's trials first (so a sweep a budget stops early still has its reference), then
    /// <paramref name="proposed"/>. A grid that already holds a baseline trial keeps it only once, at the front; random
    /// draws are all kept, so the sweep runs its <c>trials:</c> draws on top of the baseline.
    /// </summary>
    internal static IReadOnlyList<Hyperparameters> First(SweepDefinition definition, IReadOnlyList<Hyperparameters> proposed)
    {
        var baseline = Trials(definition);
        if (baseline.Count == 0) return proposed;
        var rest = definition.Method == SearchMethod.Grid ? proposed.Where(p => !baseline.Contains(p)) : proposed;
        return [.. baseline, .. rest];
    }
}
