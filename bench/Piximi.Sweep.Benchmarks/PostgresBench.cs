using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Npgsql;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;
using Piximi.Sweep.Tests.Shared;

namespace Piximi.Sweep.Benchmarks;

/// <summary>
/// The PostgreSQL store with a no-op trainer, on a throw-away PostgreSQL 15 server (tests/Shared/PostgresServer.cs:
/// a new cluster on a free loopback port, removed at exit). That server runs with fsync off (set on its command line,
/// which no ALTER SYSTEM overrides): the figures are without disk flushes, an upper bound for a server that syncs.
/// (a) claims per second: worker PROCESSES (this program again, each with its own store and connection) claim from
/// one sweep until none is left, each trial claim → one epoch with a small checkpoint → finish; then the store is
/// checked: every trial completed, claimed exactly once (attempts 1, one epoch), and the claims the workers counted
/// add up to the trials;
/// (b) bookkeeping per trial for one worker: create, claim, epochs, finish, as the SQLite <c>store</c> bench does,
/// without a checkpoint and with one per epoch.
/// Usage: postgres [--trials N] [--workers N] [--claim-checkpoint-kb N] [--bookkeeping-trials N] [--epochs N]
/// [--checkpoint-kb N]
/// </summary>
internal static class PostgresBench
{
    private const string WorkerFlag = "--worker";

    public static int Run(string[] args)
    {
        if (args.FirstOrDefault() == WorkerFlag) return RunWorker(args[1..]);

        var trials = BenchArgs.IntOption(args, "--trials", 2000);
        var workers = BenchArgs.IntOption(args, "--workers", 4);
        var claimCheckpointKb = BenchArgs.IntOption(args, "--claim-checkpoint-kb", 1);
        var bookkeepingTrials = BenchArgs.IntOption(args, "--bookkeeping-trials", 500);
        var epochs = BenchArgs.IntOption(args, "--epochs", 10);
        var checkpointKb = BenchArgs.IntOption(args, "--checkpoint-kb", 80);

        var start = Stopwatch.StartNew();
        var warm = PostgresServer.CreateDatabase();
        using (var admin = new NpgsqlConnection(PostgresServer.ConnectionString("postgres")))
        {
            admin.Open();
            using var show = new NpgsqlCommand("SELECT current_setting('server_version') || ', fsync ' || current_setting('fsync') || ', synchronous_commit ' || current_setting('synchronous_commit');", admin);
            Console.WriteLine(
                $"PostgreSQL store, no-op trainer: a throw-away server ({show.ExecuteScalar()}) on 127.0.0.1, " +
                $"started in {start.Elapsed.TotalSeconds:F1} s; {Environment.ProcessorCount} cores");
        }

        // JIT and the server's caches, on a database of its own.
        Bookkeeping(warm, 50, epochs, 0);

        // (a) claims per second, worker processes
        var claimDb = PostgresServer.CreateDatabase();
        long sweepId;
        using (var store = TrialStores.OpenPostgres(claimDb))
        {
            sweepId = store.CreateSweep(Definition("claims"), Grid(trials, 1)).Id;
        }

        var (wall, counts) = RunWorkers(claimDb, sweepId, workers, claimCheckpointKb * 1024);
        Console.WriteLine();
        Console.WriteLine(
            $"(a) {workers} worker processes, one store each, claiming from one sweep of {trials} trials " +
            $"(claim, 1 epoch with a {claimCheckpointKb} KB checkpoint, finish):");
        Console.WriteLine($"  {trials / (wall / 1000):F0} trials claimed (and finished) per second: {trials} in {wall:F0} ms, from the common start to the last worker's end   (target: at least 200)");
        Console.WriteLine($"  per worker: {string.Join(", ", counts.Select(c => $"{c.Name} {c.Trials} ({c.ClaimMs / Math.Max(1, c.Trials):F3} ms per claim)"))}");
        using (var check = TrialStores.OpenPostgres(claimDb))
        {
            var stored = check.ListTrials(sweepId);
            var epochsStored = check.ListEpochs(sweepId);
            var twice = stored.Count(t => t.Attempts != 1);
            var notDone = stored.Count(t => t.State != TrialState.Completed);
            var claimed = counts.Sum(c => c.Trials);
            var ok = twice == 0 && notDone == 0 && claimed == trials && epochsStored.Count == trials
                     && epochsStored.Select(e => e.TrialId).Distinct().Count() == trials;
            Console.WriteLine(
                $"  duplicate claims: {twice} trial(s) claimed more than once (attempts from the store), {notDone} not completed, " +
                $"{claimed} claims counted by the workers for {trials} trials, {epochsStored.Count} epochs stored: {(ok ? "OK, every trial claimed exactly once" : "FAILED")}");
            if (!ok) return 1;
        }

        // (b) bookkeeping per trial, one worker
        foreach (var kb in new[] { 0, checkpointKb })
        {
            var b = Bookkeeping(PostgresServer.CreateDatabase(), bookkeepingTrials, epochs, kb * 1024);
            Console.WriteLine();
            Console.WriteLine(
                $"(b) One worker, {bookkeepingTrials} trials x {epochs} epochs, {(kb == 0 ? "no checkpoint" : $"a {kb} KB checkpoint per epoch")}:");
            Console.WriteLine($"  create  {b.Create / bookkeepingTrials,8:F4} ms per trial ({b.Create:F1} ms for the sweep)");
            Console.WriteLine($"  claim   {b.Claim / bookkeepingTrials,8:F4} ms per trial");
            Console.WriteLine($"  epochs  {b.Epochs / bookkeepingTrials,8:F4} ms per trial ({epochs} writes, {b.Epochs / bookkeepingTrials / epochs:F4} ms each)");
            Console.WriteLine($"  finish  {b.Finish / bookkeepingTrials,8:F4} ms per trial");
            Console.WriteLine($"  total   {b.Total / bookkeepingTrials,8:F4} ms per trial");
        }

        return 0;
    }

