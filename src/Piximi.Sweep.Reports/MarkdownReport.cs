using Piximi.Sweep.Core;

namespace Piximi.Sweep.Reports;

internal static partial class MarkdownReport
{
    /// <summary>Markdown is read in terminals and chat: the top of the ranking, not all of a 10,000-trial sweep.</summary>
    internal const int TopRows = 20;

    public static void Write(SweepReport report, TextWriter w)
    {
        Header(report, w);
        BaselineSection(report, w);
        BestTrial(report, w);
        Ranking(report, w);
        Pruning(report, w);
        Importance(report, w);
        Fanova(report, w);
        Groups(w, "optimizer", report.ByOptimizer);
        Groups(w, "loss function", report.ByLoss);
        Replicates(report, w);
        Evaluation(report, w);
        Problems(report, w);
        Attempts(report, w);
        w.WriteLine($"_Generated {Format.Time(report.GeneratedAt)} by Piximi.Sweep._");
    }

    /// <summary>The title and the sweep in a list: data, model, search, pruner, trials, effort, compute.</summary>
    private static void Header(SweepReport report, TextWriter w)
    {
        var d = report.Sweep.Definition;
        w.WriteLine($"# Sweep report: {Cell(report.Sweep.Name)}");
        w.WriteLine();
        if (report.IsPartial) w.WriteLine($"> **Partial report: the sweep is still running.** {PartialNote(report)}\n");
        if (d.Description is { } description) w.WriteLine($"- Description: {Cell(description)}");
        w.WriteLine($"- Dataset: {Cell(d.Dataset.Images)} ({d.Dataset.Kind}), training percentage {Format.Exact(d.Dataset.TrainingPercentage)}"
            + (d.Dataset.Subset is { } subset ? $", subset {Display.Int(subset)} images" : "")
            + (Display.Data(d.Dataset) is { } data ? $"; {data}" : ""));
        w.WriteLine($"- Model: {string.Join(", ", d.Parameters.ModelList)}; ranked by {report.Metric}");
        w.WriteLine($"- Created {Format.Time(report.Sweep.CreatedAt)}; trials ran {Format.Time(report.FirstStartedAt)} to {Format.Time(report.LastFinishedAt)}");
        w.WriteLine($"- Search: {Format.Search(d, report.Lines.Count)}");
        if (d.Pruner is { } pruner) w.WriteLine($"- Pruner: {Display.Pruner(pruner)}, judged on {d.Metric} after every epoch");
        if (d.EarlyStopping is { } stopping) w.WriteLine($"- Early stopping: {Display.EarlyStopping(stopping)}");
        w.WriteLine($"- Trials: {Display.Int(report.Lines.Count)} ({StateCounts(report)})");
        if (report.Effort is { } effort) w.WriteLine($"- Epochs trained: {Format.Effort(d, effort)}; {Format.EffortBasis(effort)}");
        w.WriteLine($"- Total compute time: {Format.Duration(report.TotalComputeSeconds)} ({Format.Seconds(report.TotalComputeSeconds)}, sum of epoch times)");
        w.WriteLine();
    }

    /// <summary>The best trial's settings as Piximi names them, to set by hand.</summary>
    private static void BestTrial(SweepReport report, TextWriter w)
    {
        w.WriteLine("## Best trial");
        w.WriteLine();
        if (report.Best is { } best)
        {
            var hp = best.Summary.Trial.Hyperparameters;
            var kept = best.Summary.Trial.ResultEpoch is { } k && k != best.Summary.EpochsRun
                ? $" (kept epoch {Display.Int(k)} of {Display.Int(best.Summary.EpochsRun)} run)" : "";
            w.WriteLine($"Trial {Display.Int(best.Summary.Trial.Number)}: {report.Metric} {Display.Metric(best.Score)}{kept}. {ByHandNote}");
            w.WriteLine();
            foreach (var (name, value) in PiximiExport.ByHand(report.Sweep.Definition, hp)) w.WriteLine($"- {name}: {value}");
            if (PiximiCaveat(hp) is { } caveat) w.WriteLine($"\n> Note: {caveat}");
            w.WriteLine($"- (seed {Display.Int(hp.Seed)})");
        }
        else
        {
            w.WriteLine("No trial has completed yet.");
        }
        w.WriteLine();
    }

