using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;
using Piximi.Sweep.Training;

namespace Piximi.Sweep.Cli.Tests;

public sealed class A_diverging_trial
{
    /// <summary>
    /// Nothing diverges for real within the allowed learning rates (≤ 1): 2,940 trials over every optimizer, loss,
    /// batch size 1–16 at rates 0.5 and 1 stayed finite (see src/Piximi.Sweep.Training/LOSSES.md). So the NaN is
    /// planted: trial 2's stored checkpoint after epoch 1 gets one NaN weight. Everything after that is real: a worker
    /// process resumes the trial, the real loss becomes NaN, the trainer reports it, the store marks it diverged at
    /// that epoch, and the rest of the sweep goes on.
    /// </summary>
    [Fact]
    public async Task Ends_diverged_at_the_epoch_its_loss_became_nan_and_the_sweep_goes_on()
    {
        using var folder = new TestFolder();
        var file = folder.Write("nan.yaml", TestFolder.SmallSweep("nan", 600,
            ("learning_rate", "[0.001, 0.003, 0.01]"), ("batch_size", "32"), ("epochs", "3")));
        PlantNanAfterFirstEpochOfTrial2(file, folder.Db);

        var result = await Cli.RunProcessAsync(folder.Path, TimeSpan.FromMinutes(5), "run", file, "--db", folder.Db, "--workers", "1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("trial 2 diverged: loss became NaN at epoch 2", result.Output);
        var (store, sweep) = StoreChecks.Open(folder.Db, "nan");
        using var _ = store;
        var trials = store.ListTrials(sweep.Id);
        var diverged = trials.Single(t => t.Number == 2);
        Assert.Equal(TrialState.Diverged, diverged.State);
        Assert.StartsWith("loss became NaN at epoch 2", diverged.Message);
        Assert.Equal([1], store.ListEpochs(sweep.Id).Where(e => e.TrialId == diverged.Id).Select(e => e.Metrics.Epoch));
        Assert.Null(store.LoadCheckpoint(diverged.Id));
        Assert.All(trials.Where(t => t.Number != 2), t => Assert.Equal(TrialState.Completed, t.State));
        // Diverged trials are results, not errors: they are listed, never ranked.
        var best = await Cli.RunAsync("best", "--db", folder.Db, "--format", "csv");
        Assert.DoesNotContain(",diverged,", best.Output);
    }

    private static void PlantNanAfterFirstEpochOfTrial2(string sweepFile, string db)
    {
        var loaded = SweepFile.Load(LocalDisk.Instance, sweepFile);
        using var store = TrialStores.OpenSqlite(db);
        var sweep = store.CreateSweep(loaded.Definition, loaded.Trials);
        var first = store.ClaimNext(sweep.Id, "test:1")!;
        var second = store.ClaimNext(sweep.Id, "test:1")!;
        store.Release(TrialLease.Of(first), "not this one");

        TorchRuntime.Initialize(1);
        using var data = ImageDataset.Load(loaded.Definition.Dataset);
        using var stop = new CancellationTokenSource();
        EpochResult? epoch1 = null;
        Assert.Throws<OperationCanceledException>(() => Trainer.Train(data, loaded.Definition, second.Hyperparameters, "cpu", null,
            e => { epoch1 = e; stop.Cancel(); }, stop.Token));

        var checkpoint = Checkpoint.Decode(epoch1!.Checkpoint);
        var weights = checkpoint.Model.Single(t => t.Name == "_classifier.weight");
        var poisoned = (byte[])weights.Data.Bytes.Clone();
        BitConverter.TryWriteBytes(poisoned.AsSpan(0, 4), float.NaN);
        var model = checkpoint.Model.Select(t => t == weights ? t with { Data = t.Data with { Bytes = poisoned } } : t).ToArray();

        var lease = TrialLease.Of(second);
        store.RecordEpoch(lease, epoch1.Metrics, (checkpoint with { Model = model }).Encode());
        store.Release(lease, "prepared with a NaN weight");
    }
}
