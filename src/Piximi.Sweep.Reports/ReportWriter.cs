using System.Text;
using System.Text.Json;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Reports;

/// <summary>Renders a <see cref="SweepReport"/>; every format shows the same numbers from the same read model.</summary>
public static class ReportWriter
{
    /// <summary>One self-contained HTML file: inline CSS, JS and charts; it makes no network request.</summary>
    public static void Html(SweepReport report, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        HtmlReport.Write(report, writer);
    }

    public static void Markdown(SweepReport report, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        MarkdownReport.Write(report, writer);
    }

    /// <summary>
    /// The CSV columns, in order; <c>result_epoch</c> (the epoch early stopping kept, whose metrics the final_ columns
    /// hold; empty = the last) and <c>rung</c> (a pruned trial's) last, named as the CLI's <c>trials --format csv</c> names them (pandas reads empty cells as NaN; NaN and ±infinity are written as NaN, inf, -inf).</summary>
    internal static IReadOnlyList<string> CsvColumns { get; } =
    [
        "rank", "trial", "state", "optimizer", "loss_function", "learning_rate", "batch_size", "epochs", "time_budget_seconds",
        "seed", "epochs_run", "seconds", "final_loss", "final_accuracy", "final_val_loss", "final_val_accuracy", "best_epoch",
        "best_loss", "best_accuracy", "best_val_loss", "best_val_accuracy", "attempts", "lost", "started_at", "finished_at",
        "message", "result_epoch", "rung", "baseline", "attempt_history",
    ];

    /// <summary>One row per trial in trial-number order; one column per hyperparameter and per final and best-epoch metric.</summary>
    public static void Csv(SweepReport report, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(string.Join(',', CsvColumns));
        writer.Write('\n');
        foreach (var line in report.Lines)
        {
            var (t, hp, final, best) = (line.Trial, line.Hp, line.Summary.Final, line.BestEpoch);
            string?[] cells =
            [
                line.Rank?.ToString(System.Globalization.CultureInfo.InvariantCulture), Display.Int(t.Number), Display.State(t.State),
                hp.Optimizer.ToString(), hp.Loss.ToString(), Number(hp.LearningRate), Display.Int(hp.BatchSize), Display.Int(hp.Epochs),
                hp.TimeBudget is { } b ? Number(b.TotalSeconds) : null, Display.Int(hp.Seed), Display.Int(line.Summary.EpochsRun),
                Number(line.Summary.TrainingSeconds), Number(final?.Loss), Number(final?.Accuracy), Number(final?.ValLoss),
                Number(final?.ValAccuracy), best is null ? null : Display.Int(best.Epoch), Number(best?.Loss), Number(best?.Accuracy),
                Number(best?.ValLoss), Number(best?.ValAccuracy), Display.Int(t.Attempts), Display.Int(t.Lost), Iso(t.StartedAt),
                Iso(t.FinishedAt), t.Message, t.ResultEpoch is { } kept ? Display.Int(kept) : null, t.Rung is { } rung ? Display.Int(rung) : null,
                report.IsBaseline(line) ? "true" : "false", line.AttemptLine,
            ];
            writer.Write(string.Join(',', cells.Select(CsvText.Cell)));
            writer.Write('\n');
        }
    }

    /// <summary>
    /// The report's data for scripts: the sweep, a summary, every trial (as the CSV's columns, snake_case, plus its
    /// per-epoch curve), the analyses and the best trial's evaluation. Non-finite numbers are null.
    /// </summary>
    public static void Json(SweepReport report, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        JsonReport.Write(report, writer);
    }

    /// <summary>
    /// Two sweeps side by side (Markdown): the best trial of each, then every grid cell both ran (the same
    /// hyperparameters, seed included) with each one's final metric and the difference.
    /// </summary>
    public static void Comparison(SweepReport a, SweepReport b, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(writer);
        MarkdownReport.Comparison(a, b, writer);
    }

    private static string? Number(double? value) => value switch
    {
        null => null,
        { } v when double.IsNaN(v) => "NaN",
        { } v when double.IsPositiveInfinity(v) => "inf",
        { } v when double.IsNegativeInfinity(v) => "-inf",
        { } v => Format.Exact(v),
    };

    private static string? Iso(DateTimeOffset? time) => time?.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture);

}