    private static Steps Bookkeeping(string connectionString, int trials, int epochs, int checkpointBytes)
    {
        using var store = TrialStores.OpenPostgres(connectionString);
        var create = Stopwatch.StartNew();
        var sweep = store.CreateSweep(Definition("bookkeeping"), Grid(trials, epochs));
        create.Stop();
        return ClaimUntilNoneLeft(store, sweep.Id, "bench", epochs, checkpointBytes) with { Create = create.Elapsed.TotalMilliseconds };
    }

    private static Steps ClaimUntilNoneLeft(ITrialStore store, long sweepId, string workerId, int epochs, int checkpointBytes)
    {
        var claim = new Stopwatch();
        var record = new Stopwatch();
        var finish = new Stopwatch();
        var count = 0;
        // Random, so no layer can make the write cheaper by compressing it (PostgreSQL's TOAST would).
        byte[]? checkpoint = checkpointBytes == 0 ? null : new byte[checkpointBytes];
        if (checkpoint is not null) new Random(1).NextBytes(checkpoint);
        while (true)
        {
            claim.Start();
            var trial = store.ClaimNext(sweepId, workerId);
            claim.Stop();
            if (trial is null) break;
            var lease = TrialLease.Of(trial);
            record.Start();
            for (var epoch = 1; epoch <= epochs; epoch++)
            {
                store.RecordEpoch(lease, new EpochMetrics(epoch, 1.0 / epoch, 0.5 + epoch * 0.01, 1.1 / epoch, 0.5 + (count % 97) * 0.001, 0.01, 5000), checkpoint);
            }

            record.Stop();
            finish.Start();
            store.Finish(lease, TrialState.Completed, null);
            finish.Stop();
            count++;
        }

        return new Steps(count, 0, claim.Elapsed.TotalMilliseconds, record.Elapsed.TotalMilliseconds, finish.Elapsed.TotalMilliseconds);
    }

