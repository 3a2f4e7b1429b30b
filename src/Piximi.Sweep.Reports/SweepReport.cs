using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Reports;

/// <summary>
/// Everything a report of one sweep shows, read from the store once and computed once, so that rendering it as HTML,
/// Markdown, CSV and JSON (or comparing it with another sweep) never reads the store again and never disagrees.
/// </summary>
public sealed class SweepReport
{
    private SweepReport(SweepRecord sweep, IReadOnlyList<TrialLine> lines, IReadOnlyList<RankedTrial> ranked,
        TrialEvaluation? bestEvaluation, DateTimeOffset generatedAt)
    {
        Sweep = sweep;
        Lines = lines;
        Ranked = ranked;
        Best = ranked.Count > 0 ? ranked[0] : null;
        BestEvaluation = bestEvaluation;
        BestScores = bestEvaluation is null ? null : EvaluationScores.Of(bestEvaluation);
        GeneratedAt = generatedAt;
        IsPartial = lines.Any(l => l.Summary.Trial.State is TrialState.Queued or TrialState.Running);
        TotalComputeSeconds = lines.Sum(l => l.Summary.TrainingSeconds);

        var scored = Statistics.ValAccuracies(lines.Select(l => l.Summary));
        Importance = Statistics.Importance(scored);
        Fanova = FanovaEvaluator.Importance(sweep.Definition.Parameters, FanovaEvaluator.Scored(lines.Select(l => l.Summary), sweep.Definition.Metric));
        // Several seeds of the same other settings, by val_accuracy like the other analyses; a single seed is no replicate.
        Replicates = [.. Core.Replicates.Rank(
                lines.Where(l => l.Summary.Trial.State == TrialState.Completed && l.Summary.Final is { } f && double.IsFinite(f.ValAccuracy))
                    .Select(l => (l.Summary.Trial, l.Summary.Final!.ValAccuracy)),
                higherIsBetter: true)
            .Where(g => g.N >= 2)];
        ByOptimizer = Statistics.GroupScores(scored, hp => hp.Optimizer.ToString());
        ByLoss = Statistics.GroupScores(scored, hp => hp.Loss.ToString());
        Heatmaps = Statistics.Heatmaps(scored);
        Rungs = RungRows(sweep.Definition, lines);
        Effort = EffortOf(sweep.Definition, lines);
        Gain = Baselines.Gain(sweep.Definition, [.. lines.Select(l => l.Summary)]);
    }

    public SweepRecord Sweep { get; }

    /// <summary>Some trials are queued or running: the numbers may still change, and every rendering says so.</summary>
    public bool IsPartial { get; }

    /// <summary>When the store was read (UTC).</summary>
    public DateTimeOffset GeneratedAt { get; }

    /// <summary>The sweep's ranking metric (<see cref="MetricNames"/>).</summary>
    public string Metric => Sweep.Definition.Metric;

    /// <summary>Every trial with its epochs summed up, by trial number.</summary>
    public IReadOnlyList<TrialSummary> Trials => [.. Lines.Select(l => l.Summary)];

    /// <summary>Completed trials ranked by <see cref="Metric"/> of their final epoch, best first (<see cref="Ranking.Rank"/>).</summary>
    public IReadOnlyList<RankedTrial> Ranked { get; }

    public RankedTrial? Best { get; }

    /// <summary>
    /// How much better than the user's settings the sweep's best is, as <c>best</c> ranks (<see cref="Baselines.Gain"/>);
    /// null for a sweep without a baseline.
    /// </summary>
    public BaselineGain? Gain { get; }

    /// <summary>Whether the line is a trial of the sweep's baseline (the user's settings).</summary>
    internal bool IsBaseline(TrialLine line) => Baselines.IsBaseline(Sweep.Definition, line.Hp);

    /// <summary>The best trial's validation confusion matrix, when the store has one.</summary>
    public TrialEvaluation? BestEvaluation { get; }

    /// <summary>Seconds of training summed over every stored epoch of every trial (the compute the sweep used).</summary>
    public double TotalComputeSeconds { get; }

