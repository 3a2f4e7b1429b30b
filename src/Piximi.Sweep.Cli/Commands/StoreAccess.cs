using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Cli.Commands;

internal static class StoreAccess
{
    /// <summary>Opens an existing store; readers never create one by accident.</summary>
    public static ITrialStore OpenExisting(string dbPath)
    {
        if (!File.Exists(dbPath))
            throw new UserErrorException($"no store at '{dbPath}'. Run a sweep first (piximi-sweep run <file>) or point --db at one.");
        return TrialStores.OpenSqlite(dbPath);
    }

    /// <summary>The named sweep, or the only one in the store when no name is given.</summary>
    public static SweepRecord ResolveSweep(ITrialStore store, string dbPath, string? name)
    {
        if (name is not null)
        {
            return store.FindSweep(name) ?? throw new UserErrorException(
                $"no sweep named '{name}' in '{dbPath}'. Sweeps there: {Names(store)}.");
        }
        var all = store.ListSweeps();
        return all.Count switch
        {
            1 => all[0],
            0 => throw new UserErrorException($"the store '{dbPath}' holds no sweep yet."),
            _ => throw new UserErrorException($"the store '{dbPath}' holds several sweeps; choose one with --sweep: {Names(store)}."),
        };
    }

    private static string Names(ITrialStore store)
    {
        var names = store.ListSweeps().Select(s => s.Name).ToList();
        return names.Count == 0 ? "none" : string.Join(", ", names);
    }
}
