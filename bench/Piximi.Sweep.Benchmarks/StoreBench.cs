using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Microsoft.Data.Sqlite;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Benchmarks;

/// <summary>
/// What the store costs per trial when training costs nothing: each trial is created (in one sweep of them all),
/// claimed, given its epochs' metrics and checkpoints one write at a time, and completed, on a real file in a temp
/// folder; then the checkpoints of all but the best are pruned. Then the same with several worker processes (this
/// program again) claiming from one file at once. All of it once per checkpoint size: SimpleCNN's parameters and Adam
/// state are about 40 KB.
/// Usage: store [--trials N] [--epochs N] [--processes N] [--checkpoint-kb N,N...] [--page-size BYTES] [--dir PATH]
/// --page-size makes each file with that SQLite page size before the store opens it (the store keeps a file's).
/// </summary>
internal static class StoreBench
{
    private const string WorkerFlag = "--worker";

    public static int Run(string[] args)
    {
        if (args.FirstOrDefault() == WorkerFlag)
        {
            return RunWorker(args[1..]);
        }

        var trials = BenchArgs.IntOption(args, "--trials", 2000);
        var epochs = BenchArgs.IntOption(args, "--epochs", 10);
        var processes = BenchArgs.IntOption(args, "--processes", 2);
        var checkpointSizes = (BenchArgs.Option(args, "--checkpoint-kb") ?? "4,40")
            .Split(',')
            .Select(kb => int.Parse(kb, CultureInfo.InvariantCulture) * 1024)
            .ToList();
        var pageSize = BenchArgs.Option(args, "--page-size") is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : (int?)null;
        var dir = BenchArgs.Option(args, "--dir");
        var folder = dir ?? Path.Combine(Path.GetTempPath(), $"piximi-store-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        try
        {
            Console.WriteLine(
                $"Trial store bookkeeping with a no-op trainer: {trials} trials x {epochs} epochs, SQLite " +
                $"{SqliteVersion()}, page size {(pageSize is { } size ? $"{size} bytes (made so)" : "the store's")}, " +
                $"files in {folder}");

            // JIT, page cache and the file system's first allocations, on a file of its own.
            RunInProcess(NewFile(folder, "warmup.db", pageSize), 200, epochs, checkpointSizes[0]);
            foreach (var checkpointBytes in checkpointSizes)
            {
                var kb = checkpointBytes / 1024;
                var path = NewFile(folder, $"one-process-{kb}kb.db", pageSize);
                var one = RunInProcess(path, trials, epochs, checkpointBytes);
                Console.WriteLine();
                Console.WriteLine(
                    $"One process, {kb} KB checkpoint per epoch (create, then claim / epochs / finish one trial after " +
                    "another):");
                Console.WriteLine($"  create  {one.Create / trials,8:F4} ms per trial ({one.Create:F1} ms for the sweep)");
                PrintSteps(one, trials, epochs);
                Console.WriteLine($"  total   {one.Total / trials,8:F4} ms per trial   (target: at most 1 ms)");
                Console.WriteLine(
                    $"  prune   {one.Prune,8:F1} ms once, for the sweep's {trials} checkpoints; then the file is " +
                    $"{MegaBytes(path):F1} MB, {MegaBytes(path, afterVacuum: true):F1} MB once vacuumed");

                if (processes > 1)
                {
                    var (wall, workers) = RunInProcesses(
                        NewFile(folder, $"processes-{kb}kb.db", pageSize), trials, epochs, processes, checkpointBytes);
                    Console.WriteLine();
                    Console.WriteLine(
                        $"{processes} worker processes on one file, {kb} KB checkpoint per epoch (claim / epochs / " +
                        "finish until none is left):");
                    Console.WriteLine(
                        $"  wall    {wall / trials,8:F4} ms per trial   ({trials} trials in {wall:F0} ms, from the common " +
                        "start to the last worker's end)");
                    foreach (var (name, steps) in workers.Where(w => w.Steps.Trials == 0))
                    {
                        // SQLite's busy handler is not fair: with a no-op trainer a worker that sleeps between
                        // retries may find the lock free only once the queue is empty. Trials that train for seconds
                        // leave gaps.
                        Console.WriteLine($"  {name}: 0 trials (it never got the write lock while trials were queued)");
                    }

                    foreach (var (name, steps) in workers.Where(w => w.Steps.Trials > 0))
                    {
                        Console.WriteLine(
                            $"  {name}: {steps.Trials} trials, {steps.Total / steps.Trials:F4} ms per trial of its own " +
                            $"(claim {steps.Claim / steps.Trials:F4}, epochs {steps.Epochs / steps.Trials:F4}, " +
                            $"finish {steps.Finish / steps.Trials:F4})");
                    }
                }
            }

            return 0;
        }
        finally
        {
            if (dir is null)
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>
    /// A path for a new store file. With a page size, the file is made with it first: SQLite fixes a file's page size
    /// when it writes the first page, so this is the one way to try another size without changing the store.
    /// </summary>
    private static string NewFile(string folder, string name, int? pageSize)
    {
        var path = Path.Combine(folder, name);
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }

        if (pageSize is { } size)
        {
            using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
            connection.Open();
            using var command = new SqliteCommand(
                $"PRAGMA page_size = {size.ToString(CultureInfo.InvariantCulture)}; PRAGMA journal_mode = WAL;", connection);
            command.ExecuteNonQuery();
        }

        return path;
    }

    private static double MegaBytes(string path, bool afterVacuum = false)
    {
        if (afterVacuum)
        {
            using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
            connection.Open();
            using var vacuum = new SqliteCommand("VACUUM;", connection);
            vacuum.ExecuteNonQuery();
        }

        return new FileInfo(path).Length / 1e6;
    }

    private static Steps RunInProcess(string path, int trials, int epochs, int checkpointBytes)
    {
        using var store = TrialStores.OpenSqlite(path);
        var grid = Grid(trials, epochs);
        var create = Stopwatch.StartNew();
        var sweep = store.CreateSweep(Definition(), grid);
        create.Stop();
        var steps = ClaimUntilNoneLeft(store, sweep.Id, "bench", epochs, checkpointBytes);
        var prune = Stopwatch.StartNew();
        store.PruneCheckpoints(sweep.Id, MetricNames.ValAccuracy);
        prune.Stop();
        return steps with { Create = create.Elapsed.TotalMilliseconds, Prune = prune.Elapsed.TotalMilliseconds };
    }

    private static Steps ClaimUntilNoneLeft(ITrialStore store, long sweepId, string workerId, int epochs, int checkpointBytes)
    {
        var claim = new Stopwatch();
        var record = new Stopwatch();
        var finish = new Stopwatch();
        var count = 0;
        var writes = new List<double>();
        // Random, so that no layer on the way can make the write cheaper by compressing it; new bytes every epoch
        // would only time the generator.
        var checkpoint = new byte[checkpointBytes];
        new Random(1).NextBytes(checkpoint);
        while (true)
        {
            claim.Start();
            var trial = store.ClaimNext(sweepId, workerId);
            claim.Stop();
            if (trial is null)
            {
                break;
            }

            var lease = TrialLease.Of(trial);
            record.Start();
            for (var epoch = 1; epoch <= epochs; epoch++)
            {
                var start = Stopwatch.GetTimestamp();
                store.RecordEpoch(
                    lease,
                    new EpochMetrics(epoch, 1.0 / epoch, 0.5 + epoch * 0.01, 1.1 / epoch, 0.5 + (count % 97) * 0.001, 0.01, 5000),
                    checkpoint);
                writes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }

            record.Stop();
            finish.Start();
            store.Finish(lease, TrialState.Completed, null);
            finish.Stop();
            count++;
        }

        return new Steps(count, 0, claim.Elapsed.TotalMilliseconds, record.Elapsed.TotalMilliseconds, finish.Elapsed.TotalMilliseconds)
        {
            EpochWrites = [.. writes.Order()],
        };
    }

    private static (double WallMs, List<(string Name, Steps Steps)> Workers) RunInProcesses(
        string path, int trials, int epochs, int processes, int checkpointBytes)
    {
        long sweepId;
        using (var store = TrialStores.OpenSqlite(path))
        {
            sweepId = store.CreateSweep(Definition(), Grid(trials, epochs)).Id;
        }

        var workers = Enumerable.Range(1, processes).Select(i => StartWorker(path, sweepId, epochs, checkpointBytes, $"process-{i}")).ToList();
        try
        {
            // Released together once all have started and opened the store, so process start-up is not counted.
            foreach (var worker in workers)
            {
                Expect(worker.StandardOutput.ReadLine(), "ready");
            }

            var wall = Stopwatch.StartNew();
            foreach (var worker in workers)
            {
                worker.StandardInput.WriteLine("go");
                worker.StandardInput.Flush();
            }

            var results = workers.Select((w, i) => ($"process-{i + 1}", Steps.Parse(w.StandardOutput.ReadLine()))).ToList();
            wall.Stop();
            foreach (var worker in workers)
            {
                worker.WaitForExit();
                if (worker.ExitCode != 0)
                {
                    throw new InvalidOperationException($"A bench worker exited with {worker.ExitCode}.");
                }
            }

            return (wall.Elapsed.TotalMilliseconds, results);
        }
        finally
        {
            foreach (var worker in workers)
            {
                if (!worker.HasExited)
                {
                    worker.Kill();
                }

                worker.Dispose();
            }
        }
    }

    /// <summary>This program again, in worker mode: through the apphost, or through `dotnet` and this assembly.</summary>
    private static Process StartWorker(string path, long sweepId, int epochs, int checkpointBytes, string workerId)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot tell which program this is.");
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetExecutingAssembly().Location);
        }

