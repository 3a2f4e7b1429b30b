using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Reports.Dashboard;

/// <summary>
/// The dashboard's read models: what <c>serve</c> answers its JSON with, read from the store only through its read
/// methods. A page loads a sweep once (<see cref="Sweep"/>), then asks only for what changed since
/// (<see cref="Changes"/>, by the store's epoch position), so a poll costs what is new, not the whole sweep.
/// Non-finite numbers become null: JSON has no NaN, and a diverged trial's NaN loss means "no value" to a chart.
/// </summary>
public static class DashboardData
{
    /// <summary>Every sweep of the store with its trials counted (one indexed count per sweep, no trial read).</summary>
    public static IReadOnlyList<SweepListItem> Sweeps(ITrialStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return [.. store.ListSweeps().Select(s => new SweepListItem(
            s.Name, s.Definition.Description, s.CreatedAt, s.Definition.Metric, s.Definition.Method.ToString().ToLowerInvariant(),
            CountsOf(store.CountTrials(s.Id)), store.FindCancellation(s.Id) is not null))];
    }

    /// <summary>
    /// How many trials' whole curves <see cref="Sweep"/> sends at most: 10,000 trials × 20 epochs are 24 MB of JSON
    /// (a second to write, more to parse and draw), and 10,000 lines in one chart are one blot.
    /// </summary>
    public const int CurveLimit = 500;

    /// <summary>
    /// The whole sweep, once, when a page opens: its trials, each trial's epoch count, time and result (the point at
    /// its result epoch, else its last), the whole curves of at most <see cref="CurveLimit"/> trials (every queued or
    /// running one, whose curves then grow by the polls, the best 100 and an even sample of the rest by rank), the
    /// position to follow from, and importance.
    /// </summary>
    public static SweepView Sweep(ITrialStore store, SweepRecord sweep)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(sweep);
        // The position first: what is read after it may be newer, never older, and the next poll brings what follows
        // it (an epoch read twice replaces itself on the page). No read of every epoch: the store sums each trial's.
        var position = store.EpochPosition();
        var all = store.SummarizeTrials(sweep.Id);
        var d = sweep.Definition;
        var higher = MetricNames.HigherIsBetter(d.Metric);
        var summaries = new List<double?[]>(all.Count);
        var results = new Dictionary<long, double>();
        foreach (var s in all)
        {
            if (s.EpochsRun == 0 || s.Final is not { } final) continue;
            summaries.Add([s.Trial.Id, final.Epoch, Finite(final.Loss), Finite(final.Accuracy), Finite(final.ValLoss), Finite(final.ValAccuracy),
                Finite(s.TrainingSeconds), s.EpochsRun]);
            if (MetricNames.ValueOf(final, d.Metric) is var v && double.IsFinite(v)) results[s.Trial.Id] = v;
        }
        var trials = all.Select(s => s.Trial).ToList();
        var drawn = CurvesToSend(trials, results, higher);
        return new SweepView(
            sweep.Name, d.Description, sweep.CreatedAt, d.Metric, higher,
            d.Method.ToString().ToLowerInvariant(), d.Model.ToString(), d.Pruner?.Kind.ToString().ToLowerInvariant(),
            d.Trials, CountsOf(store.CountTrials(sweep.Id)), store.FindCancellation(sweep.Id)?.Reason,
            [.. trials.Select(Row)], [.. store.ListEpochsOfTrials(sweep.Id, drawn).Select(Point)], summaries, summaries.Count,
            position, ImportanceOf(all));
    }

    /// <summary>The trials whose whole curves are sent: every one not ended, the best 100, then an even sample by rank, <see cref="CurveLimit"/> in all.</summary>
    private static HashSet<long> CurvesToSend(List<TrialRecord> trials, Dictionary<long, double> results, bool higher)
    {
        var drawn = new HashSet<long>(trials.Where(t => t.State is TrialState.Queued or TrialState.Running).Select(t => t.Id));
        var ranked = trials.Where(t => results.ContainsKey(t.Id) && !drawn.Contains(t.Id))
            .OrderBy(t => higher ? -results[t.Id] : results[t.Id]).ThenBy(t => t.Number).Select(t => t.Id).ToList();
        var room = Math.Max(0, CurveLimit - drawn.Count);
        if (ranked.Count <= room)
        {
            drawn.UnionWith(ranked);
            return drawn;
        }
        var top = Math.Min(100, room);
        drawn.UnionWith(ranked.Take(top));
        drawn.UnionWith(Sampling.Evenly(ranked[top..], room - top));
        return drawn;
    }

    /// <summary>
    /// What changed since <paramref name="position"/>: new epochs, the trials that are running or were running when
    /// the page last looked (<paramref name="runningIds"/>), or stored one of those epochs, and the counts.
    /// </summary>
    public static SweepDelta Changes(ITrialStore store, SweepRecord sweep, long position, IReadOnlyCollection<long> runningIds)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(sweep);
        var changes = store.ReadChanges(sweep.Id, position, runningIds);
        return new SweepDelta(
            [.. changes.Trials.Select(Row)], [.. changes.Epochs.Epochs.Select(Point)], changes.Epochs.Position,
            CountsOf(changes.Counts), store.FindCancellation(sweep.Id)?.Reason);
    }

    /// <summary>One trial with its curve, evaluation (confusion matrix and per-class scores) and attempts; null when there is no such trial.</summary>
    public static TrialView? Trial(ITrialStore store, SweepRecord sweep, int number)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(sweep);
        if (store.FindTrial(sweep.Id, number) is not { } trial) return null;
        // This trial's epochs only (by the trial key), not the sweep's: a 10,000-trial sweep has 200,000.
        var curve = store.ListEpochsOfTrials(sweep.Id, [trial.Id]).Select(Point).ToList();
        var evaluation = store.LoadEvaluation(trial.Id);
        var attempts = store.ListAttempts(sweep.Id).Where(a => a.TrialId == trial.Id).ToList();
        return new TrialView(
            sweep.Name, sweep.Definition.Metric, MetricNames.HigherIsBetter(sweep.Definition.Metric), Row(trial), curve,
            evaluation is null ? null : EvaluationOf(evaluation),
            AttemptHistory.Line(trial, attempts, curve.Count),
            PiximiExport.InputShapeOf(sweep.Definition) is not null && curve.Count > 0,
            // Only a completed trial's model is finished, and the store keeps only the best one's (a page opened by hand: one read).
            trial.State == TrialState.Completed && store.LoadCheckpoint(trial.Id) is not null);
    }

    /// <summary>The trial's epochs as CSV (one row per epoch), for its downloads.</summary>
    public static string EpochsCsv(TrialView trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        var lines = new List<string> { "trial,epoch,loss,accuracy,val_loss,val_accuracy,seconds" };
        lines.AddRange(trial.Curve.Select(p => string.Join(',', new[] { (double?)trial.Trial.Number }.Concat(p.Skip(1))
            .Select(v => v is { } x ? x.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : ""))));
        return string.Join('\n', lines) + "\n";
    }

    private static TrialRow Row(TrialRecord t)
    {
        var hp = t.Hyperparameters;
        return new TrialRow(
            t.Id, t.Number, t.State.ToString().ToLowerInvariant(), hp.Optimizer.ToString(), hp.Loss.ToString(), hp.LearningRate,
            hp.BatchSize, hp.Epochs, hp.Seed, hp.Model.ToString(), t.StartedAt, t.FinishedAt, t.Message, t.ResultEpoch, t.Rung, t.Attempts, t.Lost);
    }

    /// <summary>An epoch as a compact array: trial id, epoch, loss, accuracy, val_loss, val_accuracy, seconds (10,000 trials × 20 epochs stay small).</summary>
    private static double?[] Point(EpochRecord e)
    {
        var m = e.Metrics;
        return [e.TrialId, m.Epoch, Finite(m.Loss), Finite(m.Accuracy), Finite(m.ValLoss), Finite(m.ValAccuracy), Finite(m.Seconds)];
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    private static TrialCountsView CountsOf(TrialCounts c) => new(c.Queued, c.Running, c.Ended, c.Total);

    /// <summary>η² of each hyperparameter over the completed trials' final val_accuracy, as the report computes it.</summary>
    internal static IReadOnlyList<ImportanceView> ImportanceOf(IEnumerable<TrialSummary> summaries) =>
        [.. Statistics.Importance(Statistics.ValAccuracies(summaries)).Select(i => new ImportanceView(i.Hyperparameter, Finite(i.EtaSquared), i.Values, i.Trials))];

    private static EvaluationView EvaluationOf(TrialEvaluation evaluation)
    {
        var scores = EvaluationScores.Of(evaluation);
        return new EvaluationView(
            evaluation.ClassNames, evaluation.Confusion, scores.Total, Finite(scores.Accuracy),
            [.. scores.Classes.Select(c => new ClassScoresView(c.Name, c.Support, c.Predicted, Finite(c.Precision), Finite(c.Recall), Finite(c.F1)))],
            Finite(scores.MacroPrecision), Finite(scores.MacroRecall), Finite(scores.MacroF1));
    }
}

