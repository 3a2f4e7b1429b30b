using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Reports.Tests;

/// <summary>Each fact of <see cref="PrunedSweep"/> (how trials were chosen, pruner, early stopping, rungs, kept epoch, epochs saved) in each format.</summary>
public sealed class AReportOfAPrunedTpeSweep : IDisposable
{
    private const string Search = "TPE, 12 trials (6 proposed so far; sampler seed 42; the first 10 at random)";
    private const string Pruner = "asha (min_epochs 1, reduction_factor 3), judged on val_accuracy after every epoch";
    private const string EarlyStopping = "patience 3 on val_accuracy (min_delta 0.001); each trial keeps its best epoch's weights";
    private const string Effort = "ASHA and early stopping trained 30 of 54 epochs (56%)";

    private readonly PrunedSweep _sweep = new();

    public void Dispose() => _sweep.Dispose();

    [Fact]
    public void TheCsvHasTheClisResultEpochAndRungColumnsLastAndTheKeptEpochsMetrics()
    {
        var rows = Render.ParseCsv(Render.With(ReportWriter.Csv, _sweep.Load()));
        var header = rows[0];
        var byTrial = rows.Skip(1).Select(r => header.Zip(r).ToDictionary(p => p.First, p => p.Second)).ToDictionary(r => r["trial"]);

        // Then only the baseline mark and the attempt history, added after them.
        Assert.Equal(["message", "result_epoch", "rung", "baseline", "attempt_history"], header.TakeLast(5));
        Assert.Equal(6, byTrial.Count);
        Assert.Equal(("completed", "7", "4", ""), (byTrial["3"]["state"], byTrial["3"]["epochs_run"], byTrial["3"]["result_epoch"], byTrial["3"]["rung"]));
        Assert.Equal(PrunedSweep.ValAccuracy(3, 4), double.Parse(byTrial["3"]["final_val_accuracy"], CultureInfo.InvariantCulture));
        Assert.Equal("1", byTrial["3"]["rank"]);
        Assert.Equal(("pruned", "1", "", "0"), (byTrial["2"]["state"], byTrial["2"]["epochs_run"], byTrial["2"]["result_epoch"], byTrial["2"]["rung"]));
        Assert.Equal(PrunedSweep.PrunedMessage, byTrial["2"]["message"]);
        Assert.Equal(("3", "1"), (byTrial["4"]["epochs_run"], byTrial["4"]["rung"]));
        Assert.Equal(("", ""), (byTrial["1"]["result_epoch"], byTrial["1"]["rung"]));
    }

    [Fact]
    public void TheJsonHasTheMethodTheEpochsSavedThePerRungCountsAndEachTrialsResultEpochAndRung()
    {
        using var json = JsonDocument.Parse(Render.With(ReportWriter.Json, _sweep.Load()));
        var root = json.RootElement;
        var summary = root.GetProperty("summary");

        Assert.Equal("tpe", summary.GetProperty("method").GetString());
        Assert.Equal(Search, summary.GetProperty("search").GetString());
        Assert.Equal(3, summary.GetProperty("states").GetProperty("pruned").GetInt32());
        var epochs = summary.GetProperty("epochs");
        Assert.Equal((6, 30L, 54L, Effort), (epochs.GetProperty("trials").GetInt32(), epochs.GetProperty("trained").GetInt64(),
            epochs.GetProperty("in_full").GetInt64(), epochs.GetProperty("text").GetString()));
        var definition = root.GetProperty("sweep").GetProperty("definition");
        Assert.Equal(42, definition.GetProperty("sampler_seed").GetInt32());

        var rungs = root.GetProperty("pruning").EnumerateArray()
            .Select(r => (r.GetProperty("rung").GetInt32(), r.GetProperty("epoch").GetInt32(), r.GetProperty("reached").GetInt32(),
                r.GetProperty("pruned").GetInt32(), r.GetProperty("went_on").GetInt32()))
            .ToList();
        Assert.Equal([(0, 1, 6, 2, 4), (1, 3, 4, 1, 3)], rungs);

        var trials = root.GetProperty("trials").EnumerateArray().ToDictionary(t => t.GetProperty("trial").GetInt32());
        Assert.Equal(4, trials[3].GetProperty("result_epoch").GetInt32());
        Assert.Equal(PrunedSweep.ValAccuracy(3, 4), trials[3].GetProperty("final_val_accuracy").GetDouble());
        Assert.Equal(7, trials[3].GetProperty("curve").GetProperty("epoch").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, trials[3].GetProperty("rung").ValueKind);
        Assert.Equal(0, trials[5].GetProperty("rung").GetInt32());
        Assert.Equal(1, trials[4].GetProperty("rung").GetInt32());
        Assert.Equal(JsonValueKind.Null, trials[1].GetProperty("result_epoch").ValueKind);
    }

