using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Reports.Tests;

/// <summary>
/// A real SQLite store holding a TPE sweep (12 trials planned, sampler seed 42, 6 proposed so far) with an ASHA pruner
/// (min_epochs 1, η 3: rungs at epochs 1 and 3 below the 9 each trial is set to run) and early stopping (patience 3
/// on val_accuracy, min_delta 0.001):
/// <list type="bullet">
/// <item>1 and 6 complete all 9 epochs (final val_accuracy 0.85 and 0.88).</item>
/// <item>2 and 5 are pruned at rung 0 (epoch 1), 4 at rung 1 (epoch 3); trial 2's reason holds markup.</item>
/// <item>3 is early-stopped after 7 epochs keeping epoch 4 (val_accuracy 0.90, the best result; its last epoch has 0.86).</item>
/// </list>
/// Epochs trained 9 + 1 + 7 + 3 + 1 + 9 = 30 of 6 × 9 = 54 (56%). Rung 0 (epoch 1): 6 reached, 2 pruned, 4 went on;
/// rung 1 (epoch 3): 4 reached (1, 3, 4, 6), 1 pruned, 3 went on.
/// </summary>
internal sealed class PrunedSweep : IDisposable
{
    public const int EarlyStopped = 3;
    public const int KeptEpoch = 4;
    public const string PrunedMessage = "rung 0 (epoch 1): -0.41 > cut-off -0.52; <b>top</b> ⌊2/3⌋ & \"only the best\"";

    private readonly TempFolder _folder = new();

    public PrunedSweep()
    {
        Store = TrialStores.OpenSqlite(_folder.File("pruned.db"));
        var space = new ParameterSpace([OptimizerKind.Adam], [LossKind.CategoricalCrossEntropy], [0.001, 0.1], [32, 64], [9], null, [0]);
        Definition = new SweepDefinition("tpe-asha",
            new DatasetSpec("idx", "/data/mnist/train-images-idx3-ubyte.gz", "/data/mnist/train-labels-idx1-ubyte.gz", 0.75, Subset: 1000),
            ModelKind.SimpleCNN, MetricNames.ValAccuracy, space)
        {
            Method = SearchMethod.Tpe,
            SamplerSeed = 42,
            Trials = 12,
            Pruner = new PrunerSpec(PrunerKind.Asha) { MinEpochs = 1, ReductionFactor = 3 },
            EarlyStopping = new EarlyStoppingSpec(MetricNames.ValAccuracy, Patience: 3, MinDelta: 0.001),
        };
        Sweep = Store.CreateSweep(Definition, []);
        Run();
    }

    public ITrialStore Store { get; }

    public SweepDefinition Definition { get; }

    public SweepRecord Sweep { get; }

    public SweepReport Load() => SweepReport.Load(Store, Sweep);

    /// <summary>Val_accuracy of trial n at epoch e; trial 3 peaks at its epoch 4.</summary>
    public static double ValAccuracy(int number, int epoch) => number == EarlyStopped
        ? epoch switch { 4 => 0.90, > 4 => 0.90 - 0.01 * (epoch - 4), _ => 0.80 + 0.02 * (epoch - 1) }
        : number switch { 1 => 0.85, 6 => 0.88, _ => 0.60 } - 0.01 * (9 - epoch);

    public static EpochMetrics Epoch(int number, int epoch) =>
        new(epoch, 1.0 / (epoch + number), 0.5 + 0.04 * epoch, 1.1 / (epoch + number), ValAccuracy(number, epoch), Seconds: 2 + epoch, ImagesPerSecond: 1000);

    private void Run()
    {
        (int Epochs, TrialState State, string? Message, int? Kept, int? Rung)[] plan =
        [
            (9, TrialState.Completed, null, null, null),
            (1, TrialState.Pruned, PrunedMessage, null, 0),
            (7, TrialState.Completed, null, KeptEpoch, null),
            (3, TrialState.Pruned, "rung 1 (epoch 3): -0.56 > cut-off -0.83; top ⌊4/3⌋ = 1 of 4 trials at this rung continue", null, 1),
            (1, TrialState.Pruned, "rung 0 (epoch 1): -0.52 > cut-off -0.60; top ⌊5/3⌋ = 1 of 5 trials at this rung continue", null, 0),
            (9, TrialState.Completed, null, null, null),
        ];
        for (var i = 0; i < plan.Length; i++)
        {
            var number = i + 1;
            var hp = new Hyperparameters(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, 0.001 * number, 32, 9, null, 0);
            var trial = Store.AddClaimedTrial(Sweep.Id, number, hp, "worker-1") ?? throw new InvalidOperationException("no trial added");
            var lease = TrialLease.Of(trial);
            for (var epoch = 1; epoch <= plan[i].Epochs; epoch++) Store.RecordEpoch(lease, Epoch(number, epoch), [1, 2]);
            Store.Finish(lease, plan[i].State, plan[i].Message, plan[i].Kept, plan[i].Rung);
        }
    }

    public void Dispose()
    {
        Store.Dispose();
        _folder.Dispose();
    }
}
