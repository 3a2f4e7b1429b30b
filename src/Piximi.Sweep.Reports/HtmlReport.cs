using System.Globalization;
using System.Text;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Reports;

/// <summary>
/// The report as one HTML file that opens offline: CSS, JS and charts inline (charts as SVG data URIs), no fonts,
/// scripts or images fetched. Every user-supplied string goes through <see cref="Html.Escape"/>.
/// </summary>
internal static partial class HtmlReport
{
    /// <summary>Trials whose learning curves are pre-rendered by ScottPlot; the others are drawn on demand by inline JS.</summary>
    internal const int TopCurves = 5;

    /// <summary>Replicate groups shown (best mean first); all of them are in the JSON.</summary>
    internal const int TopReplicates = 50;

    public static void Write(SweepReport report, TextWriter w)
    {
        var name = Html.Escape(report.Sweep.Name);
        w.Write($"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Sweep report: {name}</title>\n<style>{Css}</style>\n</head>\n<body>\n");
        if (report.IsPartial)
        {
            w.Write($"<div class=\"partial\" id=\"partial\"><strong>Partial report — the sweep is still running.</strong> {Html.Escape(MarkdownReport.PartialNote(report))}</div>\n");
        }
        w.Write($"<header><h1>Sweep report: {name}</h1><p class=\"sub\">Generated {Html.Escape(Format.Time(report.GeneratedAt))} by Piximi.Sweep · ranked by {Html.Escape(report.Metric)}</p>\n");
        w.Write("<nav>" + string.Concat(Sections(report).Where(n => n.HasContent).Select(n => $"<a href=\"#{n.Id}\">{n.Title}</a>")) + "</nav></header>\n<main>\n");
        Summary(report, w);
        BaselineSection(report, w);
        BestCard(report, w);
        HistorySection(report, w);
        AllCurvesSection(report, w);
        SlicesSection(report, w);
        ParallelSection(report, w);
        TopCurvesSection(report, w);
        TrialsTable(report, w);
        PruningSection(report, w);
        Grid(report, w);
        ImportanceSection(report, w);
        FanovaSection(report, w);
        Evaluation(report, w);
        ReplicatesSection(report, w);
        Problems(report, w);
        AttemptsSection(report, w);
        w.Write("</main>\n<footer>Piximi.Sweep · this file is self-contained and works offline.</footer>\n");
        CurveData(report, w);
        w.Write($"<script>{Script}</script>\n</body>\n</html>\n");
    }

    /// <summary>
    /// The sections in page order, and whether each has more to show than a sentence saying it is empty: navigation
    /// links only those that do (a link to "None." wastes a reader's click).
    /// </summary>
    private static IEnumerable<(string Id, string Title, bool HasContent)> Sections(SweepReport report)
    {
        var ranked = report.Best is not null;
        yield return ("summary", "Summary", true);
        yield return ("baseline", "Your settings", report.Gain is not null);
        yield return ("best", "Best trial", ranked);
        yield return ("history", "Optimization history", ranked);
        yield return ("all-curves", "All trials' curves", report.Lines.Any(l => l.Curve.Count > 0));
        yield return ("slices", "Slices", ranked && Slices.Varying(report).Any());
        yield return ("parallel", "Parallel coordinates", ranked && Slices.Varying(report).Any());
        yield return ("curves", "Learning curves", ranked);
        yield return ("trials", "All trials", report.Lines.Count > 0);
        yield return ("pruning", "Pruning", report.Sweep.Definition.Pruner is not null);
        yield return ("grid", "Learning rate × batch size", report.Heatmaps.Count > 0);
        yield return ("importance", "Importance", report.Importance.Count > 0);
        yield return ("evaluation", "Evaluation", report.BestEvaluation is not null && report.BestScores is not null);
        yield return ("replicates", "Replicates", report.Replicates.Count > 0);
        yield return ("problems", "Failed trials", report.Lines.Any(l => l.Trial.State is TrialState.Failed or TrialState.Diverged or TrialState.Pruned));
        yield return ("attempts", "Attempts", report.Interrupted.Count > 0);
    }

    private static void Summary(SweepReport report, TextWriter w)
    {
        var d = report.Sweep.Definition;
        var p = d.Parameters;
        w.Write("<section id=\"summary\"><h2>Summary</h2><div class=\"cols\"><dl class=\"facts\">");
        if (d.Description is { } description) Fact(w, "Description", description);
        Fact(w, "Dataset", $"{d.Dataset.Images} ({d.Dataset.Kind})");
        if (d.Dataset.Labels is { } labels) Fact(w, "Labels", labels);
        if (Display.Data(d.Dataset) is { } data) Fact(w, "Data", data);
        Fact(w, "Training percentage", Format.Exact(d.Dataset.TrainingPercentage) + (d.Dataset.Subset is { } s ? $" of a {Display.Int(s)}-image subset" : ""));
        Fact(w, d.Parameters.ModelList.Count > 1 ? "Models" : "Model", string.Join(", ", d.Parameters.ModelList));
        Fact(w, "Optimizers", string.Join(", ", p.Optimizers));
        Fact(w, "Loss functions", string.Join(", ", p.Losses));
        Fact(w, "Learning rates", string.Join(", ", p.LearningRates.Select(Display.Rate)));
        Fact(w, "Batch sizes", string.Join(", ", p.BatchSizes.Select(b => Display.Int(b))));
        Fact(w, "Epochs", string.Join(", ", p.Epochs.Select(e => Display.Int(e))) + (p.TimeBudget is { } t ? $" (time budget {Format.Duration(t.TotalSeconds)} per trial)" : ""));
        Fact(w, "Seeds", string.Join(", ", p.Seeds.Select(x => Display.Int(x))));
        Fact(w, "Search", Format.Search(d, report.Lines.Count));
        if (d.Pruner is { } pruner) Fact(w, "Pruner", $"{Display.Pruner(pruner)}, judged on {d.Metric} after every epoch");
        if (d.EarlyStopping is { } stopping) Fact(w, "Early stopping", Display.EarlyStopping(stopping));
        w.Write("</dl><dl class=\"facts\">");
        Fact(w, "Created", Format.Time(report.Sweep.CreatedAt));
        Fact(w, "First trial started", Format.Time(report.FirstStartedAt));
        Fact(w, "Last trial finished", Format.Time(report.LastFinishedAt));
        Fact(w, "Total compute time", $"{Format.Duration(report.TotalComputeSeconds)} (sum of epoch times)");
        w.Write($"<dt>Trials</dt><dd><span id=\"trial-count\">{Display.Int(report.Lines.Count)}</span>: ");
        foreach (var state in Enum.GetValues<TrialState>())
        {
            var n = report.CountOf(state);
            if (n > 0) w.Write($"<span class=\"chip s-{Display.State(state)}\">{Display.Int(n)} {Display.State(state)}</span> ");
        }
        w.Write("</dd>");
        if (report.Effort is { } effort)
        {
            w.Write($"<dt>Epochs trained</dt><dd><span id=\"effort\">{Html.Escape(Format.Effort(d, effort))}</span> "
                + $"<span class=\"muted\">({Html.Escape(Format.EffortBasis(effort))})</span></dd>");
        }
        w.Write("</dl></div></section>\n");
    }

