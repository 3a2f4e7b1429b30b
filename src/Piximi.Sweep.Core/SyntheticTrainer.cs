using System.Buffers.Binary;

namespace Piximi.Sweep.Core;

/// <summary>
/// For benchmarks of the engine only (scripts/bench-scale), never for a real sweep: a trainer that trains nothing and
/// takes no time, so that what a benchmark measures is the engine's own cost (sampler, pruner, store, workers,
/// supervision). Its metrics are deterministic and plausible: a learning curve from the trial's hyperparameters and
/// seed (a learning rate far from 0.01 learns slower and ends lower; noise from the seed and settings), so pruners
/// and rankings have real decisions to make. Its checkpoint is 12 bytes: the epoch and the trial's seconds so far.
/// A worker uses it only when its environment says so (<c>PIXIMI_SWEEP_SYNTHETIC_TRAINER=1</c>, set by the bench).
/// </summary>
public sealed class SyntheticTrainer : ITrainer
{
    /// <summary>The environment variable that makes a worker train with this instead of TorchSharp (benchmarks only).</summary>
    public const string Variable = "PIXIMI_SWEEP_SYNTHETIC_TRAINER";

    /// <summary>Seconds each synthetic epoch says it took (for the compute budget and the deadline's estimate).</summary>
    public const double EpochSeconds = 0.001;

    public IReadOnlyList<string> ClassNames { get; } = ["0", "1"];

    public TrainingOutcome Train(SweepDefinition sweep, Hyperparameters hyperparameters, TrainingResume? resume,
        Func<EpochResult, string?> onEpoch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        ArgumentNullException.ThrowIfNull(onEpoch);
        var start = resume is null ? 0 : BinaryPrimitives.ReadInt32LittleEndian(resume.Checkpoint);
        for (var epoch = start + 1; epoch <= hyperparameters.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var metrics = Metrics(hyperparameters, epoch);
            var checkpoint = new byte[12];
            BinaryPrimitives.WriteInt32LittleEndian(checkpoint, epoch);
            BinaryPrimitives.WriteDoubleLittleEndian(checkpoint.AsSpan(4), epoch * EpochSeconds);
            var result = new EpochResult(metrics, checkpoint) { Confusion = [[1, 0], [0, 1]] };
            if (onEpoch(result) is { } reason) return new TrainingOutcome(TrialState.Pruned, reason, epoch) { Confusion = result.Confusion };
        }
        return new TrainingOutcome(TrialState.Completed, null, hyperparameters.Epochs) { Confusion = [[1, 0], [0, 1]] };
    }

    /// <summary>The synthetic curve: accuracy rises towards a ceiling set by the settings, with the seed's noise.</summary>
    internal static EpochMetrics Metrics(Hyperparameters hp, int epoch)
    {
        var distance = Math.Abs(Math.Log10(hp.LearningRate / 0.01));
        var ceiling = 0.95 - 0.15 * Math.Min(distance, 2) - 0.02 * ((int)hp.Optimizer % 3) - 0.01 * Math.Log2(Math.Max(1, hp.BatchSize / 16.0));
        var noise = (Hash(hp, epoch) - 0.5) * 0.02;
        var accuracy = Math.Clamp(ceiling * (1 - Math.Exp(-epoch / (1.5 + distance))) + noise, 0, 1);
        var valAccuracy = Math.Clamp(accuracy - 0.02 + noise / 2, 0, 1);
        return new EpochMetrics(epoch, -Math.Log(Math.Max(accuracy, 1e-3)), accuracy, -Math.Log(Math.Max(valAccuracy, 1e-3)), valAccuracy,
            EpochSeconds, 1000 / EpochSeconds);
    }

    private static double Hash(Hyperparameters hp, int epoch)
    {
        // Not HashCode.Combine: it is seeded per process, and every worker must measure a trial the same.
        var h = ((ulong)(uint)hp.Seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)epoch << 48) ^ BitConverter.DoubleToUInt64Bits(hp.LearningRate) ^ ((ulong)hp.BatchSize << 32) ^ (ulong)hp.Optimizer;
        h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9UL;
        h = (h ^ (h >> 27)) * 0x94D049BB133111EBUL;
        return (h ^ (h >> 31)) / (double)ulong.MaxValue;
    }
}