    [Fact]
    public void TheHtmlSummaryTablesPruningSectionAndCurvesShowEveryFact()
    {
        var html = Render.With(ReportWriter.Html, _sweep.Load());

        Assert.Contains($"<dt>Search</dt><dd>{WebUtility.HtmlEncode(Search)}</dd>", html);
        Assert.Contains($"<dt>Pruner</dt><dd>{WebUtility.HtmlEncode(Pruner)}</dd>", html);
        Assert.Contains($"<dt>Early stopping</dt><dd>{WebUtility.HtmlEncode(EarlyStopping)}</dd>", html);
        Assert.Contains("<span class=\"chip s-pruned\">3 pruned</span>", html);
        Assert.Contains($"<span id=\"effort\">{Effort}</span>", html);

        var table = Regex.Match(html, "<table class=\"sortable\" id=\"trial-table\">.*?<tbody>(.*?)</tbody>", RegexOptions.Singleline).Groups[1].Value;
        var rows = Regex.Matches(table, "<tr[^>]*>(.*?)</tr>").Select(m => Regex.Matches(m.Groups[1].Value, "<td>(.*?)</td>").Select(c => Regex.Replace(c.Groups[1].Value, "<[^>]+>", "")).ToList())
            .ToDictionary(r => r[2]);
        // The ranking metric (val_accuracy) is the 5th column, after the state, so it stays in the table's sticky columns.
        Assert.Equal(("1", "completed", "7 (kept 4)", "0.9000", "0.9000"), (rows["3"][1], rows["3"][3], rows["3"][11], rows["3"][4], rows["3"][17]));
        Assert.Equal(("pruned (rung 0)", "1"), (rows["2"][3], rows["2"][11]));
        Assert.Equal(("pruned (rung 1)", "3"), (rows["4"][3], rows["4"][11]));
        Assert.Equal("9", rows["1"][11]);

        var pruning = Regex.Match(html, "<section id=\"pruning\">(.*?)</section>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains("<tr><td>0</td><td>1</td><td>6</td><td>2</td><td>4</td></tr><tr><td>1</td><td>3</td><td>4</td><td>1</td><td>3</td></tr>", pruning);
        Assert.Contains(Effort, pruning);
        Assert.Contains("<a href=\"#pruning\">Pruning</a>", html);

        // The best card: the kept epoch's metrics, named as such.
        Assert.Contains("7 (kept 4) epochs in", html);
        Assert.Contains("Kept epoch 4 (of 7 run): loss", html);

        // The top curves: trial 3's mark its kept epoch; the on-demand data carries epochs set, kept epoch and rung.
        var alt = WebUtility.HtmlEncode("Accuracy of trial 3 · kept epoch 4");
        var accuracy = Regex.Match(html, $"alt=\"{alt}\" src=\"data:image/svg\\+xml;base64,([^\"]+)\"").Groups[1].Value;
        Assert.NotEqual("", accuracy);
        Assert.Contains("kept epoch 4", Encoding.UTF8.GetString(Convert.FromBase64String(accuracy)));
        var data = Regex.Match(html, "<script type=\"application/json\" id=\"curve-data\">(.*?)</script>").Groups[1].Value;
        using var curves = JsonDocument.Parse(data);
        var t2 = curves.RootElement.GetProperty("2");
        Assert.Equal((9, JsonValueKind.Null, 0), (t2[4].GetInt32(), t2[5].ValueKind, t2[6].GetInt32()));
        var t3 = curves.RootElement.GetProperty("3");
        Assert.Equal((9, 4, JsonValueKind.Null), (t3[4].GetInt32(), t3[5].GetInt32(), t3[6].ValueKind));
    }

    [Fact]
    public void APrunersReasonIsTextInHtmlAndMarkdown()
    {
        var report = _sweep.Load();
        var html = Render.With(ReportWriter.Html, report);
        var markdown = Render.With(ReportWriter.Markdown, report);

        Assert.DoesNotContain("<b>top</b>", html);
        Assert.Contains($"<td class=\"reason\">{WebUtility.HtmlEncode(PrunedSweep.PrunedMessage)}</td>", html);
        Assert.DoesNotContain("<b>top</b>", markdown);
        Assert.Contains("&lt;b&gt;top&lt;/b&gt; ⌊2/3⌋ &amp; \"only the best\"", markdown);
    }

    [Fact]
    public void TheMarkdownStatesTheSameFactsAsText()
    {
        var markdown = Render.With(ReportWriter.Markdown, _sweep.Load());
        var lines = markdown.Split('\n');

        Assert.Contains($"- Search: {Search}", lines);
        Assert.Contains($"- Pruner: {Pruner}", lines);
        Assert.Contains($"- Early stopping: {EarlyStopping}", lines);
        Assert.Contains("- Trials: 6 (3 completed, 3 pruned)", lines);
        Assert.Contains(lines, l => l.StartsWith($"- Epochs trained: {Effort}; epochs run by the 6 completed and pruned trials", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Trial 3: val_accuracy 0.9000 (kept epoch 4 of 7 run). To train these settings in Piximi, set each field by hand", StringComparison.Ordinal));
        // A sweep that does not know its input shape says so rather than guessing one.
        Assert.Contains("- Input Shape: not recorded", lines);
        Assert.Contains(lines, l => l.StartsWith("| 1 | 3 | Adam |", StringComparison.Ordinal) && l.Contains("| 0 | 7 (kept 4) | ", StringComparison.Ordinal)
            && l.Contains("| 0.9000 | 4 (0.9000) |", StringComparison.Ordinal));
        Assert.Contains("## Pruning", lines);
        Assert.Contains("| rung | epoch | reached it | pruned there | went on |", lines);
        Assert.Contains("| 0 | 1 | 6 | 2 | 4 |", lines);
        Assert.Contains("| 1 | 3 | 4 | 1 | 3 |", lines);
        Assert.Contains(lines, l => l.StartsWith("- Trial 2 (pruned (rung 0), Adam,", StringComparison.Ordinal) && l.Contains(", 1 epochs run): rung 0 (epoch 1)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("- Trial 4 (pruned (rung 1),", StringComparison.Ordinal) && l.Contains(", 3 epochs run): ", StringComparison.Ordinal));
    }

    [Fact]
    public void AGridSweepWithoutPrunerOrEarlyStoppingSaysGridAndHasNoPruningSection()
    {
        using var grid = new KnownSweep(partial: false);
        var report = grid.Load();
        var html = Render.With(ReportWriter.Html, report);
        var markdown = Render.With(ReportWriter.Markdown, report);
        using var json = JsonDocument.Parse(Render.With(ReportWriter.Json, report));

        Assert.Contains("<dt>Search</dt><dd>grid of 24 trials</dd>", html);
        Assert.DoesNotContain("id=\"pruning\"", html);
        Assert.DoesNotContain("<dt>Pruner</dt>", html);
        Assert.Contains("- Search: grid of 24 trials", markdown.Split('\n'));
        Assert.DoesNotContain("## Pruning", markdown);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("pruning").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("summary").GetProperty("epochs").ValueKind);
    }
}
