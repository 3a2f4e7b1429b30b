using Npgsql;

namespace Piximi.Sweep.Storage;

/// <summary>
/// Where a store is, as users write it: <c>postgres://user[:password]@host[:port]/database</c> (or
/// <c>postgresql://</c>, or an Npgsql key=value connection string after <c>postgres:</c>), <c>sqlite:path</c>, or a
/// plain path (SQLite). <see cref="Describe"/> gives the form safe to print: never a password.
/// </summary>
public static class StoreLocations
{
    /// <summary>The environment variable read when no store is given on the command line; keeps passwords out of shell history and process lists.</summary>
    public const string EnvironmentVariable = "PIXIMI_SWEEP_STORE";

    public static bool IsPostgres(string location) =>
        location.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
        || location.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
        || location.StartsWith("postgres:", StringComparison.OrdinalIgnoreCase);

    /// <summary>The SQLite file a location names, or null when it names PostgreSQL.</summary>
    public static string? SqlitePath(string location) =>
        IsPostgres(location) ? null
        : location.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase) ? location["sqlite:".Length..]
        : location;

    /// <summary>The location without credentials, for logs, reports and messages.</summary>
    public static string Describe(string location)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (!IsPostgres(location)) return SqlitePath(location)!;
        try
        {
            return DescribePostgres(new NpgsqlConnectionStringBuilder(PostgresConnectionString(location)));
        }
        catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException)
        {
            return "postgres://(unreadable location)";
        }
    }

    internal static string DescribePostgres(NpgsqlConnectionStringBuilder builder) =>
        $"postgres://{(builder.Username is { Length: > 0 } user ? user + "@" : "")}{builder.Host}:{builder.Port}/{builder.Database}";

    /// <summary>An Npgsql connection string from a URL or a <c>postgres:key=value;…</c> location.</summary>
    /// <exception cref="ArgumentException">Not a PostgreSQL location one can connect with; the message holds no password.</exception>
    internal static string PostgresConnectionString(string location)
    {
        if (!location.Contains("://", StringComparison.Ordinal))
            return location[(location.IndexOf(':') + 1)..];
        if (!Uri.TryCreate(location, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            throw new ArgumentException("The PostgreSQL location is not a URL of the form postgres://user[:password]@host[:port]/database.");
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length == 0)
            throw new ArgumentException($"The PostgreSQL location postgres://{uri.Host} names no database; add /database.");
        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host, Database = database };
        if (uri.Port > 0) builder.Port = uri.Port;
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2) builder.Password = Uri.UnescapeDataString(parts[1]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            builder[Uri.UnescapeDataString(kv[0])] = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
        }
        return builder.ConnectionString;
    }
}
