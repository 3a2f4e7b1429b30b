namespace Piximi.Sweep.Core.Tests;

public sealed class Tpe_against_random
{
    private const int Runs = 30;
    private const int TrialsPerRun = 40;

    [Fact]
    public void Tpe_finds_lower_losses_than_random_over_30_seeded_runs_by_a_one_sided_signed_rank_test_at_1_percent()
    {
        var differences = new double[Runs];
        double tpeTotal = 0, randomTotal = 0;
        for (var seed = 0; seed < Runs; seed++)
        {
            // Both samplers see the same noise stream, so each pair differs by the sampler alone.
            var tpe = Spaces.Run(Samplers.Tpe(Spaces.Wide, seed), TrialsPerRun, Objective.Loss(1000 + seed)).Min(o => o.Loss);
            var random = Spaces.Run(Samplers.Random(Spaces.Wide, seed), TrialsPerRun, Objective.Loss(1000 + seed)).Min(o => o.Loss);
            differences[seed] = random - tpe;
            tpeTotal += tpe;
            randomTotal += random;
        }

        Assert.True(tpeTotal / Runs < randomTotal / Runs, $"TPE's mean best {tpeTotal / Runs:F4} ≥ random's {randomTotal / Runs:F4}");
        var p = Statistics.WilcoxonSignedRankGreater(differences);
        Assert.True(p < 0.01, $"one-sided Wilcoxon p = {p:G4}; differences: {string.Join(", ", differences.Select(d => d.ToString("F3")))}");
    }

    [Fact]
    public void The_signed_rank_test_gives_textbook_exact_p_values()
    {
        // All of n = 10 differences positive: p = 1 / 2^10. All negative: p = 1.
        Assert.Equal(1 / 1024.0, Statistics.WilcoxonSignedRankGreater([.. Enumerable.Range(1, 10).Select(i => (double)i)]), 12);
        Assert.Equal(1.0, Statistics.WilcoxonSignedRankGreater([.. Enumerable.Range(1, 10).Select(i => -(double)i)]), 12);
        // n = 5, only rank 1 negative: W+ = 14 of 15; P(W+ ≥ 14) = 2 / 32.
        Assert.Equal(2 / 32.0, Statistics.WilcoxonSignedRankGreater([-0.1, 0.2, 0.3, 0.4, 0.5]), 12);
    }
}

internal static class Statistics
{
    /// <summary>
    /// Exact one-sided p-value of Wilcoxon's signed-rank test that the differences lean positive: P(W+ ≥ observed)
    /// when every sign is a fair coin. Zero differences are dropped; ties in |difference| are not expected from
    /// continuous losses and are refused rather than mid-ranked, so the exact distribution stays exact.
    /// </summary>
    public static double WilcoxonSignedRankGreater(double[] differences)
    {
        var nonZero = differences.Where(d => d != 0).OrderBy(Math.Abs).ToArray();
        if (nonZero.Select(Math.Abs).Distinct().Count() != nonZero.Length)
        {
            throw new InvalidOperationException("Tied |differences|: the exact test needs distinct ranks.");
        }
        var n = nonZero.Length;
        var observed = 0;
        for (var rank = 1; rank <= n; rank++)
        {
            if (nonZero[rank - 1] > 0) observed += rank;
        }

        // ways[s]: how many of the 2^n sign patterns give W+ = s.
        var maxSum = n * (n + 1) / 2;
        var ways = new double[maxSum + 1];
        ways[0] = 1;
        for (var rank = 1; rank <= n; rank++)
        {
            for (var s = maxSum; s >= rank; s--) ways[s] += ways[s - rank];
        }
        var atLeast = 0.0;
        for (var s = observed; s <= maxSum; s++) atLeast += ways[s];
        return atLeast / Math.Pow(2, n);
    }
}
