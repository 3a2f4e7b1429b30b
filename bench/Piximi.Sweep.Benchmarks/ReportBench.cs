using System.Diagnostics;
using System.Globalization;
using Piximi.Sweep.Core;
using Piximi.Sweep.Reports;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Benchmarks;

/// <summary>
/// What reading a large sweep costs: a synthetic store of N trials × E epochs (made through the Storage API, with an
/// evaluation per trial), then (1) <c>SweepReport.Load</c> + <c>ReportWriter.Html</c> to a file (target &lt; 5 s) and
/// (2) what <c>piximi-sweep best</c> does: the store's trial summaries (one query, last epoch per trial) +
/// Ranking.Rank + top 5 (target &lt; 200 ms), each step timed. Prints figures; never a test.
/// Usage: report [--trials N] [--epochs N] [--repeat N] [--dir PATH]
/// </summary>
internal static class ReportBench
{
    public static int Run(string[] args)
    {
        var trials = BenchArgs.IntOption(args, "--trials", 10_000);
        var epochs = BenchArgs.IntOption(args, "--epochs", 20);
        var repeat = BenchArgs.IntOption(args, "--repeat", 3);
        var dir = BenchArgs.Option(args, "--dir");
        var folder = dir ?? Path.Combine(Path.GetTempPath(), $"piximi-report-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        try
        {
            var path = Path.Combine(folder, "report-bench.db");
            foreach (var file in new[] { path, path + "-wal", path + "-shm" }) File.Delete(file);
            var build = Stopwatch.StartNew();
            using var store = TrialStores.OpenSqlite(path);
            var sweep = Fill(store, trials, epochs);
            build.Stop();
            Console.WriteLine($"Synthetic store: {trials} trials x {epochs} epochs, built through the Storage API in {build.Elapsed.TotalSeconds:F1} s ({new FileInfo(path).Length / 1e6:F1} MB)");

            var html = Path.Combine(folder, "report.html");
            for (var run = 1; run <= repeat; run++)
            {
                var load = Stopwatch.StartNew();
                var report = SweepReport.Load(store, sweep);
                load.Stop();
                var write = Stopwatch.StartNew();
                using (var writer = new StreamWriter(html)) ReportWriter.Html(report, writer);
                write.Stop();
                Console.WriteLine($"  report run {run}: Load {load.Elapsed.TotalMilliseconds,7:F0} ms + Html {write.Elapsed.TotalMilliseconds,7:F0} ms = "
                    + $"{(load.Elapsed + write.Elapsed).TotalSeconds:F2} s (target < 5 s); file {new FileInfo(html).Length / 1e6:F1} MB");
            }

            for (var run = 1; run <= repeat; run++)
            {
                var t0 = Stopwatch.GetTimestamp();
                var summaries = store.SummarizeTrials(sweep.Id);
                var t1 = Stopwatch.GetTimestamp();
                var top = Ranking.Rank(summaries, MetricNames.ValAccuracy).Take(5).ToList();
                var t2 = Stopwatch.GetTimestamp();
                Console.WriteLine($"  best run {run}: {Ms(t0, t2),6:F0} ms (target < 200 ms) = SummarizeTrials {Ms(t0, t1):F0} "
                    + $"({summaries.Count} trials) + Rank/top {top.Count} {Ms(t1, t2):F0}");
            }
            return 0;
        }
        finally
        {
            if (dir is null) Directory.Delete(folder, recursive: true);
        }
    }

    private static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

    internal static SweepRecord Fill(ITrialStore store, int trials, int epochs)
    {
        var space = new ParameterSpace(Enum.GetValues<OptimizerKind>(), [LossKind.CategoricalCrossEntropy, LossKind.Hinge, LossKind.Huber, LossKind.MeanSquaredError],
            [0.001, 0.003, 0.01, 0.03, 0.1, 0.3], [16, 32, 64, 128], [epochs], null, [.. Enumerable.Range(0, (trials + 671) / 672)]);
        var definition = new SweepDefinition("report-bench", new DatasetSpec("idx", "/bench/images.idx", "/bench/labels.idx", 0.75, null),
            ModelKind.SimpleCNN, MetricNames.ValAccuracy, space);
        var sweep = store.CreateSweep(definition, [.. Grid.Expand(space).Take(trials)]);
        var random = new Random(7);
        string[] classes = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
        while (store.ClaimNext(sweep.Id, "bench") is { } trial)
        {
            var lease = TrialLease.Of(trial);
            var ceiling = 0.5 + 0.45 * random.NextDouble();
            for (var epoch = 1; epoch <= epochs; epoch++)
            {
                var progress = 1 - Math.Exp(-epoch / 4.0);
                store.RecordEpoch(lease, new EpochMetrics(epoch, 2.3 * (1 - progress) + 0.1, ceiling * progress + 0.02, 2.4 * (1 - progress) + 0.15,
                    ceiling * progress, 1.5 + random.NextDouble(), 4000), null);
            }
            var confusion = classes.Select((_, r) => (IReadOnlyList<int>)[.. classes.Select((_, c) => r == c ? 90 : random.Next(3))]).ToList();
            store.RecordEvaluation(lease, new TrialEvaluation(trial.Id, classes, confusion));
            store.Finish(lease, TrialState.Completed, null);
        }
        return sweep;
    }
}
