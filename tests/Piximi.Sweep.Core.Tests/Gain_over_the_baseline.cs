namespace Piximi.Sweep.Core.Tests;

/// <summary>"How much better than what I have?": the winner against the baseline, from trial summaries.</summary>
public sealed class Gain_over_the_baseline
{
    private static readonly BaselineSpec Yours = new(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.01, 32, 2, ModelKind.SimpleCNN);

    private static SweepDefinition Definition(string metric = MetricNames.ValAccuracy, params int[] seeds) => new(
        "gain", new DatasetSpec("idx", "/i", "/l", 0.75, null), ModelKind.SimpleCNN, metric,
        new ParameterSpace([OptimizerKind.Adam, OptimizerKind.RMSProp], [LossKind.CategoricalCrossEntropy], [0.001, 0.01], [32], [2], null,
            seeds.Length == 0 ? [1] : seeds))
    {
        Baseline = Yours,
    };

    private static Hyperparameters Other(int seed) => Yours.Trial(seed) with { Optimizer = OptimizerKind.RMSProp };

    /// <summary>A trial in <paramref name="state"/>; completed ones end with val_accuracy <paramref name="score"/> and val_loss 1 − score.</summary>
    private static TrialSummary Trial(int number, Hyperparameters hp, double score, TrialState state = TrialState.Completed) => new(
        new TrialRecord(number, 1, number, hp, state, null, 1, null, null, null),
        state == TrialState.Queued ? null : new EpochMetrics(2, 0.3, 0.9, 1 - score, score, 1, 100), state == TrialState.Queued ? 0 : 2, 2);

    [Fact]
    public void Replicates_compare_the_best_settings_mean_with_the_baselines_in_percentage_points()
    {
        // Baseline seeds 1–3: 0.80, 0.82, 0.84 (mean 0.82, sd 0.02); RMSProp: 0.85, 0.86, 0.87 (mean 0.86, sd 0.01).
        var summaries = new[]
        {
            Trial(1, Yours.Trial(1), 0.80), Trial(2, Yours.Trial(2), 0.82), Trial(3, Yours.Trial(3), 0.84),
            Trial(4, Other(1), 0.85), Trial(5, Other(2), 0.86), Trial(6, Other(3), 0.87),
        };

        var gain = Baselines.Gain(Definition(seeds: [1, 2, 3]), summaries)!;

        Assert.Equal(BaselineStanding.Beaten, gain.Standing);
        Assert.Equal((0.82, 0.02, 3), (Math.Round(gain.Baseline!.Mean, 12), Math.Round(gain.Baseline.StandardDeviation, 12), gain.Baseline.N));
        Assert.Equal((0.86, 0.01, 3), (Math.Round(gain.Winner!.Mean, 12), Math.Round(gain.Winner.StandardDeviation, 12), gain.Winner.N));
        Assert.Equal([4, 5, 6], gain.Winner.Trials);
        Assert.Equal(Other(0), gain.WinnerSettings);
        Assert.Equal(0.04, gain.Difference!.Value, 12);
        Assert.Equal("+4.0 pp val_accuracy over your settings: 0.8600 ± 0.0100 (n = 3: trials 4, 5, 6) against 0.8200 ± 0.0200 (n = 3: trials 1, 2, 3)",
            gain.Text);
    }

    [Fact]
    public void Single_trials_are_compared_without_a_spread_and_per_trial_on_request()
    {
        var summaries = new[] { Trial(1, Yours.Trial(1), 0.80), Trial(2, Yours.Trial(2), 0.84), Trial(3, Other(1), 0.83), Trial(4, Other(2), 0.70) };

        // By setting: the baseline's mean 0.82 beats RMSProp's 0.765.
        Assert.Equal(BaselineStanding.Best, Baselines.Gain(Definition(seeds: [1, 2]), summaries)!.Standing);
        // By single trial: trial 2 (the baseline's) is the best trial.
        Assert.Equal(BaselineStanding.Best, Baselines.Gain(Definition(seeds: [1, 2]), summaries, perTrial: true)!.Standing);

        var single = Baselines.Gain(Definition(), [Trial(1, Yours.Trial(1), 0.80), Trial(2, Other(1), 0.83)])!;
        Assert.Equal("+3.0 pp val_accuracy over your settings: 0.8300 (n = 1: trial 2) against 0.8000 (n = 1: trial 1)", single.Text);
        Assert.True(double.IsNaN(single.Baseline!.StandardDeviation));
    }

    [Fact]
    public void With_a_loss_lower_is_better_and_the_gain_is_still_positive()
    {
        // val_loss = 1 − score: the baseline's 0.5, RMSProp's 0.375.
        var gain = Baselines.Gain(Definition(MetricNames.ValLoss), [Trial(1, Yours.Trial(1), 0.5), Trial(2, Other(1), 0.625)])!;

        Assert.Equal(0.125, gain.Difference);
        Assert.False(gain.InPercentagePoints);
        Assert.Equal("+0.1250 val_loss over your settings (lower is better): 0.3750 (n = 1: trial 2) against 0.5000 (n = 1: trial 1)", gain.Text);
        Assert.Equal(-0.25, gain.Over(0.75));
    }

    [Fact]
    public void When_the_baseline_wins_it_says_so_with_no_gain()
    {
        var gain = Baselines.Gain(Definition(), [Trial(1, Yours.Trial(1), 0.9), Trial(2, Other(1), 0.83)])!;

        Assert.Equal(BaselineStanding.Best, gain.Standing);
        Assert.Equal(0, gain.Difference);
        Assert.Equal("your settings are the best found: val_accuracy 0.9000 (n = 1: trial 1)", gain.Text);
    }

    [Fact]
    public void Before_a_baseline_trial_completes_there_is_no_number_but_its_states()
    {
        var definition = Definition(seeds: [1, 2, 3]);
        TrialSummary[] summaries =
        [
            Trial(1, Yours.Trial(1), 0, TrialState.Running), Trial(2, Yours.Trial(2), 0, TrialState.Queued),
            Trial(3, Yours.Trial(3), double.NaN, TrialState.Diverged), Trial(4, Other(1), 0.83),
        ];

        var gain = Baselines.Gain(definition, summaries)!;

        Assert.Equal(BaselineStanding.NotCompleted, gain.Standing);
        Assert.Null(gain.Difference);
        Assert.Null(gain.Over(0.83));
        Assert.Equal("your settings have no completed trial yet (trial 1 running, trial 2 queued, trial 3 diverged)", gain.Text);
        // One seed done: the mean counts it alone and says what it leaves out.
        summaries[0] = Trial(1, Yours.Trial(1), 0.80);
        Assert.EndsWith("against 0.8000 (n = 1: trial 1); not counted yet: trial 2 queued, trial 3 diverged", Baselines.Gain(definition, summaries)!.Text);
    }

    [Fact]
    public void A_sweep_without_a_baseline_has_no_gain()
    {
        Assert.Null(Baselines.Gain(Definition() with { Baseline = null }, [Trial(1, Yours.Trial(1), 0.9)]));
    }
}
