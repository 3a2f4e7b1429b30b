using System.Diagnostics;
using System.Globalization;
using Piximi.Sweep.Core;
using Piximi.Sweep.Training;

namespace Piximi.Sweep.Benchmarks;

/// <summary>
/// SimpleCNN training throughput on Fashion-MNIST in images/s (training + validation images per epoch second), at
/// several batch sizes, in two layouts of the machine's cores: one process with N threads, and N processes with one
/// thread each running at once (the bench launches itself with <c>--child</c>; small convolutions parallelise poorly
/// across threads, so the second layout is how sweep workers should use a CPU). Then a grid of 8 trials
/// (batch 32/64 × lr 0.01/0.001 × seed 0/1, 2 epochs each) is timed in both layouts. Prints figures; never a test.
/// </summary>
/// <remarks>
/// Options: --images PATH --labels PATH (default: Fashion-MNIST's 60,000 training images) --train 12000 --val 3000
/// --epochs 2 --batches 32,64 --threads 2 (also the number of child processes) --no-grid.
/// <para>
/// Measured on the project's 2-core Debian 12 machine (Release, quiet CPU), images/s in epoch 2: batch 32, 1 process ×
/// 2 threads ~31,700, 2 processes × 1 thread ~36,000–40,000 in sum; batch 64, ~34,000–35,500 and ~43,500. The grid:
/// ~7.5 s in one process, ~6.8 s in two (a bare TorchSharp loop was ~18.5 s, PyTorch 1.13 ~16.2 s). Under load from
/// other processes the 2-thread figures collapse (seen: 1,300–6,400 images/s) while 1-thread processes barely move.
/// </para>
/// </remarks>
internal static class ThroughputBench
{

    private sealed record Options(
        string Images, string Labels, int Train, int Validation, int Epochs, int[] Batches, int Threads, bool Grid,
        bool Child, int[] Seeds, double[] LearningRates, (int Batch, double Lr, int Seed)[] ChildTrials);

    /// <summary>One trial's epochs, as a child reports them.</summary>
    private sealed record TrialResult(int BatchSize, IReadOnlyList<EpochMetrics> Epochs, double WallSeconds);

