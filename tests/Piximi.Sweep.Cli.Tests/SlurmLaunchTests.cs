using System.Diagnostics;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;
using Piximi.Sweep.Tests.Shared;
using Piximi.Sweep.Training;
using Xunit.Abstractions;

namespace Piximi.Sweep.Cli.Tests;

/// <summary><c>launch slurm</c> writing its script, and refusing clearly when it cannot submit.</summary>
public sealed class Launching_on_slurm
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_dry_run_writes_a_gpu_job_array_script_under_results_without_the_password_and_records_nothing()
    {
        using var folder = new TestFolder();
        var url = PostgresServer.Url(PostgresServer.CreateDatabase());
        Assert.Contains(PostgresServer.Password, url);
        CreateSweep(url, folder.Write("gpu.yaml", TestFolder.SmallSweep("gpu")));

        var result = await Cli.RunProcessAsync(folder.Path, Timeout,
            "launch", "slurm", "gpu", "--workers", "3", "--gpus-per-worker", "1", "--partition", "gpu", "--time", "4:00:00",
            "--threads", "2", "--dry-run", "--store", url);

        Assert.True(result.ExitCode == 0, result.ToString());
        var results = Path.Combine(folder.Path, "results");
        var script = Path.Combine(results, "gpu-slurm.sh");
        Assert.Equal(script, result.Output.Trim());
        var text = File.ReadAllText(script);
        Assert.StartsWith("#!/bin/bash\n", text);
        Assert.Contains("#SBATCH --array=1-3\n", text);
        Assert.Contains("#SBATCH --gres=gpu:1\n", text);
        Assert.Contains("#SBATCH --cpus-per-task=2\n", text);
        Assert.Contains("#SBATCH --partition=gpu\n", text);
        Assert.Contains("#SBATCH --time=4:00:00\n", text);
        Assert.Contains("#SBATCH --job-name=piximi-gpu\n", text);
        Assert.Contains($"#SBATCH --output={results}/gpu-worker-%A_%a.log\n", text);
        Assert.Contains("piximi-sweep.dll worker --sweep gpu --device cuda:0 --threads 2\n", text);
        Assert.Contains("postgres://postgres@127.0.0.1", text); // named, for the reader, without the password
        foreach (var said in new[] { text, result.Output, result.Error })
            Assert.DoesNotContain(PostgresServer.Password, said);
        using var store = TrialStores.Open(url);
        Assert.Empty(store.ListLaunches(store.FindSweep("gpu")!.Id));
    }

    [Fact]
    public async Task A_cpu_script_for_a_sqlite_store_runs_cpu_workers_names_the_file_and_warns_about_other_nodes()
    {
        using var folder = new TestFolder();
        CreateSweep(folder.Db, folder.Write("cpu.yaml", TestFolder.SmallSweep("cpu")));

        var result = await Cli.RunAsync("launch", "slurm", "cpu", "--workers", "2", "--dry-run", "--db", folder.Db);

        Assert.True(result.ExitCode == 0, result.ToString());
        var text = File.ReadAllText(Path.Combine(folder.Path, "results", "cpu-slurm.sh"));
        Assert.Contains("#SBATCH --array=1-2\n", text);
        Assert.DoesNotContain("--gres", text);
        Assert.DoesNotContain("--partition", text);
        Assert.Contains("worker --sweep cpu --device cpu --threads 1\n", text);
        Assert.Contains($"PIXIMI_SWEEP_STORE:-{folder.Db}", text);
        Assert.Contains("other nodes may not see it", result.Error);
        Assert.Contains("postgres://", result.Error);
    }

    [Fact]
    public async Task Without_sbatch_the_script_is_written_and_the_error_says_how_to_use_dry_run()
    {
        using var folder = new TestFolder();
        CreateSweep(folder.Db, folder.Write("nosb.yaml", TestFolder.SmallSweep("nosb")));

        var result = await Cli.RunProcessAsync(folder.Path, Timeout, ["launch", "slurm", "nosb", "--workers", "1", "--db", folder.Db],
            new Dictionary<string, string> { ["PATH"] = "/nonexistent" });

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("'sbatch' was not found", result.Error);
        Assert.Contains("--dry-run", result.Error);
        Assert.True(File.Exists(Path.Combine(folder.Path, "results", "nosb-slurm.sh")));
    }

    [Fact]
    public async Task An_unknown_sweep_is_refused_before_any_script_is_written()
    {
        using var folder = new TestFolder();
        CreateSweep(folder.Db, folder.Write("known.yaml", TestFolder.SmallSweep("known")));

        var result = await Cli.RunAsync("launch", "slurm", "unknown", "--workers", "1", "--dry-run", "--db", folder.Db);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no sweep named 'unknown'", result.Error);
        Assert.False(File.Exists(Path.Combine(folder.Path, "results", "unknown-slurm.sh")));
    }

    internal static void CreateSweep(string store, string file)
    {
        var loaded = SweepFile.Load(LocalDisk.Instance, file);
        using var s = TrialStores.Open(store);
        s.CreateSweep(loaded.Definition, loaded.Trials);
    }
}

