namespace Piximi.Sweep.Core.Tests;

public sealed class Patience_stopping
{
    [Fact]
    public void It_stops_once_patience_epochs_in_a_row_did_not_improve()
    {
        double[] losses = [1.0, 0.8, 0.85, 0.9];

        var two = Patience.Check(losses, patience: 2);
        var three = Patience.Check(losses, patience: 3);

        Assert.Equal((true, 2, 2), (two.Stop, two.BestEpoch, two.EpochsSinceImprovement));
        Assert.Equal((false, 2), (three.Stop, three.BestEpoch));
    }

    [Fact]
    public void An_improvement_must_exceed_min_delta_to_reset_the_patience()
    {
        double[] losses = [1.0, 0.95, 0.93, 0.92];

        var strict = Patience.Check(losses, patience: 3, minDelta: 0.1);
        var lax = Patience.Check(losses, patience: 3, minDelta: 0);

        Assert.Equal((true, 3), (strict.Stop, strict.EpochsSinceImprovement));
        Assert.Equal((false, 0), (lax.Stop, lax.EpochsSinceImprovement));
    }

    [Fact]
    public void An_improvement_of_exactly_min_delta_does_not_count()
    {
        Assert.True(Patience.Check([1.0, 0.5], patience: 1, minDelta: 0.5).Stop);
        Assert.False(Patience.Check([1.0, 0.4], patience: 1, minDelta: 0.5).Stop);
    }

    [Fact]
    public void Min_delta_is_measured_from_the_last_improving_value_not_from_the_previous_epoch()
    {
        // Each step is 0.06 < 0.1, but epoch 3 is 0.12 below epoch 1, the last improving value.
        var decision = Patience.Check([1.0, 0.94, 0.88, 0.87], patience: 2, minDelta: 0.1);

        Assert.Equal((false, 1), (decision.Stop, decision.EpochsSinceImprovement));
    }

    [Fact]
    public void The_best_epoch_is_the_lowest_value_even_when_it_improved_by_less_than_min_delta()
    {
        var decision = Patience.Check([1.0, 0.95, 0.96, 0.97], patience: 3, minDelta: 0.1);

        Assert.True(decision.Stop);
        Assert.Equal(2, decision.BestEpoch);
        Assert.Equal("3 epochs since epoch 1 improved by more than 0.1; patience 3; best epoch 2 (0.95)", decision.Reason);
    }

    [Fact]
    public void Ties_for_best_go_to_the_earlier_epoch()
    {
        Assert.Equal(2, Patience.Check([0.9, 0.5, 0.5, 0.5], patience: 5).BestEpoch);
    }

    [Fact]
    public void NaN_epochs_never_improve_and_are_never_best()
    {
        var decision = Patience.Check([0.5, double.NaN, double.NaN], patience: 2);
        var nothing = Patience.Check([double.NaN, double.NaN], patience: 2);

        Assert.Equal((true, 1), (decision.Stop, decision.BestEpoch));
        Assert.Equal((true, (int?)null), (nothing.Stop, nothing.BestEpoch));
    }
}
