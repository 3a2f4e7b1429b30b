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
            table.Add(Formats.Int(i + 1), hp.Optimizer.ToString(), hp.Loss.ToString(), Formats.Rate(hp.LearningRate),
                Formats.Int(hp.BatchSize), Formats.Epochs(hp), Formats.Int(hp.Seed));
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
            table.Add(Formats.Int(r.Rank), Formats.Int(s.Trial.Number), hp.Optimizer.ToString(), hp.Loss.ToString(),
                Formats.Rate(hp.LearningRate), Formats.Int(hp.BatchSize), Formats.Int(s.EpochsRun), Formats.Int(hp.Seed),
                Formats.Metric(s.Final?.ValAccuracy), Formats.Metric(s.Final?.ValLoss), Formats.Metric(s.Final?.Accuracy),
                Formats.Metric(s.Final?.Loss), Formats.Seconds(s.TrainingSeconds));
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
            table.Add(Formats.Int(s.Trial.Number), Formats.State(s.Trial.State), hp.Optimizer.ToString(), hp.Loss.ToString(),
                Formats.Rate(hp.LearningRate), Formats.Int(hp.BatchSize), $"{s.EpochsRun}/{hp.Epochs}", Formats.Int(hp.Seed),
                Formats.Metric(s.Final?.ValAccuracy), Formats.Metric(s.Final?.ValLoss), Formats.Metric(s.Final?.Accuracy),
                Formats.Metric(s.Final?.Loss), Formats.Seconds(s.TrainingSeconds), s.Trial.Message ?? "");
        }
        return table;
    }
}