        foreach (var argument in new[]
                 {
                     "store", WorkerFlag, path, sweepId.ToString(CultureInfo.InvariantCulture),
                     epochs.ToString(CultureInfo.InvariantCulture), checkpointBytes.ToString(CultureInfo.InvariantCulture), workerId,
                 })
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"Could not start {host}.");
    }

    /// <summary>Worker mode: prints "ready", waits for a line, claims until none is left, prints its timings.</summary>
    private static int RunWorker(string[] args)
    {
        if (args is not [var path, var sweepText, var epochsText, var checkpointText, var workerId])
        {
            Console.Error.WriteLine("usage: store --worker <db> <sweep id> <epochs> <checkpoint bytes> <worker id>");
            return 2;
        }

        using var store = TrialStores.OpenSqlite(path);
        var sweepId = long.Parse(sweepText, CultureInfo.InvariantCulture);
        var epochs = int.Parse(epochsText, CultureInfo.InvariantCulture);
        var checkpointBytes = int.Parse(checkpointText, CultureInfo.InvariantCulture);
        // Warm the JIT on this store's statements without taking a trial: a claim of a sweep that does not exist.
        store.ClaimNext(-1, workerId);
        Console.WriteLine("ready");
        if (Console.ReadLine() is null)
        {
            return 3;
        }

        Console.WriteLine(ClaimUntilNoneLeft(store, sweepId, workerId, epochs, checkpointBytes).Format());
        return 0;
    }

    private static void PrintSteps(Steps steps, int trials, int epochs)
    {
        Console.WriteLine($"  claim   {steps.Claim / trials,8:F4} ms per trial");
        Console.WriteLine(
            $"  epochs  {steps.Epochs / trials,8:F4} ms per trial ({epochs} writes, {steps.Epochs / trials / epochs:F4} ms each)");
        Console.WriteLine($"  finish  {steps.Finish / trials,8:F4} ms per trial");
        if (steps.EpochWrites is [_, ..] writes)
        {
            // The tail is where the time goes: writes during which this process did not run (other processes on the
            // cores) or that crossed wal_autocheckpoint and copied the log back into the file. On a loaded machine
            // there are as many slow writes without checkpoints as with 40 KB ones: there, it is mostly the former.
            var slowest = writes[(int)(writes.Length * 0.99)..];
            Console.WriteLine(
                $"          one epoch write: median {writes[writes.Length / 2]:F4} ms, 99th percentile " +
                $"{writes[(int)(writes.Length * 0.99)]:F4} ms, slowest {writes[^1]:F1} ms; the slowest 1% took " +
                $"{slowest.Sum() / writes.Sum():P0} of the epochs' time; {writes.Count(w => w > 5)} took over 5 ms");
        }
    }

    private static SweepDefinition Definition() => new(
        "store-bench",
        new DatasetSpec("idx", "/nonexistent/images.idx", "/nonexistent/labels.idx", 0.8, null),
        ModelKind.SimpleCNN,
        "val_accuracy",
        new ParameterSpace([OptimizerKind.Adam], [LossKind.CategoricalCrossEntropy], [0.001], [32], [10], null, [0]));

    private static List<Hyperparameters> Grid(int trials, int epochs) =>
    [
        .. Enumerable.Range(0, trials).Select(i => new Hyperparameters(
            (OptimizerKind)(i % 7), (LossKind)(i % 7), 0.001 * (1 + i % 10), 32, epochs, null, i)),
    ];

    private static string SqliteVersion()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = new SqliteCommand("SELECT sqlite_version();", connection);
        return (string)command.ExecuteScalar()!;
    }

    private static void Expect(string? line, string expected)
    {
        if (line != expected)
        {
            throw new InvalidOperationException($"A bench worker said '{line}' instead of '{expected}'.");
        }
    }


    /// <summary>Milliseconds spent per step, summed over <see cref="Trials"/> trials.</summary>
    private sealed record Steps(int Trials, double Create, double Claim, double Epochs, double Finish)
    {
        /// <summary>Once per sweep, not per trial: not in <see cref="Total"/>.</summary>
        public double Prune { get; init; }

        /// <summary>Each epoch write's milliseconds, fastest first (in this process only).</summary>
        public double[] EpochWrites { get; init; } = [];

        public double Total => Create + Claim + Epochs + Finish;

        public string Format() => string.Join(' ', new[] { Trials, Claim, Epochs, Finish }.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

        public static Steps Parse(string? line)
        {
            var parts = (line ?? throw new InvalidOperationException("A bench worker ended without its timings."))
                .Split(' ')
                .Select(p => double.Parse(p, CultureInfo.InvariantCulture))
                .ToArray();
            return new Steps((int)parts[0], 0, parts[1], parts[2], parts[3]);
        }
    }
}
