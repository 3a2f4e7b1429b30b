using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Piximi.Sweep.Core;
using static Piximi.Sweep.Storage.Tests.Sweeps;

namespace Piximi.Sweep.Storage.Tests;

/// <summary>A sweep with every kind of trial and value a store holds, and an archive's every field as text to compare.</summary>
internal static class ArchiveFixtures
{
    /// <summary>
    /// Trial 1 completed (3 epochs with NaN, −0, ±∞ and subnormal metrics, result epoch 2, checkpoint, evaluation);
    /// 2 failed; 3 pruned at rung 1; 4 running on its second holder after a lost one (epoch 1, checkpoint); 5 queued
    /// again after a released attempt; 6 never claimed. Every attempt is recorded.
    /// </summary>
    public static SweepRecord Populate(ITrialStore store, string name = "mnist-grid")
    {
        var sweep = store.CreateSweep(Definition(name), Grid(6));
        var t1 = store.ClaimNext(sweep.Id, "w-1")!;
        store.RecordEpoch(TrialLease.Of(t1), new EpochMetrics(1, double.NaN, -0.0, double.PositiveInfinity, double.NegativeInfinity, 0.1 + 0.2, double.Epsilon), [1]);
        store.RecordEpoch(TrialLease.Of(t1), new EpochMetrics(2, 0.5, 0.75, 1.0 / 3, 0.8125, 12.3456789, 4096.5), [1, 2]);
        store.RecordEpoch(TrialLease.Of(t1), Epoch(3, loss: -0.0), [0, 1, 2, 255]);
        store.RecordEvaluation(TrialLease.Of(t1), new TrialEvaluation(t1.Id, ["cat", "dog"], [[3, 1], [0, 4]]));
        store.Finish(TrialLease.Of(t1), TrialState.Completed, "early stopping kept epoch 2", resultEpoch: 2);
        var t2 = store.ClaimNext(sweep.Id, "w-1")!;
        store.RecordEpoch(TrialLease.Of(t2), Epoch(1), [9]);
        store.Finish(TrialLease.Of(t2), TrialState.Failed, "out of memory");
        var t3 = store.ClaimNext(sweep.Id, "w-2")!;
        store.RecordEpoch(TrialLease.Of(t3), Epoch(1), null);
        store.RecordEpoch(TrialLease.Of(t3), Epoch(2), [7, 7]);
        store.Finish(TrialLease.Of(t3), TrialState.Pruned, "below the median", rung: 1);
        var t4 = store.ClaimNext(sweep.Id, "w-dead")!;
        store.RecordEpoch(TrialLease.Of(t4), Epoch(1, loss: 2.5), RandomNumberGenerator.GetBytes(80 * 1024));
        store.RecoverLost(sweep.Id, TimeSpan.MaxValue, ["w-dead"], maxRetries: 3, "worker died");
        Assert.Equal(t4.Id, store.ClaimNext(sweep.Id, "w-3")!.Id);
        var t5 = store.ClaimNext(sweep.Id, "w-4")!;
        store.Release(TrialLease.Of(t5), "interrupted");
        // Its run policy, set last so that it limits none of the claims above; an awkward double for the hours.
        store.SavePolicy(sweep.Id, Policy);
        return sweep;
    }

    /// <summary>The run policy <see cref="Populate"/> stores: every field set (the deadline to the millisecond, as stored).</summary>
    public static RunPolicy Policy { get; } = new(
        new DateTimeOffset(2100, 1, 2, 3, 4, 5, 678, TimeSpan.Zero), MaxTrials: 5, MaxEpochs: 40, ComputeHours: 1.0 / 3, MaxRetries: 1);

