using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Cli.Tests;

/// <summary>
/// Overnight-proof, with real processes and real signals: workers and the orchestrator killed at chosen points, a
/// worker frozen so it stops beating, native aborts and exceptions inside a trial, Ctrl+C, deadlines and budgets.
/// After each: the file is sound, every trial finished exactly once, epochs are 1..n with no gap or duplicate, and
/// what was stored before the crash is unchanged.
/// </summary>
public sealed class An_overnight_sweep
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    private static string Sweep(TestFolder folder, string name, int trials = 2, int epochs = 3, int subset = 3000) =>
        folder.Write($"{name}.yaml", TestFolder.SmallSweep(name, subset,
            ("learning_rate", trials switch { 1 => "0.01", 2 => "[0.003, 0.01]", 3 => "[0.001, 0.003, 0.01]", 4 => "[0.001, 0.003, 0.01, 0.03]", _ => throw new ArgumentOutOfRangeException(nameof(trials)) }),
            ("batch_size", "16"), ("epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture))));

    [Fact]
    public async Task Resumes_the_trial_of_a_worker_killed_mid_epoch_with_the_metrics_of_an_undisturbed_run()
    {
        using var folder = new TestFolder();
        var file = Sweep(folder, "killed", trials: 2, epochs: 4);
        using var run = Cli.Start(folder.Path, "run", file, "--db", folder.Db, "--workers", "1");

        // SIGKILL the worker once its trial has stored an epoch: it dies in the middle of the next one.
        var (victim, before) = await WaitForAsync(folder.Db, "killed", s =>
            s.Trials.FirstOrDefault(t => t.State == TrialState.Running && s.Epochs.Any(e => e.TrialId == t.Id)) is { } running
                ? (running, s.Epochs)
                : default);
        Assert.Equal(0, Signals.Send(Pid(victim.WorkerId), Signals.Kill));

        var result = await run.WaitAsync(Timeout);

        Assert.True(result.ExitCode == 0, result.ToString());
        var trials = StoreChecks.FinishedCleanly(folder.Db, "killed", before);
        var resumed = trials.Single(t => t.Id == victim.Id);
        Assert.Equal(1, resumed.Lost);
        Assert.Equal(2, resumed.Attempts);
        Assert.Contains("SIGKILL", result.Output + File.ReadAllText(Path.Combine(folder.Path, "results", "killed.log")));

        // The same sweep undisturbed, in another store: the resumed trial measured exactly what it would have.
        var otherDb = Path.Combine(folder.Path, "undisturbed.db");
        var undisturbed = await Cli.RunProcessAsync(folder.Path, Timeout, "run", file, "--db", otherDb, "--workers", "1");
        Assert.True(undisturbed.ExitCode == 0, undisturbed.ToString());
        var (store, sweep) = StoreChecks.Open(folder.Db, "killed");
        var (reference, referenceSweep) = StoreChecks.Open(otherDb, "killed");
        using (store)
        using (reference)
        {
            var referenceTrials = reference.ListTrials(referenceSweep.Id);
            StoreChecks.SameMeasurements(reference.ListEpochs(referenceSweep.Id), store.ListEpochs(sweep.Id),
                id => trials.Single(t => t.Id == id).Number, id => referenceTrials.Single(t => t.Id == id).Number);
        }
    }

    [Fact]
    public async Task Recovers_a_worker_killed_between_its_claim_and_its_first_epoch()
    {
        using var folder = new TestFolder();
        var file = Sweep(folder, "early", trials: 3, epochs: 2, subset: 6000);
        using var run = Cli.Start(folder.Path, "run", file, "--db", folder.Db, "--workers", "1");

        var victim = await WaitForAsync(folder.Db, "early", s =>
            s.Trials.FirstOrDefault(t => t.State == TrialState.Running && s.Epochs.All(e => e.TrialId != t.Id)), pollMilliseconds: 5);
        Assert.Equal(0, Signals.Send(Pid(victim.WorkerId), Signals.Kill));

        var result = await run.WaitAsync(Timeout);

        Assert.True(result.ExitCode == 0, result.ToString());
        var trials = StoreChecks.FinishedCleanly(folder.Db, "early");
        Assert.Equal(1, trials.Single(t => t.Id == victim.Id).Lost);
    }

    [Fact]
    public async Task Continues_after_the_orchestrator_and_all_workers_are_killed_without_rerunning_finished_trials()
    {
        using var folder = new TestFolder();
        var file = Sweep(folder, "reboot", trials: 4, epochs: 3);
        using var run = Cli.Start(folder.Path, "run", file, "--db", folder.Db, "--workers", "2");

        var (trialsBefore, epochsBefore) = await WaitForAsync(folder.Db, "reboot", s =>
            s.Trials.Any(t => t.State == TrialState.Completed)
            && s.Trials.Any(t => t.State == TrialState.Running && s.Epochs.Any(e => e.TrialId == t.Id))
                ? (s.Trials, s.Epochs)
                : default);
        // As a power cut would: everything at once, no chance to clean up.
        var children = Children(run.Id);
        Assert.Equal(0, Signals.Send(run.Id, Signals.Kill));
        foreach (var child in children) Signals.Send(child, Signals.Kill);
        await run.WaitAsync(Timeout);
        StoreChecks.IntegrityIsOk(folder.Db);

        var again = await Cli.RunProcessAsync(folder.Path, Timeout, "resume", "reboot", "--db", folder.Db);

        Assert.True(again.ExitCode == 0, again.ToString());
        var trials = StoreChecks.FinishedCleanly(folder.Db, "reboot", epochsBefore);
        // Trials finished before the crash were not touched again.
        foreach (var done in trialsBefore.Where(t => t.State == TrialState.Completed))
            Assert.Equal(done, trials.Single(t => t.Id == done.Id));
        Assert.Equal(4, trials.Count);
    }

    [Fact]
    public async Task Hands_the_trial_of_a_frozen_worker_to_another_once_its_heartbeat_is_stale()
    {
        using var folder = new TestFolder();
        var file = Sweep(folder, "frozen", trials: 3, epochs: 3, subset: 4000);
        using var run = Cli.Start(folder.Path, "run", file, "--db", folder.Db, "--workers", "2", "--heartbeat-grace", "3s");

        var frozen = await WaitForAsync(folder.Db, "frozen", s => s.Trials.FirstOrDefault(t => t.State == TrialState.Running));
        var pid = Pid(frozen.WorkerId);
        Assert.Equal(0, Signals.Send(pid, Signals.Stop));
        try
        {
            // While the worker is frozen (alive, but silent), its trial must leave it: no other trial has to start first.
            await WaitForAsync(folder.Db, "frozen", s =>
                s.Trials.Single(t => t.Id == frozen.Id) is { } trial && trial.WorkerId != frozen.WorkerId ? trial : null);
        }
        finally
        {
            Signals.Send(pid, Signals.Continue);
        }

        var result = await run.WaitAsync(Timeout);

        Assert.True(result.ExitCode == 0, result.ToString());
        var trials = StoreChecks.FinishedCleanly(folder.Db, "frozen");
        Assert.Equal(1, trials.Single(t => t.Id == frozen.Id).Lost);
        var log = File.ReadAllText(Path.Combine(folder.Path, "results", "frozen.log"));
        Assert.Contains("no heartbeat for 3s", log);
        Assert.Contains("lease lost", log);
    }

    [Fact]
    public async Task Counts_a_native_crash_as_a_lost_attempt_and_fails_the_trial_only_once_lost_past_its_retries_without_progress()
    {
        using var folder = new TestFolder();
        var file = Sweep(folder, "crash", trials: 3, epochs: 2, subset: 1000);

        // Every attempt at trial 2 aborts (a native crash: no exception) once epoch 2 is trained, before storing it.
        var result = await Cli.RunProcessAsync(folder.Path, Timeout,
            ["run", file, "--db", folder.Db, "--workers", "1", "--max-retries", "1"],
            new Dictionary<string, string> { [FaultVariable] = "abort-at-epoch:2:2" });

        Assert.True(result.ExitCode == 1, result.ToString());
        StoreChecks.IntegrityIsOk(folder.Db);
        var (check, sweepRecord) = StoreChecks.Open(folder.Db, "crash");
        using var _ = check;
        var trials = check.ListTrials(sweepRecord.Id);
        var failed = trials.Single(t => t.Number == 2);
        Assert.Equal(TrialState.Failed, failed.State);
        // The first attempt stored epoch 1, so its loss did not count; the two after it stored nothing.
        Assert.Contains("(SIGABRT); lost 2 times without storing an epoch after epoch 1, more than the 1 retries allowed", failed.Message);
        Assert.Equal((3, 3), (failed.Attempts, failed.Lost));
        Assert.Equal(
            [(0, 1, AttemptOutcome.Lost), (1, 1, AttemptOutcome.Lost), (1, 1, AttemptOutcome.Lost)],
            check.ListAttempts(sweepRecord.Id).Where(a => a.TrialId == failed.Id).Select(a => (a.StartEpoch!.Value, a.EndEpoch!.Value, a.Outcome!.Value)));
        Assert.All(trials.Where(t => t.Number != 2), t => Assert.Equal(TrialState.Completed, t.State));
        // The crashing epoch was never stored; the epoch before it was, once.
        Assert.Equal([1], check.ListEpochs(sweepRecord.Id).Where(e => e.TrialId == failed.Id).Select(e => e.Metrics.Epoch));
        Assert.Null(check.LoadCheckpoint(failed.Id));
    }

    [Theory]
    // Thrown in the worker, as a broken data pipeline would; the trial's own check failing is the same path.
    [InlineData("throw-at-epoch:2:2", "injected fault (PIXIMI_SWEEP_FAULT): the data pipeline broke in epoch 2 of trial 2", "   at ")]
    // A libtorch error TorchSharp throws (its message goes on with where it was raised and native frames).
    [InlineData("torch-error-at-epoch:2:2", "Given groups=1, weight of size [4, 3, 3, 3], expected input[1, 1, 8, 8] to have 3 channels, but got 1 channels instead", "frame #0: ")]
    // A libtorch error TorchSharp does not catch: it aborts the worker, and libstdc++ prints it with native frames.
    [InlineData("torch-abort-at-epoch:2:2", "libtorch error: mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)", "frame #0: ")]
    public async Task Fails_a_trial_at_once_on_an_error_inside_it_with_one_line_and_its_stack_trace_in_the_log_only(string fault, string reason, string traceInLog)
    {
        using var folder = new TestFolder();
        var file = Sweep(folder, "error", trials: 3, epochs: 2, subset: 1000);

        var result = await Cli.RunProcessAsync(folder.Path, Timeout,
            ["run", file, "--db", folder.Db, "--workers", "1", "--max-retries", "2"],
            new Dictionary<string, string> { [FaultVariable] = fault });

        // No stack trace on the console (RunProcessAsync fails on one): the reason, on one line, once per place.
        Assert.True(result.ExitCode == 1, result.ToString());
        var console = (result.Output + result.Error).Split('\n');
        Assert.Single(console, l => l.Contains("Trial 2 failed: ", StringComparison.Ordinal) && l.Contains(reason, StringComparison.Ordinal));
        Assert.Single(console, l => l.Contains("trial 2 failed: ", StringComparison.Ordinal) && l.EndsWith(reason, StringComparison.Ordinal));
        Assert.DoesNotContain("re-queued", result.Output + result.Error);
        var log = File.ReadAllText(Path.Combine(folder.Path, "results", "error.log"));
        Assert.Contains(traceInLog, log);
        var (check, sweepRecord) = StoreChecks.Open(folder.Db, "error");
        using var _ = check;
        var trials = check.ListTrials(sweepRecord.Id);
        var failed = trials.Single(t => t.Number == 2);
        // Failed at its first attempt, not retried, not counted as lost.
        Assert.Equal((TrialState.Failed, reason, 1, 0), (failed.State, failed.Message, failed.Attempts, failed.Lost));
        var attempt = Assert.Single(check.ListAttempts(sweepRecord.Id), a => a.TrialId == failed.Id);
        Assert.Equal((AttemptOutcome.Failed, 1), (attempt.Outcome!.Value, attempt.EndEpoch!.Value));
        Assert.All(trials.Where(t => t.Number != 2), t => Assert.Equal(TrialState.Completed, t.State));
        Assert.Equal([1], check.ListEpochs(sweepRecord.Id).Where(e => e.TrialId == failed.Id).Select(e => e.Metrics.Epoch));
    }

    [Fact]
    public async Task Never_fails_a_trial_that_stores_an_epoch_between_kills_whatever_the_retries()
    {
        using var folder = new TestFolder();
        var file = Sweep(folder, "progress", trials: 1, epochs: 6, subset: 6000);
        using var run = Cli.Start(folder.Path, "run", file, "--db", folder.Db, "--workers", "1", "--max-retries", "0");

        // SIGKILL the trial's worker each time its attempt has stored an epoch: three losses, none without progress.
        var kills = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            var holder = await WaitForStoreAsync(folder.Db, "progress", (store, sweep) =>
                store.ListTrials(sweep.Id)[0].State != TrialState.Queued && store.ListTrials(sweep.Id)[0].State != TrialState.Running ? "ended"
                : store.ListAttempts(sweep.Id) is [.., { Outcome: null, StartEpoch: { } from, WorkerId: var w }]
                  && store.ListEpochs(sweep.Id).Count > from && !kills.Contains(Pid(w)) ? w : null);
            if (holder == "ended") break;
            kills.Add(Pid(holder));
            Assert.Equal(0, Signals.Send(Pid(holder), Signals.Kill));
        }

        var result = await run.WaitAsync(Timeout);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(kills.Count == 3, result.ToString());
        var trial = Assert.Single(StoreChecks.FinishedCleanly(folder.Db, "progress"));
        Assert.Equal((TrialState.Completed, 3, 4), (trial.State, trial.Lost, trial.Attempts));
        var (store, sweepRecord) = StoreChecks.Open(folder.Db, "progress");
        using (store)
        {
            var attempts = store.ListAttempts(sweepRecord.Id);
            Assert.Equal([AttemptOutcome.Lost, AttemptOutcome.Lost, AttemptOutcome.Lost, AttemptOutcome.Completed], attempts.Select(a => a.Outcome!.Value));
            Assert.All(attempts, a => Assert.True(a.MadeProgress, a.ToString()));
        }
        Assert.Contains("not counted against the retries", File.ReadAllText(Path.Combine(folder.Path, "results", "progress.log")));

        // trials says why each attempt ended.
        var trials = await Cli.RunAsync("trials", "--db", folder.Db);
        Assert.Contains($"  trial 1: attempt 1: epoch", trials.Output);
        Assert.Contains($", lost (worker {kills[0]} was killed by signal 9 (SIGKILL)); attempt 2: ", trials.Output);
        Assert.Matches(@"attempt 4: epochs? [0-9–]+, completed", trials.Output);
        Assert.Contains("4 (3 lost)", trials.Output);
    }

    [Fact]
    public async Task Stops_gently_on_the_first_sigint_and_resumes_every_trial_after_its_last_stored_epoch()
    {
        using var folder = new TestFolder();
        var file = Sweep(folder, "stop", trials: 4, epochs: 3);
        using var run = Cli.Start(folder.Path, "run", file, "--db", folder.Db, "--workers", "2");

        var before = await WaitForAsync(folder.Db, "stop", s => s.Epochs.Count >= 2 ? s.Epochs : null);
        Assert.Equal(0, Signals.Send(run.Id, Signals.Interrupt));

        var result = await run.WaitAsync(Timeout);

        Assert.True(result.ExitCode == 130, result.ToString());
        Assert.Contains("Continue with: piximi-sweep resume stop", result.Output);
        StoreChecks.IntegrityIsOk(folder.Db);
        var (store, sweepRecord) = StoreChecks.Open(folder.Db, "stop");
        using (store)
        {
            var trials = store.ListTrials(sweepRecord.Id);
            Assert.DoesNotContain(trials, t => t.State == TrialState.Running);
            Assert.All(trials, t => Assert.Equal(0, t.Lost));
            Assert.Contains(trials, t => t.State == TrialState.Queued && t.Message?.Contains("interrupted") == true);
        }

        var resumed = await Cli.RunProcessAsync(folder.Path, Timeout, "resume", "stop", "--db", folder.Db);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        StoreChecks.FinishedCleanly(folder.Db, "stop", before);
    }

    [Fact]
    public async Task Stops_at_once_on_a_second_sigint_and_loses_nothing_stored()
    {
        using var folder = new TestFolder();
        var file = Sweep(folder, "hard", trials: 4, epochs: 3);
        using var run = Cli.Start(folder.Path, "run", file, "--db", folder.Db, "--workers", "2");
        var before = await WaitForAsync(folder.Db, "hard", s => s.Epochs.Count >= 1 ? s.Epochs : null);

        Assert.Equal(0, Signals.Send(run.Id, Signals.Interrupt));
        Assert.Equal(0, Signals.Send(run.Id, Signals.Interrupt));
        var result = await run.WaitAsync(Timeout);

        Assert.True(result.ExitCode == 130, result.ToString());
        StoreChecks.IntegrityIsOk(folder.Db);
        var resumed = await Cli.RunProcessAsync(folder.Path, Timeout, "run", file, "--db", folder.Db);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        StoreChecks.FinishedCleanly(folder.Db, "hard", before);
    }

    [Fact]
    public async Task Stops_at_the_deadline_with_running_trials_given_back_and_finishes_on_resume()
    {
        using var folder = new TestFolder();
        // About 24 epochs of 0.4 s or more: well past a deadline 4 s away, even on an idle machine.
        var file = Sweep(folder, "deadline", trials: 4, epochs: 6, subset: 6000);
        var deadline = DateTimeOffset.Now.AddSeconds(4).ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", System.Globalization.CultureInfo.InvariantCulture);

        var result = await Cli.RunProcessAsync(folder.Path, Timeout, "run", file, "--db", folder.Db, "--workers", "1", "--deadline", deadline);

        Assert.True(result.ExitCode == 4, result.ToString());
        Assert.Contains("Stopped by the deadline", result.Output);
        StoreChecks.IntegrityIsOk(folder.Db);
        IReadOnlyList<EpochRecord> before;
        var (store, sweepRecord) = StoreChecks.Open(folder.Db, "deadline");
        using (store)
        {
            var trials = store.ListTrials(sweepRecord.Id);
            before = store.ListEpochs(sweepRecord.Id);
            Assert.DoesNotContain(trials, t => t.State == TrialState.Running);
            Assert.Contains(trials, t => t.State == TrialState.Queued);
            StoreChecks.EpochsAreContiguous(trials, before);
        }

        var resumed = await Cli.RunProcessAsync(folder.Path, Timeout, "resume", "deadline", "--db", folder.Db);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        StoreChecks.FinishedCleanly(folder.Db, "deadline", before);
    }

    [Fact]
    public async Task Starts_no_more_trials_than_max_trials_allows()
    {
        using var folder = new TestFolder();
        var file = Sweep(folder, "capped", trials: 4, epochs: 1, subset: 600);

        var result = await Cli.RunProcessAsync(folder.Path, Timeout, "run", file, "--db", folder.Db, "--max-trials", "2");

        Assert.True(result.ExitCode == 4, result.ToString());
        var (check, sweepRecord) = StoreChecks.Open(folder.Db, "capped");
        using var _ = check;
        var trials = check.ListTrials(sweepRecord.Id);
        Assert.Equal(2, trials.Count(t => t.State == TrialState.Completed));
        Assert.Equal(2, trials.Count(t => t.State == TrialState.Queued));
    }

    private const string FaultVariable = "PIXIMI_SWEEP_FAULT";

    private static int Pid(string? workerId) => int.Parse(workerId!.Split(':')[^1], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The direct children of a process (its workers), from /proc.</summary>
    private static IReadOnlyList<int> Children(int pid) =>
        File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture)).ToList();

    /// <summary>Polls the sweep's trials and epochs until <paramref name="probe"/> finds what it waits for.</summary>
    private static Task<T> WaitForAsync<T>(string db, string sweep, Func<(IReadOnlyList<TrialRecord> Trials, IReadOnlyList<EpochRecord> Epochs), T?> probe, int pollMilliseconds = 25) =>
        WaitForStoreAsync(db, sweep, (store, record) => probe((store.ListTrials(record.Id), store.ListEpochs(record.Id))), pollMilliseconds);

    /// <summary>Polls the store until <paramref name="probe"/> finds what it waits for in the sweep.</summary>
    private static async Task<T> WaitForStoreAsync<T>(string db, string sweep, Func<ITrialStore, SweepRecord, T?> probe, int pollMilliseconds = 25)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        while (true)
        {
            try
            {
                var (store, record) = StoreChecks.Open(db, sweep);
                using (store)
                {
                    if (record is not null && probe(store, record) is { } found && !EqualityComparer<T>.Default.Equals(found, default))
                        return found;
                }
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or Microsoft.Data.Sqlite.SqliteException or StoreUnavailableException)
            {
                // The store may not exist yet while the run starts.
            }
            await Task.Delay(pollMilliseconds, deadline.Token);
        }
    }
}
