using System.Globalization;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;
using Piximi.Sweep.Storage.Sqlite;

// Usage:
//   Piximi.Sweep.Storage.ClaimWorker store <location> <sweep id> <worker id> [<max trials>]
//   Piximi.Sweep.Storage.ClaimWorker sqlite-die-in-epoch-2 <path> <sweep id> <worker id> <epoch 1 checkpoint file>
// Both open the store, print "ready" and wait for a line on standard input, so that the test can start all workers
// together.
//
// store: opens the store at the location (a SQLite path, or postgres:<connection string>) and claims trials of the sweep (with the budget, if given) until it gets none; for each, "trains" for a
// millisecond, records one epoch with a small checkpoint, completes it (with the worker id as message) and prints its
// id on a line of its own. Without the millisecond the first worker to run can take every trial before the others'
// busy handlers wake up.
//
// sqlite-die-in-epoch-2: claims one trial and prints "claimed <trial id> <attempt>"; records epoch 1 with the bytes
// of the given file as its checkpoint and prints "committed <bytes in the write-ahead log>"; then records epoch 2
// with an 8 MB checkpoint, and inside that transaction, with the epoch and checkpoint written but not committed,
// prints "dying <bytes in the write-ahead log>" and dies at once (Environment.FailFast: abort(), no finally blocks,
// no Dispose, no rollback). 8 MB is four times SQLite's default page cache, so most of its pages have spilled into
// the log, uncommitted, by then: the test shows that they are ignored.
// Epoch 1's metrics are (1, 0.5, 0.5, 0.5, 0.5, 0.001, 1000); the test expects exactly those.
switch (args)
{
    case ["store", var path, var sweepText, var workerId, .. var rest] when rest.Length <= 1:
        return Claim(path, Id(sweepText), workerId, rest.Length == 1 ? int.Parse(rest[0], CultureInfo.InvariantCulture) : null);
    case ["sqlite-die-in-epoch-2", var path, var sweepText, var workerId, var checkpointFile]:
        return DieInEpoch2(path, Id(sweepText), workerId, File.ReadAllBytes(checkpointFile));
    default:
        Console.Error.WriteLine(
            "usage: Piximi.Sweep.Storage.ClaimWorker store <location> <sweep id> <worker id> [<max trials>]\n" +
            "       Piximi.Sweep.Storage.ClaimWorker sqlite-die-in-epoch-2 <path> <sweep id> <worker id> <checkpoint file>");
        return 2;
}

static int Claim(string location, long sweepId, string workerId, int? maxTrials)
{
    using var store = TrialStores.Open(location);
    // Warm the claim's own reads before the start, so that no worker is still compiling them while the others take
    // every trial of a small budget (37 trials go in tens of milliseconds): the test needs them all claiming at once.
    store.PolicyStop(sweepId);
    store.CountTrials(sweepId);
    if (!ReadyAndGo())
    {
        return 3;
    }

    var checkpoint = new byte[64];
    while (store.ClaimNext(sweepId, workerId, maxTrials) is { } trial)
    {
        // Holding each trial a few milliseconds, as a worker holds it while it trains, gives the other processes
        // (4 of them on 2 cores) their turn to claim.
        Thread.Sleep(3);
        var lease = TrialLease.Of(trial);
        store.RecordEpoch(lease, EpochOne(), checkpoint);
        store.Finish(lease, TrialState.Completed, workerId);
        Console.Out.WriteLine(trial.Id.ToString(CultureInfo.InvariantCulture));
    }

    return 0;
}

static int DieInEpoch2(string path, long sweepId, string workerId, byte[] epochOneCheckpoint)
{
    var wal = path + "-wal";
    using var store = SqliteTrialStore.Open(path, beforeEpochCommit: (_, metrics) =>
    {
        if (metrics.Epoch == 2)
        {
            Console.Out.WriteLine($"dying {new FileInfo(wal).Length.ToString(CultureInfo.InvariantCulture)}");
            Console.Out.Flush();
            Environment.FailFast("ClaimWorker dies inside epoch 2's transaction, before COMMIT, as the test asked.");
        }
    });
    if (!ReadyAndGo())
    {
        return 3;
    }

    var trial = store.ClaimNext(sweepId, workerId) ?? throw new InvalidOperationException("No trial to claim.");
    Console.Out.WriteLine(FormattableString.Invariant($"claimed {trial.Id} {trial.Attempts}"));
    var lease = TrialLease.Of(trial);
    store.RecordEpoch(lease, EpochOne(), epochOneCheckpoint);
    Console.Out.WriteLine($"committed {new FileInfo(wal).Length.ToString(CultureInfo.InvariantCulture)}");
    var big = new byte[8 << 20];
    new Random(2).NextBytes(big);
    store.RecordEpoch(lease, new EpochMetrics(2, 0.25, 0.75, 0.25, 0.75, 0.001, 1000), big);
    Console.Error.WriteLine("Epoch 2 was committed: the test seam did not run.");
    return 4;
}

static bool ReadyAndGo()
{
    Console.Out.WriteLine("ready");
    Console.Out.Flush();
    return Console.In.ReadLine() is not null;
}

static long Id(string text) => long.Parse(text, CultureInfo.InvariantCulture);

static EpochMetrics EpochOne() => new(1, 0.5, 0.5, 0.5, 0.5, 0.001, 1000);
