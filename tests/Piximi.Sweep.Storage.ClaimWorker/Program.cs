using System.Globalization;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

// Usage: Piximi.Sweep.Storage.ClaimWorker sqlite <path> <sweep id> <worker id>
// Opens the store, prints "ready" and waits for a line on standard input, so that the test can start all workers'
// claims together. Then claims trials of the sweep until none is queued; for each, "trains" for a millisecond,
// records one epoch, completes it (with the worker id as message) and prints its id on a line of its own. Without the
// millisecond the first worker to run can take every trial before the others' busy handlers wake up.
if (args is not ["sqlite", var path, var sweepText, var workerId])
{
    Console.Error.WriteLine("usage: Piximi.Sweep.Storage.ClaimWorker sqlite <path> <sweep id> <worker id>");
    return 2;
}

var sweepId = long.Parse(sweepText, CultureInfo.InvariantCulture);
using var store = TrialStores.OpenSqlite(path);
Console.Out.WriteLine("ready");
Console.Out.Flush();
if (Console.In.ReadLine() is null)
{
    return 3;
}

while (store.ClaimNext(sweepId, workerId) is { } trial)
{
    Thread.Sleep(1);
    store.RecordEpoch(trial.Id, new EpochMetrics(1, 0.5, 0.5, 0.5, 0.5, 0.001, 1000));
    store.Finish(trial.Id, TrialState.Completed, workerId);
    Console.Out.WriteLine(trial.Id.ToString(CultureInfo.InvariantCulture));
}

return 0;
