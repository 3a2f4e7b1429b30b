using System.Globalization;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Cli.Output;

/// <summary>How numbers and hyperparameters look wherever the CLI prints them (invariant culture, always).</summary>
internal static class Formats
{
    public static string Rate(double learningRate) => learningRate.ToString("G6", CultureInfo.InvariantCulture);

    public static string Metric(double? value) => value is { } v ? v.ToString("F4", CultureInfo.InvariantCulture) : "-";

    public static string Seconds(double seconds) => seconds.ToString("F1", CultureInfo.InvariantCulture) + "s";

    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string State(TrialState state) => state.ToString().ToLowerInvariant();

    /// <summary>A trial's settings in Piximi's words, for progress lines and logs.</summary>
    public static string Settings(Hyperparameters hp) =>
        $"{hp.Optimizer}, {hp.Loss}, learning rate {Rate(hp.LearningRate)}, batch size {Int(hp.BatchSize)}, {Epochs(hp)} epochs, seed {Int(hp.Seed)}";

    public static string Epochs(Hyperparameters hp) =>
        hp.TimeBudget is { } budget ? $"{Int(hp.Epochs)} (≤{Budget(budget)})" : Int(hp.Epochs);

    public static string Budget(TimeSpan budget) =>
        budget.TotalHours >= 1 ? $"{(int)budget.TotalHours}h{budget.Minutes:00}m"
        : budget.TotalMinutes >= 1 ? $"{(int)budget.TotalMinutes}m{(budget.Seconds > 0 ? $"{budget.Seconds}s" : "")}"
        : $"{budget.Seconds}s";
}
