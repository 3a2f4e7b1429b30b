using System.Diagnostics;
using System.Globalization;
using System.Text;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Benchmarks;

/// <summary>
/// Issue 5's benchmark, run through the real <c>piximi-sweep run</c> on Fashion-MNIST, every sweep in its own store:
/// (1) a grid of 3 optimizers × 3 learning rates × 3 batch sizes (27 trials × 9 epochs) run in full, against the same
/// grid pruned by ASHA (min_epochs 1, η 3), in the grid's order and in the reversed order (ASHA's decisions depend on
/// which trials reach a rung first): total epochs, best val_accuracy of completed trials, pruned trials per rung, and
/// the targets (ASHA ≤ 1/3 of the grid's epochs, within 0.5 percentage points of its best);
/// (2) TPE against random search at an equal budget (same space, same trial count, same epochs) over several sampler
/// seeds: best val_accuracy per seed, mean ± sd, paired differences, seeds won. Prints figures; never a test.
/// Usage: search --cli PATH [--grid-images N] [--grid-epochs N] [--orders forward,reversed] [--search-trials N]
///   [--search-epochs N] [--search-images N] [--seeds 1,2,3,4] [--search-workers N] [--search-threads N] [--dir PATH]
///   [--skip-asha] [--skip-tpe]
/// </summary>
internal static class SearchBench
{
    public static int Run(string[] args)
    {
        var cli = BenchArgs.Option(args, "--cli") ?? throw new ArgumentException("--cli <path to the piximi-sweep program> is required");
        var gridImages = BenchArgs.IntOption(args, "--grid-images", 12_000);
        var gridEpochs = BenchArgs.IntOption(args, "--grid-epochs", 9);
        var orders = (BenchArgs.Option(args, "--orders") ?? "forward,reversed").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var searchTrials = BenchArgs.IntOption(args, "--search-trials", 30);
        var searchEpochs = BenchArgs.IntOption(args, "--search-epochs", 2);
        var searchImages = BenchArgs.IntOption(args, "--search-images", 6_000);
        var seeds = (BenchArgs.Option(args, "--seeds") ?? "1,2,3,4").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
        var searchWorkers = BenchArgs.IntOption(args, "--search-workers", 1);
        var searchThreads = BenchArgs.IntOption(args, "--search-threads", 2);
        var given = BenchArgs.Option(args, "--dir");
        var dir = given is null ? Directory.CreateTempSubdirectory("piximi-search-bench-").FullName : Directory.CreateDirectory(given).FullName;
        var clock = Stopwatch.StartNew();
        Console.WriteLine($"bench-search on {Environment.ProcessorCount} cores, {DateTimeOffset.Now:yyyy-MM-dd HH:mm zzz}; stores and logs in {dir}");
        try
        {
            // A MISS is a figure to report, not a failure: the exit code is 0 whenever every sweep ran.
            if (!args.Contains("--skip-asha")) AshaVersusGrid(cli, dir, gridImages, gridEpochs, orders);
            if (!args.Contains("--skip-tpe")) TpeVersusRandom(cli, dir, searchTrials, searchEpochs, searchImages, seeds, searchWorkers, searchThreads);
            Console.WriteLine();
            Console.WriteLine($"bench-search: whole benchmark {clock.Elapsed.TotalSeconds:F0} s wall ({clock.Elapsed.TotalMinutes:F1} min)");
            return 0;
        }
        finally
        {
            if (given is null) Directory.Delete(dir, recursive: true);
        }
    }

    // ---------------------------------------------------------------- (1) ASHA against the full grid

    private static readonly string[] GridOptimizers = ["Adam", "RMSProp", "StochasticGradientDescent"];
    private static readonly string[] GridRates = ["0.001", "0.01", "0.1"];
    private static readonly string[] GridBatches = ["32", "64", "128"];

