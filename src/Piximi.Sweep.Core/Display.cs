using System.Globalization;

namespace Piximi.Sweep.Core;

/// <summary>
/// How hyperparameters and metrics read wherever they are shown (the CLI's tables and progress lines, the
/// reports): invariant culture always, so a value reads the same in every place.
/// </summary>
public static class Display
{
    public static string Rate(double learningRate) => learningRate.ToString("G6", CultureInfo.InvariantCulture);

    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string State(TrialState state) => state.ToString().ToLowerInvariant();

    /// <summary>A trial's state with what qualifies it: the rung a pruned trial was judged at.</summary>
    public static string State(TrialRecord trial) =>
        trial.Rung is { } rung ? $"{State(trial.State)} (rung {Int(rung)})" : State(trial.State);

    /// <summary>Epochs a trial ran, and the epoch whose model it kept when early stopping kept an earlier one.</summary>
    public static string EpochsRun(TrialSummary summary) =>
        summary.Trial.ResultEpoch is { } kept && kept != summary.EpochsRun
            ? $"{Int(summary.EpochsRun)} (kept {Int(kept)})"
            : Int(summary.EpochsRun);

    /// <summary>Four decimals; a dash when there is no value yet; NaN and infinities spelled out.</summary>
    public static string Metric(double? value) => value is { } v
        ? double.IsFinite(v) ? v.ToString("F4", CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture)
        : "–";

    /// <summary>A time budget as sweep files write it: <c>90s</c>, <c>20m</c>, <c>1h30m</c>.</summary>
    public static string Budget(TimeSpan budget) =>
        budget.TotalHours >= 1 ? $"{(int)budget.TotalHours}h{budget.Minutes:00}m"
        : budget.TotalMinutes >= 1 ? $"{(int)budget.TotalMinutes}m{(budget.Seconds > 0 ? $"{budget.Seconds}s" : "")}"
        : $"{budget.Seconds}s";

    public static string Epochs(Hyperparameters hp) =>
        hp.TimeBudget is { } budget ? $"{Int(hp.Epochs)} (≤ {Budget(budget)})" : Int(hp.Epochs);

    /// <summary>
    /// A trial's settings in one line, in Piximi's names as sweep files spell them. The model leads when it is not
    /// SimpleCNN (Piximi's default, left unsaid so one-model sweeps read as they always did): "MobileNet, Adam, …".
    /// </summary>
    public static string Settings(Hyperparameters hp, bool withSeed = true) =>
        (hp.Model == ModelKind.SimpleCNN ? "" : $"{hp.Model}, ") + $"{hp.Optimizer}, {hp.Loss}, learning rate {Rate(hp.LearningRate)}, batch size {Int(hp.BatchSize)}, {Epochs(hp)} epochs"
        + (withSeed ? $", seed {Int(hp.Seed)}" : "");

    /// <summary>
    /// What the sweep's data held when it was created, in one line: "1,000 images at 28×28×1" and, when bad images
    /// were skipped, how many; null for sweeps created before this was kept.
    /// </summary>
    public static string? Data(DatasetSpec dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (dataset.Facts is not { } facts) return null;
        var shape = facts.InputShape;
        return $"{facts.Images.ToString("N0", CultureInfo.InvariantCulture)} images at {Int(shape.Height)}×{Int(shape.Width)}×{Int(shape.Channels)}"
               + (facts.SkippedImages > 0 ? $", {facts.SkippedImages.ToString("N0", CultureInfo.InvariantCulture)} bad image(s) skipped" : "");
    }

    /// <summary>A pruner with the settings its rule uses, as the sweep file writes them.</summary>
    public static string Pruner(PrunerSpec pruner) => pruner.Kind switch
    {
        PrunerKind.Median => $"median (warmup_epochs {Int(pruner.WarmupEpochs)}, min_trials {Int(pruner.MinTrials)})",
        _ => $"{pruner.Kind.ToString().ToLowerInvariant()} (min_epochs {Int(pruner.MinEpochs)}, reduction_factor {Int(pruner.ReductionFactor)})",
    };

    public static string EarlyStopping(EarlyStoppingSpec spec) =>
        $"patience {Int(spec.Patience)} on {spec.Metric}" +
        (spec.MinDelta > 0 ? $" (min_delta {spec.MinDelta.ToString(CultureInfo.InvariantCulture)})" : "") +
        "; each trial keeps its best epoch's weights";
}