    private static (double WallMs, List<(string Name, int Trials, double ClaimMs)> Counts) RunWorkers(
        string connectionString, long sweepId, int count, int checkpointBytes)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot tell which program this is.");
        var processes = Enumerable.Range(1, count).Select(i =>
        {
            var start = new ProcessStartInfo(host) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
            if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(Assembly.GetExecutingAssembly().Location);
            foreach (var a in new[] { "postgres", WorkerFlag, sweepId.ToString(CultureInfo.InvariantCulture), checkpointBytes.ToString(CultureInfo.InvariantCulture), $"worker-{i}" })
                start.ArgumentList.Add(a);
            // By environment, as the CLI passes it to workers: the password stays out of the process list.
            start.Environment[StoreLocations.EnvironmentVariable] = "postgres:" + connectionString;
            return Process.Start(start) ?? throw new InvalidOperationException($"Could not start {host}.");
        }).ToList();
        try
        {
            // Released together once all have opened their store, so start-up is not counted.
            foreach (var p in processes)
            {
                var line = p.StandardOutput.ReadLine();
                if (line != "ready") throw new InvalidOperationException($"A bench worker said '{line}' instead of 'ready'.");
            }

            var wall = Stopwatch.StartNew();
            foreach (var p in processes)
            {
                p.StandardInput.WriteLine("go");
                p.StandardInput.Flush();
            }

            var results = processes.Select((p, i) =>
            {
                var parts = (p.StandardOutput.ReadLine() ?? throw new InvalidOperationException("A bench worker ended without its count.")).Split(' ');
                return ($"worker-{i + 1}", int.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture));
            }).ToList();
            wall.Stop();
            foreach (var p in processes)
            {
                p.WaitForExit();
                if (p.ExitCode != 0) throw new InvalidOperationException($"A bench worker exited with {p.ExitCode}.");
            }

            return (wall.Elapsed.TotalMilliseconds, results);
        }
        finally
        {
            foreach (var p in processes)
            {
                if (!p.HasExited) p.Kill();
                p.Dispose();
            }
        }
    }

    /// <summary>Worker mode: opens the store named by the environment, prints "ready", waits for a line, claims until none is left, prints its count and claim time.</summary>
    private static int RunWorker(string[] args)
    {
        if (args is not [var sweepText, var checkpointText, var workerId])
        {
            Console.Error.WriteLine($"usage: postgres --worker <sweep id> <checkpoint bytes> <worker id>, the store in ${StoreLocations.EnvironmentVariable}");
            return 2;
        }

        using var store = TrialStores.Open(Environment.GetEnvironmentVariable(StoreLocations.EnvironmentVariable)!);
        store.ClaimNext(-1, workerId); // JIT, without taking a trial
        Console.WriteLine("ready");
        if (Console.ReadLine() is null) return 3;
        var steps = ClaimUntilNoneLeft(store, long.Parse(sweepText, CultureInfo.InvariantCulture), workerId, 1, int.Parse(checkpointText, CultureInfo.InvariantCulture));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{steps.Trials} {steps.Claim:R}"));
        return 0;
    }

    private static SweepDefinition Definition(string name) => new(
        name,
        new DatasetSpec("idx", "/nonexistent/images.idx", "/nonexistent/labels.idx", 0.8, null),
        ModelKind.SimpleCNN,
        "val_accuracy",
        new ParameterSpace([OptimizerKind.Adam], [LossKind.CategoricalCrossEntropy], [0.001], [32], [10], null, [0]));

    private static List<Hyperparameters> Grid(int trials, int epochs) =>
    [
        .. Enumerable.Range(0, trials).Select(i => new Hyperparameters(
            (OptimizerKind)(i % 7), (LossKind)(i % 7), 0.001 * (1 + i % 10), 32, epochs, null, i)),
    ];


    private sealed record Steps(int Trials, double Create, double Claim, double Epochs, double Finish)
    {
        public double Total => Create + Claim + Epochs + Finish;
    }
}
