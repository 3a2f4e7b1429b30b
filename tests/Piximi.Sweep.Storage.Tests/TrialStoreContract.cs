using System.Collections.Concurrent;
using System.Security.Cryptography;
using Piximi.Sweep.Core;
using static Piximi.Sweep.Storage.Tests.Sweeps;

namespace Piximi.Sweep.Storage.Tests;

/// <summary>
/// What every <see cref="ITrialStore"/> backend must do. A backend's test class derives from this one and says how
/// to open its store; each test gets a store of its own, empty.
/// </summary>
public abstract partial class TrialStoreContract : IDisposable
{
    private readonly List<ITrialStore> _opened = [];

    /// <summary>Opens a new instance over this test's store (a second call gives a second, independent instance).</summary>
    protected abstract ITrialStore OpenNewInstance();

    /// <summary>Opens a reader over this test's store (<see cref="TrialStores.OpenReadOnly"/>).</summary>
    protected abstract ITrialStore OpenReadOnlyInstance();

    /// <summary>Whether anything of a store exists where this test's store is (a file, a table).</summary>
    protected abstract bool AnythingExists();

    protected abstract int ReadSchemaVersion();

    /// <summary>Overwrites the stored schema version, as a newer or older program would have left it.</summary>
    protected abstract void WriteSchemaVersion(int version);

    /// <summary>
    /// The arguments after the worker's dll that make it claim from this test's store (within the budget, if given),
    /// recording one epoch with a checkpoint and completing each trial it gets.
    /// </summary>
    protected abstract IReadOnlyList<string> ClaimWorkerArguments(long sweepId, string workerId, int? maxTrials);

    /// <summary>
    /// Another connection starts a write transaction, sets the trial's message to "uncommitted", and holds the
    /// transaction open until disposed (then rolls it back).
    /// </summary>
    protected abstract IDisposable HoldUncommittedWrite(long trialId);

    /// <summary>Another connection starts a read transaction, reads the trials, and holds it open until disposed.</summary>
    protected abstract IDisposable HoldReadTransaction();

    protected ITrialStore Open()
    {
        var store = OpenNewInstance();
        _opened.Add(store);
        return store;
    }

    protected ITrialStore OpenReader()
    {
        var store = OpenReadOnlyInstance();
        _opened.Add(store);
        return store;
    }

    public virtual void Dispose()
    {
        foreach (var store in _opened)
        {
            store.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    // ---- Sweeps ----

    [Fact]
    public void Creating_a_sweep_stores_its_definition_and_queues_its_trials_numbered_from_one_in_order()
    {
        var store = Open();
        var grid = Grid(7);

        var sweep = store.CreateSweep(Definition(), grid);

        Assert.Equal("mnist-grid", sweep.Name);
        Assert.Equal(SweepJson.Serialize(Definition()), SweepJson.Serialize(sweep.Definition));
        Assert.InRange(sweep.CreatedAt, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        var trials = store.ListTrials(sweep.Id);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], trials.Select(t => t.Number));
        Assert.Equal(grid, trials.Select(t => t.Hyperparameters));
        Assert.All(trials, t =>
        {
            Assert.Equal(sweep.Id, t.SweepId);
            Assert.Equal(TrialState.Queued, t.State);
            Assert.Null(t.WorkerId);
            Assert.Equal(0, t.Attempts);
            Assert.Null(t.StartedAt);
            Assert.Null(t.FinishedAt);
            Assert.Null(t.Message);
        });
    }

    [Fact]
    public void Creating_the_same_sweep_again_returns_it_and_changes_nothing()
    {
        var store = Open();
        var first = store.CreateSweep(Definition(), Grid(5));
        var claimed = store.ClaimNext(first.Id, "w1")!;
        Finish(store, claimed, TrialState.Completed);
        var before = store.ListTrials(first.Id);

        // A fresh but equal definition object: "the same" means the same canonical JSON, not the same instance.
        var again = store.CreateSweep(Definition(), Grid(5));

        Assert.Equal(first.Id, again.Id);
        Assert.Equal(first.CreatedAt, again.CreatedAt);
        Assert.Single(store.ListSweeps());
        Assert.Equal(before, store.ListTrials(first.Id));
    }

    [Fact]
    public void Creating_a_sweep_under_a_taken_name_with_another_definition_throws_and_writes_nothing()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(learningRate: 0.01), Grid(3));
        store.ClaimNext(sweep.Id, "w1");
        var before = store.ListTrials(sweep.Id);

        var conflict = Assert.Throws<SweepConflictException>(
            () => store.CreateSweep(Definition(learningRate: 0.02), Grid(4)));

