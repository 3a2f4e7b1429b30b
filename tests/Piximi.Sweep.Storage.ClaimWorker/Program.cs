using System.Globalization;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

// Usage:
//   Piximi.Sweep.Storage.ClaimWorker sqlite <path> <sweep id> <worker id> [<max trials>]
// Opens the store, prints "ready" and waits for a line on standard input, so that the test can start all workers
// together.
//
// sqlite: claims trials of the sweep (with the budget, if given) until it gets none; for each, "trains" for a
// millisecond, records one epoch with a small checkpoint, completes it (with the worker id as message) and prints its
// id on a line of its own. Without the millisecond the first worker to run can take every trial before the others'
// busy handlers wake up.
switch (args)
{
    case ["sqlite", var path, var sweepText, var workerId, .. var rest] when rest.Length <= 1:
        return Claim(path, Id(sweepText), workerId, rest.Length == 1 ? int.Parse(rest[0], CultureInfo.InvariantCulture) : null);
    default:
        Console.Error.WriteLine(
            "usage: Piximi.Sweep.Storage.ClaimWorker sqlite <path> <sweep id> <worker id> [<max trials>]");
        return 2;
}

static int Claim(string path, long sweepId, string workerId, int? maxTrials)
{
    using var store = TrialStores.OpenSqlite(path);
    if (!ReadyAndGo())
    {
        return 3;
    }

    var checkpoint = new byte[64];
    while (store.ClaimNext(sweepId, workerId, maxTrials) is { } trial)
    {
        Thread.Sleep(1);
        var lease = TrialLease.Of(trial);
        store.RecordEpoch(lease, EpochOne(), checkpoint);
        store.Finish(lease, TrialState.Completed, workerId);
        Console.Out.WriteLine(trial.Id.ToString(CultureInfo.InvariantCulture));
    }

    return 0;
}

static bool ReadyAndGo()
{
    Console.Out.WriteLine("ready");
    Console.Out.Flush();
    return Console.In.ReadLine() is not null;
}

static long Id(string text) => long.Parse(text, CultureInfo.InvariantCulture);

static EpochMetrics EpochOne() => new(1, 0.5, 0.5, 0.5, 0.5, 0.001, 1000);