    public static int Run(string[] args)
    {
        Options options;
        try
        {
            options = Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"throughput: {e.Message}");
            return 2;
        }
        return options.Child ? RunChild(options) : RunParent(options);
    }

    private static int RunParent(Options o)
    {
        Console.WriteLine(
            $"SimpleCNN on Fashion-MNIST ({o.Train:N0} training + {o.Validation:N0} validation images), Adam lr 0.01, " +
            $"{o.Epochs} epochs, {Environment.ProcessorCount} logical CPUs");
        var spec = Spec(o);
        var load = Stopwatch.StartNew();
        TorchRuntime.Initialize(o.Threads);
        using var data = ImageDataset.Load(spec);
        Console.WriteLine($"dataset load (decompress + subset + tensor): {load.Elapsed.TotalSeconds:0.00} s");
        Console.WriteLine();
        Console.WriteLine("layout                     batch  epoch   images/s   val_acc");

        foreach (var batch in o.Batches)
        {
            var result = RunTrial(data, spec, o, batch, 0.01, seed: 0);
            foreach (var e in result.Epochs)
                Console.WriteLine($"1 process × {o.Threads} threads   {batch,5}  {e.Epoch,5}  {e.ImagesPerSecond,9:N0}   {e.ValAccuracy:0.000}");

            var children = RunChildren(o, Enumerable.Repeat(new[] { (batch, 0.01, 0) }, o.Threads).ToArray());
            for (var epoch = 1; epoch <= o.Epochs; epoch++)
            {
                var perChild = children.Select(c => c.Single().Epochs[epoch - 1].ImagesPerSecond).ToArray();
                Console.WriteLine(
                    $"{o.Threads} processes × 1 thread {batch,5}  {epoch,5}  {perChild.Sum(),9:N0}   " +
                    $"(sum of {string.Join(" + ", perChild.Select(v => v.ToString("N0", CultureInfo.InvariantCulture)))})");
            }
        }

        if (o.Grid)
        {
            Console.WriteLine();
            var grid = (from batch in new[] { 32, 64 }
                        from lr in o.LearningRates
                        from seed in o.Seeds
                        select (batch, lr, seed)).ToArray();
            var clock = Stopwatch.StartNew();
            foreach (var (batch, lr, seed) in grid)
                RunTrial(data, spec, o, batch, lr, seed);
            var inProcess = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"grid of {grid.Length} trials × {o.Epochs} epochs, 1 process × {o.Threads} threads:   {inProcess,6:0.0} s");

            // Round-robin: each child gets every N-th trial, so both get the same mix of batch sizes.
            var shares = Enumerable.Range(0, o.Threads)
                .Select(c => grid.Where((_, i) => i % o.Threads == c).ToArray()).ToArray();
            clock.Restart();
            RunChildren(o, shares);
            Console.WriteLine(
                $"grid of {grid.Length} trials × {o.Epochs} epochs, {o.Threads} processes × 1 thread: {clock.Elapsed.TotalSeconds,6:0.0} s " +
                "(from all children ready to all done; each loads the dataset before)");
        }
        return 0;
    }

    private static TrialResult RunTrial(ImageDataset data, DatasetSpec spec, Options o, int batch, double lr, int seed)
    {
        var hp = new Hyperparameters(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, lr, batch, o.Epochs, null, seed);
        var sweep = new SweepDefinition("throughput", spec, ModelKind.SimpleCNN, "val_accuracy",
            new ParameterSpace([hp.Optimizer], [hp.Loss], [lr], [batch], [o.Epochs], null, [seed]));
        var epochs = new List<EpochMetrics>();
        var clock = Stopwatch.StartNew();
        var outcome = Trainer.Train(data, sweep, hp, "cpu", epochs.Add, CancellationToken.None);
        if (outcome.State != TrialState.Completed)
            throw new InvalidOperationException($"trial ended {outcome.State}: {outcome.Message}");
        return new TrialResult(batch, epochs, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Starts one child per share of trials, waits until every child has loaded the data, starts them together and
    /// collects their results.
    /// </summary>
    private static List<TrialResult>[] RunChildren(Options o, (int Batch, double Lr, int Seed)[][] shares)
    {
        var processes = shares.Select(share => StartChild(o, share)).ToArray();
        try
        {
            foreach (var p in processes)
                Expect(p, "ready");
            foreach (var p in processes)
                p.StandardInput.WriteLine("go");
            var results = processes.Select(ReadResults).ToArray();
            foreach (var p in processes)
            {
                p.WaitForExit();
                if (p.ExitCode != 0)
                    throw new InvalidOperationException($"child exited with {p.ExitCode}: {p.StandardError.ReadToEnd()}");
            }
            return results;
        }
        finally
        {
            foreach (var p in processes)
                p.Dispose();
        }
    }

    private static Process StartChild(Options o, (int Batch, double Lr, int Seed)[] trials)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("unknown process path");
        var info = new ProcessStartInfo(self)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Run as `dotnet Piximi.Sweep.Benchmarks.dll`: the child needs the dll too.
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            info.ArgumentList.Add(typeof(ThroughputBench).Assembly.Location);
        foreach (var arg in new[]
                 {
                     "throughput", "--child", "--images", o.Images, "--labels", o.Labels,
                     "--train", Invariant(o.Train), "--val", Invariant(o.Validation), "--epochs", Invariant(o.Epochs),
                     "--trials", string.Join(';', trials.Select(t => $"{t.Batch}:{Invariant(t.Lr)}:{t.Seed}")),
                 })
            info.ArgumentList.Add(arg);
        return Process.Start(info) ?? throw new InvalidOperationException("cannot start a child process");
    }

    private static void Expect(Process p, string line)
    {
        var got = p.StandardOutput.ReadLine();
        if (got != line)
            throw new InvalidOperationException($"child said '{got}' instead of '{line}': {p.StandardError.ReadToEnd()}");
    }

    private static List<TrialResult> ReadResults(Process p)
    {
        var results = new List<TrialResult>();
        var epochs = new List<EpochMetrics>();
        while (p.StandardOutput.ReadLine() is { } line)
        {
            var f = line.Split(' ');
            switch (f[0])
            {
                case "epoch":
                    epochs.Add(new EpochMetrics(int.Parse(f[1], CultureInfo.InvariantCulture), 0, 0, 0,
                        double.Parse(f[4], CultureInfo.InvariantCulture), double.Parse(f[2], CultureInfo.InvariantCulture),
                        double.Parse(f[3], CultureInfo.InvariantCulture)));
                    break;
                case "trial":
                    results.Add(new TrialResult(int.Parse(f[1], CultureInfo.InvariantCulture), epochs,
                        double.Parse(f[2], CultureInfo.InvariantCulture)));
                    epochs = [];
                    break;
            }
        }
        return results;
    }

    /// <summary>A child: one thread, loads, says "ready", waits for "go", runs its trials and prints every epoch.</summary>
    private static int RunChild(Options o)
    {
        TorchRuntime.Initialize(threads: 1);
        var spec = Spec(o);
        using var data = ImageDataset.Load(spec);
        Console.WriteLine("ready");
        if (Console.ReadLine() != "go")
            return 1;
        foreach (var (batch, lr, seed) in o.ChildTrials)
        {
            var result = RunTrial(data, spec, o, batch, lr, seed);
            foreach (var e in result.Epochs)
                Console.WriteLine($"epoch {e.Epoch} {Invariant(e.Seconds)} {Invariant(e.ImagesPerSecond)} {Invariant(e.ValAccuracy)}");
            Console.WriteLine($"trial {batch} {Invariant(result.WallSeconds)}");
        }
        return 0;
    }

    private static DatasetSpec Spec(Options o) =>
        new("idx", o.Images, o.Labels, (double)o.Train / (o.Train + o.Validation), o.Train + o.Validation);

    private static string Invariant(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>"32:0.01:0;64:0.001:1": batch size, learning rate and seed of each trial a child runs.</summary>
    private static (int Batch, double Lr, int Seed)[] ParseTrials(string trials) =>
        trials.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(t =>
        {
            var f = t.Split(':');
            return (int.Parse(f[0], CultureInfo.InvariantCulture), double.Parse(f[1], CultureInfo.InvariantCulture),
                int.Parse(f[2], CultureInfo.InvariantCulture));
        }).ToArray();

    private static Options Parse(string[] args)
    {
        var o = new Options(
            BenchData.TrainImages, BenchData.TrainLabels,
            12_000, 3_000, 2, [32, 64], 2, Grid: true, Child: false, Seeds: [0, 1], LearningRates: [0.01, 0.001], ChildTrials: []);
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0
                ? v : throw new ArgumentException($"{args[i - 1]} needs a positive integer");
            o = args[i] switch
            {
                "--images" => o with { Images = Value() },
                "--labels" => o with { Labels = Value() },
                "--train" => o with { Train = Int() },
                "--val" => o with { Validation = Int() },
                "--epochs" => o with { Epochs = Int() },
                "--threads" => o with { Threads = Int() },
                "--batches" => o with { Batches = Value().Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture)).ToArray() },
                "--no-grid" => o with { Grid = false },
                "--child" => o with { Child = true },
                "--trials" => o with { ChildTrials = ParseTrials(Value()) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return o;
    }
}