    private static void AshaVersusGrid(string cli, string dir, int images, int epochs, IReadOnlyList<string> orders)
    {
        var trials = GridOptimizers.Length * GridRates.Length * GridBatches.Length;
        Console.WriteLine();
        Console.WriteLine($"== ASHA against the full grid: {trials} trials ({string.Join(", ", GridOptimizers)} × learning rate {string.Join(", ", GridRates)} × batch {string.Join(", ", GridBatches)}), "
            + $"{epochs} epochs, {images:N0} Fashion-MNIST images (75% train), 2 workers × 1 thread");

        var grid = RunSweep(cli, dir, "grid", GridYaml("grid", images, epochs, reversed: false, asha: false), 2, 1);
        var gridBest = BestCompleted(grid.Summaries);
        var gridEpochsAt = grid.Epochs.GroupBy(e => e.TrialId).ToDictionary(g => g.Key, g => g.ToDictionary(e => e.Metrics.Epoch, e => e.Metrics));
        var byHyper = grid.Summaries.ToDictionary(s => s.Trial.Hyperparameters);
        Print("grid", grid, gridBest, null);

        // Where the grid's best stood among all trials at each rung: what a synchronous successive halving with every
        // trial known would have decided (keep the top 1/3 at epoch 1, then the top 1/3 of those at epoch 3).
        if (gridBest is not null)
        {
            foreach (var rungEpoch in new[] { 1, 3 }.Where(e => e < epochs))
            {
                var values = grid.Summaries.Where(s => gridEpochsAt.GetValueOrDefault(s.Trial.Id)?.ContainsKey(rungEpoch) == true)
                    .Select(s => (s.Trial.Id, gridEpochsAt[s.Trial.Id][rungEpoch].ValAccuracy)).OrderByDescending(v => v.ValAccuracy).ToList();
                var rank = values.FindIndex(v => v.Id == gridBest.Trial.Id) + 1;
                Console.WriteLine($"  the grid's best (trial {gridBest.Trial.Number}) at epoch {rungEpoch}: val_accuracy {gridEpochsAt[gridBest.Trial.Id][rungEpoch].ValAccuracy:F4}, rank {rank} of {values.Count}");
            }
        }

        var allPass = true;
        foreach (var order in orders)
        {
            var reversed = order switch
            {
                "forward" => false,
                "reversed" => true,
                _ => throw new ArgumentException($"--orders: unknown order '{order}'; allowed: forward, reversed"),
            };
            var asha = RunSweep(cli, dir, $"asha-{order}", GridYaml($"asha-{order}", images, epochs, reversed, asha: true), 2, 1);
            var ashaBest = BestCompleted(asha.Summaries);
            Console.WriteLine();
            // A pruned grid runs in an order shuffled by its sampler seed (0 here), so the two "orders" are two shuffles.
            Print($"ASHA, {order} written grid, run shuffled (sampler seed 0)", asha, ashaBest, grid);

            var pruned = asha.Summaries.Where(s => s.Trial.State == TrialState.Pruned).ToList();
            var rungs = pruned.GroupBy(s => s.Trial.Rung).OrderBy(g => g.Key)
                .Select(g => $"rung {g.Key} (epoch {(g.Key is { } r ? (int)Math.Pow(3, r) : 0)}): {g.Count()}");
            Console.WriteLine($"  pruned: {pruned.Count} — {string.Join("; ", rungs)}; ran all {epochs} epochs: {asha.Summaries.Count(s => s.EpochsRun == epochs)}");

            // The same trial (same settings and seed) must measure the same on CPU with the same thread count, pruned or not.
            int same = 0, differ = 0;
            foreach (var e in asha.Epochs)
            {
                var trial = asha.Summaries.First(s => s.Trial.Id == e.TrialId).Trial;
                var twin = byHyper[trial.Hyperparameters].Trial.Id;
                if (gridEpochsAt[twin].TryGetValue(e.Metrics.Epoch, out var m) && m.ValAccuracy == e.Metrics.ValAccuracy && m.Loss == e.Metrics.Loss) same++;
                else differ++;
            }
            Console.WriteLine($"  epochs measured the same as the grid's run of the same trial: {same} of {same + differ}");

            if (gridBest is not null)
            {
                var fate = asha.Summaries.First(s => s.Trial.Hyperparameters == gridBest.Trial.Hyperparameters);
                Console.WriteLine($"  the grid's best settings in this run: trial {fate.Trial.Number}, {fate.Trial.State}"
                    + (fate.Trial.State == TrialState.Pruned ? $" at rung {fate.Trial.Rung} after epoch {fate.EpochsRun} (val_accuracy {fate.Final?.ValAccuracy:F4})" : ""));
            }

            if (gridBest is null || ashaBest is null)
            {
                Console.WriteLine("  targets: cannot be judged (no completed trial)");
                allPass = false;
                continue;
            }
            var fraction = (double)asha.Usage.Epochs / grid.Usage.Epochs;
            var gap = (gridBest.Final!.ValAccuracy - ashaBest.Final!.ValAccuracy) * 100;
            var epochsPass = fraction <= 1.0 / 3;
            var gapPass = gap <= 0.5;
            allPass &= epochsPass && gapPass;
            Console.WriteLine($"  epochs: {asha.Usage.Epochs} of the grid's {grid.Usage.Epochs} = {fraction:P1} (target ≤ 33.3%): {(epochsPass ? "PASS" : "MISS")}");
            Console.WriteLine($"  best val_accuracy: {ashaBest.Final.ValAccuracy:F4} against the grid's {gridBest.Final.ValAccuracy:F4}, gap {gap:F2} pp (target ≤ 0.5 pp): {(gapPass ? "PASS" : "MISS")}");
            Console.WriteLine($"  wall time: {asha.Wall.TotalSeconds:F0} s against the grid's {grid.Wall.TotalSeconds:F0} s ({asha.Wall / grid.Wall:P0}); training seconds {asha.Usage.Seconds:F0} against {grid.Usage.Seconds:F0} ({asha.Usage.Seconds / grid.Usage.Seconds:P0})");
        }
        Console.WriteLine();
        Console.WriteLine(allPass
            ? $"ASHA against the grid: PASS in every order run ({string.Join(", ", orders)})"
            : $"ASHA against the grid: MISS in at least one of the orders run ({string.Join(", ", orders)}); see above");
    }

