using Piximi.Sweep.Cli.Output;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Cli.Commands;

/// <summary><c>best</c>, <c>trials</c> and <c>status</c>: read-only views of the store, safe while a sweep runs.</summary>
internal sealed class ResultsCommands(TextWriter output)
{
    public int Best(string dbPath, string? sweepName, int top, string? metric, string format, bool perTrial = false)
    {
        if (top < 1) throw new UserErrorException($"--top must be at least 1, got {top}.");
        using var store = StoreAccess.OpenForReading(dbPath);
        var sweep = StoreAccess.ResolveSweep(store, dbPath, sweepName);
        var rankBy = metric ?? sweep.Definition.Metric;
        // Only completed trials are ranked: the others (most of an ASHA sweep is pruned) are not read, but for a
        // sweep with a baseline, whose line names the baseline's trials in every state.
        var summaries = Summaries(store, sweep, [TrialState.Completed]);
        var all = Ranking.Rank(summaries, rankBy);
        var marks = BaselineMarks.Of(sweep.Definition, summaries, rankBy, perTrial);
        // With replicates (several seeds), a setting is judged by its mean over seeds, not by its luckiest seed.
        if (Replicates.BySettings(sweep.Definition, perTrial))
            return BestSettings(sweep, all, rankBy, top, format, marks);
        var ranked = all.Take(top).ToList();
        switch (format)
        {
            case "json":
                TrialRowWriter.WriteJson(output, ranked.Select(r => TrialRow.From(r.Summary, r.Rank, marks)), withRank: true);
                break;
            case "csv":
                TrialRowWriter.WriteCsv(output, ranked.Select(r => TrialRow.From(r.Summary, r.Rank, marks)), withRank: true);
                break;
            default:
                output.WriteLine($"Sweep '{sweep.Name}': best {ranked.Count} completed trial(s) by {rankBy} " +
                                 $"({(MetricNames.HigherIsBetter(rankBy) ? "higher" : "lower")} is better)");
                if (ranked.Count > 0) TrialTables.Ranked(ranked, marks).WriteTo(output);
                else output.WriteLine("No trial has completed yet.");
                if (marks is not null) output.WriteLine(marks.Line);
                break;
        }
        return ExitCodes.Ok;
    }

    private int BestSettings(SweepRecord sweep, IReadOnlyList<RankedTrial> ranked, string rankBy, int top, string format, BaselineMarks? marks)
    {
        var groups = Replicates.Rank(ranked.Select(r => (r.Summary.Trial, r.Score)), MetricNames.HigherIsBetter(rankBy)).Take(top).ToList();
        switch (format)
        {
            case "json":
                TrialRowWriter.WriteJson(output, groups.Select(g => ReplicateRow.From(g, rankBy, marks)));
                break;
            case "csv":
                TrialRowWriter.WriteCsv(output, groups.Select(g => ReplicateRow.From(g, rankBy, marks)));
                break;
            default:
                output.WriteLine($"Sweep '{sweep.Name}': best {groups.Count} setting(s) by mean {rankBy} over their seeds " +
                                 $"({(MetricNames.HigherIsBetter(rankBy) ? "higher" : "lower")} is better; --per-trial ranks single trials)");
                if (groups.Count > 0) TrialTables.Replicates(groups, rankBy, marks).WriteTo(output);
                else output.WriteLine("No trial has completed yet.");
                if (marks is not null) output.WriteLine(marks.Line);
                break;
        }
        return ExitCodes.Ok;
    }

    public int Trials(string dbPath, string? sweepName, string format)
    {
        using var store = StoreAccess.OpenForReading(dbPath);
        var sweep = StoreAccess.ResolveSweep(store, dbPath, sweepName);
        var summaries = Summaries(store, sweep);
        var marks = BaselineMarks.Of(sweep.Definition, summaries);
        var attempts = store.ListAttempts(sweep.Id);
        var byTrial = attempts.ToLookup(a => a.TrialId);
        switch (format)
        {
            case "json":
                TrialRowWriter.WriteJson(output, summaries.Select(s => TrialRow.From(s, marks: marks, attempts: [.. byTrial[s.Trial.Id]])), withRank: false);
                break;
            case "csv":
                TrialRowWriter.WriteCsv(output, summaries.Select(s => TrialRow.From(s, marks: marks, attempts: [.. byTrial[s.Trial.Id]])), withRank: false);
                break;
            default:
                output.WriteLine($"Sweep '{sweep.Name}': {summaries.Count} trial(s)" + (Display.Data(sweep.Definition.Dataset) is { } data ? $"; data: {data}" : ""));
                TrialTables.All(summaries, marks).WriteTo(output);
                // Why each attempt ended, for the trials that needed more than one (or lost the one they had).
                if (TrialTables.AttemptLines(summaries, attempts) is { Count: > 0 } lines)
                {
                    output.WriteLine();
                    output.WriteLine("Attempts:");
                    foreach (var line in lines) output.WriteLine($"  {line}");
                }
                break;
        }
        return ExitCodes.Ok;
    }

