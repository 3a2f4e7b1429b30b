using Piximi.Sweep.Core;

namespace Piximi.Sweep.Reports;

// The baseline in the HTML report: a card with the gain and the user's settings, and the baseline's rows marked in the
// trials table. Kept beside the rest of the report so that it changes on its own.
internal static partial class HtmlReport
{
    private static void BaselineSection(SweepReport report, TextWriter w)
    {
        if (report.Gain is not { } gain) return;
        w.Write("<section id=\"baseline\"><h2>Against your settings</h2><div class=\"card yours\">");
        var (big, rest) = gain.Standing switch
        {
            BaselineStanding.Beaten => (gain.Show(gain.Difference!.Value), $" {gain.Metric} over your settings"),
            BaselineStanding.Best => ("Your settings", " are the best found"),
            _ => ("Not yet", ": your settings have no completed trial"),
        };
        w.Write($"<p><span class=\"gain\" id=\"baseline-gain\">{Html.Escape(big)}</span>{Html.Escape(rest)}</p>");
        w.Write($"<p id=\"baseline-text\">{Html.Escape(MarkdownReport.BaselineSentence(gain))}</p>");
        w.Write("<p class=\"muted\">Your settings (the sweep file's <code>baseline:</code>), run first as any other setting, once per seed, and never pruned:</p>");
        w.Write("<table class=\"settings\" id=\"baseline-settings\">");
        foreach (var (name, value) in MarkdownReport.BaselineSettings(gain.Settings))
            w.Write($"<tr><th>{Html.Escape(name)}</th><td>{Html.Escape(value)}</td></tr>");
        w.Write($"<tr><th>Trials</th><td>{Html.Escape(MarkdownReport.BaselineTrials(gain))}</td></tr>");
        w.Write("</table><p class=\"muted\">Marked <span class=\"chip baseline\">baseline</span> in the table of all trials.</p></div></section>\n");
    }

    /// <summary>A row of the trials table: the best trial's stands out, the baseline's are marked.</summary>
    private static string RowStart(SweepReport report, TrialLine line) =>
        (line.Rank == 1, report.IsBaseline(line)) switch
        {
            (true, true) => "<tr class=\"top baseline\">",
            (true, false) => "<tr class=\"top\">",
            (false, true) => "<tr class=\"baseline\">",
            _ => "<tr>",
        };

    /// <summary>The trial number, with a "baseline" chip on the baseline's trials (sorted by the number alone).</summary>
    private static string TrialCell(SweepReport report, TrialLine line) =>
        report.IsBaseline(line)
            ? $"<td data-v=\"{line.Trial.Number}\">{line.Trial.Number}<span class=\"chip baseline\">baseline</span></td>"
            : $"<td>{line.Trial.Number}</td>";
}