public sealed record TrialCountsView(int Queued, int Running, int Ended, int Total);

public sealed record SweepListItem(string Name, string? Description, DateTimeOffset CreatedAt, string Metric, string Method,
    TrialCountsView Counts, bool Cancelled);

public sealed record TrialRow(long Id, int Number, string State, string Optimizer, string Loss, double LearningRate, int BatchSize,
    int Epochs, int Seed, string Model, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string? Message, int? ResultEpoch,
    int? Rung, int Attempts, int Lost);

public sealed record ImportanceView(string Hyperparameter, double? EtaSquared, int Values, int Trials);

/// <summary>
/// A sweep page's first load. <see cref="Epochs"/> holds the whole curves of some trials (<see cref="DashboardData.CurveLimit"/>);
/// <see cref="Summaries"/> one array per trial with an epoch: trial id, result epoch, loss, accuracy, val_loss,
/// val_accuracy (at the result epoch, else the last), the seconds of all its epochs, and how many epochs it has.
/// </summary>
public sealed record SweepView(string Name, string? Description, DateTimeOffset CreatedAt, string Metric, bool HigherIsBetter,
    string Method, string Model, string? Pruner, int? PlannedTrials, TrialCountsView Counts, string? Cancelled,
    IReadOnlyList<TrialRow> Trials, IReadOnlyList<double?[]> Epochs, IReadOnlyList<double?[]> Summaries, int TrialsWithEpochs,
    long Position, IReadOnlyList<ImportanceView> Importance);

public sealed record SweepDelta(IReadOnlyList<TrialRow> Trials, IReadOnlyList<double?[]> Epochs, long Position,
    TrialCountsView Counts, string? Cancelled);

public sealed record ClassScoresView(string Name, int Support, int Predicted, double? Precision, double? Recall, double? F1);

public sealed record EvaluationView(IReadOnlyList<string> ClassNames, IReadOnlyList<IReadOnlyList<int>> Confusion, int Total,
    double? Accuracy, IReadOnlyList<ClassScoresView> Classes, double? MacroPrecision, double? MacroRecall, double? MacroF1);

public sealed record TrialView(string Sweep, string Metric, bool HigherIsBetter, TrialRow Trial, IReadOnlyList<double?[]> Curve,
    EvaluationView? Evaluation, string Attempts, bool CanExportPiximi, bool HasModel);
