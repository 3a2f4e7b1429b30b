namespace Piximi.Sweep.Core.Tests;

public sealed class Successive_halving
{
    // η = 3, minEpochs = 1, maxEpochs = 27: rungs at epochs 1, 3 and 9.
    private static IPruner Asha() => Pruners.Asha(minEpochs: 1, reductionFactor: 3, maxEpochs: 27);

    [Fact]
    public void Rungs_sit_at_min_epochs_times_powers_of_eta_below_max_epochs()
    {
        Assert.Equal([1, 3, 9], new AshaPruner(1, 3, 27, earlyStoppingRate: 0).RungEpochs());
        Assert.Equal([2, 8, 32], new AshaPruner(2, 4, 100, earlyStoppingRate: 0).RungEpochs());
        Assert.Equal([3, 9], new AshaPruner(1, 3, 27, earlyStoppingRate: 1).RungEpochs());
    }

    [Fact]
    public void Nine_trials_reaching_rung_1_in_turn_continue_only_within_the_top_floor_n_over_eta_so_far()
    {
        var store = new ScriptedStore(Asha());
        // Hand-computed, in arrival order: n = trials at the rung including this one, keep = max(⌊n/3⌋, 1),
        // cut-off = keep-th smallest value so far; continue iff value ≤ cut-off.
        //   trial value  n keep cut-off  verdict
        //   1     0.5    1  1    0.5     continue (fewer than η: best so far)
        //   2     0.7    2  1    0.5     prune    (fewer than η: not the best)
        //   3     0.3    3  1    0.3     continue
        //   4     0.6    4  1    0.3     prune
        //   5     0.4    5  1    0.3     prune
        //   6     0.8    6  2    0.4     prune
        //   7     0.2    7  2    0.3     continue
        //   8     0.9    8  2    0.3     prune
        //   9     0.45   9  3    0.4     prune
        double[] values = [0.5, 0.7, 0.3, 0.6, 0.4, 0.8, 0.2, 0.9, 0.45];

        var pruned = values.Select((v, i) => store.Report(i + 1, v).Prune).ToList();

        Assert.Equal([false, true, false, true, true, true, false, true, true], pruned);
    }

    [Fact]
    public void The_decision_names_the_rung_and_the_values_compared()
    {
        var store = new ScriptedStore(Asha());
        double[] values = [0.5, 0.7, 0.3, 0.6, 0.4, 0.8, 0.2, 0.9];
        for (var i = 0; i < values.Length; i++)
            store.Report(i + 1, values[i]);

        var ninth = store.Report(9, 0.45);
        var second = Asha().ShouldPrune(2, 1, new Dictionary<long, IReadOnlyList<double>> { [1] = [0.5], [2] = [0.7] });

        Assert.Equal(0, ninth.Rung);
        Assert.Equal("rung 0 (epoch 1): 0.45 > cut-off 0.4; top ⌊9/3⌋ = 3 of 9 trials at this rung continue", ninth.Reason);
        Assert.Equal("rung 0 (epoch 1): 0.7 > cut-off 0.5; 2 trials at this rung, fewer than η = 3: only the best so far continues",
            second.Reason);
    }

    [Fact]
    public void At_the_next_rung_only_trials_that_reached_it_compete()
    {
        var store = new ScriptedStore(Asha());
        // Rung 0 as above: trials 1, 3 and 7 continue; the others stopped after epoch 1.
        double[] first = [0.5, 0.7, 0.3, 0.6, 0.4, 0.8, 0.2, 0.9, 0.45];
        for (var i = 0; i < first.Length; i++)
            store.Report(i + 1, first[i]);

        // Epoch 2 is between rungs: even a bad value continues, with no rung judged.
        var between = store.Report(3, 5.0);
        Assert.False(between.Prune);
        Assert.Null(between.Rung);
        store.Report(1, 0.4);
        store.Report(7, 0.2);

        // Epoch 3 (rung 1), arriving 3, 1, 7. Values 0.1..0.9 of the stopped trials at epoch 1 must not count.
        var third = store.Report(3, 0.25);   // n = 1: best so far, continue
        var firstTrial = store.Report(1, 0.35);   // n = 2: 0.35 > 0.25, prune
        var seventh = store.Report(7, 0.15);   // n = 3, keep 1: 0.15 is the best, continue

        Assert.Equal((false, 1), (third.Prune, third.Rung));
        Assert.Equal((true, 1), (firstTrial.Prune, firstTrial.Rung));
        Assert.Equal((false, 1), (seventh.Prune, seventh.Rung));
    }

    [Fact]
    public void A_value_equal_to_the_cut_off_continues()
    {
        var values = new Dictionary<long, IReadOnlyList<double>> { [1] = [0.2], [2] = [0.3], [3] = [0.2] };

        // n = 3, keep 1, cut-off 0.2: trial 3 ties trial 1.
        Assert.False(Asha().ShouldPrune(3, 1, values).Prune);
    }

    [Fact]
    public void A_NaN_at_a_rung_is_pruned_and_a_competitors_NaN_counts_as_worst()
    {
        var values = new Dictionary<long, IReadOnlyList<double>> { [1] = [double.NaN], [2] = [5.0] };

        Assert.True(Asha().ShouldPrune(1, 1, values).Prune);
        Assert.False(Asha().ShouldPrune(2, 1, values).Prune);
    }

    [Fact]
    public void The_epoch_at_max_epochs_is_not_a_rung_so_a_finished_trial_is_never_pruned()
    {
        var pruner = Pruners.Asha(minEpochs: 1, reductionFactor: 3, maxEpochs: 9);
        var values = new Dictionary<long, IReadOnlyList<double>>
        {
            [1] = Enumerable.Repeat(0.1, 9).ToList(),
            [2] = Enumerable.Repeat(0.9, 9).ToList(),
        };

        Assert.True(pruner.ShouldPrune(2, 3, values).Prune);
        Assert.False(pruner.ShouldPrune(2, 9, values).Prune);
    }

    [Fact]
    public void It_judges_the_trials_value_at_the_asked_epoch_not_its_latest()
    {
        var values = new Dictionary<long, IReadOnlyList<double>> { [1] = [0.5, 0.5, 0.5], [2] = [0.4, 9.0, 9.0] };

        Assert.False(Asha().ShouldPrune(2, 1, values).Prune);
        Assert.True(Asha().ShouldPrune(2, 3, values).Prune);
    }

    [Fact]
    public void Questions_about_epochs_the_store_does_not_hold_are_refused()
    {
        var values = new Dictionary<long, IReadOnlyList<double>> { [1] = [0.5] };

        Assert.Throws<ArgumentException>(() => Asha().ShouldPrune(1, 2, values));
        Assert.Throws<ArgumentException>(() => Asha().ShouldPrune(7, 1, values));
        Assert.Throws<ArgumentOutOfRangeException>(() => Asha().ShouldPrune(1, 0, values));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pruners.Asha(reductionFactor: 1));
    }
}
