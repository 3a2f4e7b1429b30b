using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Reports.Dashboard;

/// <summary>
/// fANOVA for the dashboard's importance card, as the reports compute it (<see cref="FanovaEvaluator"/>: the sweep's
/// metric, at most <see cref="FanovaEvaluator.MaxTrials"/> trials, seed <see cref="FanovaEvaluator.ReportSeed"/>), with
/// η² of the same completed trials, so the card can be brought up to date as trials end. Answered on its own route
/// rather than inside <see cref="DashboardData.Sweep"/>: fitting the forest takes up to a second at 2,000 trials, which
/// the sweep's first paint and its polls should not wait for.
/// </summary>
public static class DashboardFanova
{
    public static FanovaView Of(ITrialStore store, SweepRecord sweep)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(sweep);
        // By trial number, as the report's lines are: the forest's bootstrap and the sample depend on the order.
        var completed = store.SummarizeTrials(sweep.Id, [TrialState.Completed]).OrderBy(s => s.Trial.Number).ToList();
        var scored = FanovaEvaluator.Scored(completed, sweep.Definition.Metric);
        var importance = FanovaEvaluator.Importance(sweep.Definition.Parameters, scored);
        return new FanovaView(
            sweep.Definition.Metric, importance.Count > 0 ? importance[0].Trials : 0, scored.Count, FanovaEvaluator.Trees,
            FanovaEvaluator.ReportSeed, [.. importance.Select(i => new FanovaShareView(i.Hyperparameter, i.Importance))],
            DashboardData.ImportanceOf(completed));
    }
}

/// <summary>
/// fANOVA's shares by <paramref name="Metric"/>, largest first, from <paramref name="Trials"/> of the
/// <paramref name="Completed"/> scored trials; <paramref name="EtaSquared"/>: η² of val_accuracy over the same completed
/// trials, as <see cref="SweepView.Importance"/> gives it.
/// </summary>
public sealed record FanovaView(string Metric, int Trials, int Completed, int Trees, int Seed, IReadOnlyList<FanovaShareView> Importance,
    IReadOnlyList<ImportanceView> EtaSquared);

public sealed record FanovaShareView(string Hyperparameter, double Importance);