/// <summary>
/// <c>cancel</c>: a running sweep's workers stop and give their trials back, <c>run</c> ends resumable (exit 4), and
/// <c>resume</c> finishes it; recorded Slurm jobs that cannot be scancelled are a note, not an error.
/// </summary>
public sealed class Cancelling_a_sweep
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Workers_give_their_trials_back_run_stops_resumable_and_resume_finishes_it()
    {
        using var folder = new TestFolder();
        // 2 trials × 12 epochs of 3,000 images: a trial is surely mid-way when the cancel comes, which is sent as soon as
        // the first epoch is stored (with 3 epochs, a fast machine sometimes finished the trial first).
        var file = folder.Write("long.yaml", TestFolder.SmallSweep("long", 3000, ("learning_rate", "0.003"), ("epochs", "12")));
        using var run = Cli.Start(folder.Path, "run", file, "--db", folder.Db, "--workers", "1", "--threads", "1", "--heartbeat-grace", "2s");
        await WaitUntil(() =>
        {
            if (!File.Exists(folder.Db)) return false;
            using var store = TrialStores.OpenSqlite(folder.Db);
            return store.FindSweep("long") is { } sweep && store.ListEpochs(sweep.Id).Count >= 1;
        });
        using (var store = TrialStores.OpenSqlite(folder.Db))
            store.RecordLaunch(store.FindSweep("long")!.Id, "slurm", "987654321", null); // a job long gone

        var cancel = await Cli.RunAsync("cancel", "long", "--db", folder.Db);
        var stopped = await run.WaitAsync(Timeout);

        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        Assert.Contains("Sweep 'long' cancelled", cancel.Output);
        Assert.Contains("note: Slurm job 987654321", cancel.Error);
        Assert.True(stopped.ExitCode == 4, stopped.ToString());
        Assert.Contains("cancelled", stopped.Output);
        Assert.Contains("piximi-sweep resume long", stopped.Output);
        using (var store = TrialStores.OpenSqlite(folder.Db))
        {
            var sweep = store.FindSweep("long")!;
            var trials = store.ListTrials(sweep.Id);
            Assert.DoesNotContain(trials, t => t.State == TrialState.Running);
            Assert.Contains(trials, t => t.State == TrialState.Queued);
            Assert.Contains(trials, t => t is { State: TrialState.Queued, Message: not null } && t.Message.StartsWith("sweep cancelled", StringComparison.Ordinal));
            Assert.All(trials, t => Assert.Equal(0, t.Lost)); // given back, not lost
            Assert.NotNull(store.FindCancellation(sweep.Id));
        }
        var log = File.ReadAllText(Path.Combine(folder.Path, "results", "long.log"));
        Assert.Contains("sweep cancelled", log);

        var resumed = await Cli.RunProcessAsync(folder.Path, Timeout, "resume", "long", "--db", folder.Db, "--workers", "1", "--threads", "1");

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("was cancelled", resumed.Output);
        using (var store = TrialStores.OpenSqlite(folder.Db))
        {
            var sweep = store.FindSweep("long")!;
            var trials = store.ListTrials(sweep.Id);
            Assert.All(trials, t => Assert.Equal(TrialState.Completed, t.State));
            StoreChecks.EpochsAreContiguous(trials, store.ListEpochs(sweep.Id));
            Assert.Equal(2 * 12, store.ListEpochs(sweep.Id).Count); // nothing trained twice
            Assert.Null(store.FindCancellation(sweep.Id));
        }
    }

    [Fact]
    public async Task A_worker_of_a_cancelled_sweep_claims_nothing_and_exits_zero_saying_so()
    {
        using var folder = new TestFolder();
        Launching_on_slurm.CreateSweep(folder.Db, folder.Write("idle.yaml", TestFolder.SmallSweep("idle")));
        var cancel = await Cli.RunAsync("cancel", "--db", folder.Db, "--reason", "not tonight");

        var worker = await Cli.RunProcessAsync(folder.Path, Timeout, "worker", "--sweep", "idle", "--db", folder.Db);

        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        Assert.True(worker.ExitCode == 0, worker.ToString());
        Assert.Contains("sweep cancelled (not tonight)", worker.Error);
        using var store = TrialStores.OpenSqlite(folder.Db);
        Assert.All(store.ListTrials(store.FindSweep("idle")!.Id), t => Assert.Equal((TrialState.Queued, 0), (t.State, t.Attempts)));
    }

    internal static async Task WaitUntil(Func<bool> condition, int seconds = 120)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("the condition did not become true in time");
            await Task.Delay(200);
        }
    }
}