    private static void BestCard(SweepReport report, TextWriter w)
    {
        w.Write("<section id=\"best\"><h2>Best trial</h2>");
        if (report.Best is not { } best || report.BestLine is not { } line)
        {
            w.Write("<p>No trial has completed yet.</p></section>\n");
            return;
        }
        var hp = line.Hp;
        var f = line.Summary.Final!;
        w.Write($"<div class=\"card\"><div class=\"card-head\"><div><span class=\"big\" id=\"best-score\">{Display.Metric(best.Score)}</span> {Html.Escape(report.Metric)}"
            + $"<br><span class=\"muted\">trial <span id=\"best-trial\">{Display.Int(line.Trial.Number)}</span> · seed {Display.Int(hp.Seed)} · "
            + $"{Html.Escape(Display.EpochsRun(line.Summary))} epochs in {Html.Escape(Format.Duration(line.Summary.TrainingSeconds))}</span></div>"
            + "<button class=\"copy\" data-target=\"best-settings\" type=\"button\">Copy settings</button></div>");
        w.Write($"<p class=\"muted\">{Html.Escape(MarkdownReport.ByHandNote)}</p><table class=\"settings\">");
        var settings = PiximiExport.ByHand(report.Sweep.Definition, hp);
        foreach (var (key, value) in settings) w.Write($"<tr><th>{Html.Escape(key)}</th><td>{Html.Escape(value)}</td></tr>");
        w.Write("</table>");
        if (MarkdownReport.PiximiCaveat(hp) is { } caveat) w.Write($"<p class=\"note\">{Html.Escape(caveat)}</p>");
        w.Write($"<pre id=\"best-settings\" class=\"hidden\">{Html.Escape(string.Join("\n", settings.Select(s => $"{s.Name}: {s.Value}")))}</pre>");
        w.Write($"<p class=\"metrics\">{ResultLabel(line)}: loss {Display.Metric(f.Loss)} · accuracy {Display.Metric(f.Accuracy)} · val_loss {Display.Metric(f.ValLoss)} · val_accuracy {Display.Metric(f.ValAccuracy)}</p>");
        if (PiximiExport.InputShapeOf(report.Sweep.Definition) is not null)
        {
            var json = PiximiExport.ModelHyperparameters(report.Sweep.Definition, hp);
            var file = Html.Escape($"{report.Sweep.Name}-model_hyperparameters.json");
            w.Write($"<p><a class=\"download\" download=\"{file}\" href=\"data:application/json;base64,{Convert.ToBase64String(Encoding.UTF8.GetBytes(json))}\">"
                + $"Download the settings in Piximi's hyperparameters file</a> <span class=\"muted\">({file}: the form Piximi's Export Hyperparameters writes, a record to keep; Piximi cannot read it back)</span></p>");
        }
        w.Write("</div></section>\n");
    }

    /// <summary>More trials than this in one chart make a grey mat and a heavy file; the best ones are drawn.</summary>
    internal const int MostCurves = 500;

    private static void HistorySection(SweepReport report, TextWriter w)
    {
        if (report.Best is null) return;
        var points = report.Lines.Where(l => l.Rank is not null && l.Summary.Final is not null)
            .Select(l => (l.Trial.Number, MetricNames.ValueOf(l.Summary.Final!, report.Metric))).Where(p => double.IsFinite(p.Item2))
            .OrderBy(p => p.Number).ToList();
        w.Write($"<section id=\"history\"><h2>Optimization history</h2><p class=\"muted\">Each completed trial's final {Html.Escape(report.Metric)} by trial number "
            + "(blue) and the best so far (orange): whether later trials still found better settings.</p>");
        w.Write(Charts.ImageTag(Charts.History(points, report.Metric, 860, 300), $"{report.Metric} by trial number and the best so far", 860, 300));
        w.Write("</section>\n");
    }

    private static void AllCurvesSection(SweepReport report, TextWriter w)
    {
        var lines = report.Lines.Where(l => l.Curve.Count > 0).OrderBy(l => l.Rank ?? int.MaxValue).ThenBy(l => l.Trial.Number).ToList();
        if (lines.Count == 0) return;
        var drawn = lines.Take(MostCurves).Select(l => (l.Curve, l.Trial.State == TrialState.Pruned, l.Rank == 1)).ToList();
        w.Write($"<section id=\"all-curves\"><h2>All trials' curves</h2><p class=\"muted\">{Html.Escape(report.Metric)} per epoch of "
            + (drawn.Count < lines.Count ? $"the best {drawn.Count} of {lines.Count} trials" : $"every trial ({lines.Count})")
            + ": the best in orange, pruned trials grey and dashed, ending in a ✕ where they were stopped.</p>");
        w.Write(Charts.ImageTag(Charts.AllCurves(drawn, report.Metric, 860, 340), $"{report.Metric} per epoch of every trial", 860, 340));
        w.Write("</section>\n");
    }

    /// <summary>The completed trials the slice and parallel plots draw, the settings they differ in, and the sentence's end saying how many are drawn.</summary>
    private static (IReadOnlyList<TrialLine> Points, List<Slices.Axis> Parameters, string Drawn) Sliced(SweepReport report)
    {
        var points = Slices.Drawn(report);
        var completed = report.Lines.Count(l => l.Rank is not null);
        return (points, [.. Slices.Varying(report)],
            points.Count < completed ? $"; {points.Count} of {completed} completed trials drawn (the best fifth and an even sample of the rest)." : ".");
    }

    private static void SlicesSection(SweepReport report, TextWriter w)
    {
        var (points, parameters, drawn) = Sliced(report);
        if (points.Count == 0 || parameters.Count == 0) return;
        w.Write($"<section id=\"slices\"><h2>Slice plots</h2><p class=\"muted\">Each completed trial's final {Html.Escape(report.Metric)} against one "
            + "hyperparameter at a time (Optuna's slice plot): where the good trials lie along each setting" + drawn + "</p><div class=\"slices\">");
        foreach (var p in parameters)
        {
            var svg = Charts.Slice([.. points.Select(l => (l.Trial.Number, p.Value(l.Trial.Hyperparameters, p.Categories), MetricNames.ValueOf(l.Summary.Final!, report.Metric)))],
                p.Name, p.Log, p.Categories, report.Metric, 400, 260);
            w.Write(Charts.ImageTag(svg, $"{report.Metric} by {p.Name}", 400, 260));
        }
        w.Write("</div></section>\n");
    }

