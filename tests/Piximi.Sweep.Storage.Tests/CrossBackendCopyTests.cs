using Piximi.Sweep.Tests.Shared;

namespace Piximi.Sweep.Storage.Tests;

/// <summary>A sweep moved SQLite → PostgreSQL → SQLite comes back bit for bit (running trials re-queued on the first move).</summary>
public sealed class CrossBackendCopyTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public void A_sweep_moved_from_sqlite_to_postgres_and_back_keeps_every_field_bit_for_bit()
    {
        using var laptop = TrialStores.OpenSqlite(_folder.File("laptop.db"));
        using var cluster = TrialStores.OpenPostgres(PostgresServer.CreateDatabase());
        using var back = TrialStores.OpenSqlite(_folder.File("back.db"));
        var sweep = ArchiveFixtures.Populate(laptop);
        var original = laptop.ExportSweep(sweep.Id);

        var onCluster = cluster.ExportSweep(cluster.ImportSweep(original).Id);
        var returned = back.ExportSweep(back.ImportSweep(onCluster).Id);

        var expected = ArchiveFixtures.Describe(ArchiveFixtures.Requeued(original));
        Assert.Equal(expected, ArchiveFixtures.Describe(onCluster));
        Assert.Equal(expected, ArchiveFixtures.Describe(returned));
        Assert.Contains(" NaN ", expected);
        Assert.Contains($"policy {ArchiveFixtures.Policy.Deadline!.Value.UtcTicks} 5 40 {BitConverter.DoubleToInt64Bits(1.0 / 3).ToString("X16", System.Globalization.CultureInfo.InvariantCulture)} 1", expected);
        Assert.Contains(BitConverter.DoubleToInt64Bits(-0.0).ToString("X16", System.Globalization.CultureInfo.InvariantCulture), expected);
        // The summaries (what rankings read) agree too.
        Assert.Equal(
            laptop.SummarizeTrials(sweep.Id).Select(s => (s.Trial.Number, s.EpochsRun, s.Final?.ValAccuracy)),
            cluster.SummarizeTrials(cluster.FindSweep(sweep.Name)!.Id).Select(s => (s.Trial.Number, s.EpochsRun, s.Final?.ValAccuracy)));
    }

    public void Dispose() => _folder.Dispose();
}