/// <summary>
/// A real single-node Slurm (scripts/slurm-test-cluster: munged, slurmctld and slurmd with a minimal slurm.conf in a
/// temp folder) runs the job array <c>launch slurm</c> submits, and its two workers drain a small sweep.
/// Root only, with the Debian packages slurm-wlm and munge (scripts/ensure-prereqs --tests); otherwise the test says
/// why it cannot run and passes without running (xunit 2 has no runtime skip).
/// </summary>
public sealed class A_real_slurm(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Runs_a_two_task_job_array_whose_workers_drain_the_sweep_and_log_under_results()
    {
        if (WhyNot() is { } reason)
        {
            var message = $"SKIPPED (cannot run here): {reason}";
            output.WriteLine(message);
            Console.Error.WriteLine($"[A_real_slurm] {message}");
            return;
        }

        using var folder = new TestFolder();
        var cluster = Path.Combine(folder.Path, "slurm");
        var script = Path.Combine(RepositoryRoot(), "scripts", "slurm-test-cluster");
        var started = await Run(script, ["start", cluster]);
        var slurm = new Dictionary<string, string> { ["SLURM_CONF"] = Path.Combine(cluster, "slurm.conf") };
        try
        {
            Assert.True(started.ExitCode == 0, started.ToString());
            // 4 trials of 300 images, 1 epoch each.
            var file = folder.Write("slurm.yaml", TestFolder.SmallSweep("slurm", 300));
            Launching_on_slurm.CreateSweep(folder.Db, file);
            var clock = Stopwatch.StartNew();

            var launch = await Cli.RunProcessAsync(folder.Path, Timeout, ["launch", "slurm", "slurm", "--workers", "2", "--time", "10:00", "--db", folder.Db], slurm);

            Assert.True(launch.ExitCode == 0, launch.ToString());
            var jobId = launch.Output.Split(' ', ':')[3];
            Assert.Matches(@"^\d+$", jobId);
            using (var store = TrialStores.OpenSqlite(folder.Db))
            {
                var recorded = Assert.Single(store.ListLaunches(store.FindSweep("slurm")!.Id));
                Assert.Equal(("slurm", jobId), (recorded.Kind, recorded.JobId));
                Assert.Equal(Path.Combine(folder.Path, "results", "slurm-slurm.sh"), recorded.ScriptPath);
            }
            var logs = new[] { 1, 2 }.Select(task => Path.Combine(folder.Path, "results", $"slurm-worker-{jobId}_{task}.log")).ToArray();
            await Cancelling_a_sweep.WaitUntil(() =>
            {
                using var store = TrialStores.OpenSqlite(folder.Db);
                var trials = store.ListTrials(store.FindSweep("slurm")!.Id);
                return trials.All(t => t.State is not (TrialState.Queued or TrialState.Running)) && !JobInQueue(jobId, slurm);
            }, seconds: 150);

            using (var store = TrialStores.OpenSqlite(folder.Db))
            {
                var trials = store.ListTrials(store.FindSweep("slurm")!.Id);
                Assert.Equal(4, trials.Count);
                Assert.All(trials, t => Assert.Equal(TrialState.Completed, t.State));
                output.WriteLine($"Slurm job {jobId}: 2 array tasks drained {trials.Count} trials in {clock.Elapsed.TotalSeconds:F1}s; workers: {string.Join(", ", trials.Select(t => t.WorkerId).Distinct())}");
            }
            foreach (var log in logs)
            {
                Assert.True(File.Exists(log), $"no worker log {log}");
                var text = File.ReadAllText(log);
                Assert.Contains($"piximi-sweep worker: job {jobId} task", text);
                output.WriteLine($"--- {Path.GetFileName(log)}\n{text}");
            }
        }
        finally
        {
            await Run(script, ["stop", cluster]);
        }
    }

    private static string? WhyNot()
    {
        if (Environment.UserName != "root" && !string.Equals(Environment.GetEnvironmentVariable("USER"), "root", StringComparison.Ordinal))
            return "a single-node Slurm needs root (slurmd, munged); run the tests as root";
        foreach (var tool in new[] { "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch", "/usr/sbin/munged" })
            if (!File.Exists(tool)) return $"{tool} is missing: install the Debian packages slurm-wlm and munge (scripts/ensure-prereqs --tests)";
        return null;
    }

    /// <summary>
    /// The sweep file's <c>budget: {max_trials: 3}</c> reaches the store through <c>run</c> (here an orchestrator with
    /// no local workers) and the Slurm workers, started with no budget argument, obey it: of 10 trials exactly 3 start,
    /// and run ends with exit 4 naming the trial budget.
    /// </summary>
    [Fact]
    public async Task Array_workers_obey_the_trial_budget_of_the_sweep_file_stored_by_run_and_start_exactly_three_of_ten_trials()
    {
        if (Skipped()) return;
        using var folder = new TestFolder();
        await WithCluster(folder, async slurm =>
        {
            // 10 trials (5 learning rates × 2 batch sizes) of 300 images, 1 epoch each.
            var file = folder.Write("capped.yaml", TestFolder.SmallSweep("capped", 300, ("learning_rate", "[0.001, 0.002, 0.003, 0.005, 0.01]"))
                + "budget:\n  max_trials: 3\n");
            using var run = Cli.Start(folder.Path, "run", file, "--db", folder.Db, "--workers", "0", "--heartbeat-grace", "20s");
            await Cancelling_a_sweep.WaitUntil(() => StoredPolicy(folder.Db, "capped") is { MaxTrials: 3 }, seconds: 60);

            var launch = await Cli.RunProcessAsync(folder.Path, Timeout, ["launch", "slurm", "capped", "--workers", "2", "--time", "10:00", "--db", folder.Db], slurm);
            Assert.True(launch.ExitCode == 0, launch.ToString());
            Assert.Contains("Budgets the workers obey (stored with the sweep): at most 3 trials\n", launch.Output);
            var jobId = launch.Output.Split(' ', ':')[3];
            var stopped = await run.WaitAsync(Timeout);
            await Cancelling_a_sweep.WaitUntil(() => !JobInQueue(jobId, slurm), seconds: 120);

            Assert.True(stopped.ExitCode == 4, stopped.ToString());
            Assert.Contains("Budgets of 'capped' stored, for every worker of the sweep: max_trials none → 3.", stopped.Output);
            Assert.Contains("Stopped by the trial budget (3 trials) with trials left", stopped.Output);
            Assert.DoesNotContain("--max-trials", File.ReadAllText(Path.Combine(folder.Path, "results", "capped-slurm.sh")));
            using var store = TrialStores.OpenSqlite(folder.Db);
            var sweep = store.FindSweep("capped")!;
            var trials = store.ListTrials(sweep.Id);
            Assert.Equal(10, trials.Count);
            Assert.Equal(3, trials.Count(t => t.Attempts > 0));
            Assert.Equal(3, trials.Count(t => t.State == TrialState.Completed));
            Assert.Equal(7, trials.Count(t => t is { State: TrialState.Queued, Attempts: 0 }));
            Assert.All(store.ListAttempts(sweep.Id), a => Assert.StartsWith(Environment.MachineName + ":", a.WorkerId, StringComparison.Ordinal));
            var workers = trials.Where(t => t.WorkerId is not null).Select(t => t.WorkerId).Distinct().ToList();
            var logs = new[] { 1, 2 }.Select(task => File.ReadAllText(Path.Combine(folder.Path, "results", $"capped-worker-{jobId}_{task}.log"))).ToList();
            output.WriteLine($"Slurm job {jobId}: trials started {trials.Count(t => t.Attempts > 0)} of {trials.Count}, by {workers.Count} worker(s): {string.Join(", ", workers)}");
            foreach (var log in logs) output.WriteLine(log);
        });
    }

    /// <summary>
    /// A deadline stored while Slurm workers train (as <c>resume --deadline</c> from any machine would store it) stops
    /// them: trials running then go back to the queue after their next epoch, and no attempt starts after it, not even
    /// by the array's third task, which waits for a free core (the node has two) and so starts after the deadline.
    /// </summary>
    [Fact]
    public async Task A_deadline_stored_while_array_workers_train_stops_them_and_no_trial_is_claimed_after_it()
    {
        if (Skipped()) return;
        using var folder = new TestFolder();
        await WithCluster(folder, async slurm =>
        {
            // 10 trials of 50 epochs over 3,000 images: far more than the seconds before the deadline.
            var file = folder.Write("late.yaml", TestFolder.SmallSweep("late", 3000,
                ("learning_rate", "[0.001, 0.002, 0.003, 0.005, 0.01]"), ("epochs", "50")));
            Launching_on_slurm.CreateSweep(folder.Db, file);
            var launch = await Cli.RunProcessAsync(folder.Path, Timeout, ["launch", "slurm", "late", "--workers", "3", "--time", "10:00", "--db", folder.Db], slurm);
            Assert.True(launch.ExitCode == 0, launch.ToString());
            var jobId = launch.Output.Split(' ', ':')[3];
            await Cancelling_a_sweep.WaitUntil(() =>
            {
                using var store = TrialStores.OpenSqlite(folder.Db);
                return store.ListEpochs(store.FindSweep("late")!.Id).Count >= 1;
            }, seconds: 120);

            DateTimeOffset deadline;
            using (var store = TrialStores.OpenSqlite(folder.Db))
            {
                deadline = DateTimeOffset.UtcNow.AddSeconds(3);
                store.SavePolicy(store.FindSweep("late")!.Id, new RunPolicy(Deadline: deadline));
            }
            await Cancelling_a_sweep.WaitUntil(() => !JobInQueue(jobId, slurm), seconds: 120);
            var ended = DateTimeOffset.UtcNow;

            using (var store = TrialStores.OpenSqlite(folder.Db))
            {
                var sweep = store.FindSweep("late")!;
                var trials = store.ListTrials(sweep.Id);
                var attempts = store.ListAttempts(sweep.Id);
                output.WriteLine($"Slurm job {jobId}: deadline {deadline:HH:mm:ss.fff}, tasks ended {(ended - deadline).TotalSeconds:F1}s after it; " +
                                 $"{attempts.Count} attempt(s), last started {attempts.Max(a => a.StartedAt):HH:mm:ss.fff}; " +
                                 $"trials {string.Join(", ", trials.Select(t => $"{t.Number}:{t.State}/{t.Attempts}"))}");
                Assert.NotEmpty(attempts);
                Assert.All(attempts, a => Assert.True(a.StartedAt <= deadline, $"attempt {a.Attempt} of trial {a.TrialId} started at {a.StartedAt:O}, after the deadline {deadline:O}"));
                Assert.DoesNotContain(trials, t => t.State == TrialState.Running);
                Assert.Contains(trials, t => t is { State: TrialState.Queued, Attempts: 0 });
                // Trials running at the deadline were given back, not lost: they resume after their stored epochs.
                Assert.Contains(attempts, a => a.Outcome == AttemptOutcome.Released && a.Reason is { } r && r.StartsWith("deadline reached", StringComparison.Ordinal));
                Assert.DoesNotContain(attempts, a => a.Outcome == AttemptOutcome.Lost);
            }
            // The third task ran (after the deadline: a core was free only once the first two ended), and claimed nothing.
            var third = Path.Combine(folder.Path, "results", $"late-worker-{jobId}_3.log");
            Assert.True(File.Exists(third), "the third array task never ran");
            Assert.Contains($"piximi-sweep worker: job {jobId} task 3", File.ReadAllText(third));
        });
    }

    /// <summary>The sweep's stored policy, or null while run has not yet created the store, the sweep or its policy.</summary>
    private static RunPolicy? StoredPolicy(string db, string sweep)
    {
        if (!File.Exists(db)) return null;
        try
        {
            using var store = TrialStores.OpenReadOnly(db);
            return store.FindSweep(sweep) is { } found ? store.LoadPolicy(found.Id) : null;
        }
        catch (StoreNotFoundException)
        {
            return null; // the file exists, but run has not set it up yet
        }
    }

    /// <summary>True (having said why) when this machine cannot run a real Slurm.</summary>
    private bool Skipped()
    {
        if (WhyNot() is not { } reason) return false;
        var message = $"SKIPPED (cannot run here): {reason}";
        output.WriteLine(message);
        Console.Error.WriteLine($"[A_real_slurm] {message}");
        return true;
    }

    /// <summary>
    /// Runs <paramref name="test"/> with a single-node Slurm of its own under the test's folder, given the environment
    /// that points sbatch and squeue at it; stops the cluster after. Ports of its own (SLURM_TEST_*_PORT), so that
    /// another cluster of the script on this machine is not disturbed.
    /// </summary>
    private static async Task WithCluster(TestFolder folder, Func<Dictionary<string, string>, Task> test)
    {
        var cluster = Path.Combine(folder.Path, "slurm");
        var script = Path.Combine(RepositoryRoot(), "scripts", "slurm-test-cluster");
        var ports = new Dictionary<string, string> { ["SLURM_TEST_CTLD_PORT"] = "6837", ["SLURM_TEST_SLURMD_PORT"] = "6838" };
        var started = await Run(script, ["start", cluster], ports);
        try
        {
            Assert.True(started.ExitCode == 0, started.ToString());
            await test(new Dictionary<string, string> { ["SLURM_CONF"] = Path.Combine(cluster, "slurm.conf") });
        }
        finally
        {
            await Run(script, ["stop", cluster]);
        }
    }

    private static bool JobInQueue(string jobId, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("squeue") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-h", "-j", jobId, "-o", "%i" }) start.ArgumentList.Add(a);
        foreach (var (k, v) in environment) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var said = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 && said.Trim().Length > 0;
    }

    private static async Task<CliResult> Run(string program, string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "slurm-test-cluster"))) return dir.FullName;
        throw new InvalidOperationException("cannot find scripts/slurm-test-cluster above " + AppContext.BaseDirectory);
    }
}
