namespace Piximi.Sweep.Core.Tests;

public sealed class Wording_a_reason_in_the_metric
{
    // Accuracies reach the pruners negated (lower is better); the reason shows them as the metric the user ranks by.
    private static readonly Dictionary<long, IReadOnlyList<double>> AtRungOne = new()
    {
        [1] = [-0.80, -0.83, -0.8493],
        [2] = [-0.79, -0.80, -0.81],
        [3] = [-0.81, -0.82, -0.8373],
        [4] = [-0.70, -0.71, -0.72],
    };

    [Fact]
    public void Asha_shows_an_accuracy_as_it_is_stored_and_says_which_side_of_the_cut_off_it_is()
    {
        var decision = Pruners.Asha(1, 3, 9, MetricNames.ValAccuracy).ShouldPrune(3, 3, AtRungOne);

        Assert.True(decision.Prune);
        Assert.Equal("rung 1 (epoch 3): val_accuracy 0.8373, worse than the cut-off 0.8493; top ⌊4/3⌋ = 1 of 4 trials at this rung continue", decision.Reason);
    }

    [Fact]
    public void The_median_pruner_words_a_loss_as_a_loss()
    {
        var losses = Enumerable.Range(1, 6).ToDictionary(i => (long)i, i => (IReadOnlyList<double>)[1.0, i / 10.0]);

        var decision = Pruners.Median(1, 5, MetricNames.ValLoss).ShouldPrune(6, 2, losses);

        Assert.Equal("epoch 2: val_loss 0.6000, worse than the median 0.3000 of 5 other trials", decision.Reason);
    }

    [Fact]
    public void Without_a_metric_the_reason_compares_the_losses_the_pruner_judged()
    {
        var decision = Pruners.Asha(1, 3, 9).ShouldPrune(3, 3, AtRungOne);

        Assert.Equal("rung 1 (epoch 3): -0.8373 > cut-off -0.8493; top ⌊4/3⌋ = 1 of 4 trials at this rung continue", decision.Reason);
    }
}