    private static void ParallelSection(SweepReport report, TextWriter w)
    {
        var (points, parameters, drawn) = Sliced(report);
        if (points.Count == 0 || parameters.Count == 0) return;
        w.Write($"<section id=\"parallel\"><h2>Parallel coordinates</h2><p class=\"muted\">Each completed trial as one line through its settings and its final "
            + $"{Html.Escape(report.Metric)} (Optuna's parallel coordinate plot), coloured from the worst (dark) to the best (yellow): follow the yellow lines back to the settings they share"
            + drawn + "</p>");
        var axes = parameters.Select(p => new Charts.ParallelAxis(p.Name, p.Log, p.Categories,
            [.. points.Select(l => p.Value(l.Trial.Hyperparameters, p.Categories))])).ToList();
        var scores = points.Select(l => MetricNames.ValueOf(l.Summary.Final!, report.Metric)).ToList();
        w.Write(Charts.ImageTag(Charts.Parallel(axes, scores, report.Metric, MetricNames.HigherIsBetter(report.Metric), 860, 320),
            $"parallel coordinates of {report.Metric}", 860, 320));
        w.Write("</section>\n");
    }

    private static void TopCurvesSection(SweepReport report, TextWriter w)
    {
        w.Write("<section id=\"curves\"><h2>Learning curves</h2>");
        var top = report.Lines.Where(l => l.Rank is not null).OrderBy(l => l.Rank).Take(TopCurves).ToList();
        if (top.Count == 0) w.Write("<p>No completed trial yet.</p>");
        else w.Write($"<p class=\"muted\">The top {top.Count} trials, training (blue) and validation (orange) per epoch, over the epochs each was set to run. "
            + "A dotted line and circles mark the epoch early stopping kept; a pruned trial's curves are dashed and end in a ✕. Any other trial: press ▸ in its row of the table below.</p>");
        foreach (var line in top)
        {
            var kept = KeptNote(line);
            w.Write($"<figure class=\"curves\"><figcaption>#{line.Rank} · trial {Display.Int(line.Trial.Number)} · {Html.Escape(Display.Settings(withSeed: false, hp: line.Hp))}, seed {Display.Int(line.Hp.Seed)}"
                + $"{Html.Escape(kept)}</figcaption>");
            var (keptEpoch, planned, pruned) = (line.Trial.ResultEpoch, line.Hp.Epochs, line.Trial.State == TrialState.Pruned);
            w.Write(Charts.ImageTag(Charts.Curves(line.Curve, accuracy: false, 420, 240, keptEpoch, planned, pruned), $"Loss of trial {line.Trial.Number}{kept}", 420, 240));
            w.Write(Charts.ImageTag(Charts.Curves(line.Curve, accuracy: true, 420, 240, keptEpoch, planned, pruned), $"Accuracy of trial {line.Trial.Number}{kept}", 420, 240));
            w.Write("</figure>");
        }
        w.Write("</section>\n");
    }

    /// <summary>The trials table's metric columns after trial and state, the ranking metric first (it is kept in view).</summary>
    private static readonly string[] MetricColumns = [MetricNames.Loss, MetricNames.Accuracy, MetricNames.ValLoss, MetricNames.ValAccuracy];

    private static void TrialsTable(SweepReport report, TextWriter w)
    {
        w.Write($"<section id=\"trials\"><h2>All trials</h2><p class=\"muted\">Ranked by final {Html.Escape(report.Metric)}; trials not completed follow by number. "
            + "A trial early stopping ended shows its epochs run with the epoch it kept, \"7 (kept 4)\", and that epoch's metrics; a pruned trial, the rung it was judged at. "
            + $"Trial, state and {Html.Escape(report.Metric)} stay in view when the table scrolls sideways. "
            + $"Click a column header to sort; press ▸ to draw a trial's curves here.</p><div id=\"viewer\" class=\"viewer\" hidden></div>");
        // The ranking metric comes right after the state, so the number the table is ranked by is in its sticky columns.
        var others = MetricColumns.Where(m => m != report.Metric).ToList();
        w.Write("<div class=\"scroll\"><table class=\"sortable\" id=\"trial-table\"><thead><tr>");
        foreach (var header in (string[])["", "rank", "trial", "state", report.Metric, "optimizer", "loss function", "learning rate", "batch size", "epochs", "seed",
                     "epochs run", "time", .. others, "best epoch", $"best {report.Metric}"])
        {
            w.Write($"<th>{Html.Escape(header)}</th>");
        }
        w.Write("</tr></thead><tbody>\n");
        var rows = report.Lines.Where(l => l.Rank is not null).OrderBy(l => l.Rank).Concat(report.Lines.Where(l => l.Rank is null));
        var sb = new StringBuilder();
        foreach (var line in rows)
        {
            var (hp, f, b) = (line.Hp, line.Summary.Final, line.BestEpoch);
            var state = Html.Escape(Display.State(line.Trial));
            sb.Clear();
            sb.Append(RowStart(report, line))
                .Append(line.Curve.Count > 0 ? $"<td><button class=\"cv\" type=\"button\" data-t=\"{line.Trial.Number}\" title=\"curves\">▸</button></td>" : "<td></td>")
                .Append("<td>").Append(line.Rank?.ToString(CultureInfo.InvariantCulture) ?? "").Append("</td>").Append(TrialCell(report, line))
                .Append("<td><span class=\"chip s-").Append(Display.State(line.Trial.State)).Append("\" title=\"").Append(state).Append("\">").Append(state).Append("</span></td>")
                .Append("<td>").Append(Display.Metric(f is null ? null : MetricNames.ValueOf(f, report.Metric))).Append("</td><td>")
                .Append(hp.Optimizer).Append("</td><td>").Append(hp.Loss).Append("</td><td>").Append(Display.Rate(hp.LearningRate))
                .Append("</td><td>").Append(hp.BatchSize).Append("</td><td>").Append(Html.Escape(Display.Epochs(hp))).Append("</td><td>").Append(hp.Seed)
                .Append("</td><td>").Append(Html.Escape(Display.EpochsRun(line.Summary))).Append("</td><td>").Append(Format.Seconds(line.Summary.TrainingSeconds));
            foreach (var metric in others) sb.Append("</td><td>").Append(Display.Metric(f is null ? null : MetricNames.ValueOf(f, metric)));
            sb.Append("</td><td>").Append(b?.Epoch.ToString(CultureInfo.InvariantCulture) ?? "–").Append("</td><td>")
                .Append(b is null ? "–" : Display.Metric(MetricNames.ValueOf(b, report.Metric))).Append("</td></tr>\n");
            w.Write(sb);
        }
        w.Write("</tbody></table></div></section>\n");
    }

