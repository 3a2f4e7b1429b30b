using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Reports.Tests;

internal static class Render
{
    public static string With(Action<SweepReport, TextWriter> writer, SweepReport report)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        writer(report, text);
        return text.ToString();
    }

    /// <summary>RFC 4180 rows: quoted cells may hold commas, doubled quotes and line breaks.</summary>
    public static List<List<string>> ParseCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cell.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { row.Add(cell.ToString()); cell.Clear(); }
            else if (c == '\n') { row.Add(cell.ToString()); cell.Clear(); rows.Add(row); row = []; }
            else cell.Append(c);
        }
        return rows;
    }
}

public sealed class TheCsvHoldsTheStoresNumbers : IDisposable
{
    private readonly KnownSweep _sweep = new(partial: false);

    public void Dispose() => _sweep.Dispose();

    [Fact]
    public void EachTrialIsOneRowWhoseFinalAndBestEpochMetricsParseBackToTheStoredDoubles()
    {
        var rows = Render.ParseCsv(Render.With(ReportWriter.Csv, _sweep.Load()));
        var header = rows[0];
        var records = rows.Skip(1).Select(r => header.Zip(r).ToDictionary(p => p.First, p => p.Second)).ToList();
        var epochs = _sweep.Store.ListEpochs(_sweep.Sweep.Id).ToLookup(e => e.TrialId);
        var trials = _sweep.Store.ListTrials(_sweep.Sweep.Id);

        Assert.Equal(ReportWriter.CsvColumns, header);
        Assert.Equal(KnownSweep.Trials, records.Count);
        Assert.All(rows, r => Assert.Equal(header.Count, r.Count));
        foreach (var (record, trial) in records.Zip(trials))
        {
            var own = epochs[trial.Id].Select(e => e.Metrics).ToList();
            Assert.Equal(trial.Number.ToString(CultureInfo.InvariantCulture), record["trial"]);
            Assert.Equal(trial.Hyperparameters.LearningRate, double.Parse(record["learning_rate"], CultureInfo.InvariantCulture));
            Assert.Equal(own.Count.ToString(CultureInfo.InvariantCulture), record["epochs_run"]);
            Assert.Equal(own[^1].ValAccuracy, double.Parse(record["final_val_accuracy"], CultureInfo.InvariantCulture));
            Assert.Equal(own[^1].Loss, double.Parse(record["final_loss"], CultureInfo.InvariantCulture));
            Assert.Equal(own.Sum(e => e.Seconds), double.Parse(record["seconds"], CultureInfo.InvariantCulture));
            var best = own.Where(e => double.IsFinite(e.ValAccuracy)).MaxBy(e => e.ValAccuracy)!;
            Assert.Equal(best.Epoch.ToString(CultureInfo.InvariantCulture), record["best_epoch"]);
            Assert.Equal(best.ValAccuracy, double.Parse(record["best_val_accuracy"], CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void TheBestTrialIsRankOneWithItsEpochTwoAsBestEpoch()
    {
        var records = Render.ParseCsv(Render.With(ReportWriter.Csv, _sweep.Load()));
        var best = records.Single(r => r[0] == "1");

        Assert.Equal("17", best[1]);
        Assert.Equal("2", best[ReportWriter.CsvColumns.ToList().IndexOf("best_epoch")]);
        Assert.Equal(0.97, double.Parse(best[ReportWriter.CsvColumns.ToList().IndexOf("best_val_accuracy")], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void FailedAndDivergedTrialsKeepTheirQuotedMessagesAndNaN()
    {
        var records = Render.ParseCsv(Render.With(ReportWriter.Csv, _sweep.Load()));
        var message = ReportWriter.CsvColumns.ToList().IndexOf("message");

        Assert.Equal(KnownSweep.FailedMessage, records[5][message]);
        Assert.Equal("failed", records[5][2]);
        Assert.Equal("", records[5][0]); // not ranked
        Assert.Equal(KnownSweep.DivergedMessage, records[6][message]);
        Assert.Equal("NaN", records[6][ReportWriter.CsvColumns.ToList().IndexOf("final_loss")]);
    }
}

public sealed class EveryFormatSaysWhyEachAttemptEnded : IDisposable
{
    private const string History = $"attempt 1: epoch 1, lost ({KnownSweep.LostReason}); attempt 2: epochs 2–3, completed";

    private readonly KnownSweep _sweep = new(partial: true);

    public void Dispose() => _sweep.Dispose();

    [Fact]
    public void TheCsvHasEachTrialsAttemptsInOneCell()
    {
        var rows = Render.ParseCsv(Render.With(ReportWriter.Csv, _sweep.Load()));
        var column = rows[0].IndexOf("attempt_history");

        Assert.Equal(History, rows[KnownSweep.ResumedTrial][column]);
        Assert.Equal("attempt 1: epochs 1–3, completed", rows[1][column]);
        Assert.Equal("attempt 1: epoch 1, failed", rows[5][column]);
        Assert.Equal("attempt 1: running, epoch 1 so far", rows[21][column]);
        Assert.Equal("", rows[22][column]);
    }

    [Fact]
    public void TheJsonHasEveryAttemptWithItsEpochsOutcomeAndReason()
    {
        using var json = JsonDocument.Parse(Render.With(ReportWriter.Json, _sweep.Load()));
        var trial = json.RootElement.GetProperty("trials").EnumerateArray().Single(t => t.GetProperty("trial").GetInt32() == KnownSweep.ResumedTrial);
        var attempts = trial.GetProperty("attempt_history").EnumerateArray().ToList();

        Assert.Equal(
            [(1, "worker-1", 0, 1, "lost", KnownSweep.LostReason), (2, "worker-2", 1, 3, "completed", null)],
            attempts.Select(a => (a.GetProperty("attempt").GetInt32(), a.GetProperty("worker").GetString(), a.GetProperty("start_epoch").GetInt32(),
                a.GetProperty("end_epoch").GetInt32(), a.GetProperty("outcome").GetString(), a.GetProperty("reason").GetString())));
        Assert.Equal((2, 1), (trial.GetProperty("attempts").GetInt32(), trial.GetProperty("lost").GetInt32()));
        Assert.True(attempts[0].GetProperty("ended_at").GetDateTimeOffset() <= attempts[1].GetProperty("started_at").GetDateTimeOffset());
    }

    [Fact]
    public void TheHtmlAndMarkdownListTheTrialsThatNeededMoreThanOneAttempt()
    {
        var report = _sweep.Load();
        var html = Render.With(ReportWriter.Html, report);
        var markdown = Render.With(ReportWriter.Markdown, report);

        var section = Regex.Match(html, "<section id=\"attempts\">(.*?)</section>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains("<a href=\"#attempts\">Attempts</a>", html);
        Assert.Single(Regex.Matches(section, "<tr><td>"));
        Assert.Contains($"<tr><td>{KnownSweep.ResumedTrial}</td>", section);
        Assert.Contains($"<li>attempt 1: epoch 1, lost (worker 4747 was killed by signal 9 (SIGKILL))</li><li>attempt 2: epochs 2–3, completed</li>", section);
        Assert.Contains($"- Trial {KnownSweep.ResumedTrial} (completed, 2 attempts, lost 1): {History}", markdown);
    }
}

public sealed class TheJsonHoldsTheSameDataForScripts : IDisposable
{
    private readonly KnownSweep _sweep = new(partial: true);

    public void Dispose() => _sweep.Dispose();

    [Fact]
    public void SummaryTrialsCurvesAndEvaluationEqualTheStore()
    {
        using var json = JsonDocument.Parse(Render.With(ReportWriter.Json, _sweep.Load()));
        var root = json.RootElement;
        var epochs = _sweep.Store.ListEpochs(_sweep.Sweep.Id);

        Assert.True(root.GetProperty("partial").GetBoolean());
        var summary = root.GetProperty("summary");
        Assert.Equal(KnownSweep.Trials, summary.GetProperty("trials").GetInt32());
        Assert.Equal(3, summary.GetProperty("states").GetProperty("queued").GetInt32());
        Assert.Equal(1, summary.GetProperty("states").GetProperty("running").GetInt32());
        Assert.Equal(1, summary.GetProperty("states").GetProperty("failed").GetInt32());
        Assert.Equal(1, summary.GetProperty("states").GetProperty("diverged").GetInt32());
        Assert.Equal(18, summary.GetProperty("states").GetProperty("completed").GetInt32());
        Assert.Equal(epochs.Sum(e => e.Metrics.Seconds), summary.GetProperty("compute_seconds").GetDouble(), 9);
        Assert.Equal(KnownSweep.BestTrial, summary.GetProperty("best_trial").GetInt32());
        Assert.Equal(KnownSweep.FinalValAccuracy(KnownSweep.BestTrial), summary.GetProperty("best_score").GetDouble());

        var trials = root.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(KnownSweep.Trials, trials.Count);
        var best = trials.Single(t => t.GetProperty("trial").GetInt32() == KnownSweep.BestTrial);
        Assert.Equal(1, best.GetProperty("rank").GetInt32());
        Assert.Equal(KnownSweep.Epoch(17, 3).ValAccuracy, best.GetProperty("final_val_accuracy").GetDouble());
        Assert.Equal([KnownSweep.Epoch(17, 1).Loss, KnownSweep.Epoch(17, 2).Loss, KnownSweep.Epoch(17, 3).Loss],
            best.GetProperty("curve").GetProperty("loss").EnumerateArray().Select(v => v.GetDouble()));
        var diverged = trials.Single(t => t.GetProperty("trial").GetInt32() == 6);
        Assert.Equal(JsonValueKind.Null, diverged.GetProperty("final_loss").ValueKind);
        Assert.Equal(KnownSweep.DivergedMessage, diverged.GetProperty("message").GetString());

        var evaluation = root.GetProperty("evaluation");
        Assert.Equal(KnownSweep.BestTrial, evaluation.GetProperty("trial").GetInt32());
        Assert.Equal(KnownSweep.ClassNames, evaluation.GetProperty("class_names").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal((5.0 / 9 + 7.0 / 9 + 0.6) / 3, evaluation.GetProperty("macro_precision").GetDouble(), 12);
        Assert.Equal(7, evaluation.GetProperty("confusion")[1][1].GetInt32());
    }

    [Fact]
    public void ReplicatesPairTheTwoSeedsOfEachCompletedSetting()
    {
        using var json = JsonDocument.Parse(Render.With(ReportWriter.Json, _sweep.Load()));
        var replicates = json.RootElement.GetProperty("replicates").EnumerateArray().ToList();

        // Pairs (1,2) … (19,20) but (5,6): trial 5 failed and 6 diverged; 21 runs and 22–24 are queued.
        Assert.Equal(9, replicates.Count);
        var pair = replicates.Single(r => r.GetProperty("optimizer").GetString() == "Adam" && r.GetProperty("learning_rate").GetDouble() == 0.01
            && r.GetProperty("batch_size").GetInt32() == 32);
        var (a, b) = (KnownSweep.FinalValAccuracy(1), KnownSweep.FinalValAccuracy(2));
        Assert.Equal(2, pair.GetProperty("n").GetInt32());
        Assert.Equal((a + b) / 2, pair.GetProperty("mean_val_accuracy").GetDouble(), 12);
        Assert.Equal(Math.Abs(a - b) / Math.Sqrt(2), pair.GetProperty("sd_val_accuracy").GetDouble(), 12);
    }
}

public sealed class TheHtmlReportShowsTheStoresNumbers : IDisposable
{
    private readonly KnownSweep _sweep = new(partial: true, name: "mnist <grid> & \"co\"");

    public void Dispose() => _sweep.Dispose();

    [Fact]
    public void TheBestTrialsFormattedValuesAndOneTableRowPerTrialAreThere()
    {
        var html = Render.With(ReportWriter.Html, _sweep.Load());
        var final = KnownSweep.Epoch(KnownSweep.BestTrial, 3);

        Assert.Contains($"<span class=\"big\" id=\"best-score\">{final.ValAccuracy.ToString("F4", CultureInfo.InvariantCulture)}</span>", html);
        Assert.Contains("<span id=\"best-trial\">17</span>", html);
        Assert.Contains($"val_loss {final.ValLoss.ToString("F4", CultureInfo.InvariantCulture)}", html);
        Assert.Contains("<tr><th>Optimization Algorithm</th><td>RMSProp</td></tr>", html);
        Assert.Contains("<tr><th>Input Shape</th><td>Col 28, Row 28, Ch. 1</td></tr>", html);
        Assert.Contains("<dt>Description</dt><dd>&lt;b&gt;MNIST&lt;/b&gt; grid &amp; more</dd>", html);
        Assert.Contains("set each field by hand in Fit Model → HyperParameters (Piximi can export its settings but not import them)", html);
        var table = Regex.Match(html, "<table class=\"sortable\" id=\"trial-table\">.*?<tbody>(.*?)</tbody>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Equal(KnownSweep.Trials, Regex.Matches(table, "<tr[ >]").Count);
        Assert.Contains($"<td id=\"macro-precision\">{((5.0 / 9 + 7.0 / 9 + 0.6) / 3).ToString("F4", CultureInfo.InvariantCulture)}</td>", html);
        var epochs = _sweep.Store.ListEpochs(_sweep.Sweep.Id);
        Assert.Contains(Format.Duration(epochs.Sum(e => e.Metrics.Seconds)), html);
    }

    [Fact]
    public void APartialReportSaysSoAtTheTopAndACompleteOneDoesNot()
    {
        var html = Render.With(ReportWriter.Html, _sweep.Load());
        using var complete = new KnownSweep(partial: false);
        var done = Render.With(ReportWriter.Html, complete.Load());

        Assert.True(html.IndexOf("id=\"partial\"", StringComparison.Ordinal) < html.IndexOf("<h1>", StringComparison.Ordinal));
        Assert.Contains("3 trial(s) queued and 1 running", html);
        Assert.DoesNotContain("id=\"partial\"", done);
    }

    [Fact]
    public void ClassAndSweepNamesAreTextNotMarkup()
    {
        var html = Render.With(ReportWriter.Html, _sweep.Load());

        Assert.Contains("<th title=\"&lt;script&gt;alert(1)&lt;/script&gt;\"><span>&lt;script&gt;alert(1)&lt;/script&gt;</span></th>", html);
        Assert.DoesNotContain("<script>alert(1)", html);
        Assert.Contains("mnist &lt;grid&gt; &amp; &quot;co&quot;", html);
        Assert.DoesNotContain("<grid>", html);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(KnownSweep.FailedMessage), html);
    }

    [Fact]
    public void NothingIsLoadedFromTheNetwork()
    {
        var html = Render.With(ReportWriter.Html, _sweep.Load());

        Assert.DoesNotMatch(new Regex("(src|href)\\s*=\\s*[\"']?\\s*(https?:)?//", RegexOptions.IgnoreCase), html);
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain("@import", html);
        Assert.Contains("src=\"data:image/svg+xml;base64,", html);
    }
}

public sealed class TheMarkdownReportShowsTheStoresNumbers : IDisposable
{
    private readonly KnownSweep _sweep = new(partial: true);

    public void Dispose() => _sweep.Dispose();

    [Fact]
    public void ItNamesTheBestTrialItsPiximiSettingsAndThePartialState()
    {
        var markdown = Render.With(ReportWriter.Markdown, _sweep.Load());
        var final = KnownSweep.Epoch(KnownSweep.BestTrial, 3);

        Assert.StartsWith("# Sweep report: mnist-grid", markdown);
        Assert.Contains("**Partial report: the sweep is still running.**", markdown);
        Assert.Contains($"Trial 17: val_accuracy {final.ValAccuracy.ToString("F4", CultureInfo.InvariantCulture)}", markdown);
        Assert.Contains("- Optimization Algorithm: RMSProp", markdown);
        Assert.Contains("- Loss Function: Categorical (softmax) cross entropy", markdown);
        Assert.Contains("- Input Shape: Col 28, Row 28, Ch. 1", markdown);
        Assert.Contains("- Description: &lt;b&gt;MNIST&lt;/b&gt; grid &amp; more", markdown);
        Assert.Contains($"| 1 | 17 | RMSProp |", markdown);
        Assert.Contains($"- Trial 5 (failed, ", markdown);
        // Renderers pass raw HTML through: the class name is written as entities, which render as its text.
        Assert.Contains("| &lt;script&gt;alert(1)&lt;/script&gt; | 10 | 0.7778 | 0.7000 |", markdown);
        Assert.DoesNotContain("<script>", markdown);
    }
}

public sealed class AComparisonPutsTheSameGridCellsSideBySide
{
    [Fact]
    public void SharedCellsAreMatchedByHyperparametersAndTheBestOfEachIsNamed()
    {
        using var a = new KnownSweep(partial: false, name: "run-a");
        // Sweep B: only Adam and SGD, so 16 of A's 24 cells, in another store; trials 1–12 ran, and of them trial
        // 10's final val_accuracy (0.5 + 22 · 0.02) is the best.
        using var b = new KnownSweep(partial: true, name: "run-b", space: KnownSweep.Space with
        {
            Optimizers = [OptimizerKind.Adam, OptimizerKind.StochasticGradientDescent],
        });

        var text = Render.With((r, w) => ReportWriter.Comparison(r, a.Load(), w), b.Load());

        Assert.Contains("# Comparison: run-b vs run-a", text);
        Assert.Contains("## Same grid cells (16 with the same hyperparameters; 0 only in A, 8 only in B)", text);
        Assert.Contains("- A = run-b **(partial: still running)**: best trial 10", text);
        Assert.Contains("- B = run-a: best trial 17", text);
        var rows = text.Split('\n').Where(l => l.StartsWith("| Adam |", StringComparison.Ordinal) || l.StartsWith("| StochasticGradientDescent |", StringComparison.Ordinal)).ToList();
        Assert.Equal(16, rows.Count);
        // Same trial numbers in both sweeps, so the same numbers: a difference of 0.
        Assert.Contains("| Adam | CategoricalCrossEntropy | 0.01 | 32 | 3 | 0 | 1 | completed | 0.6400 |", text);
        Assert.EndsWith("| 0.0000 |", rows[0]);
    }
}

public sealed class The_best_trial_card
{
    [Fact]
    public void Warns_that_piximis_momentum_trains_as_plain_sgd_only_when_the_best_trial_used_momentum()
    {
        // Trial 17, the best, falls in the grid's third optimizer.
        var space = KnownSweep.Space with { Optimizers = [OptimizerKind.Adam, OptimizerKind.StochasticGradientDescent, OptimizerKind.Momentum] };
        using var momentum = new KnownSweep(partial: false, space: space);
        using var rmsProp = new KnownSweep(partial: false);

        var withMomentum = momentum.Load();
        Assert.Equal(OptimizerKind.Momentum, withMomentum.Best!.Summary.Trial.Hyperparameters.Optimizer);
        Assert.Contains("Piximi&#39;s Momentum currently trains as plain SGD", Render.With(ReportWriter.Html, withMomentum));
        Assert.Contains("Piximi's Momentum currently trains as plain SGD", Render.With(ReportWriter.Markdown, withMomentum));
        Assert.DoesNotContain("plain SGD", Render.With(ReportWriter.Html, rmsProp.Load()));
    }
}
