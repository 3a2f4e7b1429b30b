using Piximi.Sweep.Cli.Output;
using Piximi.Sweep.Core;

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
}