    private static void PruningSection(SweepReport report, TextWriter w)
    {
        if (report.Sweep.Definition.Pruner is not { } pruner) return;
        w.Write("<section id=\"pruning\"><h2>Pruning</h2>");
        w.Write($"<p class=\"muted\">{Html.Escape(MarkdownReport.PruningNote(report, pruner))}</p>");
        if (report.Rungs.Count == 0)
        {
            w.Write("<p>No trial has been pruned.</p></section>\n");
            return;
        }
        var withRung = report.Rungs.Any(r => r.Rung is not null);
        w.Write("<div class=\"wide\"><table id=\"rung-table\"><thead><tr>" + (withRung ? "<th>rung</th>" : "") + "<th>epoch</th><th>reached it</th><th>pruned there</th><th>went on</th></tr></thead><tbody>");
        foreach (var r in report.Rungs)
        {
            w.Write("<tr>" + (withRung ? $"<td>{(r.Rung is { } k ? Display.Int(k) : "")}</td>" : "")
                + $"<td>{Display.Int(r.Epoch)}</td><td>{Display.Int(r.Reached)}</td><td>{Display.Int(r.Pruned)}</td><td>{Display.Int(r.WentOn)}</td></tr>");
        }
        w.Write("</tbody></table></div>");
        if (report.Effort is { } effort) w.Write($"<p>{Html.Escape(Format.Effort(report.Sweep.Definition, effort))} <span class=\"muted\">({Html.Escape(Format.EffortBasis(effort))})</span></p>");
        w.Write("</section>\n");
    }

    /// <summary>"Final epoch", or "Kept epoch 4 (of 7 run)" when early stopping kept an earlier epoch's model.</summary>
    internal static string ResultLabel(TrialLine line) =>
        line.Trial.ResultEpoch is { } kept && kept != line.Summary.EpochsRun
            ? $"Kept epoch {Display.Int(kept)} (of {Display.Int(line.Summary.EpochsRun)} run)"
            : "Final epoch";

    private static string KeptNote(TrialLine line) =>
        line.Trial.ResultEpoch is { } kept && kept != line.Summary.EpochsRun ? $" · kept epoch {Display.Int(kept)}" : "";

    private static void Grid(SweepReport report, TextWriter w)
    {
        w.Write("<section id=\"grid\"><h2>Validation accuracy over learning rate × batch size</h2>");
        if (report.Heatmaps.Count == 0)
        {
            w.Write("<p>No completed trial yet.</p></section>\n");
            return;
        }
        w.Write("<p class=\"muted\">Mean final val_accuracy of completed trials per cell, one map per optimizer. Where several trials share a cell "
            + "(other loss functions, epochs or seeds), the cell is their average; grey cells have no completed trial.</p><div class=\"maps\">");
        var means = report.Heatmaps.SelectMany(m => m.Mean.Cast<double>()).Where(double.IsFinite).ToList();
        var (low, high) = (means.Min(), means.Max());
        w.Write($"<p class=\"muted\">Colours span the maps' own range, {Display.Metric(low)} (dark) to {Display.Metric(high)} (yellow).</p>");
        foreach (var map in report.Heatmaps)
        {
            var width = Math.Clamp(160 + 90 * map.LearningRates.Count, 360, 900);
            var height = Math.Clamp(120 + 50 * map.BatchSizes.Count, 260, 700);
            var losses = string.Join(", ", map.Losses);
            w.Write($"<figure>{Charts.ImageTag(Charts.Heatmap(map, width, height, low, high), $"val_accuracy heatmap for {map.Optimizer}", width, height)}"
                + $"<figcaption>{Html.Escape(PiximiNames.Optimizer(map.Optimizer))} — averaged over loss functions: {Html.Escape(losses)}</figcaption></figure>");
        }
        w.Write("</div><div class=\"cols\">");
        GroupTable(w, "Optimizer", report.ByOptimizer);
        GroupTable(w, "Loss function", report.ByLoss);
        w.Write("</div></section>\n");
    }

    private static void GroupTable(TextWriter w, string what, IReadOnlyList<GroupScore> groups)
    {
        w.Write($"<div><h3>By {Html.Escape(what.ToLowerInvariant())}</h3><div class=\"wide\"><table class=\"bars\"><thead><tr><th>{Html.Escape(what)}</th><th>n</th><th>best val_accuracy</th><th>mean val_accuracy</th></tr></thead><tbody>");
        foreach (var g in groups)
        {
            w.Write($"<tr><td>{Html.Escape(g.Value)}</td><td>{g.N}</td><td>{Bar(g.Best)}</td><td>{Bar(g.Mean)}</td></tr>");
        }
        w.Write("</tbody></table></div></div>");
    }

    private static void ImportanceSection(SweepReport report, TextWriter w)
    {
        w.Write("<section id=\"importance\"><h2>Hyperparameter importance</h2>");
        if (report.Importance.Count == 0)
        {
            w.Write("<p>No completed trial yet.</p></section>\n");
            return;
        }
        w.Write($"<p class=\"muted\">η² (eta squared): the share of the variance of final val_accuracy over the {report.Importance[0].Trials} completed trials "
            + "that grouping the trials by one hyperparameter explains: η² = Σ<sub>groups</sub> n<sub>g</sub>(mean<sub>g</sub> − mean)² / Σ<sub>trials</sub>(x − mean)². "
            + "0 = the choice made no difference, 1 = it decides everything. Each is measured alone, so with interactions they need not add up to 1; "
            + "a hyperparameter with one value has η² 0. n: the trials it is measured over; smallest group: the fewest trials sharing one of its values.</p>");
        if (ShakyNote(report) is { } caveat) w.Write($"<p class=\"note caveat\" id=\"eta-caveat\">⚠ {Html.Escape(caveat)}</p>");
        w.Write("<div class=\"wide\"><table class=\"bars\"><thead><tr><th>hyperparameter</th><th>values</th><th>n</th><th>smallest group</th><th>η²</th><th></th></tr></thead><tbody>");
        foreach (var i in report.Importance)
        {
            w.Write($"<tr><td>{i.Hyperparameter}</td><td>{i.Values}</td><td>{i.Trials}</td><td>{i.SmallestGroup}</td><td>{Bar(i.EtaSquared)}</td>"
                + $"<td class=\"caveat\">{(i.IsShaky ? "⚠ unreliable" : "")}</td></tr>");
        }
        w.Write("</tbody></table></div></section>\n");
    }