    public int CountOf(TrialState state) => Lines.Count(l => l.Summary.Trial.State == state);

    internal IReadOnlyList<TrialLine> Lines { get; }

    internal EvaluationScores? BestScores { get; }

    internal IReadOnlyList<Importance> Importance { get; }

    /// <summary>fANOVA importance by the sweep's metric, as Optuna's <c>FanovaImportanceEvaluator</c> (<see cref="FanovaEvaluator"/>).</summary>
    internal IReadOnlyList<FanovaImportance> Fanova { get; }

    internal IReadOnlyList<ReplicateGroup> Replicates { get; }

    internal IReadOnlyList<GroupScore> ByOptimizer { get; }

    internal IReadOnlyList<GroupScore> ByLoss { get; }

    internal IReadOnlyList<Heatmap> Heatmaps { get; }

    /// <summary>The Pruning section's rows: one per epoch the pruner judges at (empty without a pruner).</summary>
    internal IReadOnlyList<RungRow> Rungs { get; }

    /// <summary>Epochs trained against the same trials run in full, when a pruner or early stopping can end trials early.</summary>
    internal EpochEffort? Effort { get; }

    internal DateTimeOffset? FirstStartedAt => Lines.Select(l => l.Summary.Trial.StartedAt).Where(t => t is not null).Min();

    internal DateTimeOffset? LastFinishedAt => Lines.Select(l => l.Summary.Trial.FinishedAt).Where(t => t is not null).Max();

    internal TrialLine? BestLine => Best is null ? null : Lines.First(l => l.Summary.Trial.Id == Best.Summary.Trial.Id);

    /// <summary>
    /// The trials whose attempts say more than their state does (more than one attempt, or one lost or given back),
    /// with why each attempt ended (<see cref="AttemptHistory"/>), by trial number.
    /// </summary>
    internal IReadOnlyList<TrialLine> Interrupted => [.. Lines.Where(l => AttemptHistory.IsWorthShowing(l.Trial, l.Attempts))];