    public int Status(string dbPath, string? sweepName)
    {
        using var store = StoreAccess.OpenForReading(dbPath);
        var sweep = StoreAccess.ResolveSweep(store, dbPath, sweepName);
        // The counts by SQL; the trials status names (all but the pruned, and queued ones only once claimed), not the
        // whole sweep, but for a sweep with a baseline, whose line names the baseline's trials in every state.
        // Counted after the summaries are read: ends only grow, so the pruned count (the ended trials that are not
        // among the summaries) is never negative while workers go on.
        var summaries = Summaries(store, sweep, Listed);
        var counts = store.CountTrials(sweep.Id);
        foreach (var line in StatusLines(sweep, summaries, counts))
            output.WriteLine(line);
        if (store.LoadPolicy(sweep.Id).Describe() is { Length: > 0 } budgets)
            output.WriteLine($"Budgets (stored with the sweep; every worker obeys them): {budgets.TrimStart(';', ' ')}");
        output.WriteLine(OrchestratorLine(store.FindOrchestrator(sweep.Id), DateTimeOffset.UtcNow));
        return ExitCodes.Ok;
    }

    internal static IReadOnlyList<TrialSummary> Summaries(ITrialStore store, SweepRecord sweep) => store.SummarizeTrials(sweep.Id);

    /// <summary>
    /// The trials in <paramref name="states"/>, and a baseline's trials (the first ones) in every state, by number:
    /// what best and status show, read by index rather than the whole sweep.
    /// </summary>
    private static IReadOnlyList<TrialSummary> Summaries(ITrialStore store, SweepRecord sweep, IReadOnlyCollection<TrialState> states)
    {
        var wanted = store.SummarizeTrials(sweep.Id, states);
        var baseline = Baselines.Trials(sweep.Definition).Count;
        if (baseline == 0) return wanted;
        return [.. store.SummarizeFirstTrials(sweep.Id, baseline).Concat(wanted).DistinctBy(s => s.Trial.Id).OrderBy(s => s.Trial.Number)];
    }

    /// <summary>The states status lists trials of (pruned trials are only counted).</summary>
    private static readonly TrialState[] Listed = [TrialState.Completed, TrialState.Running, TrialState.Queued, TrialState.Failed, TrialState.Diverged];

    /// <summary>Who runs the sweep (the run or resume registered in the store), or that nothing does.</summary>
    internal static string OrchestratorLine(OrchestratorRecord? o, DateTimeOffset now) => o is null
        ? "Run by: no run or resume at the moment (workers started by hand or by a batch job may still train)"
        : o.IsLive(now)
            ? $"Run by: pid {o.Pid} on host {o.Host} since {o.StartedAt.ToLocalTime():yyyy-MM-dd HH:mm}, last heartbeat {Math.Max(0, (now - o.HeartbeatAt).TotalSeconds):F0}s ago"
            : $"Run by: nothing live; pid {o.Pid} on host {o.Host} last beat {(now - o.HeartbeatAt).TotalSeconds:F0}s ago, past its {o.Grace.TotalSeconds:0}s grace (gone, or its machine unreachable)";

    /// <summary>The status summary; the run command prints the same at its end.</summary>
    internal static IEnumerable<string> StatusLines(SweepRecord sweep, IReadOnlyList<TrialSummary> summaries) =>
        StatusLines(sweep, summaries, summaries.GroupBy(x => x.Trial.State).ToDictionary(g => g.Key, g => g.Count()));

    /// <summary>The status summary from <paramref name="summaries"/> of the trials it names, counted by <paramref name="counts"/>.</summary>
    internal static IEnumerable<string> StatusLines(SweepRecord sweep, IReadOnlyList<TrialSummary> summaries, TrialCounts counts) =>
        StatusLines(sweep, summaries, summaries.Where(x => x.Trial.State != TrialState.Queued).GroupBy(x => x.Trial.State).ToDictionary(g => g.Key, g => g.Count()),
            counts);

    private static IEnumerable<string> StatusLines(SweepRecord sweep, IReadOnlyList<TrialSummary> summaries, Dictionary<TrialState, int> byState, TrialCounts? counts = null)
    {
        yield return CountsLine(sweep, summaries, byState, counts);
        if (sweep.Definition.Description is { } description) yield return $"Description: {description}";
        if (Display.Data(sweep.Definition.Dataset) is { } data) yield return $"Data: {data}";
        yield return BestLine(sweep, summaries);
        if (BaselineMarks.Of(sweep.Definition, summaries) is { } marks) yield return marks.Line;
        foreach (var line in TrialLines(summaries, DateTimeOffset.UtcNow)) yield return line;
    }

