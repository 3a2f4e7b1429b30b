using System.Globalization;
using System.Text.Json;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Reports;

// fANOVA importance in each format, beside η² and apart from it, so that it changes on its own.

internal static partial class HtmlReport
{
    private static void FanovaSection(SweepReport report, TextWriter w)
    {
        w.Write("<section id=\"fanova\"><h2>Hyperparameter importance by fANOVA</h2>");
        if (report.Fanova.Count == 0)
        {
            w.Write("<p>fANOVA needs at least 2 completed trials that differ in some setting and in their result.</p></section>\n");
            return;
        }
        w.Write($"<p class=\"muted\">{Html.Escape(FanovaText.Method(report))}</p>"
            + $"<table class=\"bars\"><thead><tr><th>hyperparameter</th><th>fANOVA</th></tr></thead><tbody>");
        foreach (var i in report.Fanova) w.Write($"<tr><td>{Html.Escape(i.Hyperparameter)}</td><td>{Bar(i.Importance)}</td></tr>");
        w.Write("</tbody></table></section>\n");
    }
}

internal static partial class MarkdownReport
{
    private static void Fanova(SweepReport report, TextWriter w)
    {
        w.WriteLine($"## Hyperparameter importance (fANOVA, final {report.Metric} of completed trials)");
        w.WriteLine();
        if (report.Fanova.Count == 0)
        {
            w.WriteLine("fANOVA needs at least 2 completed trials that differ in some setting and in their result.");
            w.WriteLine();
            return;
        }
        w.WriteLine("| hyperparameter | fANOVA |");
        w.WriteLine("|---|---:|");
        foreach (var i in report.Fanova) w.WriteLine($"| {i.Hyperparameter} | {Display.Metric(i.Importance)} |");
        w.WriteLine();
        w.WriteLine(FanovaText.Method(report));
        w.WriteLine();
    }
}

/// <summary>The words and JSON of the fANOVA section, one text for every format.</summary>
internal static class FanovaText
{
    public static string Method(SweepReport report)
    {
        var used = report.Fanova[0].Trials;
        var completed = report.CountOf(TrialState.Completed);
        var over = used < completed
            ? string.Create(CultureInfo.InvariantCulture, $"a fixed random sample of {used:N0} of the {completed:N0} completed trials")
            : string.Create(CultureInfo.InvariantCulture, $"the {used:N0} completed trials");
        return $"fANOVA, as Optuna's FanovaImportanceEvaluator computes it: a random forest of {FanovaEvaluator.Trees} trees "
            + $"(seed {FanovaEvaluator.ReportSeed}) fitted on {over}' settings and final {report.Metric}; each hyperparameter's share "
            + "of the variance its own marginal explains, averaged over the trees and scaled to add up to 1. Unlike η², the other "
            + "settings are held in the model rather than averaged away by grouping. Numbers are used as they are (Optuna does not "
            + "take the log of the learning rate here); a hyperparameter with one value gets 0; the seed is not a hyperparameter. "
            + "Another forest seed moves the values by a few hundredths, so close neighbours may swap places.";
    }

    /// <summary><c>fanova</c>: the metric, the trials and forest used, and each hyperparameter's share, largest first.</summary>
    public static void Json(Utf8JsonWriter json, SweepReport report)
    {
        json.WriteStartObject("fanova");
        json.WriteString("metric", report.Metric);
        json.WriteNumber("trials", report.Fanova.Count > 0 ? report.Fanova[0].Trials : 0);
        json.WriteNumber("trees", FanovaEvaluator.Trees);
        json.WriteNumber("seed", FanovaEvaluator.ReportSeed);
        json.WriteStartArray("importance");
        foreach (var i in report.Fanova)
        {
            json.WriteStartObject();
            json.WriteString("hyperparameter", i.Hyperparameter);
            json.WriteNumber("importance", i.Importance);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
