using Piximi.Sweep.Core;

namespace Piximi.Sweep.Cli.Output;

/// <summary>The tables the CLI prints about trials.</summary>
internal static class TrialTables
{
    /// <summary>
    /// Tables show a model column only when some trial's model is not SimpleCNN, so one-model SimpleCNN sweeps print
    /// exactly what they always did.
    /// </summary>
    private static bool ShowModel(IEnumerable<Hyperparameters> trials) => trials.Any(hp => hp.Model != ModelKind.SimpleCNN);

    /// <summary><paramref name="cells"/> with the model inserted at <paramref name="at"/> when <paramref name="show"/>.</summary>
    private static string[] With(bool show, int at, string model, params string[] cells) =>
        show ? [.. cells[..at], model, .. cells[at..]] : cells;

    /// <summary>
    /// <paramref name="cells"/> with a "vs baseline" cell inserted at <paramref name="at"/> (from the end) when the sweep
    /// has a baseline, so sweeps without one print exactly what they always did.
    /// </summary>
    private static string[] WithBaseline(BaselineMarks? marks, int at, string cell, string[] cells) =>
        marks is null ? cells : [.. cells[..^at], cell, .. cells[^at..]];

    private const string BaselineHeader = "vs baseline";

    public static TextTable Grid(IReadOnlyList<Hyperparameters> trials)
    {
        var model = ShowModel(trials);
        var table = new TextTable(With(model, 1, "model", "#", "optimizer", "loss", "learning_rate", "batch_size", "epochs", "seed"));
        for (var i = 0; i < trials.Count; i++)
        {
            var hp = trials[i];
            table.Add(With(model, 1, hp.Model.ToString(), Display.Int(i + 1), hp.Optimizer.ToString(), hp.Loss.ToString(), Display.Rate(hp.LearningRate),
                Display.Int(hp.BatchSize), Display.Epochs(hp), Display.Int(hp.Seed)));
        }
        return table;
    }

    /// <param name="marks">The sweep's baseline, if any: a "vs baseline" column marks its rows and gives the others' gain over it.</param>
    public static TextTable Ranked(IReadOnlyList<RankedTrial> ranked, BaselineMarks? marks = null)
    {
        var model = ShowModel(ranked.Select(r => r.Summary.Trial.Hyperparameters));
        var table = new TextTable(WithBaseline(marks, 0, BaselineHeader, With(model, 2, "model", "rank", "trial", "optimizer", "loss", "learning_rate", "batch_size", "epochs", "seed",
            "val_accuracy", "val_loss", "accuracy", "loss", "time")));
        foreach (var r in ranked)
        {
            var s = r.Summary;
            var hp = s.Trial.Hyperparameters;
            table.Add(WithBaseline(marks, 0, marks?.Cell(hp, marks.Gain.Over(r.Score)) ?? "", With(model, 2, hp.Model.ToString(), Display.Int(r.Rank),
                Display.Int(s.Trial.Number), hp.Optimizer.ToString(), hp.Loss.ToString(),
                Display.Rate(hp.LearningRate), Display.Int(hp.BatchSize), Display.EpochsRun(s), Display.Int(hp.Seed),
                Display.Metric(s.Final?.ValAccuracy), Display.Metric(s.Final?.ValLoss), Display.Metric(s.Final?.Accuracy),
                Display.Metric(s.Final?.Loss), Formats.Seconds(s.TrainingSeconds))));
        }
        return table;
    }

    /// <inheritdoc cref="Ranked"/>
    public static TextTable All(IReadOnlyList<TrialSummary> summaries, BaselineMarks? marks = null)
    {
        var model = ShowModel(summaries.Select(s => s.Trial.Hyperparameters));
        var table = new TextTable(WithBaseline(marks, 1, BaselineHeader, With(model, 2, "model", "trial", "state", "optimizer", "loss", "learning_rate", "batch_size", "epochs", "seed",
            "val_accuracy", "val_loss", "accuracy", "loss", "time", "attempts", "message")));
        foreach (var s in summaries)
        {
            var hp = s.Trial.Hyperparameters;
            var kept = s.Trial.ResultEpoch is { } e && e != s.EpochsRun ? $" (kept {e})" : "";
            table.Add(WithBaseline(marks, 1, marks?.Cell(hp, marks.GainOf(s)) ?? "", With(model, 2, hp.Model.ToString(), Display.Int(s.Trial.Number),
                Display.State(s.Trial), hp.Optimizer.ToString(), hp.Loss.ToString(),
                Display.Rate(hp.LearningRate), Display.Int(hp.BatchSize), $"{s.EpochsRun}/{hp.Epochs}{kept}", Display.Int(hp.Seed),
                Display.Metric(s.Final?.ValAccuracy), Display.Metric(s.Final?.ValLoss), Display.Metric(s.Final?.Accuracy),
                Display.Metric(s.Final?.Loss), Formats.Seconds(s.TrainingSeconds), Attempts(s.Trial), s.Trial.Message ?? "")));
        }
        return table;
    }

    /// <summary>How often a trial was claimed, and lost: "1", "3 (2 lost)", or a dash for one never claimed.</summary>
    private static string Attempts(TrialRecord t) =>
        t.Attempts == 0 ? "–" : Display.Int(t.Attempts) + (t.Lost > 0 ? $" ({Display.Int(t.Lost)} lost)" : "");

    /// <summary>
    /// One line per trial whose attempts say more than its state does (more than one, or one lost or given back):
    /// "trial 5: attempt 1: epochs 1–3, lost (…); attempt 2: epochs 4–5, completed". Empty when there is none.
    /// </summary>
    public static IReadOnlyList<string> AttemptLines(IReadOnlyList<TrialSummary> summaries, IReadOnlyList<TrialAttempt> attempts)
    {
        var byTrial = attempts.ToLookup(a => a.TrialId);
        return [.. summaries
            .Where(s => AttemptHistory.IsWorthShowing(s.Trial, [.. byTrial[s.Trial.Id]]))
            .Select(s => $"trial {Display.Int(s.Trial.Number)}: {AttemptHistory.Line(s.Trial, [.. byTrial[s.Trial.Id]], s.EpochsRun)}")];
    }

    /// <inheritdoc cref="Ranked"/>
    public static TextTable Replicates(IReadOnlyList<ReplicateGroup> groups, string metric, BaselineMarks? marks = null)
    {
        var model = ShowModel(groups.Select(g => g.Settings));
        var table = new TextTable(WithBaseline(marks, 0, BaselineHeader,
            With(model, 1, "model", "rank", "optimizer", "loss", "learning_rate", "batch_size", "epochs", $"mean {metric}", "sd", "n", "seeds", "trials")));
        foreach (var g in groups)
        {
            var hp = g.Settings;
            table.Add(WithBaseline(marks, 0, marks?.Cell(hp, marks.Gain.Over(g.Mean)) ?? "", With(model, 1, hp.Model.ToString(), Display.Int(g.Rank),
                hp.Optimizer.ToString(), hp.Loss.ToString(), Display.Rate(hp.LearningRate), Display.Int(hp.BatchSize),
                Display.Epochs(hp), Display.Metric(g.Mean), Display.Metric(g.StandardDeviation), Display.Int(g.N),
                string.Join(' ', g.Seeds), string.Join(' ', g.Trials))));
        }
        return table;
    }
}
