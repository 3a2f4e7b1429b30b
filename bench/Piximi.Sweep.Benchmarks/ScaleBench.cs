using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Benchmarks;

/// <summary>
/// Issue 13's "flat cost": does the engine's cost per trial stay flat as a sweep grows? The real <c>piximi-sweep run</c>
/// (its supervisor, progress lines and recovery polls, 2 worker processes, the store, the pruner) on a random search
/// of N trials × E epochs pruned by ASHA (min_epochs 1, η 3), every worker training with <see cref="SyntheticTrainer"/>
/// (no time, deterministic metrics), so that the wall time is the engine's own. Prints, for each block of B trials in
/// the order they finished, the wall time per trial (the sweep's throughput with 2 workers: what a user waits for per
/// trial) and the CPU time per trial of the run and its workers (sampled from /proc every 200 ms: the engine's own
/// cost, whatever else the machine runs), then the whole-process times of <c>status</c> and <c>best</c> on the finished store (and of <c>--help</c>,
/// the process start alone). Prints figures; never a test.
/// Usage: scale --cli PATH [--trials 10000] [--epochs 10] [--block 1000] [--images 40] [--repeat 5] [--dir PATH [--reuse]]
/// </summary>
internal static class ScaleBench
{
    public static int Run(string[] args)
    {
        var cli = BenchArgs.Option(args, "--cli") ?? throw new ArgumentException("--cli <path to the piximi-sweep program> is required");
        var trials = BenchArgs.IntOption(args, "--trials", 10_000);
        var epochs = BenchArgs.IntOption(args, "--epochs", 10);
        var block = BenchArgs.IntOption(args, "--block", 1_000);
        var images = BenchArgs.IntOption(args, "--images", 40);
        var repeat = BenchArgs.IntOption(args, "--repeat", 5);
        var given = BenchArgs.Option(args, "--dir");
        var dir = given is null ? Directory.CreateTempSubdirectory("piximi-scale-bench-").FullName : Directory.CreateDirectory(given).FullName;
        Console.WriteLine($"bench-scale on {Environment.ProcessorCount} cores, {DateTimeOffset.Now:yyyy-MM-dd HH:mm zzz}, load {Load()}; {cli}");
        Console.WriteLine($"random search, {trials:N0} trials × {epochs} epochs, ASHA (min_epochs 1, η 3), 2 workers × 1 thread, synthetic trainer; store in {dir}");
        try
        {
            const string name = "scale";
            var file = Path.Combine(dir, name + ".yaml");
            var db = Path.Combine(dir, name + ".db");
            // --reuse: measure the store a previous run left in --dir (its blocks, status and best) without running again.
            var reuse = args.Contains("--reuse") && File.Exists(db);
            if (!reuse) File.WriteAllText(file, Yaml(name, trials, epochs, images));
            var wall = reuse ? TimeSpan.Zero : RunSweep(cli, file, db, dir);

            // A reader: a store written by an older build (--cli) stays as it is, for its own status and best below.
            using (var store = TrialStores.OpenReadOnly(db))
            {
                var sweep = store.FindSweep(name) ?? throw new InvalidOperationException($"sweep {name} not in {db}");
                var all = store.ListTrials(sweep.Id);
                var finished = all.Where(t => t.FinishedAt is not null).OrderBy(t => t.FinishedAt).ToList();
                var usage = store.Usage(sweep.Id);
                var states = string.Join(", ", all.GroupBy(t => t.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {Display.State(g.Key)}"));
                Console.WriteLine($"run: {wall.TotalSeconds:F1} s wall; {all.Count:N0} trials ({states}); {usage.Epochs:N0} epochs stored");
                var start = all.Where(t => t.StartedAt is not null).Select(t => t.StartedAt!.Value).DefaultIfEmpty().Min();
                var first = (double?)null;
                Console.WriteLine($"{"trials",13}  {"wall s",7}  {"ms per trial",12}  {"× first",7}  {"CPU ms per trial",16}  {"× first",7}");
                var firstCpu = (double?)null;
                for (var from = 0; from + block <= finished.Count; from += block)
                {
                    var begin = from == 0 ? First(all) : finished[from - 1].FinishedAt!.Value;
                    var end = finished[from + block - 1].FinishedAt!.Value;
                    var perTrial = (end - begin).TotalMilliseconds / block;
                    first ??= perTrial;
                    var cpu = CpuPerTrial(from, from + block);
                    firstCpu ??= cpu;
                    Console.WriteLine($"{from + 1,6}–{from + block,6}  {(end - begin).TotalSeconds,7:F1}  {perTrial,12:F2}  {perTrial / first,7:F2}  "
                        + (cpu is { } c ? $"{c,16:F2}  {c / firstCpu,7:F2}" : $"{"–",16}  {"–",7}"));
                }
            }

            using (var store = TrialStores.OpenReadOnly(db))
            {
                // What status and best read, in this process once warm: the part of their time that grows with the sweep.
                var sweep = store.FindSweep(name)!;
                store.SummarizeTrials(sweep.Id);
                var summaries = Repeat(repeat, () => store.SummarizeTrials(sweep.Id));
                var completed = Repeat(repeat, () => store.SummarizeTrials(sweep.Id, [TrialState.Completed]));
                var listed = Repeat(repeat, () => store.SummarizeTrials(sweep.Id, [TrialState.Completed, TrialState.Running, TrialState.Queued, TrialState.Failed, TrialState.Diverged]));
                var counts = Repeat(repeat, () => store.CountTrials(sweep.Id));
                Console.WriteLine($"in process, warm, median of {repeat}: every trial's summary {Show(summaries)}; the completed ones' (best) {Show(completed)}; "
                    + $"all but the pruned (status) {Show(listed)}; counts by state {Show(counts)}");
            }
            var version = Time(cli, ["--help"], db, repeat);
            var status = Time(cli, ["status", "--sweep", name, "--db", db], db, repeat);
            var best = Time(cli, ["best", "--sweep", name, "--db", db], db, repeat);
            Console.WriteLine($"whole process, median of {repeat} (min–max): --help {Show(version)}; status {Show(status)}; best {Show(best)}");
            return 0;
        }
        finally
        {
            if (given is null) Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The first claim: where the first block's clock starts.</summary>
    private static DateTimeOffset First(IReadOnlyList<TrialRecord> trials) =>
        trials.Where(t => t.StartedAt is not null).Select(t => t.StartedAt!.Value)
            .Concat(trials.Where(t => t.FinishedAt is not null).Select(t => t.FinishedAt!.Value)).Min();

    private static string Yaml(string name, int trials, int epochs, int images)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"name: {name}");
        text.AppendLine("dataset:");
        text.AppendLine("  kind: idx");
        text.AppendLine(CultureInfo.InvariantCulture, $"  images: {BenchData.TrainImages}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  labels: {BenchData.TrainLabels}");
        text.AppendLine("  training_percentage: 0.75");
        text.AppendLine(CultureInfo.InvariantCulture, $"  subset: {images}");
        text.AppendLine("method: random");
        text.AppendLine("sampler_seed: 1");
        text.AppendLine(CultureInfo.InvariantCulture, $"trials: {trials}");
        text.AppendLine("parameters:");
        text.AppendLine("  optimizer: [Adadelta, Adagrad, Adam, Adamax, Momentum, RMSProp, StochasticGradientDescent]");
        text.AppendLine("  loss: CategoricalCrossEntropy");
        text.AppendLine("  learning_rate: {from: 0.0001, to: 1}");
        text.AppendLine("  batch_size: [8, 16]");
        text.AppendLine(CultureInfo.InvariantCulture, $"  epochs: {epochs}");
        text.AppendLine("  seed: 1");
        text.AppendLine("pruner: {type: asha, min_epochs: 1, reduction_factor: 3}");
        return text.ToString();
    }

    /// <summary>
    /// CPU seconds spent by the run and its workers, and trials finished, sampled as the sweep runs: wall time per
    /// trial counts whatever else the machine runs too, CPU time per trial is the engine's own.
    /// </summary>
    private sealed record Sample(double Seconds, int Finished, double Cpu);

    private static readonly List<Sample> Samples = [];

    private static TimeSpan RunSweep(string cli, string file, string db, string dir)
    {
        var start = new ProcessStartInfo(cli) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
        foreach (var a in new[] { "run", file, "--db", db, "--workers", "2", "--threads", "1" }) start.ArgumentList.Add(a);
        start.Environment[SyntheticTrainer.Variable] = "1";
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        using var log = new StreamWriter(Path.Combine(dir, "run.out"));
        var error = process.StandardError.ReadToEndAsync();
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(() => SampleCpu(process.Id, db, clock, sampling.Token));
        // The progress lines are part of what is measured (run prints them as it polls); they go to a file.
        while (process.StandardOutput.ReadLine() is { } line) log.WriteLine(line);
        sampling.Cancel();
        sampler.Wait();
        process.WaitForExit();
        clock.Stop();
        log.Write(error.Result);
        if (process.ExitCode is not (0 or 1))
            throw new InvalidOperationException($"piximi-sweep run exited {process.ExitCode}:\n{error.Result}");
        return clock.Elapsed;
    }

    private static void SampleCpu(int pid, string db, Stopwatch clock, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Thread.Sleep(200);
            try
            {
                if (!File.Exists(db)) continue;
                var finished = CountFinished(db);
                if (CpuSeconds(pid) is { } cpu) Samples.Add(new Sample(clock.Elapsed.TotalSeconds, finished, cpu));
            }
            catch (SqliteException)
            {
                // The run is still creating the store (no trials table yet, or the file locked while it is set up).
            }
        }
    }

    /// <summary>
    /// Plain SQL on its own read-only connection, not a store: a reader of a store written by an older build (--cli)
    /// reads a copy brought up to date when it opens, which would not see the run go on. Opened for each sample, not
    /// held: while a reader is open, the run's last connection cannot checkpoint and remove the write-ahead log when it
    /// closes, and the store would be left with tens of MB of log that every later status and best must read through
    /// on opening (what a user's store, after a run, does not have).
    /// </summary>
    private static int CountFinished(string db)
    {
        using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        using var count = new SqliteCommand("SELECT count(*) FROM trials WHERE state NOT IN ('queued', 'running');", connection);
        connection.Open();
        return Convert.ToInt32(count.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>utime + stime of the process, of its live children (the workers), and of its children that ended.</summary>
    private static double? CpuSeconds(int pid)
    {
        try
        {
            var ticks = Ticks(pid);
            foreach (var task in Directory.GetDirectories($"/proc/{pid}/task"))
                foreach (var child in File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    ticks += Ticks(int.Parse(child, CultureInfo.InvariantCulture));
            return ticks / 100.0; // USER_HZ
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static long Ticks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // Fields 14-17 of proc(5), counted from the state (field 3) here.
        long F(int n) => long.Parse(fields[n - 3], CultureInfo.InvariantCulture);
        return F(14) + F(15) + F(16) + F(17);
    }

    /// <summary>CPU milliseconds per trial between the samples where <paramref name="from"/> and <paramref name="to"/> trials had finished.</summary>
    private static double? CpuPerTrial(int from, int to)
    {
        var a = from == 0 ? Samples.FirstOrDefault() : Samples.FirstOrDefault(x => x.Finished >= from);
        var b = Samples.FirstOrDefault(x => x.Finished >= to);
        if (a is null || b is null || b.Finished <= a.Finished) return null;
        return (b.Cpu - a.Cpu) * 1000 / (b.Finished - a.Finished);
    }

    private static List<double> Time(string cli, string[] args, string db, int repeat)
    {
        var times = new List<double>();
        for (var i = 0; i < repeat; i++)
        {
            var start = new ProcessStartInfo(cli) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in args) start.ArgumentList.Add(a);
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            times.Add(clock.Elapsed.TotalMilliseconds);
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"piximi-sweep {string.Join(' ', args)} exited {process.ExitCode}:\n{error.Result}{output.Result}");
        }
        return times;
    }

    private static List<double> Repeat(int times, Action work)
    {
        var ms = new List<double>();
        for (var i = 0; i < times; i++)
        {
            var clock = Stopwatch.StartNew();
            work();
            ms.Add(clock.Elapsed.TotalMilliseconds);
        }
        return ms;
    }

    private static string Show(List<double> ms)
    {
        var sorted = ms.Order().ToList();
        return $"{sorted[sorted.Count / 2]:F1} ms ({sorted[0]:F1}–{sorted[^1]:F1})";
    }

    private static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
}
