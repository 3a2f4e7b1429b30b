using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Engine.Tests;

/// <summary>What run and resume store of the budgets they are given (the CLI's The_stored_run_policy runs it end to end).</summary>
public sealed class Updating_the_run_policy
{
    private static readonly SweepDefinition Definition = new(
        "policy",
        new DatasetSpec("idx", "/data/images.idx", "/data/labels.idx", 0.75, Subset: 100),
        ModelKind.SimpleCNN,
        MetricNames.ValAccuracy,
        new ParameterSpace([OptimizerKind.Adam], [LossKind.CategoricalCrossEntropy], [0.01, 0.1, 0.001], [32], [4], null, [1]));

    private static Hyperparameters Trial(int i) => new(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.01 * (i + 1), 32, 4, null, 1);

    [Fact]
    public void Stores_what_was_asked_and_says_what_changed()
    {
        using var folder = new TempFolder();
        using var store = TrialStores.OpenSqlite(folder.File("store.db"));
        var sweep = store.CreateSweep(Definition, [.. Enumerable.Range(0, 3).Select(Trial)]);

        var update = PolicyUpdate.Store(store, sweep, new RunPolicy(MaxTrials: 2), DateTimeOffset.UtcNow);

        Assert.Equal(2, update.Policy.MaxTrials);
        Assert.Equal(2, store.LoadPolicy(sweep.Id).MaxTrials);
        Assert.NotEmpty(update.Changes);
        Assert.False(update.Lifted);
        Assert.Empty(PolicyUpdate.Store(store, sweep, new RunPolicy(MaxTrials: 2), DateTimeOffset.UtcNow).Changes);
    }

    [Fact]
    public void Keeps_a_stored_budget_not_asked_for_unless_it_is_spent()
    {
        using var folder = new TempFolder();
        using var store = TrialStores.OpenSqlite(folder.File("store.db"));
        var sweep = store.CreateSweep(Definition, [.. Enumerable.Range(0, 3).Select(Trial)]);
        PolicyUpdate.Store(store, sweep, new RunPolicy(MaxTrials: 3), DateTimeOffset.UtcNow);

        Assert.Equal(3, PolicyUpdate.Store(store, sweep, RunPolicy.None, DateTimeOffset.UtcNow).Policy.MaxTrials);

        // Started trials spend max_trials: running the sweep again is asking it to go on.
        PolicyUpdate.Store(store, sweep, new RunPolicy(MaxTrials: 1), DateTimeOffset.UtcNow);
        Assert.NotNull(store.ClaimNext(sweep.Id, "w"));
        var again = PolicyUpdate.Store(store, sweep, RunPolicy.None, DateTimeOffset.UtcNow);
        Assert.Null(again.Policy.MaxTrials);
        Assert.True(again.Lifted);
    }
}