    private static string GridYaml(string name, int images, int epochs, bool reversed, bool asha)
    {
        static string List(IEnumerable<string> values, bool reversed) => "[" + string.Join(", ", reversed ? values.Reverse() : values) + "]";
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"name: {name}");
        AppendDataset(text, images);
        text.AppendLine("parameters:");
        text.AppendLine(CultureInfo.InvariantCulture, $"  optimizer: {List(GridOptimizers, reversed)}");
        text.AppendLine("  loss: CategoricalCrossEntropy");
        text.AppendLine(CultureInfo.InvariantCulture, $"  learning_rate: {List(GridRates, reversed)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  batch_size: {List(GridBatches, reversed)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  epochs: {epochs}");
        text.AppendLine("  seed: 1");
        if (asha) text.AppendLine("pruner: {type: asha, min_epochs: 1, reduction_factor: 3}");
        return text.ToString();
    }

    private static void Print(string label, SweepRun run, TrialSummary? best, SweepRun? grid)
    {
        var states = string.Join(", ", run.Summaries.GroupBy(s => s.Trial.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}"));
        Console.WriteLine($"{label}: {run.Summaries.Count} trials ({states}); {run.Usage.Epochs} epochs trained; wall {run.Wall.TotalSeconds:F0} s; training {run.Usage.Seconds:F0} s summed over trials");
        if (best is null)
        {
            Console.WriteLine("  best: none completed");
            return;
        }
        Console.WriteLine($"  best completed: trial {best.Trial.Number}, val_accuracy {best.Final!.ValAccuracy:F4} — {Describe(best.Trial.Hyperparameters)}");
        if (grid is not null)
        {
            var rank = Ranked(grid.Summaries).FindIndex(s => s.Trial.Hyperparameters == best.Trial.Hyperparameters) + 1;
            Console.WriteLine($"  (that is the grid's number {rank} of {grid.Summaries.Count})");
        }
        else
        {
            var top = Ranked(run.Summaries).Take(5).Select(s => $"{s.Final!.ValAccuracy:F4} ({Short(s.Trial.Hyperparameters)})");
            Console.WriteLine($"  top 5: {string.Join(", ", top)}");
        }
    }

    // ---------------------------------------------------------------- (2) TPE against random search

    private static void TpeVersusRandom(string cli, string dir, int trials, int epochs, int images, IReadOnlyList<int> seeds, int workers, int threads)
    {
        Console.WriteLine();
        Console.WriteLine($"== TPE against random search at an equal budget: {trials} trials × {epochs} epochs each, {images:N0} images (75% train), "
            + $"7 optimizers × 2 losses × learning rate 0.0001–1 (log-uniform) × batch 16, 32, 64, 128; {workers} worker(s) × {threads} thread(s); "
            + $"sampler seeds {string.Join(", ", seeds)}; TPE's first 10 trials are random start-up draws");
        Console.WriteLine($"{"seed",4}  {"random best",11}  {"TPE best",9}  {"TPE − random",12}  {"random: completed/diverged, epochs, wall",40}  {"TPE: completed/diverged, epochs, wall",37}");
        var rows = new List<(int Seed, double Random, double Tpe)>();
        foreach (var seed in seeds)
        {
            var random = RunSweep(cli, dir, $"random-{seed}", SearchYaml($"random-{seed}", "random", seed, trials, epochs, images), workers, threads);
            var tpe = RunSweep(cli, dir, $"tpe-{seed}", SearchYaml($"tpe-{seed}", "tpe", seed, trials, epochs, images), workers, threads);
            var r = BestCompleted(random.Summaries)?.Final!.ValAccuracy ?? double.NaN;
            var t = BestCompleted(tpe.Summaries)?.Final!.ValAccuracy ?? double.NaN;
            rows.Add((seed, r, t));
            Console.WriteLine($"{seed,4}  {r,11:F4}  {t,9:F4}  {(t - r) * 100,9:+0.00;-0.00} pp  {Brief(random),40}  {Brief(tpe),37}");
            var startup = Math.Min(10, trials);
            var shared = random.Summaries.OrderBy(s => s.Trial.Number).Take(startup).Select(s => s.Trial.Hyperparameters)
                .SequenceEqual(tpe.Summaries.OrderBy(s => s.Trial.Number).Take(startup).Select(s => s.Trial.Hyperparameters));
            Console.WriteLine($"      TPE's {startup} start-up trials are random's first {startup}: {(shared ? "yes (same draws), so the difference comes from TPE's own proposals" : "no")}");
            Console.WriteLine($"      random's best: {Describe(BestCompleted(random.Summaries)?.Trial.Hyperparameters)}");
            Console.WriteLine($"      TPE's best:    {Describe(BestCompleted(tpe.Summaries)?.Trial.Hyperparameters)} (trial {BestCompleted(tpe.Summaries)?.Trial.Number}; trials 11+ are TPE's own proposals)");
        }
        var (rm, rs) = Replicates.MeanAndSampleSd([.. rows.Select(x => x.Random)]);
        var (tm, ts) = Replicates.MeanAndSampleSd([.. rows.Select(x => x.Tpe)]);
        var (dm, ds) = Replicates.MeanAndSampleSd([.. rows.Select(x => (x.Tpe - x.Random) * 100)]);
        var wins = rows.Count(x => x.Tpe > x.Random);
        var ties = rows.Count(x => x.Tpe == x.Random);
        Console.WriteLine($"random search: best val_accuracy mean {rm:F4} ± {rs:F4} (sd over {rows.Count} seeds)");
        Console.WriteLine($"TPE:           best val_accuracy mean {tm:F4} ± {ts:F4}");
        Console.WriteLine($"paired differences TPE − random: {string.Join(", ", rows.Select(x => ((x.Tpe - x.Random) * 100).ToString("+0.00;-0.00", CultureInfo.InvariantCulture)))} pp; "
            + $"mean {dm:+0.00;-0.00} ± {ds:F2} pp; TPE won {wins} of {rows.Count} seeds" + (ties > 0 ? $" ({ties} tied)" : ""));
    }

    private static string SearchYaml(string name, string method, int seed, int trials, int epochs, int images)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"name: {name}");
        AppendDataset(text, images);
        text.AppendLine(CultureInfo.InvariantCulture, $"method: {method}");
        text.AppendLine(CultureInfo.InvariantCulture, $"sampler_seed: {seed}");
        text.AppendLine(CultureInfo.InvariantCulture, $"trials: {trials}");
        text.AppendLine("parameters:");
        text.AppendLine("  optimizer: [Adadelta, Adagrad, Adam, Adamax, Momentum, RMSProp, StochasticGradientDescent]");
        text.AppendLine("  loss: [CategoricalCrossEntropy, MeanSquaredError]");
        text.AppendLine("  learning_rate: {from: 0.0001, to: 1}");
        text.AppendLine("  batch_size: [16, 32, 64, 128]");
        text.AppendLine(CultureInfo.InvariantCulture, $"  epochs: {epochs}");
        text.AppendLine("  seed: 1");
        return text.ToString();
    }

    private static string Brief(SweepRun run) =>
        $"{run.Summaries.Count(s => s.Trial.State == TrialState.Completed)}/{run.Summaries.Count(s => s.Trial.State == TrialState.Diverged)}, {run.Usage.Epochs} ep, {run.Wall.TotalSeconds:F0} s";

    // ---------------------------------------------------------------- running and reading sweeps

    private sealed record SweepRun(IReadOnlyList<TrialSummary> Summaries, IReadOnlyList<EpochRecord> Epochs, SweepUsage Usage, TimeSpan Wall);

    private static void AppendDataset(StringBuilder text, int images)
    {
        text.AppendLine("dataset:");
        text.AppendLine("  kind: idx");
        text.AppendLine(CultureInfo.InvariantCulture, $"  images: {BenchData.TrainImages}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  labels: {BenchData.TrainLabels}");
        text.AppendLine("  training_percentage: 0.75");
        text.AppendLine(CultureInfo.InvariantCulture, $"  subset: {images}");
        text.AppendLine("model: SimpleCNN");
        text.AppendLine("metric: val_accuracy");
    }

    /// <summary>Writes the sweep file, runs it to the end on a fresh store, and reads the store back.</summary>
    private static SweepRun RunSweep(string cli, string dir, string name, string yaml, int workers, int threads)
    {
        var file = Path.Combine(dir, name + ".yaml");
        var db = Path.Combine(dir, name + ".db");
        File.WriteAllText(file, yaml);
        var start = new ProcessStartInfo(cli) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
        foreach (var a in new[] { "run", file, "--db", db, "--workers", workers.ToString(CultureInfo.InvariantCulture), "--threads", threads.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        clock.Stop();
        File.WriteAllText(Path.Combine(dir, name + ".out"), output.Result + error.Result);
        // 0: every trial finished; 1: some failed (diverged and pruned trials are finished). Anything else is a broken run.
        if (process.ExitCode is not (0 or 1))
            throw new InvalidOperationException($"piximi-sweep run {file} exited {process.ExitCode}:\n{error.Result}\n{output.Result[^Math.Min(2000, output.Result.Length)..]}");
        using var store = TrialStores.OpenSqlite(db);
        var sweep = store.FindSweep(name) ?? throw new InvalidOperationException($"sweep {name} not in {db}");
        return new SweepRun(store.SummarizeTrials(sweep.Id), store.ListEpochs(sweep.Id), store.Usage(sweep.Id), clock.Elapsed);
    }

    private static List<TrialSummary> Ranked(IEnumerable<TrialSummary> summaries) =>
        [.. summaries.Where(s => s.Trial.State == TrialState.Completed && s.Final is not null && !double.IsNaN(s.Final.ValAccuracy))
            .OrderByDescending(s => s.Final!.ValAccuracy).ThenBy(s => s.Trial.Number)];

    private static TrialSummary? BestCompleted(IEnumerable<TrialSummary> summaries) => Ranked(summaries).FirstOrDefault();

    private static string Describe(Hyperparameters? h) => h is null ? "none" :
        $"{h.Optimizer}, {h.Loss}, learning rate {h.LearningRate.ToString("G4", CultureInfo.InvariantCulture)}, batch {h.BatchSize}, {h.Epochs} epochs, seed {h.Seed}";

    private static string Short(Hyperparameters h) =>
        $"{h.Optimizer} {h.LearningRate.ToString("G3", CultureInfo.InvariantCulture)}/{h.BatchSize}";
}
