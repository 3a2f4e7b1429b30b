using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Piximi.Sweep.Cli;
using Piximi.Sweep.Core;
using Piximi.Sweep.Training;

namespace Piximi.Sweep.Benchmarks;

/// <summary>
/// What recovering from a lost worker costs, with real processes and real kills, measured from the store (so that it
/// measures any build of the CLI, older ones too: it reads only trials and epochs, which every version keeps):
/// <list type="bullet">
/// <item>worker start: a <c>worker</c> process started by hand, from just before its start to its claim of a trial
/// (the claim time the store records); the first start on a new store folder, then the starts after it;</item>
/// <item>replacement: a <c>run</c> of the sweep whose busy worker is SIGKILLed mid-epoch, from the kill to the re-queued
/// trial's claim by another worker, and to that worker's first stored epoch of it (which includes training that epoch,
/// shown apart).</item>
/// </list>
/// Usage: recovery --cli PATH [--sweep FILE] [--starts N] [--kills N]
/// </summary>
internal static class RecoveryBench
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(5);

    public static int Run(string[] args)
    {
        var cli = BenchArgs.Option(args, "--cli") ?? throw new ArgumentException("--cli <path to the piximi-sweep program> is required");
        var sweepFile = Path.GetFullPath(BenchArgs.Option(args, "--sweep") ?? "sweeps/fashion-mnist-quick.yaml");
        var starts = BenchArgs.IntOption(args, "--starts", 6);
        var kills = BenchArgs.IntOption(args, "--kills", 6);
        var dir = Directory.CreateTempSubdirectory("piximi-recovery-").FullName;
        try
        {
            Console.WriteLine($"Recovery bench on {sweepFile} with {cli}");
            Console.WriteLine($"load before: {File.ReadAllText("/proc/loadavg").Trim()}");
            WorkerStarts(cli, sweepFile, Path.Combine(dir, "starts", "store.db"), starts);
            Replacements(cli, sweepFile, Path.Combine(dir, "kills", "store.db"), kills);
            Console.WriteLine($"load after: {File.ReadAllText("/proc/loadavg").Trim()}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        return 0;
    }

    /// <summary>
    /// Workers started one at a time, each killed once it has claimed. The store is made by the CLI under test (a
    /// <c>run --workers 0</c> that only watches), so that an older CLI gets a store it can read; each worker claims the
    /// next trial of the queue.
    /// </summary>
    private static void WorkerStarts(string cli, string sweepFile, string db, int count)
    {
        var name = SweepFile.Load(LocalDisk.Instance, sweepFile).Definition.Name;
        using var watcher = Start(cli, ["run", sweepFile, "--db", db, "--workers", "0", "--heartbeat-grace", "600s"]);
        WaitFor(db, s => s.Trials.Count > 0 ? "ready" : null);
        var times = new List<double>();
        for (var i = 0; i < count; i++)
        {
            var before = DateTimeOffset.UtcNow;
            using var worker = Start(cli, ["worker", "--sweep", name, "--threads", "1"], new Dictionary<string, string>
            {
                ["PIXIMI_SWEEP_STORE"] = db,
                ["OMP_NUM_THREADS"] = "1",
            });
            var id = $"{Environment.MachineName}:{worker.Id.ToString(CultureInfo.InvariantCulture)}";
            var claimed = WaitFor(db, s => s.Trials.FirstOrDefault(t => t.WorkerId == id && t.State == "running")?.StartedAt);
            times.Add((claimed!.Value - before).TotalMilliseconds);
            worker.Kill();
            worker.WaitForExit();
        }
        watcher.Kill();
        watcher.WaitForExit();
        Console.WriteLine($"worker start (process start → first claimed trial): first {times[0]:F0} ms, then median {Figures.Median(times.Skip(1)):F0} ms " +
                          $"(min {times.Skip(1).Min():F0}, max {times.Skip(1).Max():F0}) over {times.Count - 1} starts");
    }

    private static Process Start(string cli, string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(cli) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    /// <summary>A run whose busy workers are SIGKILLed, one at a time, each once the previous kill's trial resumed.</summary>
    private static void Replacements(string cli, string sweepFile, string db, int count)
    {
        using var run = Start(cli, ["run", sweepFile, "--db", db]);
        var epochsPerTrial = SweepFile.Load(LocalDisk.Instance, sweepFile).Trials.Max(h => h.Epochs);
        var claims = new List<double>();
        var firsts = new List<double>();
        var epochSeconds = new List<double>();
        for (var i = 0; i < count && !run.HasExited; i++)
        {
            // A worker a third of the way into an epoch of a trial that has epochs left, as a random kill would find one.
            var victim = WaitFor(db, s =>
            {
                foreach (var t in s.Trials.Where(t => t.State == "running" && t.WorkerId is not null))
                {
                    var epochs = s.Epochs.Where(e => e.TrialId == t.Id).ToList();
                    var since = epochs.Count == 0 ? t.StartedAt : epochs.Max(e => e.RecordedAt);
                    if (epochs.Count >= 1 && epochs.Count < epochsPerTrial - 1 && since is { } at
                        && DateTimeOffset.UtcNow - at > TimeSpan.FromSeconds(epochs.Average(e => e.Seconds) / 3))
                        return t;
                }
                return null;
            }, until: () => run.HasExited);
            if (victim is null) break;
            var killedAt = DateTimeOffset.UtcNow;
            Signals.Send(int.Parse(victim.WorkerId!.Split(':')[^1], CultureInfo.InvariantCulture), Signals.Kill);
            var claimed = WaitFor(db, s => s.Trials.Single(t => t.Id == victim.Id) is { State: "running" } t && t.Attempts > victim.Attempts ? t.StartedAt : null,
                until: () => run.HasExited);
            var resumed = WaitFor(db, s => s.Epochs.FirstOrDefault(e => e.TrialId == victim.Id && e.Epoch == victim.Epochs + 1), until: () => run.HasExited);
            if (claimed is null || resumed is null) break;
            claims.Add((claimed.Value - killedAt).TotalMilliseconds);
            firsts.Add((resumed.RecordedAt - killedAt).TotalMilliseconds);
            epochSeconds.Add(resumed.Seconds * 1000);
        }
        run.WaitForExit();
        if (claims.Count == 0)
        {
            Console.WriteLine("replacement: no kill was measured (the sweep ended first)");
            return;
        }
        Console.WriteLine($"replacement (SIGKILL mid-epoch → re-queued trial claimed again): median {Figures.Median(claims):F0} ms (min {claims.Min():F0}, max {claims.Max():F0}) over {claims.Count} kills");
        Console.WriteLine($"replacement (SIGKILL mid-epoch → its first epoch stored): median {Figures.Median(firsts):F0} ms (min {firsts.Min():F0}, max {firsts.Max():F0}), " +
                          $"of which that epoch's own training median {Figures.Median(epochSeconds):F0} ms");
        var final = WaitFor(db, s => s);
        Console.WriteLine($"  (run exited with code {run.ExitCode}: {final.Trials.Count(t => t.State == "completed")} of {final.Trials.Count} trials completed, " +
                          $"{final.Trials.Count(t => t.State == "failed")} failed)");
    }

    /// <summary>A trial and an epoch as every schema version keeps them (read with plain SQL, so that older stores read too).</summary>
    private sealed record TrialRow(long Id, long Number, string State, string? WorkerId, long Attempts, DateTimeOffset? StartedAt, long Epochs);

    private sealed record EpochRow(long TrialId, long Epoch, DateTimeOffset RecordedAt, double Seconds);

    private sealed record Snapshot(IReadOnlyList<TrialRow> Trials, IReadOnlyList<EpochRow> Epochs);

    /// <summary>Polls the store until <paramref name="probe"/> finds something, or <paramref name="until"/> says to give up.</summary>
    private static T WaitFor<T>(string db, Func<Snapshot, T> probe, Func<bool>? until = null)
    {
        var deadline = Stopwatch.StartNew();
        SqliteConnection? connection = null;
        try
        {
            while (deadline.Elapsed < TimeSpan.FromMinutes(5))
            {
                try
                {
                    if (connection is null && File.Exists(db))
                    {
                        connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
                        connection.Open();
                    }
                    if (connection is not null && probe(Read(connection)) is { } found && !EqualityComparer<T>.Default.Equals(found, default))
                        return found;
                }
                catch (SqliteException)
                {
                    // The store is being created: no tables yet.
                }
                if (until?.Invoke() == true) return default!;
                Thread.Sleep(Poll);
            }
        }
        finally
        {
            connection?.Dispose();
        }
        throw new TimeoutException("the recovery bench waited 5 minutes for the store");
    }

    private static Snapshot Read(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction(deferred: true);
        var trials = new List<TrialRow>();
        using (var command = new SqliteCommand(
            "SELECT id, number, state, worker_id, attempts, started_at, (SELECT count(*) FROM epochs WHERE trial_id = t.id) FROM trials AS t ORDER BY number;",
            connection, transaction))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
                trials.Add(new TrialRow(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.GetInt64(4), reader.IsDBNull(5) ? null : Time(reader.GetString(5)), reader.GetInt64(6)));
        }
        var epochs = new List<EpochRow>();
        using (var command = new SqliteCommand("SELECT trial_id, epoch, recorded_at, seconds FROM epochs ORDER BY trial_id, epoch;", connection, transaction))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
                epochs.Add(new EpochRow(reader.GetInt64(0), reader.GetInt64(1), Time(reader.GetString(2)), reader.IsDBNull(3) ? double.NaN : reader.GetDouble(3)));
        }
        return new Snapshot(trials, epochs);
    }

    private static DateTimeOffset Time(string text) =>
        DateTimeOffset.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

}