    /// <summary>Every field of the archive but ids, as text: doubles by their bits (any NaN is "NaN"), times by ticks, bytes by hash.</summary>
    public static string Describe(SweepArchive archive)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{SweepJson.Serialize(archive.Definition)} {archive.CreatedAt.UtcTicks}");
        var policy = archive.Policy is { } p
            ? $"policy {p.Deadline?.UtcTicks} {p.MaxTrials} {p.MaxEpochs} {(p.ComputeHours is { } hours ? Bits(hours) : "")} {p.MaxRetries}"
            : "no policy";
        text.AppendLine(policy);
        foreach (var a in archive.Trials)
        {
            var t = a.Trial;
            var h = t.Hyperparameters;
            text.AppendLine(CultureInfo.InvariantCulture,
                $"trial {t.Number} {h.Optimizer} {h.Loss} {Bits(h.LearningRate)} {h.BatchSize} {h.Epochs} {h.TimeBudget?.Ticks} {h.Seed} {h.Model} " +
                $"{t.State} {t.WorkerId} {t.Attempts} {t.StartedAt?.UtcTicks} {t.FinishedAt?.UtcTicks} {t.HeartbeatAt?.UtcTicks} [{t.Message}] {t.Lost} {t.ResultEpoch} {t.Rung}");
            foreach (var e in a.Epochs)
            {
                var m = e.Metrics;
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"  epoch {m.Epoch} {Bits(m.Loss)} {Bits(m.Accuracy)} {Bits(m.ValLoss)} {Bits(m.ValAccuracy)} {Bits(m.Seconds)} {Bits(m.ImagesPerSecond)} {e.RecordedAt.UtcTicks}");
            }

            if (a.Checkpoint is { } c)
                text.AppendLine(CultureInfo.InvariantCulture, $"  checkpoint {c.Epoch} {c.WrittenAt.UtcTicks} {c.Data.Length} {Convert.ToHexString(SHA256.HashData(c.Data))}");
            if (a.Evaluation is { } v)
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"  evaluation {string.Join(",", v.ClassNames)} {string.Join(";", v.Confusion.Select(r => string.Join(",", r)))} {v.RecordedAt.UtcTicks}");
            foreach (var at in a.Attempts)
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"  attempt {at.Attempt} {at.WorkerId} {at.StartedAt?.UtcTicks} {at.StartEpoch} {at.EndedAt?.UtcTicks} {at.EndEpoch} {at.Outcome} [{at.Reason}]");
        }

        return text.ToString();
    }

    /// <summary>
    /// The archive as an import writes it: running trials re-queued, without worker, start or heartbeat, their open
    /// attempt released at their last stored epoch.
    /// </summary>
    public static SweepArchive Requeued(SweepArchive archive) => archive with
    {
        Trials = [.. archive.Trials.Select(a => a.Trial.State != TrialState.Running ? a : a with
        {
            Trial = a.Trial with { State = TrialState.Queued, WorkerId = null, StartedAt = null, HeartbeatAt = null, Message = Storage.SweepArchives.RequeuedMessage },
            Attempts = [.. a.Attempts.Select(at => at.Outcome is not null ? at : at with
            {
                EndEpoch = a.Epochs.Count, Outcome = AttemptOutcome.Released, Reason = Storage.SweepArchives.RequeuedMessage,
            })],
        })],
    };

    private static string Bits(double value) =>
        double.IsNaN(value) ? "NaN" : BitConverter.DoubleToInt64Bits(value).ToString("X16", CultureInfo.InvariantCulture);
}

