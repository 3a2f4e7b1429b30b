using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Piximi.Sweep.Core;
using Piximi.Sweep.Reports;

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
    int? Rung,
    bool Baseline = false,
    double? GainOverBaseline = null,
    int Attempts = 0,
    int Lost = 0,
    string? AttemptHistory = null)
{
    /// <param name="marks">The sweep's baseline: marks the baseline's rows and gives each completed one its gain over it.</param>
    /// <param name="attempts">The trial's recorded attempts, for why each ended (<see cref="Core.AttemptHistory"/>).</param>
    public static TrialRow From(TrialSummary s, int? rank = null, BaselineMarks? marks = null, IReadOnlyList<TrialAttempt>? attempts = null)
    {
        var hp = s.Trial.Hyperparameters;
        var history = attempts is null ? "" : Core.AttemptHistory.Line(s.Trial, attempts, s.EpochsRun);
        return new TrialRow(rank, s.Trial.Number, Display.State(s.Trial.State), hp.Optimizer.ToString(), hp.Loss.ToString(),
            hp.LearningRate, hp.BatchSize, hp.Epochs, hp.TimeBudget?.TotalSeconds, hp.Seed, s.EpochsRun,
            s.Final?.Loss, s.Final?.Accuracy, s.Final?.ValLoss, s.Final?.ValAccuracy, s.TrainingSeconds, s.Trial.Message,
            s.Trial.ResultEpoch, s.Trial.Rung, marks?.Is(hp) ?? false, marks?.GainOf(s), s.Trial.Attempts, s.Trial.Lost,
            history.Length == 0 ? null : history);
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
    string Trials,
    bool Baseline = false,
    double? GainOverBaseline = null)
{
    public static ReplicateRow From(ReplicateGroup g, string metric, BaselineMarks? marks = null) => new(
        g.Rank, g.Settings.Optimizer.ToString(), g.Settings.Loss.ToString(), g.Settings.LearningRate, g.Settings.BatchSize,
        g.Settings.Epochs, g.Settings.TimeBudget?.TotalSeconds, metric, g.Mean, g.StandardDeviation, g.N,
        string.Join(' ', g.Seeds), string.Join(' ', g.Trials), marks?.Is(g.Settings) ?? false, marks?.Gain?.Over(g.Mean));
}

/// <summary>
/// A sweep's baseline as the CLI shows it: which rows are the baseline's, each result's gain over it, and the line
/// that answers "how much better than what I have?" (<see cref="BaselineGain.Text"/>). Null for a sweep without one.
/// </summary>
internal sealed record BaselineMarks(SweepDefinition Definition, BaselineGain Gain)
{
    public static BaselineMarks? Of(SweepDefinition definition, IReadOnlyList<TrialSummary> summaries, string? metric = null, bool perTrial = false) =>
        Baselines.Gain(definition, summaries, metric, perTrial) is { } gain ? new BaselineMarks(definition, gain) : null;

    public bool Is(Hyperparameters hp) => Baselines.IsBaseline(Definition, hp);

    /// <summary>A completed trial's gain over the baseline in the gain's metric; null for others, or before the baseline completed.</summary>
    public double? GainOf(TrialSummary s) =>
        s.Trial.State == TrialState.Completed && s.Final is { } final ? Gain.Over(MetricNames.ValueOf(final, Gain.Metric)) : null;

    /// <summary>The table cell: "baseline" on the baseline's rows, else the gain ("+2.4 pp"), or a dash.</summary>
    public string Cell(Hyperparameters hp, double? gain) => Is(hp) ? "baseline" : gain is { } g ? Gain.Show(g) : "–";

    /// <summary>"Baseline (Adam, …, 10 epochs): +2.4 pp val_accuracy over your settings: …", as best, status and run print it.</summary>
    public string Line => $"Baseline ({Display.Settings(Gain.Settings.Trial(0), withSeed: false)}): {Gain.Text}";
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
            "result_epoch", "rung", "baseline", "gain_over_baseline", "attempts", "lost", "attempt_history"];
        writer.WriteLine(string.Join(',', withRank ? header : header[1..]));
        foreach (var r in rows)
        {
            string?[] cells = [N(r.Rank), N(r.Trial), r.State, r.Optimizer, r.LossFunction, N(r.LearningRate), N(r.BatchSize),
                N(r.Epochs), N(r.TimeBudgetSeconds), N(r.Seed), N(r.EpochsRun), N(r.Loss), N(r.Accuracy), N(r.ValLoss),
                N(r.ValAccuracy), N(r.Seconds), r.Message, N(r.ResultEpoch), N(r.Rung), Bool(r.Baseline), N(r.GainOverBaseline),
                N(r.Attempts), N(r.Lost), r.AttemptHistory];
            writer.WriteLine(string.Join(',', (withRank ? cells : cells[1..]).Select(CsvText.Cell)));
        }
    }

    public static void WriteJson(TextWriter writer, IEnumerable<ReplicateRow> rows) =>
        writer.WriteLine(JsonSerializer.Serialize(rows, JsonOptions));

    public static void WriteCsv(TextWriter writer, IEnumerable<ReplicateRow> rows)
    {
        writer.WriteLine("rank,optimizer,loss_function,learning_rate,batch_size,epochs,time_budget_seconds,metric,mean,sd,n,seeds,trials,baseline,gain_over_baseline");
        foreach (var r in rows)
        {
            string?[] cells = [N(r.Rank), r.Optimizer, r.LossFunction, N(r.LearningRate), N(r.BatchSize), N(r.Epochs), N(r.TimeBudgetSeconds),
                r.Metric, N(r.Mean), N(r.StandardDeviation), N(r.N), r.Seeds, r.Trials, Bool(r.Baseline), N(r.GainOverBaseline)];
            writer.WriteLine(string.Join(',', cells.Select(CsvText.Cell)));
        }
    }

    private static object WithoutRank(TrialRow r) => new
    {
        r.Trial, r.State, r.Optimizer, r.LossFunction, r.LearningRate, r.BatchSize, r.Epochs, r.TimeBudgetSeconds, r.Seed,
        r.EpochsRun, r.Loss, r.Accuracy, r.ValLoss, r.ValAccuracy, r.Seconds, r.Message, r.ResultEpoch, r.Rung, r.Baseline,
        r.GainOverBaseline, r.Attempts, r.Lost, r.AttemptHistory,
    };

    private static string? N(double? v) => v?.ToString("R", CultureInfo.InvariantCulture);

    private static string? N(int? v) => v?.ToString(CultureInfo.InvariantCulture);

    private static string Bool(bool v) => v ? "true" : "false";
}