    /// <summary>The caveat when some hyperparameter has a value fewer than 3 trials share, naming them; null when none does.</summary>
    internal static string? ShakyNote(SweepReport report)
    {
        var shaky = report.Importance.Where(i => i.IsShaky).ToList();
        if (shaky.Count == 0) return null;
        return $"{string.Join(", ", shaky.Select(i => $"{i.Hyperparameter} (a value with {i.SmallestGroup} trial{(i.SmallestGroup == 1 ? "" : "s")})"))}: "
            + $"fewer than {Importance.FewestTrusted} trials share a value, so η² there is mostly chance (2 trials with 2 values always give 1.0000). "
            + "Run more trials, or seeds, before trusting it.";
    }

    private static void Evaluation(SweepReport report, TextWriter w)
    {
        w.Write("<section id=\"evaluation\"><h2>Evaluation of the best trial</h2>");
        if (report.BestEvaluation is not { } evaluation || report.BestScores is not { } scores || report.Best is not { } best)
        {
            w.Write("<p>No evaluation stored for the best trial.</p></section>\n");
            return;
        }
        w.Write($"<p class=\"muted\">Trial {best.Summary.Trial.Number}'s final model on its {scores.Total} validation images. Rows: actual class; columns: predicted class.</p>");
        // The matrix gets the section's whole width (the scores go below it): 20 classes fit at 1,280 px; beyond, it
        // scrolls with its labels sticky. Long class names are clamped in the header and cut with an ellipsis in the
        // rows, each with its whole name as a title.
        w.Write("<div class=\"scroll matrix\"><table class=\"confusion\"><thead><tr><th>actual \\ predicted</th>");
        foreach (var c in evaluation.ClassNames) w.Write($"<th title=\"{Html.Escape(c)}\"><span>{Html.Escape(c)}</span></th>");
        w.Write("</tr></thead><tbody>");
        for (var r = 0; r < evaluation.ClassNames.Count; r++)
        {
            var rowTotal = Math.Max(1, evaluation.Confusion[r].Sum());
            w.Write($"<tr><th title=\"{Html.Escape(evaluation.ClassNames[r])}\">{Html.Escape(evaluation.ClassNames[r])}</th>");
            for (var c = 0; c < evaluation.ClassNames.Count; c++)
            {
                var count = evaluation.Confusion[r][c];
                var alpha = ((double)count / rowTotal).ToString("F2", CultureInfo.InvariantCulture);
                var hue = r == c ? "47,140,90" : "200,70,50";
                w.Write($"<td{(r == c ? " class=\"diag\"" : "")} style=\"background:rgba({hue},{alpha})\">{count}</td>");
            }
            w.Write("</tr>");
        }
        w.Write("</tbody></table></div><div class=\"wide\"><table class=\"scores\"><thead><tr><th>class</th><th>support</th><th>precision</th><th>recall</th><th>F1</th></tr></thead><tbody>");
        foreach (var c in scores.Classes)
        {
            w.Write($"<tr><td class=\"name\" title=\"{Html.Escape(c.Name)}\">{Html.Escape(c.Name)}</td><td>{c.Support}</td><td>{Display.Metric(c.Precision)}</td><td>{Display.Metric(c.Recall)}</td><td>{Display.Metric(c.F1)}</td></tr>");
        }
        w.Write($"</tbody><tfoot><tr><th>macro average</th><td>{scores.Total}</td><td id=\"macro-precision\">{Display.Metric(scores.MacroPrecision)}</td>"
            + $"<td id=\"macro-recall\">{Display.Metric(scores.MacroRecall)}</td><td id=\"macro-f1\">{Display.Metric(scores.MacroF1)}</td></tr></tfoot></table>");
        w.Write($"<p>Accuracy {Display.Metric(scores.Accuracy)}.</p></div>");
        w.Write("<p class=\"muted\">Precision = TP / (TP + FP), read down a predicted column; recall = TP / (TP + FN), read along an actual row; "
            + "F1 = 2·precision·recall / (precision + recall); 0 where nothing was predicted or present. Macro = unweighted mean over classes. "
            + "Piximi's own evaluation shows precision and recall swapped; these are the standard ones.</p>");
        if (scores.Binary is { } positive)
        {
            w.Write($"<p class=\"note\">Two classes: Piximi reports the binary variant, taking the first class ({Html.Escape(positive.Name)}) as positive "
                + $"and swapping precision and recall; the standard ones for it are precision {Display.Metric(positive.Precision)}, recall {Display.Metric(positive.Recall)}, "
                + $"F1 {Display.Metric(positive.F1)}.</p>");
        }
        w.Write("</section>\n");
    }

    private static void ReplicatesSection(SweepReport report, TextWriter w)
    {
        w.Write("<section id=\"replicates\"><h2>Replicates</h2>");
        if (report.Replicates.Count == 0)
        {
            w.Write("<p>No settings were run with several seeds (or not yet completed with several).</p></section>\n");
            return;
        }
        w.Write($"<p class=\"muted\">The same settings with different seeds: final val_accuracy as mean ± sample standard deviation (n − 1), n completed seeds. "
            + $"Best {Math.Min(TopReplicates, report.Replicates.Count)} of {report.Replicates.Count} by mean.</p>"
            + "<div class=\"wide\"><table class=\"sortable\"><thead><tr><th>optimizer</th><th>loss function</th><th>learning rate</th><th>batch size</th><th>epochs</th><th>val_accuracy</th><th>n</th><th>seeds</th></tr></thead><tbody>");
        foreach (var r in report.Replicates.Take(TopReplicates))
        {
            var hp = r.Settings;
            w.Write($"<tr><td>{hp.Optimizer}</td><td>{hp.Loss}</td><td>{Display.Rate(hp.LearningRate)}</td><td>{hp.BatchSize}</td><td>{Html.Escape(Display.Epochs(hp))}</td>"
                + $"<td data-v=\"{Format.Exact(r.Mean)}\">{Display.Metric(r.Mean)} ± {Display.Metric(r.StandardDeviation)}</td><td>{r.N}</td><td>{string.Join(", ", r.Seeds)}</td></tr>");
        }
        w.Write("</tbody></table></div></section>\n");
    }

    private static void Problems(SweepReport report, TextWriter w)
    {
        var problems = report.Lines.Where(l => l.Trial.State is TrialState.Failed or TrialState.Diverged or TrialState.Pruned).ToList();
        w.Write("<section id=\"problems\"><h2>Failed, diverged and pruned trials</h2>");
        if (problems.Count == 0)
        {
            w.Write("<p>None.</p></section>\n");
            return;
        }
        w.Write("<div class=\"wide\"><table><thead><tr><th>trial</th><th>state</th><th>settings</th><th>epochs run</th><th>attempts</th><th>reason</th></tr></thead><tbody>");
        foreach (var line in problems)
        {
            w.Write($"<tr><td>{line.Trial.Number}</td><td><span class=\"chip s-{Display.State(line.Trial.State)}\">{Html.Escape(Display.State(line.Trial))}</span></td>"
                + $"<td>{Html.Escape(Display.Settings(withSeed: false, hp: line.Hp))}, seed {line.Hp.Seed}</td><td>{line.Summary.EpochsRun}</td><td>{line.Trial.Attempts}</td>"
                + $"<td class=\"reason\">{Html.Escape(line.Trial.Message ?? "no reason recorded")}</td></tr>");
        }
        w.Write("</tbody></table></div></section>\n");
    }

    /// <summary>Why each attempt ended, for the trials that needed more than one (or lost or gave back the one they had).</summary>
    private static void AttemptsSection(SweepReport report, TextWriter w)
    {
        var interrupted = report.Interrupted;
        w.Write("<section id=\"attempts\"><h2>Attempts</h2>");
        if (interrupted.Count == 0)
        {
            w.Write("<p>Every trial ran in one attempt.</p></section>\n");
            return;
        }
        w.Write($"<p>{interrupted.Count} trial(s) needed more than one attempt, or lost or gave back the one they had. A lost attempt that "
            + "stored an epoch does not count against the retries.</p>");
        w.Write("<div class=\"wide\"><table><thead><tr><th>trial</th><th>state</th><th>attempts</th><th>lost</th><th>why each attempt ended</th></tr></thead><tbody>");
        foreach (var line in interrupted)
        {
            var items = string.Concat(AttemptHistory.Phrases(line.Trial, line.Attempts, line.Summary.EpochsRun).Select(p => $"<li>{Html.Escape(p)}</li>"));
            w.Write($"<tr><td>{line.Trial.Number}</td><td><span class=\"chip s-{Display.State(line.Trial.State)}\">{Html.Escape(Display.State(line.Trial))}</span></td>"
                + $"<td>{line.Trial.Attempts}</td><td>{line.Trial.Lost}</td><td class=\"reason\"><ol class=\"attempts\">{items}</ol></td></tr>");
        }
        w.Write("</tbody></table></div></section>\n");
    }

    /// <summary>
    /// Every trial's curves as compact JSON ({"trial": [loss[], accuracy[], val_loss[], val_accuracy[], epochs set,
    /// kept epoch or null, rung if pruned (−1: pruned without one) or null]}, 4 significant digits, null for NaN), for the inline script to draw on demand: pre-rendering 10,000 SVGs would make a huge file.
    /// Only numbers go in, so nothing in it can close the script element.
    /// </summary>
    private static void CurveData(SweepReport report, TextWriter w)
    {
        w.Write("<script type=\"application/json\" id=\"curve-data\">{");
        var first = true;
        var sb = new StringBuilder();
        foreach (var line in report.Lines.Where(l => l.Curve.Count > 0))
        {
            sb.Clear();
            if (!first) sb.Append(',');
            first = false;
            sb.Append('"').Append(line.Trial.Number).Append("\":[");
            Series(sb, line.Curve, e => e.Loss).Append(',');
            Series(sb, line.Curve, e => e.Accuracy).Append(',');
            Series(sb, line.Curve, e => e.ValLoss).Append(',');
            Series(sb, line.Curve, e => e.ValAccuracy).Append(',').Append(line.Hp.Epochs).Append(',')
                .Append(line.Trial.ResultEpoch is { } kept ? kept.ToString(CultureInfo.InvariantCulture) : "null").Append(',')
                .Append(line.Trial.State == TrialState.Pruned ? (line.Trial.Rung is { } rung ? rung.ToString(CultureInfo.InvariantCulture) : "-1") : "null").Append(']');
            w.Write(sb);
        }
        w.Write("}</script>\n");
    }

    private static StringBuilder Series(StringBuilder sb, IReadOnlyList<EpochMetrics> curve, Func<EpochMetrics, double> value)
    {
        sb.Append('[');
        for (var i = 0; i < curve.Count; i++)
        {
            if (i > 0) sb.Append(',');
            var v = value(curve[i]);
            sb.Append(double.IsFinite(v) ? v.ToString("G4", CultureInfo.InvariantCulture) : "null");
        }
        return sb.Append(']');
    }

    private static void Fact(TextWriter w, string name, string value) => w.Write($"<dt>{Html.Escape(name)}</dt><dd>{Html.Escape(value)}</dd>");

    /// <summary>A fraction in [0, 1] as its value over a CSS bar (no chart needed for a column of shares).</summary>
    private static string Bar(double fraction)
    {
        var width = (Math.Clamp(fraction, 0, 1) * 100).ToString("F1", CultureInfo.InvariantCulture);
        return $"<div class=\"bar\"><span style=\"width:{width}%\"></span><b>{Display.Metric(fraction)}</b></div>";
    }

    private const string Css = """
        :root{--ink:#1f2933;--muted:#5f6b7a;--line:#d9dee5;--accent:#2f6db5;--bg:#f7f8fa;--card:#fff}
        *{box-sizing:border-box}
        body{margin:0;font-family:"DejaVu Sans",system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);background:var(--bg);font-size:15px;line-height:1.5}
        header{background:#fff;border-bottom:1px solid var(--line);padding:18px 32px 8px}
        h1{margin:0;font-size:26px;font-weight:600}
        h2{font-size:20px;font-weight:600;margin:0 0 10px;color:#17324d}
        h3{font-size:16px;margin:12px 0 6px}
        .sub,.muted{color:var(--muted)}
        .sub{margin:4px 0 8px}
        nav a{color:var(--accent);text-decoration:none;font-size:14px}
        nav a:hover{text-decoration:underline}
        nav{display:flex;flex-wrap:wrap;column-gap:16px}
        main{max-width:1240px;margin:0 auto;padding:16px 24px}
        section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:18px 20px;margin:16px 0;min-width:0}
        .partial{background:#fff4ce;border-bottom:2px solid #e0b400;padding:12px 32px;font-size:16px}
        .cols{display:flex;flex-wrap:wrap;gap:32px}
        .cols>*{flex:1 1 380px;min-width:0}
        dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
        dl.facts dt{color:var(--muted)}
        dl.facts dd{margin:0;overflow-wrap:anywhere}
        .chip{display:inline-block;padding:0 8px;border-radius:10px;font-size:12.5px;background:#e8ecf1}
        .s-completed{background:#dcf1e3;color:#1d6b3a}.s-failed{background:#fbe0dd;color:#9b2c1f}.s-diverged{background:#fde9d2;color:#99520b}
        .s-pruned{background:#ececec;color:#555}.s-queued,.s-running{background:#dde9f8;color:#1f4f8a}
        .card{border:1px solid var(--line);border-left:5px solid var(--accent);border-radius:6px;padding:14px 18px;max-width:640px}
        .card-head{display:flex;justify-content:space-between;align-items:flex-start;gap:16px}
        .big{font-size:30px;font-weight:700;color:var(--accent)}
        table{border-collapse:collapse;font-size:13.5px}
        th,td{padding:4px 9px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
        th{background:#f0f3f7;font-weight:600}
        td:first-child,th:first-child{text-align:left}
        table.settings th{text-align:left;background:none;font-weight:normal;color:var(--muted)}
        table.settings td{text-align:left;font-weight:600}
        table.sortable th{cursor:pointer;user-select:none}
        table.sortable th[aria-sort=ascending]::after{content:" ▲"}
        table.sortable th[aria-sort=descending]::after{content:" ▼"}
        tr.top td{background:#eef5ff;font-weight:600}
        tr.baseline td{background:#fff8e6}
        .chip.baseline{background:#f5e3b3;color:#6b4e00;margin-left:6px}
        .card.yours{border-left-color:#c99a00}
        .gain{font-size:30px;font-weight:700;color:#8a6a00}
        .scroll{overflow:auto;max-height:640px}
        .wide{overflow-x:auto;max-width:100%}
        #trial-table thead th{position:sticky;top:0;z-index:2}
        /* Trial, state and the ranking metric (columns 1-5 with the curve button and rank) stay in view when the table
           scrolls sideways: fixed widths, so each sticky column knows where the previous one ends. */
        #trial-table td{background:var(--row,#fff)}
        #trial-table tr.top{--row:#eef5ff}
        #trial-table tr.baseline{--row:#fff8e6}
        #trial-table :is(th,td):nth-child(-n+5){position:sticky;z-index:1;box-sizing:border-box;overflow:hidden}
        #trial-table thead th:nth-child(-n+5){z-index:3}
        #trial-table :is(th,td):nth-child(1){left:0;width:34px;min-width:34px;max-width:34px}
        #trial-table :is(th,td):nth-child(2){left:34px;width:52px;min-width:52px;max-width:52px}
        #trial-table :is(th,td):nth-child(3){left:86px;width:104px;min-width:104px;max-width:104px}
        #trial-table :is(th,td):nth-child(4){left:190px;width:140px;min-width:140px;max-width:140px;text-align:left}
        #trial-table :is(th,td):nth-child(5){left:330px;width:110px;min-width:110px;max-width:110px;border-right:2px solid var(--line)}
        #trial-table .chip{max-width:100%;overflow:hidden;text-overflow:ellipsis;vertical-align:middle}
        #problems td:nth-child(3){white-space:normal;min-width:14em}
        button{font:inherit;cursor:pointer;border:1px solid var(--accent);background:#fff;color:var(--accent);border-radius:5px;padding:4px 12px}
        button:hover{background:var(--accent);color:#fff}
        button.cv{padding:0 6px;border-color:var(--line)}
        .hidden{display:none}
        .metrics{font-size:13.5px}
        a.download{color:var(--accent)}
        figure{margin:8px 0 14px}
        figcaption{font-size:13.5px;color:var(--muted);margin-bottom:4px}
        .maps{display:flex;flex-wrap:wrap;gap:12px}
        img.chart{max-width:100%;height:auto;border:1px solid var(--line);border-radius:4px;margin-right:8px;background:#fff}
        .slices{display:flex;flex-wrap:wrap;gap:8px}.slices img.chart{margin-right:0}
        .bar{position:relative;width:100%;min-width:96px;max-width:200px;height:18px;background:#eef1f5;border-radius:3px}
        table.bars{width:100%}
        table.bars td:first-child{white-space:normal;overflow-wrap:anywhere}
        .bar span{position:absolute;left:0;top:0;bottom:0;background:#9cc0e8;border-radius:3px}
        .bar b{position:relative;font-weight:normal;font-size:12.5px;padding-left:6px;line-height:18px;float:left}
        .matrix{max-height:760px;margin-bottom:12px}
        table.confusion th,table.confusion td{padding:3px 5px}
        table.confusion td{min-width:44px;text-align:center}
        table.confusion td.diag{font-weight:700;box-shadow:inset 0 0 0 2px #2f8c5a}
        /* Labels stay beside the numbers when the matrix scrolls (more than 20 classes, or a narrow window). */
        table.confusion thead th{position:sticky;top:0;z-index:2;vertical-align:bottom;white-space:normal;min-width:44px;max-width:7em}
        table.confusion thead th span{display:-webkit-box;-webkit-line-clamp:3;-webkit-box-orient:vertical;overflow:hidden;overflow-wrap:anywhere;font-size:12.5px;line-height:1.25}
        table.confusion tbody th{position:sticky;left:0;z-index:1;max-width:13em;overflow:hidden;text-overflow:ellipsis;text-align:left}
        table.confusion thead th:first-child{left:0;z-index:3}
        table.scores td.name{max-width:22em;overflow:hidden;text-overflow:ellipsis}
        .caveat{color:#99520b}
        td.reason{text-align:left;white-space:normal;max-width:520px}
        ol.attempts{margin:0;padding-left:18px}
        .note{background:#eef5ff;padding:8px 12px;border-radius:5px}
        .viewer{border:1px solid var(--line);border-radius:6px;padding:8px 12px;margin-bottom:10px}
        .viewer svg{margin-right:10px;background:#fff}
        footer{color:var(--muted);font-size:13px;text-align:center;padding:16px}
        """;

    /// <summary>Table sorting, the copy button and on-demand curves: plain DOM, no library, nothing fetched.</summary>
    private const string Script = """
        (function () {
          "use strict";
          function key(cell) {
            var raw = cell.hasAttribute("data-v") ? cell.getAttribute("data-v") : cell.textContent.trim();
            if (raw === "" || raw === "–") return null;
            var n = parseFloat(raw);
            return isNaN(n) ? raw.toLowerCase() : n;
          }
          function sortBy(table, th, column) {
            var ascending = th.getAttribute("aria-sort") !== "ascending";
            Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
            th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
            var body = table.tBodies[0];
            var rows = Array.prototype.map.call(body.rows, function (row) { return { row: row, key: key(row.cells[column]) }; });
            rows.sort(function (a, b) {
              if (a.key === null || b.key === null) return (a.key === null) - (b.key === null);
              if (typeof a.key !== typeof b.key) return typeof a.key === "number" ? -1 : 1;
              var order = a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
              return ascending ? order : -order;
            });
            var fragment = document.createDocumentFragment();
            rows.forEach(function (r) { fragment.appendChild(r.row); });
            body.appendChild(fragment);
          }
          document.querySelectorAll("table.sortable").forEach(function (table) {
            Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
              th.addEventListener("click", function () { sortBy(table, th, column); });
            });
          });

          document.querySelectorAll("button.copy").forEach(function (button) {
            button.addEventListener("click", function () {
              var text = document.getElementById(button.getAttribute("data-target")).textContent;
              var label = button.textContent;
              function done() { button.textContent = "Copied ✓"; setTimeout(function () { button.textContent = label; }, 1500); }
              function fallback() {
                var area = document.createElement("textarea");
                area.value = text;
                document.body.appendChild(area);
                area.select();
                try { document.execCommand("copy"); done(); } catch (e) { button.textContent = "Select and copy by hand"; }
                document.body.removeChild(area);
              }
              if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(text).then(done, fallback);
              else fallback();
            });
          });

          var data = null;
          // planned: the epochs the trial was set to run (the x axis, so a pruned or early-stopped curve ends short of it);
          // kept: the epoch early stopping kept, or null; pruned: the curves end in a cross and are dashed.
          function chart(title, training, validation, accuracy, planned, kept, pruned) {
            var W = 400, H = 230, L = 52, R = 14, T = 26, B = 30;
            var values = training.concat(validation).filter(function (v) { return v !== null; });
            // The axis spans the data (accuracy within 0-1), as the pre-rendered charts do: 0.80 and 0.84 must look apart.
            var lo = Math.min.apply(null, values), hi = Math.max.apply(null, values);
            if (!isFinite(lo) || !isFinite(hi)) { lo = 0; hi = 1; }
            var margin = Math.max((hi - lo) * 0.08, accuracy ? 0.005 : Math.abs(hi) * 0.02 + 1e-9);
            lo -= margin; hi += margin;
            if (accuracy) { lo = Math.max(0, lo); hi = Math.min(1, hi); }
            var n = Math.max(training.length, planned || 0, 2);
            function x(i) { return L + (W - L - R) * i / (n - 1); }
            function y(v) { return T + (H - T - B) * (1 - (v - lo) / (hi - lo)); }
            function path(series, colour) {
              var d = "", pen = "M";
              series.forEach(function (v, i) {
                if (v === null) { pen = "M"; return; }
                d += pen + x(i).toFixed(1) + " " + y(v).toFixed(1) + " ";
                pen = "L";
              });
              var out = '<path d="' + d + '" fill="none" stroke="' + colour + '" stroke-width="2"' + (pruned ? ' stroke-dasharray="5 3"' : "") + "/>";
              var last = series.length - 1;
              if (pruned && last >= 0 && series[last] !== null) {
                var cx = x(last), cy = y(series[last]);
                out += '<path class="pruned-end" d="M' + (cx - 5) + " " + (cy - 5) + "L" + (cx + 5) + " " + (cy + 5) + "M" + (cx - 5) + " " + (cy + 5)
                  + "L" + (cx + 5) + " " + (cy - 5) + '" stroke="' + colour + '" stroke-width="2.5"/>';
              }
              if (kept && series[kept - 1] !== null && series[kept - 1] !== undefined) {
                out += '<circle class="kept" cx="' + x(kept - 1).toFixed(1) + '" cy="' + y(series[kept - 1]).toFixed(1) + '" r="4.5" fill="#fff" stroke="' + colour + '" stroke-width="2"/>';
              }
              return out;
            }
            var s = '<svg width="' + W + '" height="' + H + '" viewBox="0 0 ' + W + " " + H + '" font-family="DejaVu Sans, sans-serif" font-size="11">';
            s += '<text x="' + W / 2 + '" y="16" text-anchor="middle" font-size="13">' + title + "</text>";
            s += '<rect x="' + L + '" y="' + T + '" width="' + (W - L - R) + '" height="' + (H - T - B) + '" fill="none" stroke="#ccc"/>';
            [lo, (lo + hi) / 2, hi].forEach(function (v) {
              s += '<text x="' + (L - 4) + '" y="' + (y(v) + 4) + '" text-anchor="end">' + v.toPrecision(3) + "</text>";
            });
            s += '<text x="' + L + '" y="' + (H - 10) + '" text-anchor="middle">1</text>';
            s += '<text x="' + (W - R) + '" y="' + (H - 10) + '" text-anchor="middle">' + n + "</text>";
            if (kept) s += '<line x1="' + x(kept - 1).toFixed(1) + '" y1="' + T + '" x2="' + x(kept - 1).toFixed(1) + '" y2="' + (H - B) + '" stroke="#777" stroke-dasharray="2 3"/>';
            s += '<text x="' + (L + W - R) / 2 + '" y="' + (H - 6) + '" text-anchor="middle">epoch</text>';
            s += path(training, "#2f6db5") + path(validation, "#e07b22");
            return s + "</svg>";
          }
          var table = document.getElementById("trial-table");
          if (table) {
            table.addEventListener("click", function (event) {
              var button = event.target.closest("button.cv");
              if (!button) return;
              if (data === null) data = JSON.parse(document.getElementById("curve-data").textContent);
              var trial = button.getAttribute("data-t"), curves = data[trial], viewer = document.getElementById("viewer");
              viewer.hidden = false;
              if (!curves) { viewer.textContent = "No epochs stored for trial " + trial + "."; return; }
              var planned = curves[4], kept = curves[5], rung = curves[6], pruned = rung !== null && rung !== undefined;
              var note = (pruned ? " · pruned" + (rung >= 0 ? " at rung " + Number(rung) : "") + " after epoch " + curves[0].length + " of " + Number(planned) : "")
                + (kept ? " · kept epoch " + Number(kept) + " of " + curves[0].length + " run" : "");
              viewer.innerHTML = "<h3>Trial " + Number(trial) + ' <span class="muted">— training (blue), validation (orange)' + note + "</span></h3>"
                + chart("Loss", curves[0], curves[2], false, planned, kept, pruned) + chart("Accuracy", curves[1], curves[3], true, planned, kept, pruned);
              viewer.scrollIntoView({ block: "nearest" });
            });
          }
        })();
        """;
}
