using Piximi.Sweep.Core;

namespace Piximi.Sweep.Engine.Tests;

public sealed class The_deadline_estimate
{
    private static TrialRecord Trial(long id, int batch, int epochs = 4, TimeSpan? budget = null) =>
        new(id, 1, (int)id, new Hyperparameters(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.01, batch, epochs, budget, 0),
            TrialState.Completed, null, 1, null, null, null);

    private static EpochRecord Epoch(long trial, int epoch, double seconds) =>
        new(trial, new EpochMetrics(epoch, 1, 0.5, 1, 0.5, seconds, 100), DateTimeOffset.UnixEpoch);

    [Fact]
    public void Has_nothing_to_go_on_before_any_epoch_is_measured() =>
        Assert.Null(DeadlineEstimate.Needed([Trial(1, 32)], [], Trial(2, 32).Hyperparameters, 0));

    [Fact]
    public void Uses_the_epochs_of_trials_with_the_same_batch_size_times_the_epochs_left()
    {
        var trials = new[] { Trial(1, 32), Trial(2, 64) };
        var epochs = new[] { Epoch(1, 1, 10), Epoch(1, 2, 20), Epoch(2, 1, 100) };

        var needed = DeadlineEstimate.Needed(trials, epochs, Trial(3, 32).Hyperparameters, epochsDone: 1);

        Assert.Equal(TimeSpan.FromSeconds(15 * 3), needed);
    }

    [Fact]
    public void Falls_back_to_all_epochs_and_is_capped_by_the_trial_time_budget()
    {
        var trials = new[] { Trial(1, 32) };
        var epochs = new[] { Epoch(1, 1, 60) };

        Assert.Equal(TimeSpan.FromSeconds(240), DeadlineEstimate.Needed(trials, epochs, Trial(2, 16).Hyperparameters, 0));
        Assert.Equal(TimeSpan.FromSeconds(90), DeadlineEstimate.Needed(trials, epochs, Trial(2, 16, budget: TimeSpan.FromSeconds(90)).Hyperparameters, 0));
    }
}