/// <summary>Export and import, for every backend.</summary>
public abstract partial class TrialStoreContract
{
    [Fact]
    public void An_exported_sweep_imports_under_new_ids_with_every_field_kept_and_running_trials_requeued_to_resume()
    {
        var store = Open();
        var sweep = ArchiveFixtures.Populate(store);
        var archive = store.ExportSweep(sweep.Id);
        Assert.Equal(6, archive.Trials.Count);
        Assert.Equal(1, archive.RunningTrials);
        Assert.Equal(2, archive.Trials[0].Trial.ResultEpoch);
        var renamed = archive with { Definition = archive.Definition with { Name = "moved" } };

        var imported = store.ImportSweep(renamed);

        Assert.Equal("moved", imported.Name);
        Assert.NotEqual(sweep.Id, imported.Id);
        Assert.Equal(archive.CreatedAt, imported.CreatedAt);
        var again = store.ExportSweep(imported.Id);
        Assert.Equal(ArchiveFixtures.Describe(ArchiveFixtures.Requeued(renamed)), ArchiveFixtures.Describe(again));
        // Why each attempt ended came over too; the one running on the other store ends there given back, at its epoch.
        Assert.Equal(
            [(AttemptOutcome.Lost, 0, 1, "worker died"), (AttemptOutcome.Released, 1, 1, Storage.SweepArchives.RequeuedMessage)],
            again.Trials[3].Attempts.Select(a => ((AttemptOutcome?)a.Outcome, a.StartEpoch, a.EndEpoch, a.Reason)).Select(a => (a.Item1!.Value, a.StartEpoch!.Value, a.EndEpoch!.Value, a.Reason!)));
        // The re-queued trial resumes after its stored epoch, from its checkpoint.
        var resumed = store.ClaimNext(imported.Id, "w-new")!;
        Assert.Equal(4, resumed.Number);
        Assert.Equal(3, resumed.Attempts);
        Assert.Equal(1, resumed.Lost);
        Assert.Equal(archive.Trials[3].Checkpoint!.Data, store.LoadCheckpoint(resumed.Id)!.Data);
        store.RecordEpoch(TrialLease.Of(resumed), Epoch(2), [1]);
        // The original is untouched, and the copy ranks the same.
        Assert.Equal(ArchiveFixtures.Describe(archive), ArchiveFixtures.Describe(store.ExportSweep(sweep.Id)));
        Assert.Equal(store.LoadEvaluation(archive.Trials[0].Trial.Id)!.Confusion, store.LoadEvaluation(again.Trials[0].Trial.Id)!.Confusion);
    }

    [Fact]
    public void Importing_a_sweep_whose_name_is_taken_is_refused_naming_why_and_writes_nothing()
    {
        var store = Open();
        var sweep = ArchiveFixtures.Populate(store);
        var archive = store.ExportSweep(sweep.Id);
        var before = ArchiveFixtures.Describe(archive);

        var same = Assert.Throws<SweepConflictException>(() => store.ImportSweep(archive));
        Assert.Contains("already has the sweep 'mnist-grid' (the same definition, 6 trials there)", same.Message);
        Assert.Contains("Nothing was copied", same.Message);

        var other = archive with { Definition = Definition("mnist-grid", learningRate: 0.5) };
        var differs = Assert.Throws<SweepConflictException>(() => store.ImportSweep(other));
        Assert.Contains("already has a sweep named 'mnist-grid' with another definition (6 trials)", differs.Message);

        Assert.Single(store.ListSweeps());
        Assert.Equal(before, ArchiveFixtures.Describe(store.ExportSweep(sweep.Id)));
    }

    [Fact]
    public void An_import_that_fails_part_way_leaves_nothing_of_the_sweep()
    {
        var store = Open();
        var sweep = ArchiveFixtures.Populate(store);
        var archive = store.ExportSweep(sweep.Id);
        // The last trial with a checkpoint gets none of its data: the database refuses that row, after the sweep,
        // its first trials and their epochs are written.
        var broken = archive with
        {
            Definition = archive.Definition with { Name = "broken" },
            Trials = [.. archive.Trials.Select((a, i) => i == 3 ? a with { Checkpoint = a.Checkpoint! with { Data = null! } } : a)],
        };

        Assert.ThrowsAny<Exception>(() => store.ImportSweep(broken));

        Assert.Null(store.FindSweep("broken"));
        Assert.Equal([sweep.Id], store.ListSweeps().Select(s => s.Id));
        Assert.Equal(6, store.ListTrials(sweep.Id).Count);
        // The store still works after the rolled-back import.
        Assert.Equal("fine", store.ImportSweep(archive with { Definition = archive.Definition with { Name = "fine" } }).Name);
    }

    [Fact]
    public void An_archive_with_epochs_out_of_order_is_refused_before_anything_is_written()
    {
        var store = Open();
        var sweep = ArchiveFixtures.Populate(store);
        var archive = store.ExportSweep(sweep.Id);
        var broken = archive with
        {
            Definition = archive.Definition with { Name = "broken" },
            Trials = [.. archive.Trials.Select((a, i) => i == 0 ? a with { Epochs = [.. a.Epochs.Reverse()] } : a)],
        };

        var e = Assert.Throws<ArgumentException>(() => store.ImportSweep(broken));

        Assert.Contains("epochs out of order", e.Message);
        Assert.Null(store.FindSweep("broken"));
    }
}