        Assert.Contains("'mnist-grid'", conflict.Message, StringComparison.Ordinal);
        Assert.Contains("Rename", conflict.Message, StringComparison.Ordinal);
        Assert.Contains("another store", conflict.Message, StringComparison.Ordinal);
        var stored = Assert.Single(store.ListSweeps());
        Assert.Equal(SweepJson.Serialize(Definition(learningRate: 0.01)), SweepJson.Serialize(stored.Definition));
        Assert.Equal(before, store.ListTrials(sweep.Id));
    }

    [Fact]
    public void Sweeps_are_found_by_name_and_listed_in_the_order_they_were_created()
    {
        var store = Open();
        var b = store.CreateSweep(Definition("b"), Grid(1));
        var a = store.CreateSweep(Definition("a"), Grid(2));

        Assert.Equal(a.Id, store.FindSweep("a")?.Id);
        Assert.Null(store.FindSweep("c"));
        Assert.Equal(["b", "a"], store.ListSweeps().Select(s => s.Name));
        Assert.Equal([b.Id, a.Id], store.ListSweeps().Select(s => s.Id));
    }

    // ---- Claims ----

    [Fact]
    public void Claims_take_the_lowest_numbered_queued_trial_until_none_is_left()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(3));
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        var claims = new[] { store.ClaimNext(sweep.Id, "w1"), store.ClaimNext(sweep.Id, "w2"), store.ClaimNext(sweep.Id, "w1") };

        Assert.Equal([1, 2, 3], claims.Select(c => c!.Number));
        Assert.Equal(["w1", "w2", "w1"], claims.Select(c => c!.WorkerId));
        Assert.All(claims, c =>
        {
            Assert.Equal(TrialState.Running, c!.State);
            Assert.Equal(1, c.Attempts);
            Assert.Equal(0, c.Lost);
            Assert.InRange(c.StartedAt!.Value, before, DateTimeOffset.UtcNow.AddSeconds(1));
            Assert.Equal(c.StartedAt, c.HeartbeatAt);
        });
        Assert.Null(store.ClaimNext(sweep.Id, "w1"));
        // What the claim returned is what the store now holds.
        Assert.Equal(claims.Select(c => c!), store.ListTrials(sweep.Id));
    }

    [Fact]
    public void Claims_take_trials_of_the_given_sweep_only()
    {
        var store = Open();
        var first = store.CreateSweep(Definition("first"), Grid(1));
        var second = store.CreateSweep(Definition("second"), Grid(1));

        Assert.Equal(second.Id, store.ClaimNext(second.Id, "w")!.SweepId);
        Assert.Null(store.ClaimNext(second.Id, "w"));
        Assert.Equal(first.Id, store.ClaimNext(first.Id, "w")!.SweepId);
        Assert.Null(store.ClaimNext(first.Id + second.Id + 1, "w"));
    }

    [Fact]
    public void A_claim_with_a_budget_gets_nothing_once_that_many_trials_have_left_the_queue()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(5));
        var other = store.CreateSweep(Definition("other"), Grid(5));
        var first = store.ClaimNext(sweep.Id, "w", maxTrials: 3)!;
        Finish(store, first, TrialState.Failed);
        Assert.Equal(2, store.ClaimNext(sweep.Id, "w", maxTrials: 3)?.Number);
        Assert.Equal(3, store.ClaimNext(sweep.Id, "w", maxTrials: 3)?.Number);

        // Finished, failed and running trials all count; another sweep's claims count for that sweep only.
        Assert.Null(store.ClaimNext(sweep.Id, "w", maxTrials: 3));
        Assert.Equal(1, store.ClaimNext(other.Id, "w", maxTrials: 3)?.Number);
        Assert.Null(store.ClaimNext(other.Id, "w", maxTrials: 0));

        Assert.Equal(
            [TrialState.Failed, TrialState.Running, TrialState.Running, TrialState.Queued, TrialState.Queued],
            store.ListTrials(sweep.Id).Select(t => t.State));
        // Without a budget, the rest of the queue is there.
        Assert.Equal(4, store.ClaimNext(sweep.Id, "w")?.Number);
    }

    [Fact]
    public void A_trial_given_back_to_the_queue_is_claimed_again_within_the_budget_before_any_new_one()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(4));
        var one = store.ClaimNext(sweep.Id, "w1", maxTrials: 2)!;
        var two = store.ClaimNext(sweep.Id, "w2", maxTrials: 2)!;
        Finish(store, one, TrialState.Completed);
        store.Release(TrialLease.Of(two), "deadline");

        var again = store.ClaimNext(sweep.Id, "w3", maxTrials: 2);

        Assert.Equal((two.Id, 2), (again?.Id, again?.Attempts));
        Assert.Null(store.ClaimNext(sweep.Id, "w3", maxTrials: 2));
        // The trials that ever left the queue are the budget's two.
        Assert.Equal(2, store.ListTrials(sweep.Id).Count(t => t.Attempts > 0));
    }

    [Fact]
    public void A_claim_keeps_the_epochs_and_checkpoint_of_a_trial_given_back_to_the_queue()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(1));
        var first = store.ClaimNext(sweep.Id, "gone")!;
        var bytes = RandomBytes(5000, seed: 1);
        store.RecordEpoch(TrialLease.Of(first), Epoch(1, loss: 0.9), RandomBytes(5000, seed: 0));
        store.RecordEpoch(TrialLease.Of(first), Epoch(2, loss: 0.8), bytes);
        store.RecoverLost(sweep.Id, TimeSpan.MaxValue, ["gone"], maxRetries: 3, "worker died");

        var retried = store.ClaimNext(sweep.Id, "w")!;

        Assert.Equal((first.Id, 2, "w", 1), (retried.Id, retried.Attempts, retried.WorkerId, retried.Lost));
        Assert.Equal([0.9, 0.8], store.ListEpochs(sweep.Id).Select(e => e.Metrics.Loss));
        AssertCheckpoint(store.LoadCheckpoint(first.Id), first.Id, 2, bytes);
        // The new holder resumes after the last stored epoch.
        store.RecordEpoch(TrialLease.Of(retried), Epoch(3, loss: 0.7), null);
        Assert.Equal([1, 2, 3], store.ListEpochs(sweep.Id).Select(e => e.Metrics.Epoch));
    }

    // ---- Epochs ----

    [Fact]
    public void Epochs_come_back_exactly_as_recorded_ordered_by_trial_number_and_epoch()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(2));
        var one = store.ClaimNext(sweep.Id, "w")!;
        var two = store.ClaimNext(sweep.Id, "w")!;
        var awkward = new EpochMetrics(1, 0.1 + 0.2, double.Epsilon, double.MaxValue, 1.0 / 3, 1e-300, -2.5);
        var diverged = new EpochMetrics(2, double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 7, 1e9);

        // The second trial first, so the listing order is the store's doing.
        store.RecordEpoch(TrialLease.Of(two), awkward, null);
        store.RecordEpoch(TrialLease.Of(two), diverged, null);
        store.RecordEpoch(TrialLease.Of(one), Epoch(1), null);
        store.RecordEpoch(TrialLease.Of(one), Epoch(2), null);

        var epochs = store.ListEpochs(sweep.Id);

        Assert.Equal([(one.Id, 1), (one.Id, 2), (two.Id, 1), (two.Id, 2)], epochs.Select(e => (e.TrialId, e.Metrics.Epoch)));
        Assert.Equal(Bits(Epoch(1)), Bits(epochs[0].Metrics));
        Assert.Equal(Bits(Epoch(2)), Bits(epochs[1].Metrics));
        Assert.Equal(Bits(awkward), Bits(epochs[2].Metrics));
        // NaN has no single bit pattern worth keeping; it must stay a NaN.
        Assert.True(double.IsNaN(epochs[3].Metrics.Loss));
        Assert.Equal(Bits(diverged with { Loss = 0 }), Bits(epochs[3].Metrics with { Loss = 0 }));
        Assert.All(epochs, e => Assert.InRange(e.RecordedAt, one.StartedAt!.Value, DateTimeOffset.UtcNow.AddSeconds(1)));
    }

    [Theory]
    [InlineData(new int[0], 2, 1)]
    [InlineData(new[] { 1 }, 1, 2)]
    [InlineData(new[] { 1, 2 }, 4, 3)]
    [InlineData(new[] { 1 }, 0, 2)]
    public void An_epoch_that_does_not_follow_the_last_stored_one_is_refused_and_changes_nothing(
        int[] stored, int epoch, int expected)
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(1));
        var trial = store.ClaimNext(sweep.Id, "w")!;
        var lease = TrialLease.Of(trial);
        foreach (var e in stored)
        {
            store.RecordEpoch(lease, Epoch(e, loss: 0.5), RandomBytes(100, seed: e));
        }

        var before = Snapshot(store, sweep.Id, trial.Id);
        Thread.Sleep(20); // So that a heartbeat refreshed by the refused call would show.

        var error = Assert.Throws<InvalidOperationException>(() => store.RecordEpoch(lease, Epoch(epoch, loss: 0.4), RandomBytes(100, seed: 9)));

        Assert.Contains($"Trial {trial.Id} cannot record epoch {epoch}: expected epoch {expected}", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(store, sweep.Id, trial.Id));
    }

    [Fact]
    public void Recording_an_epoch_and_a_heartbeat_refresh_the_heartbeat()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(1));
        var trial = store.ClaimNext(sweep.Id, "w")!;
        var lease = TrialLease.Of(trial);

        Thread.Sleep(20);
        store.RecordEpoch(lease, Epoch(1), null);
        var afterEpoch = store.ListTrials(sweep.Id)[0].HeartbeatAt!.Value;
        Thread.Sleep(20);
        Assert.True(store.Heartbeat(lease));
        var afterHeartbeat = store.ListTrials(sweep.Id)[0].HeartbeatAt!.Value;

        Assert.True(afterEpoch > trial.HeartbeatAt, $"{afterEpoch:O} is not after the claim's {trial.HeartbeatAt:O}.");
        Assert.True(afterHeartbeat > afterEpoch, $"{afterHeartbeat:O} is not after the epoch's {afterEpoch:O}.");
        Assert.InRange(afterHeartbeat, DateTimeOffset.UtcNow.AddSeconds(-10), DateTimeOffset.UtcNow.AddSeconds(1));
    }

    // ---- Checkpoints ----

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(300_000)]
    public void A_checkpoint_comes_back_bit_for_bit(int length)
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(1));
        var trial = store.ClaimNext(sweep.Id, "w")!;
        var bytes = RandomBytes(length, seed: length);

        store.RecordEpoch(TrialLease.Of(trial), Epoch(1), bytes);

        AssertCheckpoint(Open().LoadCheckpoint(trial.Id), trial.Id, 1, bytes);
    }

    [Fact]
    public void The_stored_checkpoint_is_always_the_last_stored_epochs_and_none_when_that_epoch_gave_none()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(2));
        var trial = store.ClaimNext(sweep.Id, "w")!;
        var other = store.ClaimNext(sweep.Id, "w")!;
        var othersBytes = RandomBytes(2000, seed: 99);
        store.RecordEpoch(TrialLease.Of(other), Epoch(1), othersBytes);
        var lease = TrialLease.Of(trial);
        Assert.Null(store.LoadCheckpoint(trial.Id));

        for (var epoch = 1; epoch <= 3; epoch++)
        {
            // Shorter each time: a longer old blob must not show through a shorter new one.
            var bytes = RandomBytes(30_000 - 5000 * epoch, seed: epoch);
            store.RecordEpoch(lease, Epoch(epoch), bytes);
            AssertCheckpoint(store.LoadCheckpoint(trial.Id), trial.Id, epoch, bytes);
        }

        store.RecordEpoch(lease, Epoch(4), null);
        Assert.Null(store.LoadCheckpoint(trial.Id));
        var fifth = RandomBytes(100, seed: 5);
        store.RecordEpoch(lease, Epoch(5), fifth);
        AssertCheckpoint(store.LoadCheckpoint(trial.Id), trial.Id, 5, fifth);

        AssertCheckpoint(store.LoadCheckpoint(other.Id), other.Id, 1, othersBytes);
        Assert.Null(store.LoadCheckpoint(other.Id + trial.Id + 100));
    }

    // ---- Finishing ----

    [Theory]
    [InlineData(TrialState.Completed, null, true)]
    [InlineData(TrialState.Failed, "CUDA out of memory", false)]
    [InlineData(TrialState.Diverged, "loss is NaN at epoch 3", false)]
    [InlineData(TrialState.Pruned, "below the median at epoch 2", true)]
    public void Finishing_a_running_trial_stores_its_final_state_message_and_time_and_keeps_a_checkpoint_worth_keeping(
        TrialState state, string? message, bool keepsCheckpoint)
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(2));
        var trial = store.ClaimNext(sweep.Id, "w")!;
        var bytes = RandomBytes(1000, seed: 1);
        store.RecordEpoch(TrialLease.Of(trial), Epoch(1), bytes);

        store.Finish(TrialLease.Of(trial), state, message);

        var stored = store.ListTrials(sweep.Id)[0];
        Assert.Equal(state, stored.State);
        Assert.Equal(message, stored.Message);
        Assert.Equal("w", stored.WorkerId);
        Assert.Null(stored.HeartbeatAt);
        Assert.InRange(stored.FinishedAt!.Value, trial.StartedAt!.Value, DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal(TrialState.Queued, store.ListTrials(sweep.Id)[1].State);
        Assert.Single(store.ListEpochs(sweep.Id));
        if (keepsCheckpoint)
        {
            AssertCheckpoint(store.LoadCheckpoint(trial.Id), trial.Id, 1, bytes);
        }
        else
        {
            Assert.Null(store.LoadCheckpoint(trial.Id));
        }
    }

    [Theory]
    [InlineData(TrialState.Queued)]
    [InlineData(TrialState.Running)]
    public void Finishing_in_a_state_that_is_not_final_is_refused(TrialState state)
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(1));
        var trial = store.ClaimNext(sweep.Id, "w")!;

        Assert.Throws<ArgumentOutOfRangeException>(() => store.Finish(TrialLease.Of(trial), state, null));
        Assert.Equal(TrialState.Running, Assert.Single(store.ListTrials(sweep.Id)).State);
    }

    // ---- Release ----

    [Fact]
    public void Releasing_gives_a_trial_back_to_the_queue_with_its_epochs_checkpoint_and_lost_count()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(2));
        var first = store.ClaimNext(sweep.Id, "gone")!;
        store.RecordEpoch(TrialLease.Of(first), Epoch(1), RandomBytes(1000, seed: 1));
        store.RecoverLost(sweep.Id, TimeSpan.MaxValue, ["gone"], maxRetries: 3, "worker died");
        var second = store.ClaimNext(sweep.Id, "w")!;
        var bytes = RandomBytes(1000, seed: 2);
        store.RecordEpoch(TrialLease.Of(second), Epoch(2), bytes);

        store.Release(TrialLease.Of(second), "interrupted");

        var released = store.ListTrials(sweep.Id)[0];
        Assert.Equal(
            (TrialState.Queued, (string?)null, (DateTimeOffset?)null, (DateTimeOffset?)null, "interrupted", 2, 1),
            (released.State, released.WorkerId, released.StartedAt, released.HeartbeatAt, released.Message, released.Attempts, released.Lost));
        Assert.Equal([1, 2], store.ListEpochs(sweep.Id).Select(e => e.Metrics.Epoch));
        AssertCheckpoint(store.LoadCheckpoint(first.Id), first.Id, 2, bytes);

        var third = store.ClaimNext(sweep.Id, "w2")!;
        Assert.Equal((first.Id, 3, 1, (string?)null), (third.Id, third.Attempts, third.Lost, third.Message));
        store.RecordEpoch(TrialLease.Of(third), Epoch(3), null);
    }

    // ---- Leases ----

    [Fact]
    public void An_old_lease_is_refused_by_every_write_once_the_trial_was_recovered_and_claimed_again_and_nothing_changes()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(2));
        var old = TrialLease.Of(store.ClaimNext(sweep.Id, "silent")!);
        store.RecordEpoch(old, Epoch(1), RandomBytes(4000, seed: 1));
        store.RecoverLost(sweep.Id, TimeSpan.MaxValue, ["silent"], maxRetries: 3, "worker died");
        var current = TrialLease.Of(store.ClaimNext(sweep.Id, "new")!);
        store.RecordEpoch(current, Epoch(2), RandomBytes(4000, seed: 2));
        var before = Snapshot(store, sweep.Id, old.TrialId);
        Thread.Sleep(20); // So that a heartbeat refreshed by a refused call would show.

        var record = Assert.Throws<LeaseLostException>(() => store.RecordEpoch(old, Epoch(3), RandomBytes(4000, seed: 3)));
        var recordOld = Assert.Throws<LeaseLostException>(() => store.RecordEpoch(old, Epoch(2), RandomBytes(4000, seed: 3)));
        var finish = Assert.Throws<LeaseLostException>(() => store.Finish(old, TrialState.Completed, "done"));
        var release = Assert.Throws<LeaseLostException>(() => store.Release(old, "interrupted"));
        var heartbeat = store.Heartbeat(old);

        Assert.False(heartbeat);
        Assert.All([record, recordOld, finish, release], e =>
        {
            Assert.Contains($"trial {old.TrialId} under lease attempt 1", e.Message, StringComparison.Ordinal);
            Assert.Contains("running at attempt 2", e.Message, StringComparison.Ordinal);
        });
        Assert.Equal(before, Snapshot(store, sweep.Id, old.TrialId));
        // The current holder goes on.
        Assert.Equal(2, current.Attempt);
        Assert.True(store.Heartbeat(current));
        store.RecordEpoch(current, Epoch(3), null);
        store.Finish(current, TrialState.Completed, null);
    }

    [Fact]
    public void A_lease_is_refused_once_its_trial_is_back_in_the_queue_or_finished_and_for_a_trial_that_does_not_exist()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(2));
        var requeued = TrialLease.Of(store.ClaimNext(sweep.Id, "silent")!);
        var finished = TrialLease.Of(store.ClaimNext(sweep.Id, "w")!);
        store.Finish(finished, TrialState.Failed, "first");
        store.RecoverLost(sweep.Id, TimeSpan.MaxValue, ["silent"], maxRetries: 3, "worker died");
        var before = Snapshot(store, sweep.Id, requeued.TrialId);

        var ofQueued = Assert.Throws<LeaseLostException>(() => store.RecordEpoch(requeued, Epoch(1), [1, 2, 3]));
        var ofFinished = Assert.Throws<LeaseLostException>(() => store.Finish(finished, TrialState.Completed, "second"));
        var ofMissing = Assert.Throws<LeaseLostException>(() => store.Release(new TrialLease(finished.TrialId + 100, 1), "x"));

        Assert.Contains($"trial {requeued.TrialId} under lease attempt 1", ofQueued.Message, StringComparison.Ordinal);
        Assert.Contains("queued at attempt 1", ofQueued.Message, StringComparison.Ordinal);
        Assert.Contains("failed at attempt 1", ofFinished.Message, StringComparison.Ordinal);
        Assert.Contains("no such trial", ofMissing.Message, StringComparison.Ordinal);
        Assert.False(store.Heartbeat(requeued));
        Assert.False(store.Heartbeat(finished));
        Assert.Equal(before, Snapshot(store, sweep.Id, requeued.TrialId));
        Assert.Equal((TrialState.Failed, "first"), (store.ListTrials(sweep.Id)[1].State, store.ListTrials(sweep.Id)[1].Message));
    }

    [Fact]
    public void A_heartbeat_is_true_while_the_lease_holds_and_false_once_it_is_lost()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(1));
        var lease = TrialLease.Of(store.ClaimNext(sweep.Id, "w")!);

        Assert.True(store.Heartbeat(lease));
        store.Release(lease, "deadline");
        Assert.False(store.Heartbeat(lease));
        Assert.Null(store.ListTrials(sweep.Id)[0].HeartbeatAt);
    }

    // ---- Recovery ----

    [Fact]
    public void Recovery_requeues_a_trial_whose_heartbeat_is_stale_and_leaves_one_with_a_fresh_heartbeat_running()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(3));
        var silent = store.ClaimNext(sweep.Id, "silent")!;
        var alive = store.ClaimNext(sweep.Id, "alive")!;
        var bytes = RandomBytes(1000, seed: 1);
        store.RecordEpoch(TrialLease.Of(silent), Epoch(1), bytes);
        Thread.Sleep(TimeSpan.FromSeconds(2.3));
        Assert.True(store.Heartbeat(TrialLease.Of(alive)));
        var aliveBefore = store.ListTrials(sweep.Id)[1];

        // "Only the dead workers" finds none: nobody is dead, however old the heartbeats.
        Assert.Empty(store.RecoverLost(sweep.Id, TimeSpan.MaxValue, [], maxRetries: 3, "no heartbeat"));
        var recovered = store.RecoverLost(sweep.Id, TimeSpan.FromSeconds(2), [], maxRetries: 3, "no heartbeat for 2 s");

        const string Reason = "no heartbeat for 2 s after storing epoch 1; not counted against the retries";
        Assert.Equal([new RecoveredTrial(silent.Id, 1, TrialState.Queued, 1, 0, Reason)], recovered);
        var trials = store.ListTrials(sweep.Id);
        Assert.Equal(
            (TrialState.Queued, (string?)null, (DateTimeOffset?)null, (DateTimeOffset?)null, Reason, 1, 1),
            (trials[0].State, trials[0].WorkerId, trials[0].StartedAt, trials[0].HeartbeatAt, trials[0].Message, trials[0].Attempts, trials[0].Lost));
        Assert.Equal(aliveBefore, trials[1]);
        Assert.Equal(TrialState.Queued, trials[2].State);
        Assert.Single(store.ListEpochs(sweep.Id));
        AssertCheckpoint(store.LoadCheckpoint(silent.Id), silent.Id, 1, bytes);
    }

    [Fact]
    public void Recovery_requeues_the_running_trials_of_dead_workers_only_whatever_their_heartbeat()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(5));
        var done = store.ClaimNext(sweep.Id, "dead-1")!;
        Finish(store, done, TrialState.Completed);
        var a = store.ClaimNext(sweep.Id, "dead-1")!;
        var b = store.ClaimNext(sweep.Id, "alive")!;
        var c = store.ClaimNext(sweep.Id, "dead-2")!;
        var other = store.CreateSweep(Definition("other"), Grid(1));
        var elsewhere = store.ClaimNext(other.Id, "dead-1")!;
        var before = store.ListTrials(sweep.Id);

        var recovered = store.RecoverLost(sweep.Id, TimeSpan.FromHours(1), ["dead-1", "dead-2", "never-seen"], maxRetries: 3, "worker died");

        Assert.Equal(
            [
                new RecoveredTrial(a.Id, a.Number, TrialState.Queued, 1, 1, "worker died before storing any epoch; retry 1 of 3"),
                new RecoveredTrial(c.Id, c.Number, TrialState.Queued, 1, 1, "worker died before storing any epoch; retry 1 of 3"),
            ],
            recovered);
        var after = store.ListTrials(sweep.Id);
        Assert.Equal(before[0], after[0]);
        Assert.Equal((TrialState.Queued, (string?)null, 1), (after[1].State, after[1].WorkerId, after[1].Lost));
        Assert.Equal(before[2], after[2]);
        Assert.Equal((TrialState.Queued, (string?)null, 1), (after[3].State, after[3].WorkerId, after[3].Lost));
        Assert.Equal(before[4], after[4]);
        Assert.Equal(elsewhere, Assert.Single(store.ListTrials(other.Id)));
        Assert.Equal(b.Id, after[2].Id);
    }

    [Fact]
    public void A_trial_lost_without_progress_more_often_than_the_retries_allow_fails_with_the_reason_and_without_its_checkpoint()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(1));
        var first = store.ClaimNext(sweep.Id, "w1")!;
        store.RecordEpoch(TrialLease.Of(first), Epoch(1), RandomBytes(1000, seed: 1));
        var progressed = store.RecoverLost(sweep.Id, TimeSpan.MaxValue, ["w1"], maxRetries: 1, "worker died");
        var second = store.ClaimNext(sweep.Id, "w2")!;
        var once = store.RecoverLost(sweep.Id, TimeSpan.MaxValue, ["w2"], maxRetries: 1, "worker died");
        var third = store.ClaimNext(sweep.Id, "w3")!;

        var twice = store.RecoverLost(sweep.Id, TimeSpan.MaxValue, ["w3"], maxRetries: 1, "worker died");

        const string Reason = "worker died; lost 2 times without storing an epoch after epoch 1, more than the 1 retries allowed";
        Assert.Equal([new RecoveredTrial(first.Id, 1, TrialState.Queued, 1, 0, "worker died after storing epoch 1; not counted against the retries")], progressed);
        Assert.Equal([new RecoveredTrial(first.Id, 1, TrialState.Queued, 2, 1, "worker died without storing an epoch after epoch 1; retry 1 of 1")], once);
        Assert.Equal([new RecoveredTrial(first.Id, 1, TrialState.Failed, 3, 2, Reason)], twice);
        var failed = Assert.Single(store.ListTrials(sweep.Id));
        Assert.Equal((TrialState.Failed, Reason, 3, 3, "w3"), (failed.State, failed.Message, failed.Lost, failed.Attempts, failed.WorkerId));
        Assert.Null(failed.HeartbeatAt);
        Assert.InRange(failed.FinishedAt!.Value, third.StartedAt!.Value, DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Null(store.LoadCheckpoint(first.Id));
        Assert.Equal([1], store.ListEpochs(sweep.Id).Select(e => e.Metrics.Epoch));
        Assert.Null(store.ClaimNext(sweep.Id, "w4"));
        Assert.Equal(2, second.Attempts);
    }

    [Fact]
    public void A_trial_that_stores_an_epoch_in_every_attempt_is_never_failed_by_losing_its_workers()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(1));

        for (var epoch = 1; epoch <= 6; epoch++)
        {
            var trial = store.ClaimNext(sweep.Id, $"w{epoch}")!;
            store.RecordEpoch(TrialLease.Of(trial), Epoch(epoch), RandomBytes(100, seed: epoch));
            var recovered = Assert.Single(store.RecoverLost(sweep.Id, TimeSpan.MaxValue, [$"w{epoch}"], maxRetries: 0, "worker killed"));
            Assert.Equal((TrialState.Queued, epoch, 0), (recovered.NewState, recovered.Lost, recovered.LostWithoutProgress));
        }

        var trial7 = store.ClaimNext(sweep.Id, "w7")!;
        Assert.Equal((7, 6), (trial7.Attempts, trial7.Lost));
        Assert.All(store.ListAttempts(sweep.Id).SkipLast(1), a => Assert.True(a.MadeProgress && a.Outcome == AttemptOutcome.Lost, a.ToString()));
    }

    [Fact]
    public void Losses_count_against_the_retries_only_since_the_trials_last_stored_epoch()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(1));
        var outcomes = new List<(TrialState State, int Lost, int WithoutProgress)>();
        void Lose(string worker, int? storeEpoch = null)
        {
            var trial = store.ClaimNext(sweep.Id, worker)!;
            if (storeEpoch is { } e) store.RecordEpoch(TrialLease.Of(trial), Epoch(e), null);
            var r = Assert.Single(store.RecoverLost(sweep.Id, TimeSpan.MaxValue, [worker], maxRetries: 2, "worker killed"));
            outcomes.Add((r.NewState, r.Lost, r.LostWithoutProgress));
        }

        Lose("a");
        Lose("b");
        Lose("c", storeEpoch: 1);
        // A release in between is not a loss, and does not reset the count either.
        var released = store.ClaimNext(sweep.Id, "d")!;
        store.Release(TrialLease.Of(released), "interrupted");
        Lose("e");
        Lose("f");
        Lose("g");

        Assert.Equal(
            [(TrialState.Queued, 1, 1), (TrialState.Queued, 2, 2), (TrialState.Queued, 3, 0),
             (TrialState.Queued, 4, 1), (TrialState.Queued, 5, 2), (TrialState.Failed, 6, 3)],
            outcomes);
    }

    [Fact]
    public void With_no_retries_allowed_the_first_loss_without_progress_fails_the_trial()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(1));
        var trial = store.ClaimNext(sweep.Id, "w1")!;

        var recovered = store.RecoverLost(sweep.Id, TimeSpan.MaxValue, ["w1"], maxRetries: 0, "deadline");

        Assert.Equal(
            [new RecoveredTrial(trial.Id, 1, TrialState.Failed, 1, 1, "deadline; lost 1 times before storing any epoch, more than the 0 retries allowed")],
            recovered);
    }

    [Fact]
    public async Task Recovery_judges_progress_by_the_epochs_committed_before_it_in_one_transaction_with_the_holders_writes()
    {
        // A holder storing epochs as fast as it can while recovery takes its trial away, again and again, each side with
        // its own store (connection): each attempt starts where the one before ended (no epoch is stored under a lease
        // after its attempt ended), and a loss is counted as progress exactly when its attempt's span holds an epoch.
        var sweep = Open().CreateSweep(Definition(), Grid(1));
        var holder = Open();
        var recoverer = Open();
        var stop = false;
        var work = Task.Run(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                if (holder.ClaimNext(sweep.Id, "holder") is not { } trial) continue;
                var lease = TrialLease.Of(trial);
                var next = holder.ListEpochs(sweep.Id).Count + 1;
                try
                {
                    while (!Volatile.Read(ref stop)) holder.RecordEpoch(lease, Epoch(next++), null);
                }
                catch (LeaseLostException)
                {
                    // Recovered meanwhile: claim it again.
                }
            }
        });
        var recoveries = new List<RecoveredTrial>();
        var random = new Random(5);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while ((recoveries.Count < 40 || !recoveries.Any(r => r.LostWithoutProgress == 0)) && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(random.Next(3));
            recoveries.AddRange(recoverer.RecoverLost(sweep.Id, TimeSpan.MaxValue, ["holder"], maxRetries: 1000, "lost"));
        }

        Volatile.Write(ref stop, true);
        await work.WaitAsync(TimeSpan.FromMinutes(1));

        var attempts = recoverer.ListAttempts(sweep.Id);
        var ended = attempts.Where(a => a.Outcome is not null).ToList();
        Assert.Equal(recoveries.Count, ended.Count);
        Assert.True(recoveries.Count >= 40, $"only {recoveries.Count} recoveries");
        for (var i = 0; i < attempts.Count; i++)
        {
            Assert.Equal(i == 0 ? 0 : attempts[i - 1].EndEpoch, attempts[i].StartEpoch);
        }

        for (var i = 0; i < ended.Count; i++)
        {
            Assert.Equal(AttemptOutcome.Lost, ended[i].Outcome);
            Assert.True(ended[i].MadeProgress == (recoveries[i].LostWithoutProgress == 0), $"{ended[i]} judged {recoveries[i]}");
        }

        Assert.Contains(ended, a => a.MadeProgress);
        var epochs = recoverer.ListEpochs(sweep.Id).Select(e => e.Metrics.Epoch).ToList();
        Assert.Equal(Enumerable.Range(1, epochs.Count), epochs);
    }

    [Fact]
    public void A_worker_that_died_of_its_trials_own_error_fails_that_trial_at_once_without_counting_a_loss()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(3));
        var doomed = store.ClaimNext(sweep.Id, "aborted")!;
        store.RecordEpoch(TrialLease.Of(doomed), Epoch(1), RandomBytes(100, seed: 1));
        var other = store.ClaimNext(sweep.Id, "alive")!;
        const string Reason = "worker 7 was killed by signal 6 (SIGABRT): libtorch error: mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)";

        var failed = store.FailTrialsOf(sweep.Id, "aborted", Reason);

        Assert.Equal([new RecoveredTrial(doomed.Id, 1, TrialState.Failed, 0, 0, Reason)], failed);
        var trials = store.ListTrials(sweep.Id);
        Assert.Equal((TrialState.Failed, Reason, 0), (trials[0].State, trials[0].Message, trials[0].Lost));
        Assert.Null(store.LoadCheckpoint(doomed.Id));
        Assert.Equal(other, trials[1]);
        var attempt = store.ListAttempts(sweep.Id)[0];
        Assert.Equal((AttemptOutcome.Failed, 0, 1, Reason), (attempt.Outcome!.Value, attempt.StartEpoch!.Value, attempt.EndEpoch!.Value, attempt.Reason));
        Assert.Empty(store.FailTrialsOf(sweep.Id, "aborted", Reason));
    }

    // ---- Attempts ----

    [Fact]
    public void Each_claim_records_an_attempt_from_the_last_stored_epoch_and_each_end_of_a_hold_says_how_and_why()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(3));
        var first = store.ClaimNext(sweep.Id, "w1")!;
        store.RecordEpoch(TrialLease.Of(first), Epoch(1), null);
        store.Release(TrialLease.Of(first), "interrupted");
        var second = store.ClaimNext(sweep.Id, "w2")!;
        store.RecordEpoch(TrialLease.Of(second), Epoch(2), null);
        store.RecordEpoch(TrialLease.Of(second), Epoch(3), null);
        store.RecoverLost(sweep.Id, TimeSpan.MaxValue, ["w2"], maxRetries: 1, "killed");
        var third = store.ClaimNext(sweep.Id, "w3")!;
        store.Finish(TrialLease.Of(third), TrialState.Completed, null);
        var failed = store.ClaimNext(sweep.Id, "w4")!;
        store.Finish(TrialLease.Of(failed), TrialState.Failed, "error: bad shapes");
        var running = store.ClaimNext(sweep.Id, "w5")!;
        var added = store.AddClaimedTrial(sweep.Id, 4, Grid(1)[0], "w6")!;

        var attempts = store.ListAttempts(sweep.Id);

        Assert.Equal(
            [
                (1, 1, "w1", 0, 1, AttemptOutcome.Released, "interrupted"),
                (1, 2, "w2", 1, 3, AttemptOutcome.Lost, "killed"),
                (1, 3, "w3", 3, 3, AttemptOutcome.Completed, null),
                (2, 1, "w4", 0, 0, AttemptOutcome.Failed, "error: bad shapes"),
                (3, 1, "w5", 0, (int?)null, (AttemptOutcome?)null, null),
                (4, 1, "w6", 0, null, null, null),
            ],
            attempts.Select(a => (Number(a), a.Attempt, a.WorkerId, a.StartEpoch!.Value, a.EndEpoch, a.Outcome, a.Reason)));
        Assert.All(attempts, a => Assert.NotNull(a.StartedAt));
        Assert.All(attempts.Where(a => a.Outcome is not null), a => Assert.True(a.EndedAt >= a.StartedAt));
        Assert.Equal(running.StartedAt, attempts[4].StartedAt);
        Assert.Equal(added.StartedAt, attempts[5].StartedAt);
        Assert.Empty(store.ListAttempts(store.CreateSweep(Definition("other"), Grid(1)).Id));

        int Number(TrialAttempt a) => store.ListTrials(sweep.Id).Single(t => t.Id == a.TrialId).Number;
    }

    [Fact]
    public void A_refused_write_under_a_lost_lease_leaves_the_attempts_as_they_were()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(1));
        var old = TrialLease.Of(store.ClaimNext(sweep.Id, "silent")!);
        store.RecoverLost(sweep.Id, TimeSpan.MaxValue, ["silent"], maxRetries: 3, "no heartbeat");
        var current = TrialLease.Of(store.ClaimNext(sweep.Id, "new")!);
        var before = store.ListAttempts(sweep.Id);

        Assert.Throws<LeaseLostException>(() => store.Finish(old, TrialState.Completed, null));
        Assert.Throws<LeaseLostException>(() => store.Release(old, "interrupted"));

        Assert.Equal(before, store.ListAttempts(sweep.Id));
        Assert.Equal([AttemptOutcome.Lost, (AttemptOutcome?)null], before.Select(a => a.Outcome));
        store.Finish(current, TrialState.Completed, null);
    }

    // ---- The sweep's orchestrator ----

    [Fact]
    public void The_first_orchestrator_of_a_sweep_is_granted_and_a_second_is_refused_naming_the_first()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(1));
        var other = store.CreateSweep(Definition("other"), Grid(1));

        var first = store.ClaimOrchestration(sweep.Id, "lab-1", 4242, TimeSpan.FromMinutes(1));
        var second = Open().ClaimOrchestration(sweep.Id, "lab-2", 77, TimeSpan.FromMinutes(1));
        var elsewhere = store.ClaimOrchestration(other.Id, "lab-2", 77, TimeSpan.FromMinutes(1));

        Assert.True(first.Granted);
        Assert.Equal((sweep.Id, "lab-1", 4242, TimeSpan.FromMinutes(1)), (first.Orchestrator.SweepId, first.Orchestrator.Host, first.Orchestrator.Pid, first.Orchestrator.Grace));
        Assert.False(second.Granted);
        Assert.True(second.Orchestrator.Identifies(first.Orchestrator));
        Assert.True(elsewhere.Granted);
        Assert.Equal(first.Orchestrator, store.FindOrchestrator(sweep.Id));
        Assert.True(first.Orchestrator.IsLive(DateTimeOffset.UtcNow));
        Assert.Throws<ArgumentException>(() => store.ClaimOrchestration(sweep.Id + 1000, "lab-1", 1, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void An_orchestrator_that_ended_stopped_beating_or_was_seen_dead_gives_way_and_its_own_beats_are_then_refused()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(1));
        var ended = store.ClaimOrchestration(sweep.Id, "lab-1", 1, TimeSpan.FromMinutes(1)).Orchestrator;
        store.EndOrchestration(ended);
        Assert.Null(store.FindOrchestrator(sweep.Id));

        var silent = store.ClaimOrchestration(sweep.Id, "lab-1", 2, TimeSpan.FromSeconds(1)).Orchestrator;
        Assert.True(store.BeatOrchestrator(silent));
        Thread.Sleep(TimeSpan.FromSeconds(1.2));
        var afterSilence = store.ClaimOrchestration(sweep.Id, "lab-2", 3, TimeSpan.FromMinutes(1));
        var dead = afterSilence.Orchestrator;
        var refusedWhileAlive = store.ClaimOrchestration(sweep.Id, "lab-1", 4, TimeSpan.FromMinutes(1));
        var seenDead = store.ClaimOrchestration(sweep.Id, "lab-1", 4, TimeSpan.FromMinutes(1), gone: dead);

        Assert.True(afterSilence.Granted);
        Assert.False(refusedWhileAlive.Granted);
        Assert.True(seenDead.Granted);
        Assert.False(store.BeatOrchestrator(silent));
        Assert.False(store.BeatOrchestrator(dead));
        store.EndOrchestration(dead);
        Assert.True(store.FindOrchestrator(sweep.Id)!.Identifies(seenDead.Orchestrator));
        Assert.True(store.BeatOrchestrator(seenDead.Orchestrator));
        Assert.True(store.FindOrchestrator(sweep.Id)!.HeartbeatAt >= seenDead.Orchestrator.HeartbeatAt);
    }

    [Fact]
    public void Orchestrators_racing_for_a_sweep_with_a_store_each_are_granted_exactly_once()
    {
        var sweep = Open().CreateSweep(Definition(), Grid(1));
        var stores = Enumerable.Range(0, 8).Select(_ => Open()).ToList();
        using var start = new Barrier(stores.Count);

        var claims = stores.AsParallel().WithDegreeOfParallelism(stores.Count).Select((s, i) =>
        {
            start.SignalAndWait();
            return s.ClaimOrchestration(sweep.Id, "lab", 100 + i, TimeSpan.FromMinutes(1));
        }).ToList();

        var granted = Assert.Single(claims, c => c.Granted);
        Assert.All(claims, c => Assert.True(c.Orchestrator.Identifies(granted.Orchestrator)));
    }

    // ---- Pruning checkpoints ----

    [Theory]
    [InlineData(MetricNames.ValAccuracy, 2)] // 0.9 for trials 2 and 3: the lower number wins the tie.
    [InlineData(MetricNames.ValLoss, 3)]
    [InlineData(MetricNames.Accuracy, 1)]
    [InlineData(MetricNames.Loss, 2)]
    public void Pruning_keeps_the_checkpoint_of_the_best_completed_trial_by_its_final_epoch_and_of_unfinished_trials(
        string metric, int best)
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(7));
        var other = store.CreateSweep(Definition("other"), Grid(1));
        // (final val_accuracy, final val_loss, final accuracy, final loss); trial 1's first epoch is better than its
        // last by every metric, and only the last counts.
        var one = Trained(store, sweep.Id, [(0.99, 0.01, 0.99, 0.01), (0.80, 0.30, 0.95, 0.40)]);
        var two = Trained(store, sweep.Id, [(0.90, 0.50, 0.70, 0.20)]);
        var three = Trained(store, sweep.Id, [(0.90, 0.20, 0.60, 0.30)]);
        var pruned = Trained(store, sweep.Id, [(1.0, 0.0, 1.0, 0.0)]);
        var running = Trained(store, sweep.Id, [(1.0, 0.0, 1.0, 0.0)]);
        var released = Trained(store, sweep.Id, [(1.0, 0.0, 1.0, 0.0)]);
        // Not finite: never ranked, like Ranking.Rank does not rank it.
        var nonFinite = Trained(store, sweep.Id, [(double.NaN, double.NegativeInfinity, double.PositiveInfinity, double.NaN)]);
        var elsewhere = Trained(store, other.Id, [(0.1, 9, 0.1, 9)]);
        foreach (var done in new[] { one, two, three, nonFinite, elsewhere })
        {
            store.Finish(done, TrialState.Completed, null);
        }

        store.Finish(pruned, TrialState.Pruned, "below the median");
        store.Release(released, "interrupted");
        var bytesBefore = new[] { one, two, three, pruned, running, released, nonFinite, elsewhere }
            .ToDictionary(l => l.TrialId, l => store.LoadCheckpoint(l.TrialId)!.Data);

        store.PruneCheckpoints(sweep.Id, metric);

        var kept = store.ListTrials(sweep.Id).Where(t => store.LoadCheckpoint(t.Id) is not null).Select(t => t.Number);
        Assert.Equal(new[] { best, 5, 6 }.Order(), kept);
        // The same winner as the ranking the results table shows.
        var ranked = Ranking.Rank(Ranking.Summarize(store.ListTrials(sweep.Id), store.ListEpochs(sweep.Id)), metric);
        Assert.Equal(best, ranked[0].Summary.Trial.Number);
        foreach (var lease in new[] { running, released, elsewhere })
        {
            AssertCheckpoint(store.LoadCheckpoint(lease.TrialId), lease.TrialId, 1, bytesBefore[lease.TrialId]);
        }

        var bestId = store.ListTrials(sweep.Id)[best - 1].Id;
        Assert.Equal(bytesBefore[bestId], store.LoadCheckpoint(bestId)!.Data);
        Assert.Equal(TrialState.Running, store.ListTrials(sweep.Id)[4].State);
    }

    [Fact]
    public void Pruning_a_sweep_without_a_ranked_trial_deletes_every_finished_trials_checkpoint()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(2));
        var nan = Trained(store, sweep.Id, [(double.NaN, double.NaN, double.NaN, double.NaN)]);
        var pruned = Trained(store, sweep.Id, [(0.9, 0.1, 0.9, 0.1)]);
        store.Finish(nan, TrialState.Completed, null);
        store.Finish(pruned, TrialState.Pruned, null);

        store.PruneCheckpoints(sweep.Id, MetricNames.ValAccuracy);

        Assert.Null(store.LoadCheckpoint(nan.TrialId));
        Assert.Null(store.LoadCheckpoint(pruned.TrialId));
    }

    [Theory]
    [InlineData("val_acc")]
    [InlineData("val_accuracy; DROP TABLE trials")]
    [InlineData("VAL_ACCURACY")]
    public void Pruning_by_a_metric_that_is_not_one_of_the_known_names_is_refused_and_deletes_nothing(string metric)
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(1));
        var lease = Trained(store, sweep.Id, [(0.9, 0.1, 0.9, 0.1)]);
        store.Finish(lease, TrialState.Pruned, null);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => store.PruneCheckpoints(sweep.Id, metric));

        Assert.Contains("val_accuracy, val_loss, accuracy, loss", error.Message, StringComparison.Ordinal);
        Assert.NotNull(store.LoadCheckpoint(lease.TrialId));
        Assert.Single(store.ListTrials(sweep.Id));
    }

    // ---- Launches and cancellation ----

    [Fact]
    public void Launches_come_back_per_sweep_oldest_first_as_recorded()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(2));
        var other = store.CreateSweep(Definition() with { Name = "other" }, Grid(1));

        var first = store.RecordLaunch(sweep.Id, "slurm", "1234", "/results/mnist-grid-slurm.sh");
        store.RecordLaunch(other.Id, "slurm", "99", null);
        store.RecordLaunch(sweep.Id, "slurm", "1240", "/results/mnist-grid-slurm.sh");

        var launches = Open().ListLaunches(sweep.Id);
        Assert.Equal(["1234", "1240"], launches.Select(l => l.JobId));
        Assert.All(launches, l => Assert.Equal(("slurm", sweep.Id, "/results/mnist-grid-slurm.sh"), (l.Kind, l.SweepId, l.ScriptPath)));
        Assert.Equal(first, launches[0]);
        Assert.InRange(first.LaunchedAt, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Null(Assert.Single(store.ListLaunches(other.Id)).ScriptPath);
        Assert.Throws<ArgumentException>(() => store.RecordLaunch(sweep.Id, "slurm", " ", null));
    }

    [Fact]
    public void A_cancelled_sweep_stays_cancelled_with_its_first_reason_until_cleared_and_others_are_untouched()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(2));
        var other = store.CreateSweep(Definition() with { Name = "other" }, Grid(1));
        Assert.Null(store.FindCancellation(sweep.Id));

        var cancelled = store.CancelSweep(sweep.Id, "cancelled by alice");
        var again = Open().CancelSweep(sweep.Id, "cancelled by bob");

        Assert.Equal(cancelled, again);
        Assert.Equal("cancelled by alice", Open().FindCancellation(sweep.Id)!.Reason);
        Assert.InRange(cancelled.CancelledAt, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Null(store.FindCancellation(other.Id));
        // Cancelling changes no trial: they stay queued, to resume later.
        Assert.All(store.ListTrials(sweep.Id), t => Assert.Equal(TrialState.Queued, t.State));

        Assert.True(store.ClearCancellation(sweep.Id));
        Assert.False(store.ClearCancellation(sweep.Id));
        Assert.Null(Open().FindCancellation(sweep.Id));
        Assert.Throws<ArgumentException>(() => store.CancelSweep(sweep.Id + 1000, "no such sweep"));
    }

    // ---- Schema ----

    [Fact]
    public void A_new_store_records_the_latest_schema_version()
    {
        Open();

        Assert.Equal(LatestSchema, ReadSchemaVersion());
    }

    [Fact]
    public void A_store_written_by_a_newer_version_is_refused_naming_both_versions() => RefusesANewerVersion(() => Open());

    /// <summary>A store of a schema after the latest is refused by <paramref name="open"/>, naming both versions, and left at it.</summary>
    private void RefusesANewerVersion(Func<ITrialStore> open)
    {
        var store = Open();
        store.CreateSweep(Definition(), Grid(1));
        store.Dispose();
        WriteSchemaVersion(LatestSchema + 1);

        var error = Assert.Throws<StoreVersionException>(open);

        Assert.Contains($"schema version {LatestSchema + 1}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"versions up to {LatestSchema}", error.Message, StringComparison.Ordinal);
        Assert.Equal(LatestSchema + 1, ReadSchemaVersion());
    }

    // ---- Readers (best, status, reports, the source of a copy) ----

    [Fact]
    public void A_reader_finds_no_store_where_there_is_none_and_creates_nothing()
    {
        var error = Assert.Throws<StoreNotFoundException>(() => OpenReader());

        Assert.StartsWith("no store at ", error.Message, StringComparison.Ordinal);
        Assert.False(AnythingExists());
    }

    [Fact]
    public void A_reader_sees_what_writers_commit_and_can_change_nothing()
    {
        var writer = Open();
        var sweep = writer.CreateSweep(Definition(), Grid(2));
        var reader = OpenReader();
        var trial = writer.ClaimNext(sweep.Id, "w")!;
        writer.RecordEpoch(TrialLease.Of(trial), Epoch(1), [1, 2, 3]);

        Assert.Equal("mnist-grid", Assert.Single(reader.ListSweeps()).Name);
        Assert.Equal([TrialState.Running, TrialState.Queued], reader.ListTrials(sweep.Id).Select(t => t.State));
        Assert.Single(reader.ListEpochs(sweep.Id));
        Assert.Equal([1, 2, 3], reader.LoadCheckpoint(trial.Id)!.Data);
        Assert.Throws<StoreUnavailableException>(() => reader.ClaimNext(sweep.Id, "reader"));
        Assert.Throws<StoreUnavailableException>(() => reader.CreateSweep(Definition("another"), Grid(1)));
        Assert.Equal(TrialState.Queued, writer.ListTrials(sweep.Id)[1].State);
        Assert.Single(writer.ListSweeps());
    }

    [Fact]
    public void A_reader_exports_a_sweep_for_a_copy()
    {
        var writer = Open();
        var sweep = writer.CreateSweep(Definition(), Grid(2));
        var trial = writer.ClaimNext(sweep.Id, "w")!;
        writer.RecordEpoch(TrialLease.Of(trial), Epoch(1), [1, 2, 3]);
        writer.Dispose();

        var archive = OpenReader().ExportSweep(sweep.Id);

        Assert.Equal(2, archive.Trials.Count);
        Assert.Single(archive.Trials[0].Epochs);
        Assert.Equal(1, archive.RunningTrials);
    }

    [Fact]
    public void A_reader_refuses_a_store_written_by_a_newer_version_naming_both_versions() => RefusesANewerVersion(() => OpenReader());

    // ---- Several users at once ----

    [Fact]
    public void A_second_store_sees_what_the_first_commits()
    {
        var orchestrator = Open();
        var reader = Open();
        var sweep = orchestrator.CreateSweep(Definition(), Grid(2));

        var worker = Open();
        var trial = worker.ClaimNext(reader.FindSweep("mnist-grid")!.Id, "w")!;
        worker.RecordEpoch(TrialLease.Of(trial), Epoch(1), [1, 2, 3]);

        Assert.Equal([TrialState.Running, TrialState.Queued], reader.ListTrials(sweep.Id).Select(t => t.State));
        Assert.Single(reader.ListEpochs(sweep.Id));
        Assert.Equal([1, 2, 3], reader.LoadCheckpoint(trial.Id)!.Data);
        Assert.Equal(2, orchestrator.ClaimNext(sweep.Id, "w2")!.Number);
    }

    [Fact]
    public async Task Readers_are_not_blocked_by_a_write_in_progress_and_do_not_see_it()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(2));
        var trial = store.ListTrials(sweep.Id)[0];
        var reader = Open();

        using (HoldUncommittedWrite(trial.Id))
        {
            var read = Task.Run(() => reader.ListTrials(sweep.Id));

            Assert.True(await Finishes(read), "The reader waited for the writer's transaction.");
            Assert.Null((await read)[0].Message);
        }
    }

    [Fact]
    public async Task Writers_are_not_blocked_by_a_reader_holding_a_read_transaction()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(2));

        using (HoldReadTransaction())
        {
            var write = Task.Run(() =>
            {
                var lease = TrialLease.Of(store.ClaimNext(sweep.Id, "w")!);
                store.RecordEpoch(lease, Epoch(1), new byte[40_000]);
                store.Finish(lease, TrialState.Completed, null);
            });

            Assert.True(await Finishes(write), "The writer waited for the reader's transaction.");
        }

        Assert.Equal(TrialState.Completed, store.ListTrials(sweep.Id)[0].State);
    }

    [Fact]
    public void A_new_store_opened_by_several_users_at_once_is_set_up_once()
    {
        var stores = OnThreadsAtOnce(8, _ => Open());

        Assert.Equal(8, stores.Distinct().Count());
        Assert.Equal(LatestSchema, ReadSchemaVersion());
        stores[0].CreateSweep(Definition(), Grid(1));
        Assert.All(stores, s => Assert.Single(s.ListSweeps()));
    }

    [Fact]
    public void A_sweep_created_by_several_users_at_once_is_created_once()
    {
        var stores = Enumerable.Range(0, 8).Select(_ => Open()).ToList();

        var sweeps = OnThreadsAtOnce(stores.Count, i => stores[i].CreateSweep(Definition(), Grid(50)));

        Assert.Single(sweeps.Select(s => s.Id).Distinct());
        Assert.Single(stores[0].ListSweeps());
        Assert.Equal(Enumerable.Range(1, 50), stores[0].ListTrials(sweeps[0].Id).Select(t => t.Number));
    }

    [Fact]
    public void Claims_are_exclusive_among_worker_processes()
    {
        var sweep = Open().CreateSweep(Definition(), Grid(200));

        var claimed = ClaimInWorkerProcesses(sweep.Id, workers: 4, maxTrials: null);

        AssertEachTrialClaimedOnceAndCompleted(sweep.Id, claimed, 200);
    }

    [Fact]
    public void Claims_are_exclusive_among_threads_with_a_store_each()
    {
        var sweep = Open().CreateSweep(Definition(), Grid(200));
        var stores = Enumerable.Range(1, 4).Select(_ => Open()).ToList();

        var claimed = ClaimAllConcurrently(sweep.Id, stores, maxTrials: null);

        AssertEachTrialClaimedOnceAndCompleted(sweep.Id, claimed, 200);
    }

    [Fact]
    public void Claims_are_exclusive_among_threads_sharing_one_store()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(200));

        var claimed = ClaimAllConcurrently(sweep.Id, [store, store, store, store], maxTrials: null);

        AssertEachTrialClaimedOnceAndCompleted(sweep.Id, claimed, 200);
    }

    [Fact]
    public void Concurrent_claimers_with_a_store_each_never_claim_more_than_the_budget()
    {
        var sweep = Open().CreateSweep(Definition(), Grid(200));
        var stores = Enumerable.Range(1, 4).Select(_ => Open()).ToList();

        var claimed = ClaimAllConcurrently(sweep.Id, stores, maxTrials: 37);

        AssertEachTrialClaimedOnceAndCompleted(sweep.Id, claimed, 37);
    }

    [Fact]
    public void Worker_processes_never_claim_more_than_the_budget_between_them()
    {
        var sweep = Open().CreateSweep(Definition(), Grid(200));

        var claimed = ClaimInWorkerProcesses(sweep.Id, workers: 4, maxTrials: 37);

        AssertEachTrialClaimedOnceAndCompleted(sweep.Id, claimed, 37);
    }

    /// <summary>Starts that many ClaimWorker processes, lets them claim together, and returns who claimed what.</summary>
    private List<(long TrialId, string Worker)> ClaimInWorkerProcesses(long sweepId, int workers, int? maxTrials)
    {
        var workerDll = Path.Combine(AppContext.BaseDirectory, "Piximi.Sweep.Storage.ClaimWorker.dll");
        var processes = Enumerable.Range(1, workers)
            .Select(i => ClaimWorkerProcess.Start(workerDll, ClaimWorkerArguments(sweepId, $"process-{i}", maxTrials)))
            .ToList();
        try
        {
            // Every worker has opened the store before any claims, so that they compete rather than take turns.
            foreach (var process in processes)
            {
                process.WaitUntilReady(TimeSpan.FromSeconds(60));
            }

            foreach (var process in processes)
            {
                process.Go();
            }

            return
            [
                .. processes.SelectMany((p, i) => p.WaitForClaims(TimeSpan.FromSeconds(120))
                    .Select(id => (TrialId: id, Worker: $"process-{i + 1}"))),
            ];
        }
        finally
        {
            foreach (var process in processes)
            {
                process.Dispose();
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> on that many threads released together; rethrows what they threw.</summary>
    private static List<T> OnThreadsAtOnce<T>(int count, Func<int, T> work)
    {
        var results = new T[count];
        var errors = new ConcurrentQueue<Exception>();
        using var start = new Barrier(count);
        var threads = Enumerable.Range(0, count).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            try
            {
                results[i] = work(i);
            }
            catch (Exception e)
            {
                // An exception escaping a thread would kill the test run instead of failing the test.
                errors.Enqueue(e);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(120)), "A thread did not finish."));
        Assert.Empty(errors);
        return [.. results];
    }

    private static List<(long TrialId, string Worker)> ClaimAllConcurrently(
        long sweepId, IReadOnlyList<ITrialStore> stores, int? maxTrials) =>
    [
        .. OnThreadsAtOnce(stores.Count, i =>
        {
            var worker = $"thread-{i + 1}";
            var claimed = new List<(long, string)>();
            while (stores[i].ClaimNext(sweepId, worker, maxTrials) is { } trial)
            {
                // "Training" that lets the others in; without it the first thread can take every trial.
                Thread.Sleep(1);
                stores[i].RecordEpoch(TrialLease.Of(trial), Epoch(1), [(byte)i]);
                stores[i].Finish(TrialLease.Of(trial), TrialState.Completed, worker);
                claimed.Add((trial.Id, worker));
            }

            return claimed;
        }).SelectMany(c => c),
    ];

    /// <summary>The first <paramref name="count"/> trials were claimed once each and completed; the rest never left the queue.</summary>
    private void AssertEachTrialClaimedOnceAndCompleted(
        long sweepId, IReadOnlyList<(long TrialId, string Worker)> claimed, int count)
    {
        // One reader for every check: a store holds a connection (a server's, for PostgreSQL) until the test ends.
        var reader = Open();
        var trials = reader.ListTrials(sweepId);
        var twice = claimed.GroupBy(c => c.TrialId).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(twice.Count == 0, $"Trials claimed more than once: {string.Join(", ", twice)}");
        Assert.Equal(trials.Take(count).Select(t => t.Id).Order(), claimed.Select(c => c.TrialId).Order());
        var workerOf = claimed.ToDictionary(c => c.TrialId, c => c.Worker);
        Assert.All(trials.Take(count), t =>
        {
            Assert.Equal(TrialState.Completed, t.State);
            Assert.Equal(1, t.Attempts);
            Assert.Equal(workerOf[t.Id], t.WorkerId);
            Assert.Equal(workerOf[t.Id], t.Message);
            Assert.NotNull(reader.LoadCheckpoint(t.Id));
        });
        Assert.All(trials.Skip(count), t => Assert.Equal((TrialState.Queued, 0), (t.State, t.Attempts)));
        Assert.Equal(count, reader.ListEpochs(sweepId).Count);
        // Otherwise the run proved nothing about concurrent claims.
        Assert.True(claimed.Select(c => c.Worker).Distinct().Count() > 1, "One worker claimed every trial.");
    }

    // ---- Summaries ----

    [Fact]
    public void Trial_summaries_from_the_store_equal_those_made_from_every_trial_and_epoch()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(5));
        var other = store.CreateSweep(Definition() with { Name = "other" }, Grid(2));
        Finish(store, store.ClaimNext(other.Id, "w")!, TrialState.Failed);
        store.Finish(Trained(store, sweep.Id, [(0.5, 1.0, 0.4, 1.2), (0.7, 0.8, 0.6, 0.9)]), TrialState.Completed, null);
        store.Finish(Trained(store, sweep.Id, [(0.6, 0.9, 0.5, 1.0)]), TrialState.Diverged, "loss became NaN");
        Trained(store, sweep.Id, [(double.NaN, double.PositiveInfinity, 0.1, -0.0)]); // still running
        store.ClaimNext(sweep.Id, "w2"); // running, no epoch yet

        var expected = Ranking.Summarize(store.ListTrials(sweep.Id), store.ListEpochs(sweep.Id));
        var actual = store.SummarizeTrials(sweep.Id);

        Assert.Equal(expected.Select(s => (s.Trial, s.Final, s.EpochsRun)), actual.Select(s => (s.Trial, s.Final, s.EpochsRun)));
        Assert.Equal(expected.Select(s => s.TrainingSeconds), actual.Select(s => s.TrainingSeconds));
        Assert.Equal(5, actual.Count);
        Assert.Null(actual[^1].Final);
    }

    [Fact]
    public void A_trial_finished_with_a_result_epoch_is_summarized_and_ranked_by_that_epoch()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(2));
        // Trial 1's best epoch (2) beats trial 2; its last epoch (3) does not.
        var early = Trained(store, sweep.Id, [(0.5, 1.0, 0.5, 1.0), (0.95, 0.1, 0.9, 0.2), (0.6, 0.9, 0.7, 0.5)]);
        var plain = Trained(store, sweep.Id, [(0.8, 0.4, 0.8, 0.4)]);
        store.Finish(early, TrialState.Completed, "stopped early; kept epoch 2's weights", resultEpoch: 2);
        store.Finish(plain, TrialState.Completed, null);

        var summaries = store.SummarizeTrials(sweep.Id);

        Assert.Equal((2, 3, 0.95), (summaries[0].Trial.ResultEpoch, summaries[0].EpochsRun, summaries[0].Final!.ValAccuracy));
        Assert.Null(summaries[1].Trial.ResultEpoch);
        var fromEpochs = Ranking.Summarize(store.ListTrials(sweep.Id), store.ListEpochs(sweep.Id));
        Assert.Equal(summaries.Select(s => (s.Trial, s.Final, s.EpochsRun)), fromEpochs.Select(s => (s.Trial, s.Final, s.EpochsRun)));
        Assert.Equal(1, Ranking.Rank(summaries, MetricNames.ValAccuracy)[0].Summary.Trial.Number);
        // The checkpoint kept is the winner's, judged by its result epoch as the ranking judges it.
        store.PruneCheckpoints(sweep.Id, MetricNames.ValAccuracy);
        Assert.NotNull(store.LoadCheckpoint(early.TrialId));
        Assert.Null(store.LoadCheckpoint(plain.TrialId));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void A_result_epoch_that_is_not_stored_is_refused_and_the_trial_keeps_running(int resultEpoch)
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(1));
        var lease = Trained(store, sweep.Id, [(0.5, 1.0, 0.5, 1.0), (0.6, 0.9, 0.6, 0.9)]);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => store.Finish(lease, TrialState.Completed, null, resultEpoch));

        Assert.Contains("epochs 1 to 2", error.Message, StringComparison.Ordinal);
        var trial = Assert.Single(store.ListTrials(sweep.Id));
        Assert.Equal((TrialState.Running, null), (trial.State, trial.ResultEpoch));
    }

    [Fact]
    public void A_pruned_trial_keeps_its_rung_and_only_a_pruned_trial_may_have_one()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(2));
        var pruned = Trained(store, sweep.Id, [(0.5, 1.0, 0.5, 1.0), (0.6, 0.9, 0.6, 0.9), (0.6, 0.9, 0.6, 0.9)]);
        var completed = Trained(store, sweep.Id, [(0.5, 1.0, 0.5, 1.0)]);

        Assert.Throws<ArgumentOutOfRangeException>(() => store.Finish(completed, TrialState.Completed, null, rung: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Finish(pruned, TrialState.Pruned, null, rung: -1));
        store.Finish(pruned, TrialState.Pruned, "rung 1 at epoch 3: not in the top 1/3", rung: 1);

        var trials = store.ListTrials(sweep.Id);
        Assert.Equal((TrialState.Pruned, 1, "rung 1 at epoch 3: not in the top 1/3"), (trials[0].State, trials[0].Rung, trials[0].Message));
        Assert.Equal((TrialState.Running, null), (trials[1].State, trials[1].Rung));
        Assert.Equal(3, store.SummarizeTrials(sweep.Id)[0].Final!.Epoch); // pruned at its last epoch
    }

    // ---- Proposed trials ----

    [Fact]
    public void A_proposed_trial_is_added_after_the_last_one_already_claimed_by_its_proposer()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), []);
        var points = Grid(3);

        var first = store.AddClaimedTrial(sweep.Id, 1, points[0], "w1")!;
        var second = store.AddClaimedTrial(sweep.Id, 2, points[1], "w2")!;

        Assert.Equal((1, TrialState.Running, "w1", 1, points[0]), (first.Number, first.State, first.WorkerId, first.Attempts, first.Hyperparameters));
        Assert.NotNull(first.HeartbeatAt);
        Assert.Equal(store.ListTrials(sweep.Id), [first, second]);
        // The lease works like a claim's: epochs, then finish.
        store.RecordEpoch(TrialLease.Of(first), Epoch(1), [1, 2, 3]);
        store.Finish(TrialLease.Of(first), TrialState.Completed, null);
        Assert.Equal(TrialState.Completed, store.ListTrials(sweep.Id)[0].State);
    }

    [Fact]
    public void Each_trial_keeps_its_model_whether_queued_with_the_sweep_or_proposed_claimed()
    {
        var store = Open();
        var definition = Definition() with
        {
            Parameters = Definition().Parameters with { Models = [ModelKind.MobileNet, ModelKind.SimpleCNN] },
        };
        var grid = Piximi.Sweep.Core.Grid.Expand(definition.Parameters);
        var sweep = store.CreateSweep(definition, grid);
        var proposed = Grid(1)[0] with { Model = ModelKind.MobileNet };

        var added = store.AddClaimedTrial(sweep.Id, grid.Count + 1, proposed, "w")!;

        Assert.Equal(ModelKind.MobileNet, added.Hyperparameters.Model);
        var trials = store.ListTrials(sweep.Id);
        Assert.Equal([.. grid, proposed], trials.Select(t => t.Hyperparameters));
        Assert.Equal(grid.Count / 2, trials.Count(t => t.Hyperparameters.Model == ModelKind.SimpleCNN));
        Assert.Equal(trials.Select(t => t.Hyperparameters), store.SummarizeTrials(sweep.Id).Select(s => s.Trial.Hyperparameters));
        Assert.Equal([ModelKind.MobileNet, ModelKind.SimpleCNN], store.FindSweep(definition.Name)!.Definition.Parameters.Models);
        Assert.Equal(SweepJson.Serialize(definition), SweepJson.Serialize(store.FindSweep(definition.Name)!.Definition));
    }

    [Fact]
    public void A_proposed_trial_whose_number_is_taken_or_skips_one_is_refused_and_writes_nothing()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(2));

        Assert.Null(store.AddClaimedTrial(sweep.Id, 2, Grid(3)[2], "w"));
        Assert.Null(store.AddClaimedTrial(sweep.Id, 4, Grid(3)[2], "w"));
        Assert.Equal(2, store.ListTrials(sweep.Id).Count);
        Assert.Equal(3, store.AddClaimedTrial(sweep.Id, 3, Grid(3)[2], "w")!.Number);
    }

    [Fact]
    public void A_proposed_trial_counts_against_the_trial_budget_like_a_claim()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), []);
        Assert.NotNull(store.AddClaimedTrial(sweep.Id, 1, Grid(1)[0], "w", maxTrials: 2));
        Assert.NotNull(store.AddClaimedTrial(sweep.Id, 2, Grid(2)[1], "w", maxTrials: 2));

        Assert.Null(store.AddClaimedTrial(sweep.Id, 3, Grid(3)[2], "w", maxTrials: 2));
        Assert.Equal(2, store.ListTrials(sweep.Id).Count);
    }

    [Fact]
    public void Proposers_racing_for_the_same_number_with_a_store_each_add_exactly_one_trial_per_number()
    {
        var sweep = Open().CreateSweep(Definition(), []);
        var stores = Enumerable.Range(1, 4).Select(_ => Open()).ToList();
        var added = new ConcurrentBag<(int Number, string Worker)>();

        Parallel.ForEach(stores.Select((s, i) => (Store: s, Worker: $"w{i}")), new ParallelOptions { MaxDegreeOfParallelism = 4 }, x =>
        {
            // Each proposer asks for the number after the last it saw, as a worker does, until 40 exist.
            while (true)
            {
                var last = x.Store.ListTrials(sweep.Id).Count;
                if (last >= 40) return;
                if (x.Store.AddClaimedTrial(sweep.Id, last + 1, Grid(40)[last], x.Worker) is { } trial)
                    added.Add((trial.Number, x.Worker));
            }
        });

        Assert.Equal(Enumerable.Range(1, 40), added.Select(a => a.Number).Order());
        Assert.Equal(Enumerable.Range(1, 40), Open().ListTrials(sweep.Id).Select(t => t.Number));
    }

    [Fact]
    public void Usage_counts_the_epochs_and_seconds_of_every_trial_of_the_sweep_only()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(3));
        var other = store.CreateSweep(Definition("other"), Grid(1));
        Assert.Equal(new SweepUsage(0, 0), store.Usage(sweep.Id));
        store.Finish(Trained(store, sweep.Id, [(0.5, 1, 0.5, 1), (0.6, 1, 0.6, 1)]), TrialState.Completed, null);
        Trained(store, sweep.Id, [(0.5, 1, 0.5, 1)]);
        var elsewhere = Trained(store, other.Id, [(0.5, 1, 0.5, 1)]);

        Assert.Equal(new SweepUsage(3, 3.0), store.Usage(sweep.Id)); // Trained stores 1 s per epoch

        // A sweep copied in brings its spend with it; an epoch whose time is not a number adds an epoch and no time.
        var copy = store.ImportSweep(store.ExportSweep(sweep.Id) with { Definition = Definition("copy") });
        Assert.Equal(new SweepUsage(3, 3.0), store.Usage(copy.Id));
        store.RecordEpoch(elsewhere, new EpochMetrics(2, 0.5, 0.5, 0.5, 0.5, double.NaN, double.NaN), null);
        Assert.Equal(new SweepUsage(2, 1.0), store.Usage(other.Id));
    }

    // ---- Evaluations ----

    [Fact]
    public void An_evaluation_comes_back_as_recorded_and_a_later_one_replaces_it()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(2));
        var lease = Trained(store, sweep.Id, [(0.5, 1.0, 0.5, 1.0)]);
        string[] classes = ["cat", "dog", "<script>"];

        store.RecordEvaluation(lease, new TrialEvaluation(lease.TrialId, classes, [[5, 1, 0], [2, 7, 1], [0, 0, 9]]));
        store.RecordEvaluation(lease, new TrialEvaluation(lease.TrialId, classes, [[6, 0, 0], [2, 7, 1], [0, 0, 9]]));
        store.Finish(lease, TrialState.Completed, null);

        var evaluation = store.LoadEvaluation(lease.TrialId)!;
        Assert.Equal(classes, evaluation.ClassNames);
        Assert.Equal([[6, 0, 0], [2, 7, 1], [0, 0, 9]], evaluation.Confusion.Select(row => row.ToArray()));
        Assert.Null(store.LoadEvaluation(lease.TrialId + 1));
    }

    [Fact]
    public void An_evaluation_under_a_lost_lease_or_of_the_wrong_shape_is_refused_and_writes_nothing()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(1));
        var lease = Trained(store, sweep.Id, [(0.5, 1.0, 0.5, 1.0)]);
        store.RecoverLost(sweep.Id, TimeSpan.MaxValue, ["w"], maxRetries: 2, "test");
        var evaluation = new TrialEvaluation(lease.TrialId, ["a", "b"], [[1, 0], [0, 1]]);

        Assert.Throws<LeaseLostException>(() => store.RecordEvaluation(lease, evaluation));
        var again = TrialLease.Of(store.ClaimNext(sweep.Id, "w2")!);
        Assert.Throws<ArgumentException>(() => store.RecordEvaluation(again, evaluation with { Confusion = [[1, 0]] }));
        Assert.Null(store.LoadEvaluation(lease.TrialId));
    }

    private static void Finish(ITrialStore store, TrialRecord trial, TrialState state) =>
        store.Finish(TrialLease.Of(trial), state, null);

    /// <summary>Claims the sweep's next trial and records these epochs' (val_accuracy, val_loss, accuracy, loss), each with a checkpoint.</summary>
    private static TrialLease Trained(
        ITrialStore store, long sweepId, IReadOnlyList<(double ValAccuracy, double ValLoss, double Accuracy, double Loss)> epochs)
    {
        var lease = TrialLease.Of(store.ClaimNext(sweepId, "w")!);
        for (var i = 0; i < epochs.Count; i++)
        {
            var (valAccuracy, valLoss, accuracy, loss) = epochs[i];
            store.RecordEpoch(
                lease,
                new EpochMetrics(i + 1, loss, accuracy, valLoss, valAccuracy, 1, 1000),
                RandomBytes(500, seed: (int)lease.TrialId * 10 + i));
        }

        return lease;
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static void AssertCheckpoint(TrialCheckpoint? checkpoint, long trialId, int epoch, byte[] data)
    {
        Assert.NotNull(checkpoint);
        Assert.Equal((trialId, epoch), (checkpoint.TrialId, checkpoint.Epoch));
        // Not Assert.Equal on the arrays: a mismatch in 300 KB should say where and how long, not print both.
        Assert.Equal(data.Length, checkpoint.Data.Length);
        Assert.True(data.AsSpan().SequenceEqual(checkpoint.Data), "The checkpoint's bytes differ from those recorded.");
    }

    /// <summary>
    /// Everything the store holds about a sweep's trials and epochs and one trial's checkpoint, times to the tick, so
    /// that "nothing changed" can be checked with one comparison.
    /// </summary>
    private static string Snapshot(ITrialStore store, long sweepId, long trialId)
    {
        var trials = store.ListTrials(sweepId).Select(t =>
            FormattableString.Invariant($"{t} started {t.StartedAt:O} heartbeat {t.HeartbeatAt:O} finished {t.FinishedAt:O}"));
        var epochs = store.ListEpochs(sweepId).Select(e =>
            FormattableString.Invariant($"{e.TrialId}: {string.Join(',', Bits(e.Metrics))} at {e.RecordedAt:O}"));
        var checkpoint = store.LoadCheckpoint(trialId) is { } c
            ? FormattableString.Invariant($"checkpoint of epoch {c.Epoch}: {Convert.ToHexString(SHA256.HashData(c.Data))}")
            : "no checkpoint";
        return string.Join('\n', [.. trials, .. epochs, checkpoint]);
    }

    /// <summary>Whether the task ends well before the store's own 30 s busy timeout would make it fail.</summary>
    private static async Task<bool> Finishes(Task task) =>
        await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(10))) == task;

    private static long[] Bits(EpochMetrics m) =>
    [
        m.Epoch,
        .. new[] { m.Loss, m.Accuracy, m.ValLoss, m.ValAccuracy, m.Seconds, m.ImagesPerSecond }
            .Select(BitConverter.DoubleToInt64Bits),
    ];
}
