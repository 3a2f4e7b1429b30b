using Piximi.Sweep.Core;

namespace Piximi.Sweep.Cli.Output;

/// <summary>The tables the CLI prints about trials.</summary>
internal static class TrialTables
{
    public static TextTable Grid(IReadOnlyList<Hyperparameters> trials)
    {
        var table = new TextTable("#", "optimizer", "loss", "learning_rate", "batch_size", "epochs", "seed");
        for (var i = 0; i < trials.Count; i++)
        {
            var hp = trials[i];
            table.Add(Display.Int(i + 1), hp.Optimizer.ToString(), hp.Loss.ToString(), Display.Rate(hp.LearningRate),
                Display.Int(hp.BatchSize), Display.Epochs(hp), Display.Int(hp.Seed));
        }
        return table;
    }

    public static TextTable Ranked(IReadOnlyList<RankedTrial> ranked)
    {
        var table = new TextTable("rank", "trial", "optimizer", "loss", "learning_rate", "batch_size", "epochs", "seed",
            "val_accuracy", "val_loss", "accuracy", "loss", "time");
        foreach (var r in ranked)
        {
            var s = r.Summary;
            var hp = s.Trial.Hyperparameters;
            table.Add(Display.Int(r.Rank), Display.Int(s.Trial.Number), hp.Optimizer.ToString(), hp.Loss.ToString(),
                Display.Rate(hp.LearningRate), Display.Int(hp.BatchSize), Display.EpochsRun(s), Display.Int(hp.Seed),
                Display.Metric(s.Final?.ValAccuracy), Display.Metric(s.Final?.ValLoss), Display.Metric(s.Final?.Accuracy),
                Display.Metric(s.Final?.Loss), Formats.Seconds(s.TrainingSeconds));
        }
        return table;
    }

    public static TextTable All(IReadOnlyList<TrialSummary> summaries)
    {
        var table = new TextTable("trial", "state", "optimizer", "loss", "learning_rate", "batch_size", "epochs", "seed",
            "val_accuracy", "val_loss", "accuracy", "loss", "time", "message");
        foreach (var s in summaries)
        {
            var hp = s.Trial.Hyperparameters;
            var kept = s.Trial.ResultEpoch is { } e && e != s.EpochsRun ? $" (kept {e})" : "";
            table.Add(Display.Int(s.Trial.Number), Display.State(s.Trial), hp.Optimizer.ToString(), hp.Loss.ToString(),
                Display.Rate(hp.LearningRate), Display.Int(hp.BatchSize), $"{s.EpochsRun}/{hp.Epochs}{kept}", Display.Int(hp.Seed),
                Display.Metric(s.Final?.ValAccuracy), Display.Metric(s.Final?.ValLoss), Display.Metric(s.Final?.Accuracy),
                Display.Metric(s.Final?.Loss), Formats.Seconds(s.TrainingSeconds), s.Trial.Message ?? "");
        }
        return table;
    }

    public static TextTable Replicates(IReadOnlyList<ReplicateGroup> groups, string metric)
    {
        var table = new TextTable("rank", "optimizer", "loss", "learning_rate", "batch_size", "epochs", $"mean {metric}", "sd", "n", "seeds", "trials");
        foreach (var g in groups)
        {
            var hp = g.Settings;
            table.Add(Display.Int(g.Rank), hp.Optimizer.ToString(), hp.Loss.ToString(), Display.Rate(hp.LearningRate), Display.Int(hp.BatchSize),
                Display.Epochs(hp), Display.Metric(g.Mean), Display.Metric(g.StandardDeviation), Display.Int(g.N),
                string.Join(' ', g.Seeds), string.Join(' ', g.Trials));
        }
        return table;
    }
}
