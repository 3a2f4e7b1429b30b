using Microsoft.Data.Sqlite;
using Npgsql;

namespace Piximi.Sweep.Storage;

/// <summary>
/// Failures of the store's surroundings (disk, folder, lock, server), not of its data: said in a user's words, naming
/// the store, so that no driver exception and no stack trace reaches a user for a full disk or a read-only folder.
/// </summary>
internal static class StoreFailures
{
    /// <summary>Why the store at <paramref name="name"/> cannot be used, or null when <paramref name="e"/> is not about its surroundings.</summary>
    public static string? Explain(Exception e, string name) => Reason(e) is { } reason ? $"cannot use the store {name}: {reason}" : null;

    private static string? Reason(Exception e) => e switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode switch
        {
            // SQLITE_BUSY, SQLITE_LOCKED: another connection kept its lock past our busy timeout.
            5 or 6 => "another program holds its lock (waited for it, then gave up). Close that program (or its open transaction) and try again.",
            8 => "it cannot be written (a read-only file or folder). Make it writable or use another store.",
            13 => "the disk is full. Free some space and try again.",
            10 or 14 => $"{Quote(sqlite)} (a missing or read-only folder, a file without permission, or a failing disk).",
            11 => $"the file is damaged ({Quote(sqlite)}).",
            23 => $"permission denied ({Quote(sqlite)}).",
            26 => "it is not a SQLite database.",
            _ => null,
        },
        // Server-side errors about the statement itself (a constraint, a syntax error) are bugs, not surroundings.
        PostgresException pg => pg.SqlState[..2] switch
        {
            "08" or "28" or "53" or "57" or "3D" => pg.MessageText + ".",
            "25" when pg.SqlState == "25006" => "the database is read-only for this login or server.",
            "42" when pg.SqlState == "42501" => $"permission denied ({pg.MessageText}).",
            _ => null,
        },
        NpgsqlException npgsql => $"the server cannot be reached ({npgsql.Message}).",
        IOException or UnauthorizedAccessException => e.Message,
        _ => null,
    };

    private static string Quote(SqliteException e) => e.Message.Replace("SQLite Error ", "SQLite error ", StringComparison.Ordinal);
}
