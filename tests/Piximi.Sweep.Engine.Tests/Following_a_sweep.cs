using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Engine.Tests;

/// <summary>
/// What a worker's pruner and budgets, and run's progress, know of a sweep: read a little at a time, it must equal
/// what reading the whole sweep gives.
/// </summary>
public sealed class Following_a_sweep
{
    private static readonly SweepDefinition Definition = new(
        "follow",
        new DatasetSpec("idx", "/data/images.idx", "/data/labels.idx", 0.75, Subset: 100),
        ModelKind.SimpleCNN,
        MetricNames.ValAccuracy,
        new ParameterSpace([OptimizerKind.Adam], [LossKind.CategoricalCrossEntropy], [0.01, 0.1, 0.001], [32], [4], null, [1]));

    [Fact]
    public void What_is_read_a_little_at_a_time_is_what_the_whole_sweep_holds()
    {
        using var folder = new TempFolder();
        using var store = TrialStores.OpenSqlite(folder.File("store.db"));
        var sweep = store.CreateSweep(Definition, [.. Enumerable.Range(0, 3).Select(i => new Hyperparameters(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.01 * (i + 1), 32, 4, null, 1))]);
        var follower = new SweepFollower(store, sweep);
        var leases = Enumerable.Range(0, 3).Select(_ => TrialLease.Of(store.ClaimNext(sweep.Id, "w")!)).ToList();
        var random = new Random(3);
        var seen = new List<EpochRecord>();
        var next = new int[3];
        // Epochs of three trials, interleaved, read after every few; a NaN among them, as a diverging trial stores it.
        for (var step = 0; step < 12; step++)
        {
            var i = step % 3;
            var metrics = new EpochMetrics(++next[i], random.NextDouble(), random.NextDouble(), random.NextDouble(),
                step == 7 ? double.NaN : random.NextDouble(), step == 4 ? double.NaN : 0.1 * step, 1000);
            store.RecordEpoch(leases[i], metrics, null);
            if (step % 4 == 1) seen.AddRange(follower.CatchUp());
        }
        seen.AddRange(follower.CatchUp());

        var all = store.ListEpochs(sweep.Id);
        Assert.Equal(all.Select(e => (e.TrialId, e.Metrics.Epoch)).Order(), seen.Select(e => (e.TrialId, e.Metrics.Epoch)).Order());
        var expected = Observations.ValuesByTrial(all, Definition.Metric);
        Assert.Equal(expected.Keys.Order(), follower.ValuesByTrial.Keys.Order());
        foreach (var (trial, values) in expected)
            Assert.Equal(values, follower.ValuesByTrial[trial]);
        var usage = store.Usage(sweep.Id);
        Assert.Equal(usage.Epochs, follower.Usage.Epochs);
        Assert.Equal(usage.Seconds, follower.Usage.Seconds, 1e-9);
        // Nothing new: nothing read, nothing changes.
        Assert.Empty(follower.CatchUp());
        Assert.Equal(12, follower.Usage.Epochs);
    }

    [Fact]
    public void A_pruning_decision_from_what_was_followed_is_the_one_from_every_epoch()
    {
        using var folder = new TempFolder();
        using var store = TrialStores.OpenSqlite(folder.File("store.db"));
        var definition = Definition with { Pruner = new PrunerSpec(PrunerKind.Asha) { MinEpochs = 1, ReductionFactor = 2 } };
        var sweep = store.CreateSweep(definition, [.. Enumerable.Range(0, 6).Select(i => new Hyperparameters(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.01 * (i + 1), 32, 4, null, 1))]);
        var judge = new PruneJudge(new SweepFollower(store, sweep), sweep);
        var pruning = new SweepPruning(definition);
        foreach (var (accuracy, i) in new[] { 0.5, 0.7, 0.4, 0.9, 0.6, 0.65 }.Select((a, i) => (a, i)))
        {
            var trial = store.ClaimNext(sweep.Id, "w")!;
            store.RecordEpoch(TrialLease.Of(trial), new EpochMetrics(1, 1, accuracy, 1, accuracy, 1, 1), null);
            var fromFollower = judge.Judge(trial, 1);
            var fromAll = pruning.Judge(trial, 1, Observations.ValuesByTrial(store.ListEpochs(sweep.Id), definition.Metric));
            Assert.Equal(fromAll, fromFollower);
        }
    }

    [Fact]
    public void The_deadline_estimate_from_what_was_followed_is_the_one_from_every_trial_and_epoch()
    {
        using var folder = new TempFolder();
        using var store = TrialStores.OpenSqlite(folder.File("store.db"));
        var sweep = store.CreateSweep(Definition, [.. new[] { 16, 32, 32, 64 }.Select((batch, i) => new Hyperparameters(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.01 * (i + 1), batch, 4, null, 1))]);
        var follower = new SweepFollower(store, sweep);
        var probe = new Hyperparameters(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.01, 32, 4, null, 1);
        Assert.Null(DeadlineEstimate.Needed(follower.EpochTimesByBatch(), probe, 0));

        foreach (var (seconds, i) in new[] { 3.0, 5.0, 8.0 }.Select((s, i) => (s, i)))
        {
            var lease = TrialLease.Of(store.ClaimNext(sweep.Id, "w")!);
            store.RecordEpoch(lease, new EpochMetrics(1, 1, 0.5, 1, 0.5, seconds, 1), null);
            store.RecordEpoch(lease, new EpochMetrics(2, 1, 0.5, 1, 0.5, seconds * 2, 1), null);
            foreach (var batch in new[] { 16, 32, 64 })
            {
                var hp = probe with { BatchSize = batch };
                Assert.Equal(
                    DeadlineEstimate.Needed(store.ListTrials(sweep.Id), store.ListEpochs(sweep.Id), hp, epochsDone: 1),
                    DeadlineEstimate.Needed(follower.EpochTimesByBatch(), hp, epochsDone: 1));
            }
        }
        // Batch 32 (trials 2 and 3): (5 + 10 + 8 + 16) / 4 seconds an epoch, 3 epochs left.
        Assert.Equal(TimeSpan.FromSeconds(39.0 / 4 * 3), DeadlineEstimate.Needed(follower.EpochTimesByBatch(), probe, epochsDone: 1));
    }
}
