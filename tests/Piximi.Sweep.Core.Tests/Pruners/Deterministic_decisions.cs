namespace Piximi.Sweep.Core.Tests;

public sealed class Deterministic_decisions
{
    public static TheoryData<string> PrunerNames => ["asha", "hyperband", "median", "none"];

    private static IPruner Make(string name) => name switch
    {
        "asha" => Pruners.Asha(1, 3, 27),
        "hyperband" => Pruners.Hyperband(1, 27),
        "median" => Pruners.Median(warmupEpochs: 1, minTrials: 3),
        _ => Pruners.None,
    };

    [Theory]
    [MemberData(nameof(PrunerNames))]
    public void The_same_store_contents_in_any_dictionary_order_give_the_same_decisions(string name)
    {
        // 30 trials with ten epochs of scripted, varied losses; some tie.
        var trials = Enumerable.Range(1, 30)
            .Select(t => (Id: (long)t, Values: (IReadOnlyList<double>)Enumerable.Range(1, 10)
                .Select(e => Math.Round(((t * 7919 + e * 104729) % 97) / 97.0, 1)).ToList()))
            .ToList();
        var forward = trials.ToDictionary(t => t.Id, t => t.Values);
        var backward = Enumerable.Reverse(trials).ToDictionary(t => t.Id, t => t.Values);
        var shuffled = trials.OrderBy(t => (t.Id * 31) % 17).ToDictionary(t => t.Id, t => t.Values);
        var pruner = Make(name);

        var decisions = new List<PruneDecision>();
        foreach (var (id, _) in trials)
        {
            for (var epoch = 1; epoch <= 10; epoch++)
            {
                var a = pruner.ShouldPrune(id, epoch, forward);
                Assert.Equal(a, pruner.ShouldPrune(id, epoch, backward));
                Assert.Equal(a, Make(name).ShouldPrune(id, epoch, shuffled));
                decisions.Add(a);
            }
        }

        // The comparison above means something only if some decisions prune and some do not.
        if (name != "none")
            Assert.Contains(decisions, d => d.Prune);
        Assert.Contains(decisions, d => !d.Prune);
    }
}
