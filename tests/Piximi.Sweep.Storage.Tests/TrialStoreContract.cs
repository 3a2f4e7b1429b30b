using System.Collections.Concurrent;
using Piximi.Sweep.Core;
using static Piximi.Sweep.Storage.Tests.Sweeps;

namespace Piximi.Sweep.Storage.Tests;

/// <summary>
/// What every <see cref="ITrialStore"/> backend must do. A backend's test class derives from this one and says how
/// to open its store; each test gets a store of its own, empty.
/// </summary>
public abstract class TrialStoreContract : IDisposable
{
    private readonly List<ITrialStore> _opened = [];

    /// <summary>Opens a new instance over this test's store (a second call gives a second, independent instance).</summary>
    protected abstract ITrialStore OpenNewInstance();

    protected abstract int ReadSchemaVersion();

    /// <summary>Overwrites the stored schema version, as a newer or older program would have left it.</summary>
    protected abstract void WriteSchemaVersion(int version);

    /// <summary>The arguments after the worker's dll that make it claim from this test's store.</summary>
    protected abstract IReadOnlyList<string> ClaimWorkerArguments(long sweepId, string workerId);

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
        store.Finish(claimed.Id, TrialState.Completed, null);
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
        Assert.Contains("--db", conflict.Message, StringComparison.Ordinal);
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
            Assert.InRange(c.StartedAt!.Value, before, DateTimeOffset.UtcNow.AddSeconds(1));
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

        // Recorded out of order, so the listing order is the store's doing.
        store.RecordEpoch(two.Id, diverged);
        store.RecordEpoch(two.Id, awkward);
        store.RecordEpoch(one.Id, Epoch(2));
        store.RecordEpoch(one.Id, Epoch(1));

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