    /// <summary>The first line: how far the sweep is, and its trials counted by state.</summary>
    private static string CountsLine(SweepRecord sweep, IReadOnlyList<TrialSummary> summaries, Dictionary<TrialState, int> byState, TrialCounts? counts)
    {
        // Pruned trials are not among the summaries when counts are given: they are the rest of the ended ones.
        if (counts is not null)
        {
            byState[TrialState.Queued] = counts.Queued;
            byState[TrialState.Running] = counts.Running;
            byState[TrialState.Pruned] = counts.Ended - byState.Where(kv => kv.Key is not (TrialState.Queued or TrialState.Running or TrialState.Pruned)).Sum(kv => kv.Value);
        }
        int Count(TrialState s) => byState.GetValueOrDefault(s);
        var total = counts?.Total ?? summaries.Count;
        var finished = counts?.Ended ?? summaries.Count(s => s.Trial.State is not (TrialState.Queued or TrialState.Running));
        // Out of the trials the sweep will have: a search that proposes as it runs has stored only some of them yet.
        var progress = sweep.Definition.IsOpenEnded
            ? $"{finished} finished (no trial count: it runs until a budget, the deadline or Ctrl+C stops it)"
            : $"{finished}/{Math.Max(Baselines.ProposedTotal(sweep.Definition) ?? 0, total)} finished";
        return $"Sweep '{sweep.Name}' (created {sweep.CreatedAt.ToLocalTime():yyyy-MM-dd HH:mm}): " +
               $"{progress} — {Count(TrialState.Completed)} completed, {Count(TrialState.Running)} running, " +
               $"{Count(TrialState.Queued)} queued, {Count(TrialState.Failed)} failed, {Count(TrialState.Diverged)} diverged, " +
               $"{Count(TrialState.Pruned)} pruned";
    }

    private static string BestLine(SweepRecord sweep, IReadOnlyList<TrialSummary> summaries)
    {
        var metric = sweep.Definition.Metric;
        var ranked = Ranking.Rank(summaries, metric);
        if (ranked.FirstOrDefault() is not { } best) return "Best so far: none completed yet";
        if (Replicates.BySettings(sweep.Definition))
        {
            // With replicates, a setting is judged by its mean over seeds, as best and the reports judge it.
            var group = Replicates.Rank(ranked.Select(r => (r.Summary.Trial, r.Score)), MetricNames.HigherIsBetter(metric))[0];
            return $"Best setting so far: mean {metric} {Display.Metric(group.Mean)}" +
                   (group.N > 1 ? $" ± {Display.Metric(group.StandardDeviation)}" : "") +
                   $" over {group.N} seed(s) (trials {string.Join(", ", group.Trials)}) — {Display.Settings(group.Settings, withSeed: false)}";
        }
        var hp = best.Summary.Trial.Hyperparameters;
        return $"Best so far: trial {best.Summary.Trial.Number}, {metric} {Display.Metric(best.Score)} — " +
               (hp.Model == ModelKind.SimpleCNN ? "" : $"{hp.Model}, ") + $"{hp.Optimizer}, {hp.Loss}, learning rate {Display.Rate(hp.LearningRate)}, batch size {hp.BatchSize}, " +
               $"{best.Summary.EpochsRun} epochs, seed {hp.Seed}";
    }

    /// <summary>One line per trial that needs a look: running, waiting to resume, failed or diverged.</summary>
    private static IEnumerable<string> TrialLines(IReadOnlyList<TrialSummary> summaries, DateTimeOffset now)
    {
        foreach (var s in summaries.Where(s => s.Trial.State == TrialState.Running))
            yield return $"Running: trial {s.Trial.Number} on {s.Trial.WorkerId}, epoch {s.EpochsRun}/{s.Trial.Hyperparameters.Epochs}" +
                         (s.Final is { } f ? $", val_accuracy {Display.Metric(f.ValAccuracy)}" : "") +
                         (s.Trial.HeartbeatAt is { } beat ? $", last heartbeat {Math.Max(0, (now - beat).TotalSeconds):F0}s ago" : "") +
                         (s.Trial.Lost > 0 ? $", lost {s.Trial.Lost} time(s) before" : "");
        foreach (var s in summaries.Where(s => s.Trial.State == TrialState.Queued && (s.EpochsRun > 0 || s.Trial.Lost > 0)))
            yield return $"Queued to resume: trial {s.Trial.Number} after epoch {s.EpochsRun}/{s.Trial.Hyperparameters.Epochs}" +
                         (s.Trial.Message is { } why ? $" ({why})" : "");
        foreach (var s in summaries.Where(s => s.Trial.State is TrialState.Failed or TrialState.Diverged))
            yield return $"{(s.Trial.State == TrialState.Failed ? "Failed" : "Diverged")}: trial {s.Trial.Number} — {s.Trial.Message}";
    }
}