internal static class JsonReport
{
    public static void Write(SweepReport report, TextWriter writer)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            Sweep(json, report);
            json.WriteBoolean("partial", report.IsPartial);
            json.WriteString("generated_at", report.GeneratedAt);
            json.WriteString("metric", report.Metric);
            Summary(json, report);
            Baseline(json, report.Gain);
            json.WriteStartArray("trials");
            foreach (var line in report.Lines) Trial(json, line, report.IsBaseline(line));
            json.WriteEndArray();
            Pruning(json, report);
            Importance(json, report);
            FanovaText.Json(json, report);
            Replicates(json, report);
            Groups(json, "by_optimizer", report.ByOptimizer);
            Groups(json, "by_loss_function", report.ByLoss);
            Evaluation(json, report);
            json.WriteEndObject();
        }
        writer.Write(Encoding.UTF8.GetString(buffer.ToArray()));
        writer.Write('\n');
    }

    /// <summary><c>sweep</c>: id, name, creation time and the whole definition.</summary>
    private static void Sweep(Utf8JsonWriter json, SweepReport report)
    {
        json.WriteStartObject("sweep");
        json.WriteNumber("id", report.Sweep.Id);
        json.WriteString("name", report.Sweep.Name);
        json.WriteString("created_at", report.Sweep.CreatedAt.ToUniversalTime());
        json.WritePropertyName("definition");
        using (var definition = JsonDocument.Parse(SweepJson.Serialize(report.Sweep.Definition))) definition.WriteTo(json);
        json.WriteEndObject();
    }

    /// <summary><c>summary</c>: counts by state, compute, the search, epochs trained and the best trial.</summary>
    private static void Summary(Utf8JsonWriter json, SweepReport report)
    {
        json.WriteStartObject("summary");
        json.WriteNumber("trials", report.Lines.Count);
        json.WriteStartObject("states");
        foreach (var state in Enum.GetValues<TrialState>()) json.WriteNumber(Display.State(state), report.CountOf(state));
        json.WriteEndObject();
        Number(json, "compute_seconds", report.TotalComputeSeconds);
        json.WriteString("method", report.Sweep.Definition.Method.ToString().ToLowerInvariant());
        json.WriteString("search", Format.Search(report.Sweep.Definition, report.Lines.Count));
        if (report.Effort is { } effort)
        {
            json.WriteStartObject("epochs");
            json.WriteNumber("trials", effort.Trials);
            json.WriteNumber("trained", effort.Trained);
            json.WriteNumber("in_full", effort.InFull);
            json.WriteString("text", Format.Effort(report.Sweep.Definition, effort));
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("epochs");
        }
        if (report.Best is { } best)
        {
            json.WriteNumber("best_trial", best.Summary.Trial.Number);
            Number(json, "best_score", best.Score);
        }
        else
        {
            json.WriteNull("best_trial");
            json.WriteNull("best_score");
        }
        json.WriteEndObject();
    }

    /// <summary><c>pruning</c>: each rung's trials reached, pruned and gone on; null without a pruner.</summary>
    private static void Pruning(Utf8JsonWriter json, SweepReport report)
    {
        if (report.Sweep.Definition.Pruner is not null)
        {
            json.WriteStartArray("pruning");
            foreach (var r in report.Rungs)
            {
                json.WriteStartObject();
                if (r.Rung is { } k) json.WriteNumber("rung", k);
                else json.WriteNull("rung");
                json.WriteNumber("epoch", r.Epoch);
                json.WriteNumber("reached", r.Reached);
                json.WriteNumber("pruned", r.Pruned);
                json.WriteNumber("went_on", r.WentOn);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        else
        {
            json.WriteNull("pruning");
        }
    }

    /// <summary><c>importance</c>: η² of each hyperparameter, with its values and trials.</summary>
    private static void Importance(Utf8JsonWriter json, SweepReport report)
    {
        json.WriteStartArray("importance");
        foreach (var i in report.Importance)
        {
            json.WriteStartObject();
            json.WriteString("hyperparameter", i.Hyperparameter);
            Number(json, "eta_squared", i.EtaSquared);
            json.WriteNumber("values", i.Values);
            json.WriteNumber("trials", i.Trials);
            json.WriteNumber("smallest_group", i.SmallestGroup);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary><c>replicates</c>: settings run with several seeds, their mean and sd.</summary>
    private static void Replicates(Utf8JsonWriter json, SweepReport report)
    {
        json.WriteStartArray("replicates");
        foreach (var r in report.Replicates)
        {
            json.WriteStartObject();
            Hyperparameters(json, r.Settings, withSeed: false);
            json.WriteNumber("n", r.N);
            Number(json, "mean_val_accuracy", r.Mean);
            Number(json, "sd_val_accuracy", r.StandardDeviation);
            json.WriteStartArray("seeds");
            foreach (var seed in r.Seeds) json.WriteNumberValue(seed);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary><c>evaluation</c>: the best trial's confusion matrix and per-class scores; null without one.</summary>
    private static void Evaluation(Utf8JsonWriter json, SweepReport report)
    {
        if (report.BestEvaluation is { } evaluation && report.BestScores is { } scores && report.Best is { } top)
        {
            json.WriteStartObject("evaluation");
            json.WriteNumber("trial", top.Summary.Trial.Number);
            json.WriteStartArray("class_names");
            foreach (var name in evaluation.ClassNames) json.WriteStringValue(name);
            json.WriteEndArray();
            json.WriteStartArray("confusion");
            foreach (var row in evaluation.Confusion)
            {
                json.WriteStartArray();
                foreach (var count in row) json.WriteNumberValue(count);
                json.WriteEndArray();
            }
            json.WriteEndArray();
            Number(json, "accuracy", scores.Accuracy);
            Number(json, "macro_precision", scores.MacroPrecision);
            Number(json, "macro_recall", scores.MacroRecall);
            Number(json, "macro_f1", scores.MacroF1);
            json.WriteStartArray("classes");
            foreach (var c in scores.Classes)
            {
                json.WriteStartObject();
                json.WriteString("name", c.Name);
                json.WriteNumber("support", c.Support);
                Number(json, "precision", c.Precision);
                Number(json, "recall", c.Recall);
                Number(json, "f1", c.F1);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("evaluation");
        }
    }

    private static void Trial(Utf8JsonWriter json, TrialLine line, bool baseline)
    {
        var t = line.Trial;
        json.WriteStartObject();
        if (line.Rank is { } rank) json.WriteNumber("rank", rank);
        else json.WriteNull("rank");
        json.WriteNumber("trial", t.Number);
        json.WriteString("state", Display.State(t.State));
        Hyperparameters(json, line.Hp, withSeed: true);
        json.WriteNumber("epochs_run", line.Summary.EpochsRun);
        Number(json, "seconds", line.Summary.TrainingSeconds);
        Metrics(json, "final", line.Summary.Final);
        Metrics(json, "best", line.BestEpoch);
        json.WriteNumber("attempts", t.Attempts);
        json.WriteNumber("lost", t.Lost);
        if (t.StartedAt is { } started) json.WriteString("started_at", started.ToUniversalTime());
        else json.WriteNull("started_at");
        if (t.FinishedAt is { } finished) json.WriteString("finished_at", finished.ToUniversalTime());
        else json.WriteNull("finished_at");
        json.WriteString("message", t.Message);
        if (t.ResultEpoch is { } kept) json.WriteNumber("result_epoch", kept);
        else json.WriteNull("result_epoch");
        if (t.Rung is { } rung) json.WriteNumber("rung", rung);
        else json.WriteNull("rung");
        json.WriteBoolean("baseline", baseline);
        AttemptHistoryJson(json, line);
        json.WriteStartObject("curve");
        Series(json, "epoch", line.Curve, e => e.Epoch);
        Series(json, "loss", line.Curve, e => e.Loss);
        Series(json, "accuracy", line.Curve, e => e.Accuracy);
        Series(json, "val_loss", line.Curve, e => e.ValLoss);
        Series(json, "val_accuracy", line.Curve, e => e.ValAccuracy);
        Series(json, "seconds", line.Curve, e => e.Seconds);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>
    /// <c>attempt_history</c>: each recorded attempt (<c>attempt</c>, <c>worker</c>, <c>started_at</c>,
    /// <c>start_epoch</c>: the last stored epoch when it was claimed, null when claimed before attempts were recorded;
    /// <c>ended_at</c>, <c>end_epoch</c>, <c>outcome</c>: completed, failed, diverged, pruned, released, lost or null
    /// while running; <c>reason</c>), in order.
    /// </summary>
    private static void AttemptHistoryJson(Utf8JsonWriter json, TrialLine line)
    {
        json.WriteStartArray("attempt_history");
        foreach (var a in line.Attempts)
        {
            json.WriteStartObject();
            json.WriteNumber("attempt", a.Attempt);
            json.WriteString("worker", a.WorkerId);
            if (a.StartedAt is { } started) json.WriteString("started_at", started.ToUniversalTime());
            else json.WriteNull("started_at");
            if (a.StartEpoch is { } start) json.WriteNumber("start_epoch", start);
            else json.WriteNull("start_epoch");
            if (a.EndedAt is { } ended) json.WriteString("ended_at", ended.ToUniversalTime());
            else json.WriteNull("ended_at");
            if (a.EndEpoch is { } end) json.WriteNumber("end_epoch", end);
            else json.WriteNull("end_epoch");
            json.WriteString("outcome", a.Outcome is { } outcome ? AttemptHistory.Word(outcome) : null);
            json.WriteString("reason", a.Reason);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary>
    /// <c>baseline</c> (null without one): the user's settings and their trials; <c>standing</c> <c>beaten</c>,
    /// <c>best</c> (the baseline is the winner) or <c>not_completed</c> (then no numbers); the baseline's completed
    /// trials' <c>mean</c>, <c>sd</c> (null below 2), <c>n</c>; the <c>winner</c> as <c>best</c> ranks it, the same way;
    /// <c>gain</c> in the metric's units, positive = better (for accuracies a fraction: 0.024 is <c>gain_text</c>'s
    /// "+2.4 pp"); <c>text</c>, the line best and status print.
    /// </summary>
    private static void Baseline(Utf8JsonWriter json, BaselineGain? gain)
    {
        if (gain is null)
        {
            json.WriteNull("baseline");
            return;
        }
        json.WriteStartObject("baseline");
        Settings(json, gain.Settings.Trial(0), withSeed: false);
        json.WriteStartArray("trials");
        foreach (var t in gain.Trials)
        {
            json.WriteStartObject();
            json.WriteNumber("trial", t.Number);
            json.WriteNumber("seed", t.Hyperparameters.Seed);
            json.WriteString("state", Display.State(t.State));
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteString("metric", gain.Metric);
        json.WriteString("standing", gain.Standing switch
        {
            BaselineStanding.Beaten => "beaten",
            BaselineStanding.Best => "best",
            _ => "not_completed",
        });
        Scores(json, gain.Baseline);
        if (gain.WinnerSettings is { } winner && gain.Winner is { } scores)
        {
            json.WriteStartObject("winner");
            Settings(json, winner, withSeed: !gain.BySettings);
            Scores(json, scores);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("winner");
        }
        Number(json, "gain", gain.Difference);
        if (gain.Difference is { } difference) json.WriteString("gain_text", gain.Show(difference));
        else json.WriteNull("gain_text");
        json.WriteString("text", gain.Text);
        json.WriteEndObject();
    }

    private static void Settings(Utf8JsonWriter json, Hyperparameters hp, bool withSeed)
    {
        json.WriteStartObject("settings");
        json.WriteString("model", hp.Model.ToString());
        Hyperparameters(json, hp, withSeed);
        json.WriteEndObject();
    }

    /// <summary>A group's <c>mean</c>, <c>sd</c> (null for one trial), <c>n</c> and <c>completed_trials</c>; all null for none.</summary>
    private static void Scores(Utf8JsonWriter json, ScoreGroup? scores)
    {
        Number(json, "mean", scores?.Mean);
        Number(json, "sd", scores?.StandardDeviation);
        if (scores is null)
        {
            json.WriteNull("n");
            json.WriteNull("completed_trials");
            return;
        }
        json.WriteNumber("n", scores.N);
        json.WriteStartArray("completed_trials");
        foreach (var n in scores.Trials) json.WriteNumberValue(n);
        json.WriteEndArray();
    }

    private static void Hyperparameters(Utf8JsonWriter json, Hyperparameters hp, bool withSeed)
    {
        json.WriteString("optimizer", hp.Optimizer.ToString());
        json.WriteString("loss_function", hp.Loss.ToString());
        Number(json, "learning_rate", hp.LearningRate);
        json.WriteNumber("batch_size", hp.BatchSize);
        json.WriteNumber("epochs", hp.Epochs);
        if (hp.TimeBudget is { } budget) Number(json, "time_budget_seconds", budget.TotalSeconds);
        else json.WriteNull("time_budget_seconds");
        if (withSeed) json.WriteNumber("seed", hp.Seed);
    }

    /// <summary>The four metrics of one epoch as <c>{prefix}_loss</c> … (flat, like the CSV), and <c>best_epoch</c>.</summary>
    private static void Metrics(Utf8JsonWriter json, string prefix, EpochMetrics? metrics)
    {
        if (prefix == "best")
        {
            if (metrics is null) json.WriteNull("best_epoch");
            else json.WriteNumber("best_epoch", metrics.Epoch);
        }
        Number(json, $"{prefix}_loss", metrics?.Loss);
        Number(json, $"{prefix}_accuracy", metrics?.Accuracy);
        Number(json, $"{prefix}_val_loss", metrics?.ValLoss);
        Number(json, $"{prefix}_val_accuracy", metrics?.ValAccuracy);
    }

    private static void Groups(Utf8JsonWriter json, string name, IReadOnlyList<GroupScore> groups)
    {
        json.WriteStartArray(name);
        foreach (var g in groups)
        {
            json.WriteStartObject();
            json.WriteString("value", g.Value);
            json.WriteNumber("n", g.N);
            Number(json, "best_val_accuracy", g.Best);
            Number(json, "mean_val_accuracy", g.Mean);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void Series(Utf8JsonWriter json, string name, IReadOnlyList<EpochMetrics> curve, Func<EpochMetrics, double> value)
    {
        json.WriteStartArray(name);
        foreach (var epoch in curve)
        {
            var v = value(epoch);
            if (double.IsFinite(v)) json.WriteNumberValue(v);
            else json.WriteNullValue();
        }
        json.WriteEndArray();
    }

    /// <summary>JSON has no NaN or infinity: a diverged trial's loss is null.</summary>
    private static void Number(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v)) json.WriteNumber(name, v);
        else json.WriteNull(name);
    }
}
