using System.Collections.Concurrent;
using Piximi.Sweep.Core;
using static Piximi.Sweep.Storage.Tests.Sweeps;

namespace Piximi.Sweep.Storage.Tests;

/// <summary>What a reader that follows a sweep (run's progress, a worker's pruner) reads instead of the whole sweep.</summary>
public abstract partial class TrialStoreContract
{
    [Fact]
    public void Epochs_since_a_position_are_the_sweeps_own_stored_after_it_in_the_order_stored()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(2));
        var other = store.CreateSweep(Definition("other"), Grid(1));
        var a = TrialLease.Of(store.ClaimNext(sweep.Id, "w1")!);
        var b = TrialLease.Of(store.ClaimNext(sweep.Id, "w2")!);
        var elsewhere = TrialLease.Of(store.ClaimNext(other.Id, "w3")!);

        var none = store.ListEpochsSince(sweep.Id, 0);
        Assert.Empty(none.Epochs);
        Assert.Equal(0, none.Position);

        store.RecordEpoch(b, Epoch(1, loss: 0.5), null);
        store.RecordEpoch(elsewhere, Epoch(1), null);
        store.RecordEpoch(a, Epoch(1, loss: 0.4), null);
        store.RecordEpoch(b, Epoch(2, loss: 0.3), null);
        var first = store.ListEpochsSince(sweep.Id, 0);
        Assert.Equal([(b.TrialId, 1), (a.TrialId, 1), (b.TrialId, 2)], first.Epochs.Select(e => (e.TrialId, e.Metrics.Epoch)));
        Assert.Equal([0.5, 0.4, 0.3], first.Epochs.Select(e => e.Metrics.Loss));
        Assert.True(first.Position > 0);

        // Nothing new: nothing read, the position stays.
        var nothing = store.ListEpochsSince(sweep.Id, first.Position);
        Assert.Equal((0, first.Position), (nothing.Epochs.Count, nothing.Position));

        store.RecordEpoch(elsewhere, Epoch(2), null);
        store.RecordEpoch(a, Epoch(2), null);
        var second = Open().ListEpochsSince(sweep.Id, first.Position);
        Assert.Equal([(a.TrialId, 2)], second.Epochs.Select(e => (e.TrialId, e.Metrics.Epoch)));
        Assert.True(second.Position > first.Position);
        // The whole sweep from the start: the same epochs ListEpochs has, in the order stored.
        Assert.Equal(
            store.ListEpochs(sweep.Id).Select(e => (e.TrialId, e.Metrics.Epoch)).Order(),
            store.ListEpochsSince(sweep.Id, 0).Epochs.Select(e => (e.TrialId, e.Metrics.Epoch)).Order());
        Assert.Equal([(elsewhere.TrialId, 1), (elsewhere.TrialId, 2)], store.ListEpochsSince(other.Id, 0).Epochs.Select(e => (e.TrialId, e.Metrics.Epoch)));
    }

    [Fact]
    public async Task A_reader_following_epochs_stored_at_once_by_several_writers_reads_each_once_and_each_trials_in_order()
    {
        const int Writers = 4;
        const int Epochs = 15;
        var sweep = Open().CreateSweep(Definition(), Grid(Writers));
        var reader = Open();
        var read = new ConcurrentQueue<(long TrialId, int Epoch)>();
        using var done = new CancellationTokenSource();
        var follower = Task.Run(() =>
        {
            var position = 0L;
            while (true)
            {
                var finished = done.IsCancellationRequested;
                var next = reader.ListEpochsSince(sweep.Id, position);
                Assert.True(next.Position >= position);
                foreach (var e in next.Epochs) read.Enqueue((e.TrialId, e.Metrics.Epoch));
                position = next.Position;
                if (finished) return;
            }
        });

        OnThreadsAtOnce(Writers, i =>
        {
            var store = Open();
            var lease = TrialLease.Of(store.ClaimNext(sweep.Id, $"w{i}")!);
            for (var epoch = 1; epoch <= Epochs; epoch++) store.RecordEpoch(lease, Epoch(epoch), [(byte)epoch]);
            return lease;
        });
        done.Cancel();
        await follower.WaitAsync(TimeSpan.FromSeconds(60));

        var all = read.ToList();
        Assert.Equal(Writers * Epochs, all.Count);
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.All(all.GroupBy(e => e.TrialId), g => Assert.Equal(Enumerable.Range(1, Epochs), g.Select(e => e.Epoch)));
    }

    [Fact]
    public void Trials_are_counted_by_state_for_the_sweep_alone()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(6));
        var other = store.CreateSweep(Definition("other"), Grid(3));
        Assert.Equal(new TrialCounts(6, 0, 0), store.CountTrials(sweep.Id));

        var completed = store.ClaimNext(sweep.Id, "w")!;
        var pruned = store.ClaimNext(sweep.Id, "w")!;
        var failed = store.ClaimNext(sweep.Id, "w")!;
        store.ClaimNext(sweep.Id, "w");
        var released = store.ClaimNext(sweep.Id, "w")!;
        store.ClaimNext(other.Id, "w");
        Finish(store, completed, TrialState.Completed);
        store.RecordEpoch(TrialLease.Of(pruned), Epoch(1), null);
        store.Finish(TrialLease.Of(pruned), TrialState.Pruned, "rung 0", rung: 0);
        Finish(store, failed, TrialState.Failed);
        store.Release(TrialLease.Of(released), "interrupted");

        var counts = store.CountTrials(sweep.Id);
        Assert.Equal(new TrialCounts(Queued: 2, Running: 1, Ended: 3), counts);
        Assert.Equal((6, 4), (counts.Total, counts.Started));
        Assert.Equal(new TrialCounts(2, 1, 0), OpenReader().CountTrials(other.Id));
        Assert.Equal(new TrialCounts(0, 0, 0), store.CountTrials(other.Id + 1000));
    }

    [Fact]
    public void Changes_are_the_new_epochs_with_the_running_the_listed_and_the_new_epochs_trials_and_the_counts()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(6));
        var other = store.CreateSweep(Definition("other"), Grid(1));
        var one = store.ClaimNext(sweep.Id, "w")!;
        var two = store.ClaimNext(sweep.Id, "w")!;
        var three = store.ClaimNext(sweep.Id, "w")!;
        var four = store.ClaimNext(sweep.Id, "w")!;
        var elsewhere = store.ClaimNext(other.Id, "w")!;
        store.RecordEpoch(TrialLease.Of(four), Epoch(1), null);
        var before = store.ListEpochsSince(sweep.Id, 0).Position;
        Finish(store, two, TrialState.Completed);
        // Trial 4 stores an epoch and ends between two looks: its new epoch brings it.
        store.RecordEpoch(TrialLease.Of(four), Epoch(2), null);
        store.Finish(TrialLease.Of(four), TrialState.Pruned, "rung 1", rung: 1);
        store.RecordEpoch(TrialLease.Of(elsewhere), Epoch(1), null);
        var queued = store.ListTrials(sweep.Id)[5];

        Assert.Equal([1, 3, 4], store.ReadChanges(sweep.Id, before, []).Trials.Select(t => t.Number));
        var read = store.ReadChanges(sweep.Id, before, [queued.Id, two.Id, elsewhere.Id, one.Id]);
        Assert.Equal([1, 2, 3, 4, 6], read.Trials.Select(t => t.Number));
        Assert.Equal(store.ListTrials(sweep.Id).Where(t => t.Number is not 5), read.Trials);
        Assert.Equal([(four.Id, 2)], read.Epochs.Epochs.Select(e => (e.TrialId, e.Metrics.Epoch)));
        Assert.Equal(store.ListEpochsSince(sweep.Id, before).Position, read.Epochs.Position);
        Assert.Equal(new TrialCounts(Queued: 2, Running: 2, Ended: 2), read.Counts);
        // Nothing new: the running trials and the listed ones, no epochs, the position kept.
        var again = OpenReader().ReadChanges(sweep.Id, read.Epochs.Position, [three.Id]);
        Assert.Equal([1, 3], again.Trials.Select(t => t.Number));
        Assert.Equal((0, read.Epochs.Position), (again.Epochs.Epochs.Count, again.Epochs.Position));
    }

    [Fact]
    public void Pruning_checkpoints_keeps_the_best_so_far_as_trials_finish_one_by_one()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(4));
        // Finished one at a time, pruned after each finish, as workers do: the best so far keeps its checkpoint.
        var values = new[] { 0.7, 0.9, 0.8, 0.95 };
        var leases = new List<TrialLease>();
        var kept = new List<long[]>();
        foreach (var v in values)
        {
            var lease = Trained(store, sweep.Id, [(v, 1 - v, v, 1 - v)]);
            leases.Add(lease);
            store.Finish(lease, TrialState.Completed, null);
            store.PruneCheckpoints(sweep.Id, MetricNames.ValAccuracy);
            kept.Add([.. leases.Where(l => store.LoadCheckpoint(l.TrialId) is not null).Select(l => l.TrialId)]);
        }

        Assert.Equal([[leases[0].TrialId], [leases[1].TrialId], [leases[1].TrialId], [leases[3].TrialId]], kept);
    }

    [Fact]
    public void A_reader_can_start_following_from_the_position_now_and_read_the_epochs_of_the_trials_it_shows()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(3));
        var other = store.CreateSweep(Definition("other"), Grid(1));
        var first = Trained(store, sweep.Id, [(0.5, 1, 0.5, 1), (0.6, 0.9, 0.6, 0.9)]);
        var second = Trained(store, sweep.Id, [(0.4, 1.2, 0.4, 1.2)]);
        var elsewhere = Trained(store, other.Id, [(0.3, 1.5, 0.3, 1.5)]);
        var reader = OpenReader();

        // Only the trials asked for, of this sweep (another sweep's id is left out), by number and epoch.
        var epochs = reader.ListEpochsOfTrials(sweep.Id, [second.TrialId, first.TrialId, elsewhere.TrialId]);
        Assert.Equal([(first.TrialId, 1), (first.TrialId, 2), (second.TrialId, 1)], epochs.Select(e => (e.TrialId, e.Metrics.Epoch)));
        Assert.Equal(reader.ListEpochs(sweep.Id).Select(e => (e.TrialId, e.Metrics)), epochs.Select(e => (e.TrialId, e.Metrics)));
        Assert.Empty(reader.ListEpochsOfTrials(sweep.Id, []));

        // A trial by its number, of this sweep only.
        Assert.Equal(reader.ListTrials(sweep.Id)[1], reader.FindTrial(sweep.Id, 2));
        Assert.Null(reader.FindTrial(sweep.Id, 4));
        Assert.Equal(elsewhere.TrialId, reader.FindTrial(other.Id, 1)?.Id);

        // From the position now, only what is stored after it.
        var position = reader.EpochPosition();
        Assert.Empty(reader.ListEpochsSince(sweep.Id, position).Epochs);
        store.RecordEpoch(second, new EpochMetrics(2, 1.1, 0.45, 1.1, 0.45, 1, 1000), null);
        Assert.Equal([(second.TrialId, 2)], reader.ListEpochsSince(sweep.Id, position).Epochs.Select(e => (e.TrialId, e.Metrics.Epoch)));
    }

    [Fact]
    public void Summaries_of_some_states_are_those_of_the_whole_sweep_in_those_states_with_queued_ones_once_claimed()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(6));
        store.CreateSweep(Definition("other"), Grid(2));
        var completed = Trained(store, sweep.Id, [(0.5, 1, 0.5, 1), (0.7, 0.6, 0.8, 0.5)]);
        store.Finish(completed, TrialState.Completed, null);
        var pruned = Trained(store, sweep.Id, [(0.1, 3, 0.1, 3)]);
        store.Finish(pruned, TrialState.Pruned, "rung 0", rung: 0);
        Trained(store, sweep.Id, [(0.6, 1, 0.6, 1)]);
        var released = Trained(store, sweep.Id, [(0.4, 2, 0.4, 2)]);
        store.Release(released, "interrupted");
        var all = store.SummarizeTrials(sweep.Id);

        var some = OpenReader().SummarizeTrials(sweep.Id, [TrialState.Completed, TrialState.Running, TrialState.Queued]);

        // Trial 2 (pruned) is left out, and so are trials 5 and 6, queued and never claimed; trial 4 was claimed.
        Assert.Equal([1, 3, 4], some.Select(s => s.Trial.Number));
        Assert.Equal(all.Where(s => s.Trial.Number is 1 or 3 or 4).Select(s => (s.Trial, s.Final, s.EpochsRun, s.TrainingSeconds)),
            some.Select(s => (s.Trial, s.Final, s.EpochsRun, s.TrainingSeconds)));
        Assert.Equal([1], store.SummarizeTrials(sweep.Id, [TrialState.Completed]).Select(s => s.Trial.Number));
        Assert.Empty(store.SummarizeTrials(sweep.Id, [TrialState.Failed]));
        Assert.Throws<ArgumentException>(() => store.SummarizeTrials(sweep.Id, []));

        // The first trials (a baseline's), in every state, as the whole sweep's summary has them.
        Assert.Equal(
            all.Take(5).Select(s => (s.Trial, s.Final, s.EpochsRun, s.TrainingSeconds)),
            OpenReader().SummarizeFirstTrials(sweep.Id, 5).Select(s => (s.Trial, s.Final, s.EpochsRun, s.TrainingSeconds)));
        Assert.Empty(store.SummarizeFirstTrials(sweep.Id, 0));
    }
}
