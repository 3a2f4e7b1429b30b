using Piximi.Sweep.Cli.Output;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Cli.Tests.Output;

public sealed class The_progress_counter
{
    private static readonly Hyperparameters Hp = new(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.01, 32, 2, null, 1);

    private static TrialRecord Trial(int number, TrialState state, string? message = null) =>
        new(number, 1, number, Hp, state, state == TrialState.Queued ? null : "host:1", 1, null, null, message);

    private static EpochRecord Epoch(int trial, int epoch) =>
        new(trial, new EpochMetrics(epoch, 0.5, 0.8, 0.6, 0.7, 1, 1000), DateTimeOffset.UtcNow);

    /// <summary>
    /// A trial that started, trained and failed between two polls: its start and epoch lines count the sweep as it was
    /// before it ended, and only its end line counts it done.
    /// </summary>
    [Fact]
    public void Counts_a_trial_done_only_from_its_end_line_even_when_one_poll_sees_it_start_and_end()
    {
        var output = new StringWriter();
        var printer = new ProgressPrinter(output, [Trial(1, TrialState.Completed), Trial(2, TrialState.Queued), Trial(3, TrialState.Queued)], [Epoch(1, 1), Epoch(1, 2)]);

        printer.Update([Trial(1, TrialState.Completed), Trial(2, TrialState.Failed, "bad shape"), Trial(3, TrialState.Running)], [Epoch(1, 1), Epoch(1, 2), Epoch(2, 1)]);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[11..]).ToList();
        Assert.Equal(
        [
            "[1/3 done] trial 2 started on host:1: Adam, CategoricalCrossEntropy, learning rate 0.01, batch size 32, 2 epochs, seed 1",
            "[1/3 done] trial 2 epoch 1/2: loss 0.5000 accuracy 0.8000 val_loss 0.6000 val_accuracy 0.7000 (1.0s, 1000 images/s)",
            "[2/3 done] trial 2 failed: bad shape",
            "[2/3 done] trial 3 started on host:1: Adam, CategoricalCrossEntropy, learning rate 0.01, batch size 32, 2 epochs, seed 1",
        ], lines);
    }

    /// <summary>A sweep without a trial count (a W&amp;B file without run_cap) has no total to count towards.</summary>
    [Fact]
    public void Counts_an_open_ended_sweep_without_a_total()
    {
        var output = new StringWriter();
        var printer = new ProgressPrinter(output, [Trial(1, TrialState.Running)], [], Baselines.OpenEnded);

        printer.Update([Trial(1, TrialState.Completed), Trial(2, TrialState.Running)], [Epoch(1, 1), Epoch(1, 2)]);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[11..]).ToList();
        Assert.Equal("[0 done, no trial count] trial 1 epoch 1/2: loss 0.5000 accuracy 0.8000 val_loss 0.6000 val_accuracy 0.7000 (1.0s, 1000 images/s)", lines[0]);
        Assert.Equal("[1 done, no trial count] trial 1 completed", lines[2]);
        Assert.Equal("[1 done, no trial count] trial 2 started on host:1: Adam, CategoricalCrossEntropy, learning rate 0.01, batch size 32, 2 epochs, seed 1", lines[3]);
    }

    /// <summary>
    /// run's poll gives the printer only what may have changed (running trials, those last seen running, those with
    /// a new epoch, and the new epochs): it prints exactly what it prints from every trial and epoch.
    /// </summary>
    [Fact]
    public void Prints_the_same_from_the_changed_trials_and_new_epochs_as_from_the_whole_sweep()
    {
        IReadOnlyList<TrialRecord> start = [Trial(1, TrialState.Completed), Trial(2, TrialState.Running), Trial(3, TrialState.Queued), Trial(4, TrialState.Queued)];
        IReadOnlyList<EpochRecord> before = [Epoch(1, 1), Epoch(1, 2), Epoch(2, 1)];
        var whole = new StringWriter();
        var partial = new StringWriter();
        var fromWhole = new ProgressPrinter(whole, start, before);
        var fromChanges = new ProgressPrinter(partial, start, before);
        Assert.Equal([2L], fromChanges.Watching);

        // Trial 2 ends after its second epoch; trial 3 starts and stores an epoch; trial 4 stays queued.
        IReadOnlyList<TrialRecord> now = [Trial(1, TrialState.Completed), Trial(2, TrialState.Pruned, "rung 1"), Trial(3, TrialState.Running), Trial(4, TrialState.Queued)];
        fromWhole.Update(now, [.. before, Epoch(2, 2), Epoch(3, 1)]);
        IReadOnlyList<TrialRecord> changed = [now[1], now[2]];
        Assert.True(fromChanges.Accounts(changed, new TrialCounts(Queued: 1, Running: 1, Ended: 2)));
        fromChanges.Update(changed, [Epoch(2, 2), Epoch(3, 1)], totalTrials: 4);

        Assert.Equal(Lines(whole), Lines(partial));
        Assert.Contains("[1/4 done] trial 2 epoch 2/2: loss 0.5000 accuracy 0.8000 val_loss 0.6000 val_accuracy 0.7000 (1.0s, 1000 images/s)", Lines(partial));
        Assert.Contains("[2/4 done] trial 2 pruned: rung 1", Lines(partial));
        Assert.Equal([3L], fromChanges.Watching);
    }

    /// <summary>
    /// A trial that started and ended between two polls without storing an epoch is in none of the changed trials;
    /// the counts show it, and run then reads every trial.
    /// </summary>
    [Fact]
    public void Tells_when_the_changed_trials_miss_an_end_the_counts_show()
    {
        var printer = new ProgressPrinter(new StringWriter(), [Trial(1, TrialState.Running), Trial(2, TrialState.Queued)], []);

        Assert.True(printer.Accounts([Trial(1, TrialState.Completed)], new TrialCounts(1, 0, 1)));
        Assert.False(printer.Accounts([Trial(1, TrialState.Completed)], new TrialCounts(0, 0, 2)));
        Assert.False(printer.Accounts([Trial(1, TrialState.Running)], new TrialCounts(0, 1, 1)));
    }

    private static List<string> Lines(StringWriter output) =>
        [.. output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[11..])];
}