    /// <summary>The top completed trials, ranked.</summary>
    private static void Ranking(SweepReport report, TextWriter w)
    {
        w.WriteLine($"## Ranking (top {TopRows} of {Display.Int(report.Ranked.Count)} completed)");
        w.WriteLine();
        w.WriteLine("| rank | trial | optimizer | loss function | learning rate | batch size | epochs | seed | epochs run | loss | accuracy | val_loss | val_accuracy | best epoch | time |");
        w.WriteLine("|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var line in report.Lines.Where(l => l.Rank is not null).OrderBy(l => l.Rank).Take(TopRows))
        {
            var (hp, f) = (line.Hp, line.Summary.Final);
            w.WriteLine($"| {line.Rank} | {TrialCell(report, line)} | {hp.Optimizer} | {hp.Loss} | {Display.Rate(hp.LearningRate)} | {hp.BatchSize} | "
                + $"{Display.Epochs(hp)} | {hp.Seed} | {Display.EpochsRun(line.Summary)} | {Display.Metric(f?.Loss)} | {Display.Metric(f?.Accuracy)} | {Display.Metric(f?.ValLoss)} | "
                + $"{Display.Metric(f?.ValAccuracy)} | {(line.BestEpoch is { } b ? $"{b.Epoch} ({Display.Metric(MetricNames.ValueOf(b, report.Metric))})" : "–")} | "
                + $"{Format.Seconds(line.Summary.TrainingSeconds)} |");
        }
        w.WriteLine();
    }

    /// <summary>Each rung: trials that reached it, were pruned there, went on; only with a pruner.</summary>
    private static void Pruning(SweepReport report, TextWriter w)
    {
        var d = report.Sweep.Definition;
        if (d.Pruner is { } judge)
        {
            w.WriteLine("## Pruning");
            w.WriteLine();
            w.WriteLine(PruningNote(report, judge));
            w.WriteLine();
            if (report.Rungs.Count == 0)
            {
                w.WriteLine("No trial has been pruned.");
            }
            else
            {
                var withRung = report.Rungs.Any(r => r.Rung is not null);
                w.WriteLine((withRung ? "| rung " : "") + "| epoch | reached it | pruned there | went on |");
                w.WriteLine((withRung ? "|---:" : "") + "|---:|---:|---:|---:|");
                foreach (var r in report.Rungs)
                {
                    w.WriteLine((withRung ? $"| {(r.Rung is { } k ? Display.Int(k) : "")} " : "")
                        + $"| {Display.Int(r.Epoch)} | {Display.Int(r.Reached)} | {Display.Int(r.Pruned)} | {Display.Int(r.WentOn)} |");
                }
            }
            w.WriteLine();
        }
    }

    /// <summary>η² of each hyperparameter.</summary>
    private static void Importance(SweepReport report, TextWriter w)
    {
        w.WriteLine("## Hyperparameter importance (η², final val_accuracy of completed trials)");
        w.WriteLine();
        w.WriteLine("| hyperparameter | η² | values | n | smallest group | |");
        w.WriteLine("|---|---:|---:|---:|---:|---|");
        foreach (var i in report.Importance)
            w.WriteLine($"| {i.Hyperparameter} | {Display.Metric(i.EtaSquared)} | {i.Values} | {i.Trials} | {i.SmallestGroup} | {(i.IsShaky ? "⚠ unreliable" : "")} |");
        w.WriteLine();
        if (HtmlReport.ShakyNote(report) is { } caveat)
        {
            w.WriteLine($"⚠ {caveat}");
            w.WriteLine();
        }
        w.WriteLine("η² = between-group sum of squares / total sum of squares when trials are grouped by that hyperparameter.");
        w.WriteLine();
    }

    /// <summary>Settings run with several seeds: mean ± sd.</summary>
    private static void Replicates(SweepReport report, TextWriter w)
    {
        if (report.Replicates.Count > 0)
        {
            w.WriteLine("## Replicates (same settings, several seeds): final val_accuracy mean ± sd (n)");
            w.WriteLine();
            foreach (var r in report.Replicates.Take(TopRows))
            {
                w.WriteLine($"- {Display.Settings(withSeed: false, hp: r.Settings)}: {Display.Metric(r.Mean)} ± {Display.Metric(r.StandardDeviation)} (n = {r.N})");
            }
            w.WriteLine();
        }
    }

    /// <summary>The best trial's per-class scores.</summary>
    private static void Evaluation(SweepReport report, TextWriter w)
    {
        if (report.BestScores is { } scores && report.Best is { } top)
        {
            w.WriteLine($"## Evaluation of trial {top.Summary.Trial.Number} (validation images)");
            w.WriteLine();
            w.WriteLine("| class | support | precision | recall | F1 |");
            w.WriteLine("|---|---:|---:|---:|---:|");
            foreach (var c in scores.Classes)
            {
                w.WriteLine($"| {Cell(c.Name)} | {c.Support} | {Display.Metric(c.Precision)} | {Display.Metric(c.Recall)} | {Display.Metric(c.F1)} |");
            }
            w.WriteLine($"| **macro** | {scores.Total} | {Display.Metric(scores.MacroPrecision)} | {Display.Metric(scores.MacroRecall)} | {Display.Metric(scores.MacroF1)} |");
            w.WriteLine();
            w.WriteLine($"Accuracy {Display.Metric(scores.Accuracy)}. Precision = TP / (TP + FP), recall = TP / (TP + FN) (Piximi shows them swapped).");
            w.WriteLine();
        }
    }

    /// <summary>Failed, diverged and pruned trials with their reasons.</summary>
    private static void Problems(SweepReport report, TextWriter w)
    {
        var problems = report.Lines.Where(l => l.Trial.State is TrialState.Failed or TrialState.Diverged or TrialState.Pruned).ToList();
        if (problems.Count > 0)
        {
            w.WriteLine("## Failed, diverged and pruned trials");
            w.WriteLine();
            foreach (var line in problems)
            {
                w.WriteLine($"- Trial {line.Trial.Number} ({Display.State(line.Trial)}, {Display.Settings(withSeed: false, hp: line.Hp)}, "
                    + $"{Display.EpochsRun(line.Summary)} epochs run): {Cell(line.Trial.Message ?? "no reason recorded")}");
            }
            w.WriteLine();
        }
    }

    /// <summary>Why each attempt ended, for trials that needed more than one.</summary>
    private static void Attempts(SweepReport report, TextWriter w)
    {
        if (report.Interrupted is { Count: > 0 } interrupted)
        {
            w.WriteLine("## Attempts");
            w.WriteLine();
            w.WriteLine("Why each attempt ended, for the trials that needed more than one (a lost attempt that stored an epoch does not count against the retries):");
            w.WriteLine();
            foreach (var line in interrupted)
                w.WriteLine($"- Trial {line.Trial.Number} ({Display.State(line.Trial)}, {line.Trial.Attempts} attempts, lost {line.Trial.Lost}): {Cell(line.AttemptLine)}");
            w.WriteLine();
        }
    }

    public static void Comparison(SweepReport a, SweepReport b, TextWriter w)
    {
        w.WriteLine($"# Comparison: {Cell(a.Sweep.Name)} vs {Cell(b.Sweep.Name)}");
        w.WriteLine();
        foreach (var (label, report) in new[] { ("A", a), ("B", b) })
        {
            var partial = report.IsPartial ? " **(partial: still running)**" : "";
            if (report.Best is { } best)
            {
                w.WriteLine($"- {label} = {Cell(report.Sweep.Name)}{partial}: best trial {best.Summary.Trial.Number}, {report.Metric} "
                    + $"{Display.Metric(best.Score)} ({Display.Settings(withSeed: false, hp: best.Summary.Trial.Hyperparameters)}, seed {best.Summary.Trial.Hyperparameters.Seed}); "
                    + $"{report.Ranked.Count} of {report.Lines.Count} trials completed");
            }
            else
            {
                w.WriteLine($"- {label} = {Cell(report.Sweep.Name)}{partial}: no completed trial");
            }
            if (report.Gain is { } gain) w.WriteLine($"  - {label} against its baseline: {BaselineSentence(gain)}");
        }
        w.WriteLine();

        var inB = b.Lines.GroupBy(l => l.Hp).ToDictionary(g => g.Key, g => g.First());
        var shared = a.Lines.Where(l => inB.ContainsKey(l.Hp)).Select(l => (A: l, B: inB[l.Hp])).ToList();
        w.WriteLine($"## Same grid cells ({shared.Count} with the same hyperparameters; {a.Lines.Count - shared.Count} only in A, "
            + $"{b.Lines.Count - shared.Count} only in B)");
        w.WriteLine();
        if (shared.Count == 0) return;
        w.WriteLine("| optimizer | loss function | learning rate | batch size | epochs | seed | A trial | A state | A val_accuracy | A val_loss | B trial | B state | B val_accuracy | B val_loss | Δ val_accuracy (B − A) |");
        w.WriteLine("|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---|---:|---:|---:|");
        foreach (var (x, y) in shared)
        {
            var hp = x.Hp;
            var (fa, fb) = (x.Summary.Final, y.Summary.Final);
            var delta = fa is not null && fb is not null ? Display.Metric(fb.ValAccuracy - fa.ValAccuracy) : "–";
            w.WriteLine($"| {hp.Optimizer} | {hp.Loss} | {Display.Rate(hp.LearningRate)} | {hp.BatchSize} | {Display.Epochs(hp)} | {hp.Seed} | "
                + $"{x.Trial.Number} | {Display.State(x.Trial)} | {Display.Metric(fa?.ValAccuracy)} | {Display.Metric(fa?.ValLoss)} | "
                + $"{y.Trial.Number} | {Display.State(y.Trial)} | {Display.Metric(fb?.ValAccuracy)} | {Display.Metric(fb?.ValLoss)} | {delta} |");
        }
    }

    /// <summary>What the best trial's settings are for, and how they reach Piximi (the HTML card says the same).</summary>
    internal const string ByHandNote =
        "To train these settings in Piximi, set each field by hand in Fit Model → HyperParameters (Piximi can export its settings "
        + "but not import them); or upload the trained model itself (export --model).";

    /// <summary>
    /// What to know before applying these settings in Piximi, or null: Piximi's "Momentum" silently trains as plain
    /// SGD (PIXIMI.md), while the sweep measured SGD with momentum 0.9.
    /// </summary>
    internal static string? PiximiCaveat(Hyperparameters hp) => hp.Optimizer == OptimizerKind.Momentum
        ? "Piximi's Momentum currently trains as plain SGD, without momentum; this trial used SGD with momentum 0.9, so Piximi may not reproduce its accuracy."
        : null;

    /// <summary>What the Pruning section's rows mean for this sweep's pruner (HTML shows the same sentence).</summary>
    internal static string PruningNote(SweepReport report, PrunerSpec pruner)
    {
        var d = report.Sweep.Definition;
        var rows = "Reached it: trials that stored that epoch; went on: trials that trained past it; the rest ended there for another reason "
            + "(their last epoch, early stopping, a failure) or are still running.";
        return pruner.Kind switch
        {
            PrunerKind.Median => $"{Display.Pruner(pruner)}: after the warm-up, a trial is pruned at any epoch where its {d.Metric} is worse than the "
                + $"median of the other trials at that epoch. Rows: the epochs trials were pruned at. {rows}",
            _ => $"{Display.Pruner(pruner)}: trials are judged on {d.Metric} at epochs {Display.Int(pruner.MinEpochs)}·{Display.Int(pruner.ReductionFactor)}^k "
                + $"below the longest trial's {Display.Int(d.Parameters.Epochs.Max())} epochs; at each, about the best 1/{Display.Int(pruner.ReductionFactor)} "
                + "of the trials that reached it go on."
                + (pruner.Kind == PrunerKind.Hyperband
                    ? " Hyperband puts each trial in a bracket that starts judging at one of these epochs, so a row is an epoch and a trial's rung counts from its bracket's first."
                    : "")
                + $" {rows}",
        };
    }

    internal static string StateCounts(SweepReport report) => string.Join(", ",
        Enum.GetValues<TrialState>().Select(s => (s, n: report.CountOf(s))).Where(x => x.n > 0).Select(x => $"{x.n} {Display.State(x.s)}"));

    internal static string PartialNote(SweepReport report) =>
        $"{report.CountOf(TrialState.Queued)} trial(s) queued and {report.CountOf(TrialState.Running)} running when this was generated "
        + $"({Format.Time(report.GeneratedAt)}); numbers and the ranking may still change.";

    private static void Groups(TextWriter w, string what, IReadOnlyList<GroupScore> groups)
    {
        if (groups.Count == 0) return;
        w.WriteLine($"## By {what} (completed trials, final val_accuracy)");
        w.WriteLine();
        w.WriteLine($"| {what} | n | best | mean |");
        w.WriteLine("|---|---:|---:|---:|");
        foreach (var g in groups) w.WriteLine($"| {g.Value} | {g.N} | {Display.Metric(g.Best)} | {Display.Metric(g.Mean)} |");
        w.WriteLine();
    }

    /// <summary>
    /// User text in a Markdown line or table cell: no pipes or line breaks that would break a table, and no raw HTML
    /// (most Markdown renderers pass it through, so a class named &lt;script&gt; would run); entities render as the text.
    /// </summary>
    private static string Cell(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;")
        .Replace("|", "\\|").Replace("\r", " ").Replace("\n", " ");
}
