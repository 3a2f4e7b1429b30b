using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Cli.Output;

/// <summary>
/// One trial as a flat row for scripts (JSON) and spreadsheets (CSV). The hyperparameter is called
/// <c>loss_function</c> so it does not clash with the <c>loss</c> metric.
/// </summary>
internal sealed record TrialRow(
    int? Rank,
    int Trial,
    string State,
    string Optimizer,
    string LossFunction,
    double LearningRate,
    int BatchSize,
    int Epochs,
    double? TimeBudgetSeconds,
    int Seed,
    int EpochsRun,
    double? Loss,
    double? Accuracy,
    double? ValLoss,
    double? ValAccuracy,
    double Seconds,
    string? Message,
    int? ResultEpoch,
    int? Rung)
{
    public static TrialRow From(TrialSummary s, int? rank = null)
    {
        var hp = s.Trial.Hyperparameters;
        return new TrialRow(rank, s.Trial.Number, Display.State(s.Trial.State), hp.Optimizer.ToString(), hp.Loss.ToString(),
            hp.LearningRate, hp.BatchSize, hp.Epochs, hp.TimeBudget?.TotalSeconds, hp.Seed, s.EpochsRun,
            s.Final?.Loss, s.Final?.Accuracy, s.Final?.ValLoss, s.Final?.ValAccuracy, s.TrainingSeconds, s.Trial.Message,
            s.Trial.ResultEpoch, s.Trial.Rung);
    }
}

/// <summary>A setting's replicates (several seeds) as one flat row: the mean, sample sd and count of the metric.</summary>
internal sealed record ReplicateRow(
    int Rank,
    string Optimizer,
    string LossFunction,
    double LearningRate,
    int BatchSize,
    int Epochs,
    double? TimeBudgetSeconds,
    string Metric,
    double Mean,
    double StandardDeviation,
    int N,
    string Seeds,
    string Trials)
{
    public static ReplicateRow From(ReplicateGroup g, string metric) => new(
        g.Rank, g.Settings.Optimizer.ToString(), g.Settings.Loss.ToString(), g.Settings.LearningRate, g.Settings.BatchSize,
        g.Settings.Epochs, g.Settings.TimeBudget?.TotalSeconds, metric, g.Mean, g.StandardDeviation, g.N,
        string.Join(' ', g.Seeds), string.Join(' ', g.Trials));
}

internal static class TrialRowWriter
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void WriteJson(TextWriter writer, IEnumerable<TrialRow> rows, bool withRank) =>
        writer.WriteLine(JsonSerializer.Serialize(
            withRank ? rows.Cast<object>() : rows.Select(r => (object)WithoutRank(r)), JsonOptions));

    public static void WriteCsv(TextWriter writer, IEnumerable<TrialRow> rows, bool withRank)
    {
        string[] header = ["rank", "trial", "state", "optimizer", "loss_function", "learning_rate", "batch_size", "epochs",
            "time_budget_seconds", "seed", "epochs_run", "loss", "accuracy", "val_loss", "val_accuracy", "seconds", "message",
            "result_epoch", "rung"];
        writer.WriteLine(string.Join(',', withRank ? header : header[1..]));
        foreach (var r in rows)
        {
            string?[] cells = [N(r.Rank), N(r.Trial), r.State, r.Optimizer, r.LossFunction, N(r.LearningRate), N(r.BatchSize),
                N(r.Epochs), N(r.TimeBudgetSeconds), N(r.Seed), N(r.EpochsRun), N(r.Loss), N(r.Accuracy), N(r.ValLoss),
                N(r.ValAccuracy), N(r.Seconds), r.Message, N(r.ResultEpoch), N(r.Rung)];
            writer.WriteLine(string.Join(',', (withRank ? cells : cells[1..]).Select(Csv)));
        }
    }

    public static void WriteJson(TextWriter writer, IEnumerable<ReplicateRow> rows) =>
        writer.WriteLine(JsonSerializer.Serialize(rows, JsonOptions));

    public static void WriteCsv(TextWriter writer, IEnumerable<ReplicateRow> rows)
    {
        writer.WriteLine("rank,optimizer,loss_function,learning_rate,batch_size,epochs,time_budget_seconds,metric,mean,sd,n,seeds,trials");
        foreach (var r in rows)
        {
            string?[] cells = [N(r.Rank), r.Optimizer, r.LossFunction, N(r.LearningRate), N(r.BatchSize), N(r.Epochs), N(r.TimeBudgetSeconds),
                r.Metric, N(r.Mean), N(r.StandardDeviation), N(r.N), r.Seeds, r.Trials];
            writer.WriteLine(string.Join(',', cells.Select(Csv)));
        }
    }

    private static object WithoutRank(TrialRow r) => new
    {
        r.Trial, r.State, r.Optimizer, r.LossFunction, r.LearningRate, r.BatchSize, r.Epochs, r.TimeBudgetSeconds, r.Seed,
        r.EpochsRun, r.Loss, r.Accuracy, r.ValLoss, r.ValAccuracy, r.Seconds, r.Message, r.ResultEpoch, r.Rung,
    };

    private static string? N(double? v) => v?.ToString("R", CultureInfo.InvariantCulture);

    private static string? N(int? v) => v?.ToString(CultureInfo.InvariantCulture);

    /// <summary>RFC 4180: quote a cell holding a comma, quote or line break; double the quotes.</summary>
    private static string Csv(string? cell)
    {
        if (string.IsNullOrEmpty(cell)) return "";
        if (cell.IndexOfAny([',', '"', '\n', '\r']) < 0) return cell;
        return new StringBuilder("\"").Append(cell.Replace("\"", "\"\"")).Append('"').ToString();
    }
}
