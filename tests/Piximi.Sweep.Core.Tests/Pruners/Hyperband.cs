namespace Piximi.Sweep.Core.Tests;

public sealed class Hyperband
{
    private static HyperbandPruner OneTo27() => (HyperbandPruner)Pruners.Hyperband(minEpochs: 1, maxEpochs: 27, reductionFactor: 3);

    [Fact]
    public void Brackets_and_their_budgets_follow_optunas_formula()
    {
        // n = ⌊log_3(27/1)⌋ + 1 = 4; bracket b, s = n − 1 − b: ⌈4·3^s/(s+1)⌉ = 27, 12, 6, 4.
        Assert.Equal([27, 12, 6, 4], OneTo27().Budgets);
        // n = ⌊log_3(9)⌋ + 1 = 3: ⌈3·9/3⌉, ⌈3·3/2⌉, ⌈3·1/1⌉.
        Assert.Equal([9, 5, 3], ((HyperbandPruner)Pruners.Hyperband(1, 9)).Budgets);
        // 26/1 is below 27: ⌊log_3 26⌋ = 2, so 3 brackets, not 4.
        Assert.Equal(3, ((HyperbandPruner)Pruners.Hyperband(1, 26)).Budgets.Count);
    }

    [Fact]
    public void Bracket_b_starts_judging_at_min_epochs_times_eta_to_the_b()
    {
        Assert.Equal<IReadOnlyList<int>[]>([[1, 3, 9], [3, 9], [9], []], OneTo27().RungEpochsByBracket.ToArray());
    }

    [Fact]
    public void A_trial_goes_to_the_bracket_its_ids_crc32_picks_from_the_budgets()
    {
        // Expected brackets from Python: zlib.crc32(str(id).encode()) % 49, walked over budgets 27, 12, 6, 4.
        long[] ids = [1, 2, 5, 8, 16, 18];
        int[] expected = [0, 0, 2, 1, 3, 1];

        Assert.Equal(expected, ids.Select(OneTo27().BracketOf));
    }

    [Fact]
    public void The_crc32_is_the_standard_one()
    {
        Assert.Equal(0xCBF43926u, Crc32.Of("123456789"u8));
    }

    [Fact]
    public void Over_many_trials_each_brackets_share_is_close_to_its_budget()
    {
        var pruner = OneTo27();
        var counts = Enumerable.Range(1, 4900).GroupBy(i => pruner.BracketOf(i)).OrderBy(g => g.Key).Select(g => g.Count()).ToList();

        // Budgets 27:12:6:4 of 49 would give 2700, 1200, 600, 400.
        Assert.Equal([2693, 1212, 623, 372], counts);
    }

    [Fact]
    public void A_trial_is_judged_only_against_trials_of_its_own_bracket()
    {
        // Trial 1 is in bracket 0 (rungs 1, 3, 9); trials 8 and 18 in bracket 1 (rungs 3, 9).
        var values = new Dictionary<long, IReadOnlyList<double>>
        {
            [1] = [0.1, 0.1, 0.1],
            [8] = [0.9, 0.9, 0.5],
        };

        // Plain ASHA would prune trial 8 at epoch 3 (0.5 > trial 1's 0.1); in its bracket it is alone and best.
        Assert.True(Pruners.Asha(1, 3, 27).ShouldPrune(8, 3, values).Prune);
        var eighth = OneTo27().ShouldPrune(8, 3, values);
        Assert.False(eighth.Prune);
        Assert.StartsWith("bracket 1: rung 0 (epoch 3)", eighth.Reason);

        // Epoch 1 is not a rung of bracket 1: no decision, however bad the value.
        Assert.Null(OneTo27().ShouldPrune(8, 1, values).Rung);

        values[18] = [0.2, 0.2, 0.6];
        Assert.True(OneTo27().ShouldPrune(18, 3, values).Prune);
    }
}
