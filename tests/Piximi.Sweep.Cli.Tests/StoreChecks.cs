using Microsoft.Data.Sqlite;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Cli.Tests;

/// <summary>What a store must hold after any crash: a sound file, and every trial's epochs 1..n once each.</summary>
internal static class StoreChecks
{
    public static void IntegrityIsOk(string db)
    {
        using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check;";
        Assert.Equal("ok", command.ExecuteScalar() as string);
    }

    /// <summary>Each trial's stored epochs are exactly 1..k (no gap, no duplicate); finished trials have all theirs.</summary>
    public static void EpochsAreContiguous(IReadOnlyList<TrialRecord> trials, IReadOnlyList<EpochRecord> epochs)
    {
        foreach (var trial in trials)
        {
            var own = epochs.Where(e => e.TrialId == trial.Id).Select(e => e.Metrics.Epoch).ToList();
            Assert.Equal(Enumerable.Range(1, own.Count), own);
            if (trial.State == TrialState.Completed)
                Assert.Equal(trial.Hyperparameters.Epochs, own.Count);
        }
    }

    /// <summary>Every epoch stored before a crash is still there, bit for bit.</summary>
    public static void StillHolds(IReadOnlyList<EpochRecord> before, IReadOnlyList<EpochRecord> after)
    {
        var now = after.ToDictionary(e => (e.TrialId, e.Metrics.Epoch));
        foreach (var e in before)
            Assert.Equal(e.Metrics, now[(e.TrialId, e.Metrics.Epoch)].Metrics);
    }

    /// <summary>The measured values (not the timings) of two runs of the same sweep, trial by trial and epoch by epoch.</summary>
    public static void SameMeasurements(IReadOnlyList<EpochRecord> expected, IReadOnlyList<EpochRecord> actual, Func<long, int> numberOf, Func<long, int> expectedNumberOf)
    {
        static (double, double, double, double) Values(EpochMetrics m) => (m.Loss, m.Accuracy, m.ValLoss, m.ValAccuracy);
        var want = expected.ToDictionary(e => (expectedNumberOf(e.TrialId), e.Metrics.Epoch), e => Values(e.Metrics));
        var got = actual.ToDictionary(e => (numberOf(e.TrialId), e.Metrics.Epoch), e => Values(e.Metrics));
        Assert.Equal(want.OrderBy(p => p.Key), got.OrderBy(p => p.Key));
    }

    /// <summary>
    /// After a sweep that had to finish: a sound file, every trial completed, epochs 1..n once each, and the epochs
    /// in <paramref name="before"/> (stored before a crash) unchanged. Returns the trials.
    /// </summary>
    public static IReadOnlyList<TrialRecord> FinishedCleanly(string db, string sweep, IReadOnlyList<EpochRecord>? before = null)
    {
        IntegrityIsOk(db);
        var (store, record) = Open(db, sweep);
        using var _ = store;
        var trials = store.ListTrials(record.Id);
        var epochs = store.ListEpochs(record.Id);
        Assert.All(trials, t => Assert.Equal(TrialState.Completed, t.State));
        EpochsAreContiguous(trials, epochs);
        if (before is not null) StillHolds(before, epochs);
        return trials;
    }

    public static (ITrialStore Store, SweepRecord Sweep) Open(string db, string sweep)
    {
        if (!File.Exists(db)) throw new InvalidOperationException($"no store at {db} yet");
        var store = TrialStores.OpenSqlite(db);
        return (store, store.FindSweep(sweep)!);
    }
}
