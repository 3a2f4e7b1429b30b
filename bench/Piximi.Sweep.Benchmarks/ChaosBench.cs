using System.Diagnostics;
using System.Globalization;
using Piximi.Sweep.Cli;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Benchmarks;

/// <summary>
/// Chaos drill: runs a sweep undisturbed once, then several times while SIGKILLing a random busy worker every few
/// seconds, and prints for each disturbed run: trials completed and lost, duplicated and lost epochs, epochs whose
/// measurements differ from the undisturbed run, kills made, and the wall time against the undisturbed run.
/// Usage: chaos --cli PATH [--sweep FILE] [--interval SECONDS] [--rounds N]
/// </summary>
internal static class ChaosBench
{
    public static int Run(string[] args)
    {
        var cli = BenchArgs.Option(args, "--cli") ?? throw new ArgumentException("--cli <path to the piximi-sweep program> is required");
        var sweepFile = Path.GetFullPath(BenchArgs.Option(args, "--sweep") ?? "sweeps/fashion-mnist-quick.yaml");
        var interval = TimeSpan.FromSeconds(double.Parse(BenchArgs.Option(args, "--interval") ?? "4", CultureInfo.InvariantCulture));
        var rounds = int.Parse(BenchArgs.Option(args, "--rounds") ?? "3", CultureInfo.InvariantCulture);
        var dir = Directory.CreateTempSubdirectory("piximi-chaos-").FullName;

        Console.WriteLine($"Chaos drill on {sweepFile}: a random busy worker SIGKILLed every {interval.TotalSeconds:0.#} s, {rounds} round(s)");
        var (baseTime, _) = RunSweep(cli, sweepFile, Path.Combine(dir, "undisturbed.db"), killEvery: null);
        Console.WriteLine($"undisturbed: {baseTime.TotalSeconds:F1} s");
        var reference = Read(Path.Combine(dir, "undisturbed.db"));

        var worst = 0.0;
        var allClean = true;
        for (var round = 1; round <= rounds; round++)
        {
            var db = Path.Combine(dir, $"chaos-{round}.db");
            var (time, kills) = RunSweep(cli, sweepFile, db, interval);
            var result = Read(db);
            var lostTrials = result.Trials.Count(t => t.State != TrialState.Completed);
            var (duplicated, lostEpochs) = CountEpochs(result);
            var differing = Differing(reference, result);
            worst = Math.Max(worst, time / baseTime);
            allClean &= lostTrials == 0 && duplicated == 0 && lostEpochs == 0;
            Console.WriteLine(
                $"round {round}: {kills} kill(s); trials completed {result.Trials.Count - lostTrials}/{result.Trials.Count}, lost {lostTrials}; " +
                $"epochs duplicated {duplicated}, lost {lostEpochs}, measured differently from undisturbed {differing}; " +
                $"resumed trials {result.Trials.Count(t => t.Lost > 0)}; wall {time.TotalSeconds:F1} s = {time / baseTime:F2}× undisturbed");
        }
        Console.WriteLine($"summary: {(allClean ? "0 lost, 0 duplicated" : "LOSSES OR DUPLICATES FOUND")}; worst wall time {worst:F2}× undisturbed (target < 1.5×)");
        Directory.Delete(dir, recursive: true);
        return allClean ? 0 : 1;
    }

    private sealed record Snapshot(IReadOnlyList<TrialRecord> Trials, IReadOnlyList<EpochRecord> Epochs);

    private static (TimeSpan Time, int Kills) RunSweep(string cli, string sweepFile, string db, TimeSpan? killEvery)
    {
        var start = new ProcessStartInfo(cli) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "run", sweepFile, "--db", db }) start.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var run = Process.Start(start)!;
        var drain = Task.WhenAll(run.StandardOutput.ReadToEndAsync(), run.StandardError.ReadToEndAsync());
        var kills = 0;
        var random = new Random(12345);
        while (!run.WaitForExit(killEvery ?? TimeSpan.FromSeconds(1)))
        {
            if (killEvery is null || !File.Exists(db)) continue;
            var busy = Busy(db);
            if (busy.Count == 0) continue;
            if (Signals.Send(busy[random.Next(busy.Count)], Signals.Kill) == 0) kills++;
        }
        drain.Wait();
        if (run.ExitCode != 0) Console.WriteLine($"  (run exited with code {run.ExitCode})");
        return (clock.Elapsed, kills);
    }

    /// <summary>Pids of this host's workers that hold a running trial.</summary>
    private static List<int> Busy(string db)
    {
        try
        {
            var snapshot = Read(db);
            return snapshot.Trials.Where(t => t.State == TrialState.Running && t.WorkerId is not null)
                .Select(t => int.Parse(t.WorkerId!.Split(':')[^1], CultureInfo.InvariantCulture)).ToList();
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            return [];
        }
    }

    private static Snapshot Read(string db)
    {
        using var store = TrialStores.OpenSqlite(db);
        var sweep = store.ListSweeps().Single();
        return new Snapshot(store.ListTrials(sweep.Id), store.ListEpochs(sweep.Id));
    }

    /// <summary>Per trial, epochs stored more than once, and epochs a completed trial should have but does not.</summary>
    private static (int Duplicated, int Lost) CountEpochs(Snapshot s)
    {
        var duplicated = s.Epochs.GroupBy(e => (e.TrialId, e.Metrics.Epoch)).Sum(g => g.Count() - 1);
        var lost = s.Trials.Sum(t =>
        {
            var stored = s.Epochs.Where(e => e.TrialId == t.Id).Select(e => e.Metrics.Epoch).Distinct().Count();
            return Math.Max(0, t.Hyperparameters.Epochs - stored);
        });
        return (duplicated, lost);
    }

    /// <summary>Epochs (by trial number and epoch) whose loss and accuracies differ from the undisturbed run's.</summary>
    private static int Differing(Snapshot reference, Snapshot result)
    {
        static IDictionary<(int, int), (double, double, double, double)> Key(Snapshot s)
        {
            var number = s.Trials.ToDictionary(t => t.Id, t => t.Number);
            return s.Epochs.ToDictionary(e => (number[e.TrialId], e.Metrics.Epoch),
                e => (e.Metrics.Loss, e.Metrics.Accuracy, e.Metrics.ValLoss, e.Metrics.ValAccuracy));
        }
        var want = Key(reference);
        return Key(result).Count(p => !want.TryGetValue(p.Key, out var w) || w != p.Value);
    }
}