    /// <summary>Reads the sweep's trials, their epochs and attempts, and the best trial's evaluation: four queries, whatever the size.</summary>
    public static SweepReport Load(ITrialStore store, SweepRecord sweep)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(sweep);
        var generatedAt = DateTimeOffset.UtcNow;
        var trials = store.ListTrials(sweep.Id);
        var epochs = store.ListEpochs(sweep.Id);
        var summaries = Ranking.Summarize(trials, epochs);
        var ranked = Ranking.Rank(summaries, sweep.Definition.Metric);
        var ranks = ranked.ToDictionary(r => r.Summary.Trial.Id, r => r.Rank);
        var curves = epochs.GroupBy(e => e.TrialId)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<EpochMetrics>)[.. g.Select(e => e.Metrics).OrderBy(m => m.Epoch)]);
        var attempts = store.ListAttempts(sweep.Id).ToLookup(a => a.TrialId);

        var metric = sweep.Definition.Metric;
        var lines = summaries.Select(s =>
        {
            var curve = curves.GetValueOrDefault(s.Trial.Id) ?? [];
            return new TrialLine(s, ranks.TryGetValue(s.Trial.Id, out var rank) ? rank : null, BestEpoch(curve, metric), curve)
            {
                Attempts = [.. attempts[s.Trial.Id]],
            };
        }).ToList();

        var evaluation = ranked.Count > 0 ? store.LoadEvaluation(ranked[0].Summary.Trial.Id) : null;
        return new SweepReport(sweep, lines, ranked, evaluation, generatedAt);
    }

    /// <summary>
    /// ASHA: rung k at epoch MinEpochs·η^k, below the longest trial's epochs (the pruner is built with that maximum, and a
    /// trial's last epoch is never judged). Hyperband: the same epochs, but each bracket starts at a later one, so a
    /// row is an epoch, not one rung number. Median: every epoch after the warm-up may judge; the rows are the epochs
    /// some trial was pruned at. A pruned trial stops at the epoch it was judged at, so its epochs run is that epoch.
    /// </summary>
    private static IReadOnlyList<RungRow> RungRows(SweepDefinition definition, IReadOnlyList<TrialLine> lines)
    {
        if (definition.Pruner is not { } pruner) return [];
        var judged = new List<(int? Rung, int Epoch)>();
        if (pruner.Kind == PrunerKind.Median)
        {
            judged.AddRange(lines.Where(l => l.Trial.State == TrialState.Pruned).Select(l => l.Summary.EpochsRun).Distinct().Order()
                .Select(e => ((int?)null, e)));
        }
        else
        {
            var max = definition.Parameters.Epochs.Max();
            var k = 0;
            for (long e = pruner.MinEpochs; e < max; e *= Math.Max(2, pruner.ReductionFactor), k++)
                judged.Add((pruner.Kind == PrunerKind.Asha ? k : null, (int)e));
        }
        return [.. judged.Select(j => new RungRow(j.Rung, j.Epoch,
            Reached: lines.Count(l => l.Summary.EpochsRun >= j.Epoch),
            Pruned: lines.Count(l => l.Trial.State == TrialState.Pruned && l.Summary.EpochsRun == j.Epoch),
            WentOn: lines.Count(l => l.Summary.EpochsRun > j.Epoch)))];
    }

    /// <summary>Over the completed and pruned trials (those the pruner and early stopping had their say on).</summary>
    private static EpochEffort? EffortOf(SweepDefinition definition, IReadOnlyList<TrialLine> lines)
    {
        if (definition.Pruner is null && definition.EarlyStopping is null) return null;
        var ended = lines.Where(l => l.Trial.State is TrialState.Completed or TrialState.Pruned).ToList();
        return new EpochEffort(ended.Count, ended.Sum(l => (long)l.Summary.EpochsRun), ended.Sum(l => (long)l.Hp.Epochs));
    }

    /// <summary>The epoch with the best finite <paramref name="metric"/>; the earliest of equals (it trained least).</summary>
    private static EpochMetrics? BestEpoch(IReadOnlyList<EpochMetrics> curve, string metric)
    {
        var higher = MetricNames.HigherIsBetter(metric);
        EpochMetrics? best = null;
        foreach (var epoch in curve)
        {
            var value = MetricNames.ValueOf(epoch, metric);
            if (!double.IsFinite(value)) continue;
            if (best is null || (higher ? value > MetricNames.ValueOf(best, metric) : value < MetricNames.ValueOf(best, metric)))
            {
                best = epoch;
            }
        }
        return best;
    }
}

/// <summary>One trial as the report shows it: its summary, rank (completed only), best epoch and per-epoch curve.</summary>
internal sealed record TrialLine(TrialSummary Summary, int? Rank, EpochMetrics? BestEpoch, IReadOnlyList<EpochMetrics> Curve)
{
    public TrialRecord Trial => Summary.Trial;

    public Hyperparameters Hp => Summary.Trial.Hyperparameters;

    /// <summary>The trial's recorded attempts, in order (none for claims made before the store recorded them).</summary>
    public IReadOnlyList<TrialAttempt> Attempts { get; init; } = [];

    /// <summary>Why each attempt ended, in one line (<see cref="AttemptHistory.Line"/>).</summary>
    public string AttemptLine => AttemptHistory.Line(Trial, Attempts, Summary.EpochsRun);
}

/// <summary>
/// One epoch a pruner judges at: the rung (ASHA only; null for Hyperband, whose brackets number their rungs from their
/// own first, and for the median pruner), how many trials stored that epoch, how many were pruned at it, how many
/// trained past it. The rest of those that reached it stopped there for another reason or are still running.
/// </summary>
internal sealed record RungRow(int? Rung, int Epoch, int Reached, int Pruned, int WentOn);

/// <summary><see cref="Trained"/> epochs over <see cref="Trials"/> trials whose own epochs add up to <see cref="InFull"/>.</summary>
internal sealed record EpochEffort(int Trials, long Trained, long InFull);
