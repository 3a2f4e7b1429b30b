using System.Text.Json;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Reports.Tests;

/// <summary>fANOVA beside η² in every format, from the same computed values; a sweep with too few trials says so.</summary>
public sealed class FanovaReportTests : IDisposable
{
    private readonly KnownSweep _sweep = new(partial: false);

    public void Dispose() => _sweep.Dispose();

    [Fact]
    public void The_json_report_holds_each_hyperparameters_fanova_share_by_the_sweeps_metric_largest_first()
    {
        var report = _sweep.Load();
        using var json = JsonDocument.Parse(Render.With(ReportWriter.Json, report));
        var fanova = json.RootElement.GetProperty("fanova");

        Assert.Equal("val_accuracy", fanova.GetProperty("metric").GetString());
        Assert.Equal(report.CountOf(TrialState.Completed), fanova.GetProperty("trials").GetInt32());
        var shares = fanova.GetProperty("importance").EnumerateArray()
            .Select(i => (i.GetProperty("hyperparameter").GetString()!, i.GetProperty("importance").GetDouble())).ToList();
        Assert.Equal(report.Fanova.Select(i => (i.Hyperparameter, i.Importance)), shares);
        Assert.Equal(1.0, shares.Sum(s => s.Item2), 9);
        // The known sweep has one loss, one epoch count and one model: Optuna gives a single-valued parameter 0.
        Assert.All(shares.Where(s => s.Item1 is "loss_function" or "epochs" or "model"), s => Assert.Equal(0, s.Item2));
    }

    [Fact]
    public void The_html_and_markdown_reports_show_fanova_after_eta_squared_with_how_it_was_computed()
    {
        var report = _sweep.Load();
        var html = Render.With(ReportWriter.Html, report);
        var markdown = Render.With(ReportWriter.Markdown, report);

        Assert.True(html.IndexOf("id=\"importance\"", StringComparison.Ordinal) < html.IndexOf("id=\"fanova\"", StringComparison.Ordinal));
        Assert.Contains("FanovaImportanceEvaluator", html, StringComparison.Ordinal);
        Assert.True(markdown.IndexOf("(η²", StringComparison.Ordinal) < markdown.IndexOf("## Hyperparameter importance (fANOVA, final val_accuracy", StringComparison.Ordinal));
        Assert.Contains($"| {report.Fanova[0].Hyperparameter} | {Display.Metric(report.Fanova[0].Importance)} |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Fewer_than_two_completed_trials_give_no_fanova_as_Optuna_refuses_them()
    {
        var hp = new Hyperparameters(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.01, 32, 3, null, 0);
        Assert.Empty(FanovaEvaluator.Importance(KnownSweep.Space, [(hp, 0.8)]));
        Assert.Empty(FanovaEvaluator.Importance(KnownSweep.Space, [(hp, 0.8), (hp with { Optimizer = OptimizerKind.RMSProp }, double.NaN)]));
    }
}