    [Fact]
    public void Recording_an_epoch_number_twice_throws_and_keeps_the_first()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(1));
        var trial = store.ClaimNext(sweep.Id, "w")!;
        store.RecordEpoch(trial.Id, Epoch(1, loss: 0.5));

        var error = Assert.Throws<InvalidOperationException>(() => store.RecordEpoch(trial.Id, Epoch(1, loss: 0.4)));

        Assert.Contains($"Trial {trial.Id}", error.Message, StringComparison.Ordinal);
        Assert.Equal(0.5, Assert.Single(store.ListEpochs(sweep.Id)).Metrics.Loss);
    }

    [Fact]
    public void Recording_an_epoch_of_a_trial_that_is_not_running_throws_and_records_nothing()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(2));
        var finished = store.ClaimNext(sweep.Id, "w")!;
        store.Finish(finished.Id, TrialState.Completed, null);
        var queued = store.ListTrials(sweep.Id)[1];

        var ofFinished = Assert.Throws<InvalidOperationException>(() => store.RecordEpoch(finished.Id, Epoch(1)));
        var ofQueued = Assert.Throws<InvalidOperationException>(() => store.RecordEpoch(queued.Id, Epoch(1)));
        var ofMissing = Assert.Throws<InvalidOperationException>(() => store.RecordEpoch(queued.Id + 100, Epoch(1)));

        Assert.Contains($"trial {finished.Id}: it is completed", ofFinished.Message, StringComparison.Ordinal);
        Assert.Contains($"trial {queued.Id}: it is queued", ofQueued.Message, StringComparison.Ordinal);
        Assert.Contains("no such trial", ofMissing.Message, StringComparison.Ordinal);
        Assert.Empty(store.ListEpochs(sweep.Id));
    }

    // ---- Finishing ----

    [Theory]
    [InlineData(TrialState.Completed, null)]
    [InlineData(TrialState.Failed, "CUDA out of memory")]
    [InlineData(TrialState.Diverged, "loss is NaN at epoch 3")]
    [InlineData(TrialState.Pruned, "below the median at epoch 2")]
    public void Finishing_a_running_trial_stores_its_final_state_message_and_time(TrialState state, string? message)
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(2));
        var trial = store.ClaimNext(sweep.Id, "w")!;

        store.Finish(trial.Id, state, message);

        var stored = store.ListTrials(sweep.Id)[0];
        Assert.Equal(state, stored.State);
        Assert.Equal(message, stored.Message);
        Assert.Equal("w", stored.WorkerId);
        Assert.InRange(stored.FinishedAt!.Value, trial.StartedAt!.Value, DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal(TrialState.Queued, store.ListTrials(sweep.Id)[1].State);
    }

    [Fact]
    public void Finishing_a_trial_that_is_not_running_throws_naming_the_trial_and_its_state()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(2));
        var done = store.ClaimNext(sweep.Id, "w")!;
        store.Finish(done.Id, TrialState.Failed, "first");
        var queued = store.ListTrials(sweep.Id)[1];

        var again = Assert.Throws<InvalidOperationException>(() => store.Finish(done.Id, TrialState.Completed, "second"));
        var early = Assert.Throws<InvalidOperationException>(() => store.Finish(queued.Id, TrialState.Completed, null));

        Assert.Contains($"trial {done.Id}: it is failed, not running", again.Message, StringComparison.Ordinal);
        Assert.Contains($"trial {queued.Id}: it is queued, not running", early.Message, StringComparison.Ordinal);
        var trials = store.ListTrials(sweep.Id);
        Assert.Equal((TrialState.Failed, "first"), (trials[0].State, trials[0].Message));
        Assert.Equal(TrialState.Queued, trials[1].State);
    }

    [Theory]
    [InlineData(TrialState.Queued)]
    [InlineData(TrialState.Running)]
    public void Finishing_in_a_state_that_is_not_final_is_refused(TrialState state)
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(1));
        var trial = store.ClaimNext(sweep.Id, "w")!;

        Assert.Throws<ArgumentOutOfRangeException>(() => store.Finish(trial.Id, state, null));
        Assert.Equal(TrialState.Running, Assert.Single(store.ListTrials(sweep.Id)).State);
    }

    // ---- Requeue ----

    [Fact]
    public void Requeueing_puts_running_trials_back_in_the_queue_and_deletes_nothing()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(3));
        var done = store.ClaimNext(sweep.Id, "w1")!;
        var lost = store.ClaimNext(sweep.Id, "w2")!;
        store.RecordEpoch(done.Id, Epoch(1));
        store.Finish(done.Id, TrialState.Completed, null);
        store.RecordEpoch(lost.Id, Epoch(1));
        store.RecordEpoch(lost.Id, Epoch(2));
        var otherSweep = store.CreateSweep(Definition("other"), Grid(1));
        store.ClaimNext(otherSweep.Id, "w3");

        Assert.Equal(1, store.RequeueRunning(sweep.Id));

        var trials = store.ListTrials(sweep.Id);
        Assert.Equal((TrialState.Completed, 1, "w1"), (trials[0].State, trials[0].Attempts, trials[0].WorkerId));
        Assert.Equal((TrialState.Queued, 1, null), (trials[1].State, trials[1].Attempts, trials[1].WorkerId));
        Assert.Equal(TrialState.Queued, trials[2].State);
        Assert.Equal(3, store.ListEpochs(sweep.Id).Count);
        Assert.Equal(TrialState.Running, Assert.Single(store.ListTrials(otherSweep.Id)).State);
        Assert.Equal(0, store.RequeueRunning(sweep.Id));
    }

    [Fact]
    public void A_requeued_trial_is_claimed_again_first_and_starts_over_from_its_first_epoch()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(2));
        var lost = store.ClaimNext(sweep.Id, "gone")!;
        store.RecordEpoch(lost.Id, Epoch(1, loss: 0.9));
        store.RecordEpoch(lost.Id, Epoch(2, loss: 0.8));
        store.RequeueRunning(sweep.Id);

        var retried = store.ClaimNext(sweep.Id, "w")!;
        store.RecordEpoch(retried.Id, Epoch(1, loss: 0.7));

        Assert.Equal((lost.Id, 2, "w"), (retried.Id, retried.Attempts, retried.WorkerId));
        var epoch = Assert.Single(store.ListEpochs(sweep.Id));
        Assert.Equal((lost.Id, 1, 0.7), (epoch.TrialId, epoch.Metrics.Epoch, epoch.Metrics.Loss));
    }

    // ---- Schema ----

    [Fact]
    public void A_new_store_records_schema_version_one()
    {
        Open();

        Assert.Equal(1, ReadSchemaVersion());
    }

    [Fact]
    public void A_store_written_by_a_newer_version_is_refused_naming_both_versions()
    {
        var store = Open();
        store.CreateSweep(Definition(), Grid(1));
        store.Dispose();
        WriteSchemaVersion(7);

        var error = Assert.Throws<StoreVersionException>(() => Open());

        Assert.Contains("schema version 7", error.Message, StringComparison.Ordinal);
        Assert.Contains("versions up to 1", error.Message, StringComparison.Ordinal);
        Assert.Equal(7, ReadSchemaVersion());
    }

    // ---- Several users at once ----

    [Fact]
    public void A_second_store_sees_what_the_first_commits()
    {
        var orchestrator = Open();
        var reader = Open();
        var sweep = orchestrator.CreateSweep(Definition(), Grid(2));

        var worker = Open();
        var trial = worker.ClaimNext(reader.FindSweep("mnist-grid")!.Id, "w")!;
        worker.RecordEpoch(trial.Id, Epoch(1));

        Assert.Equal([TrialState.Running, TrialState.Queued], reader.ListTrials(sweep.Id).Select(t => t.State));
        Assert.Single(reader.ListEpochs(sweep.Id));
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
                var trial = store.ClaimNext(sweep.Id, "w")!;
                store.RecordEpoch(trial.Id, Epoch(1));
                store.Finish(trial.Id, TrialState.Completed, null);
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
        Assert.Equal(1, ReadSchemaVersion());
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
        const int Workers = 4;
        var sweep = Open().CreateSweep(Definition(), Grid(200));
        var workerDll = Path.Combine(AppContext.BaseDirectory, "Piximi.Sweep.Storage.ClaimWorker.dll");
        var processes = Enumerable.Range(1, Workers)
            .Select(i => ClaimWorkerProcess.Start(workerDll, ClaimWorkerArguments(sweep.Id, $"process-{i}")))
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

            var claimed = processes.SelectMany((p, i) => p.WaitForClaims(TimeSpan.FromSeconds(120))
                    .Select(id => (TrialId: id, Worker: $"process-{i + 1}")))
                .ToList();

            AssertEachTrialClaimedOnceAndCompleted(sweep.Id, claimed);
        }
        finally
        {
            foreach (var process in processes)
            {
                process.Dispose();
            }
        }
    }

    [Fact]
    public void Claims_are_exclusive_among_threads_with_a_store_each()
    {
        var sweep = Open().CreateSweep(Definition(), Grid(200));
        var stores = Enumerable.Range(1, 4).Select(_ => Open()).ToList();

        var claimed = ClaimAllConcurrently(sweep.Id, stores);

        AssertEachTrialClaimedOnceAndCompleted(sweep.Id, claimed);
    }

    [Fact]
    public void Claims_are_exclusive_among_threads_sharing_one_store()
    {
        var store = Open();
        var sweep = store.CreateSweep(Definition(), Grid(200));

        var claimed = ClaimAllConcurrently(sweep.Id, [store, store, store, store]);

        AssertEachTrialClaimedOnceAndCompleted(sweep.Id, claimed);
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

    private static List<(long TrialId, string Worker)> ClaimAllConcurrently(long sweepId, IReadOnlyList<ITrialStore> stores) =>
    [
        .. OnThreadsAtOnce(stores.Count, i =>
        {
            var worker = $"thread-{i + 1}";
            var claimed = new List<(long, string)>();
            while (stores[i].ClaimNext(sweepId, worker) is { } trial)
            {
                // "Training" that lets the others in; without it the first thread can take every trial.
                Thread.Sleep(1);
                stores[i].RecordEpoch(trial.Id, Epoch(1));
                stores[i].Finish(trial.Id, TrialState.Completed, worker);
                claimed.Add((trial.Id, worker));
            }

            return claimed;
        }).SelectMany(c => c),
    ];

    private void AssertEachTrialClaimedOnceAndCompleted(long sweepId, IReadOnlyList<(long TrialId, string Worker)> claimed)
    {
        var trials = Open().ListTrials(sweepId);
        var twice = claimed.GroupBy(c => c.TrialId).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(twice.Count == 0, $"Trials claimed more than once: {string.Join(", ", twice)}");
        Assert.Equal(trials.Select(t => t.Id).Order(), claimed.Select(c => c.TrialId).Order());
        var workerOf = claimed.ToDictionary(c => c.TrialId, c => c.Worker);
        Assert.All(trials, t =>
        {
            Assert.Equal(TrialState.Completed, t.State);
            Assert.Equal(1, t.Attempts);
            Assert.Equal(workerOf[t.Id], t.WorkerId);
            Assert.Equal(workerOf[t.Id], t.Message);
        });
        Assert.Equal(trials.Count, Open().ListEpochs(sweepId).Count);
        // Otherwise the run proved nothing about concurrent claims.
        Assert.True(claimed.Select(c => c.Worker).Distinct().Count() > 1, "One worker claimed every trial.");
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
