using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Cli.Commands;

/// <summary>
/// How commands reach the store named by <c>--db</c>/<c>--store</c> (or <c>PIXIMI_SWEEP_STORE</c>): a SQLite path, or a
/// PostgreSQL URL (<see cref="StoreLocations"/>). Messages name it with <see cref="StoreLocations.Describe"/>, which
/// never shows a password.
/// </summary>
internal static class StoreAccess
{
    /// <summary>
    /// Opens the store for reading only (<c>best</c>, <c>trials</c>, <c>status</c>, reports, exports, the source of a
    /// copy): nothing is created, migrated or changed, whatever is there (<see cref="TrialStores.OpenReadOnly"/>).
    /// </summary>
    public static ITrialStore OpenForReading(string location) => Refusing(location, () => TrialStores.OpenReadOnly(location));

    /// <summary>
    /// Opens an existing store to write to it (<c>resume</c>, <c>worker</c>, <c>cancel</c>, <c>launch</c>): a missing,
    /// empty or foreign SQLite file is refused as a reader refuses it, before it could be made a store.
    /// </summary>
    public static ITrialStore OpenExisting(string location)
    {
        if (!StoreLocations.IsPostgres(location))
        {
            using (OpenForReading(location))
            {
            }
        }
        return Open(location);
    }

    /// <summary>Opens (creating when missing) the store at the location; a store that cannot be used is a user error naming it.</summary>
    public static ITrialStore Open(string location) => Refusing(location, () => TrialStores.Open(location));

    private static ITrialStore Refusing(string location, Func<ITrialStore> open)
    {
        try
        {
            return open();
        }
        catch (Exception e) when (e is StoreUnavailableException or StoreNotFoundException or StoreVersionException or InvalidDataException or ArgumentException)
        {
            throw new UserErrorException(WithHint(e, location));
        }
    }

    /// <summary>
    /// A refusal of the store, with what to do about it in this program's words: the store's own messages name no
    /// options (they serve any caller), so the option that chooses the store is named here.
    /// </summary>
    public static string WithHint(Exception e, string location)
    {
        var option = StoreLocations.IsPostgres(location) ? "--store <postgres-url>" : "--db <file>";
        return e switch
        {
            StoreNotFoundException => $"{e.Message} ({option} chooses the store; piximi-sweep run <file> makes one.)",
            StoreVersionException { Older: true } =>
                $"{e.Message} (run, resume, cancel or copy --to open it to write.)",
            StoreVersionException or InvalidDataException or SweepConflictException => $"{e.Message} ({option} chooses the store.)",
            _ => e.Message,
        };
    }

    /// <summary>Where results files (logs, reports, exports) go: beside a SQLite store, else results/ under the current folder.</summary>
    public static string ResultsFolder(string location) =>
        StoreLocations.SqlitePath(location) is { } path
            ? Path.GetDirectoryName(Path.GetFullPath(path)) ?? "."
            : Path.GetFullPath("results");

    /// <summary>Where workers keep decoded datasets (<see cref="Training.DatasetCache"/>): a hidden folder in the results folder.</summary>
    public static string DatasetCacheFolder(string location) => Path.Combine(ResultsFolder(location), ".dataset-cache");

    /// <summary>The named sweep, or the only one in the store when no name is given.</summary>
    public static SweepRecord ResolveSweep(ITrialStore store, string location, string? name)
    {
        var dbPath = StoreLocations.Describe(location);
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

    /// <summary>
    /// Why <paramref name="definition"/> cannot run in this store, or null: the store has a sweep of its name with
    /// another definition (what run refuses), said with what changed, field by field.
    /// </summary>
    public static string? Conflict(ITrialStore store, string location, SweepDefinition definition)
    {
        if (store.FindSweep(definition.Name) is not { } stored || SweepJson.SameSweep(SweepJson.Serialize(stored.Definition), definition)) return null;
        return $"the store {StoreLocations.Describe(location)} already has a sweep named '{definition.Name}' with another definition; "
               + "rename the sweep (name:) to run this one, or use another --db."
               + string.Concat(SweepJson.Differences(stored.Definition, definition).Select(line => $"{Environment.NewLine}  changed: {line}"));
    }

    private static string Names(ITrialStore store)
    {
        var names = store.ListSweeps().Select(s => s.Name).ToList();
        return names.Count == 0 ? "none" : string.Join(", ", names);
    }
}
