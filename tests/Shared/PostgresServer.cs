using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Piximi.Sweep.Tests.Shared;

/// <summary>
/// A real, throw-away PostgreSQL 15 server for the tests: a new cluster under a temp folder, on a free loopback port,
/// started at first use and stopped when the test process exits. Each test gets a database of its own
/// (<see cref="CreateDatabase"/>). As root (CI), the server runs as the postgres user, which PostgreSQL requires.
/// </summary>
internal static class PostgresServer
{
    /// <summary>The test cluster's password: real authentication (scram-sha-256 over TCP), so tests can check it never leaks.</summary>
    public const string Password = "piximi-test-secret-7f3a";

    private const string Bin = "/usr/lib/postgresql/15/bin";

    private static readonly Lazy<(string Folder, int Port)> Server = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    public static int Port => Server.Value.Port;

    /// <summary>A new empty database; its Npgsql connection string (with the password).</summary>
    public static string CreateDatabase()
    {
        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        using (var admin = new NpgsqlConnection(ConnectionString("postgres")))
        {
            admin.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE {name};", admin);
            create.ExecuteNonQuery();
        }
        return ConnectionString(name);
    }

    /// <summary>The same database as a postgres:// URL, as users write it.</summary>
    public static string Url(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"postgres://postgres:{Password}@127.0.0.1:{Port}/{builder.Database}";
    }

    public static string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Password = Password,
        Database = database,
        // A store holds its connection while open, and a test may open dozens; the server allows 200 in all.
        MaxPoolSize = 100,
    }.ConnectionString;

    private static (string Folder, int Port) Start()
    {
        if (!File.Exists(Path.Combine(Bin, "initdb")))
            throw new InvalidOperationException($"PostgreSQL 15 is not installed ({Bin}/initdb is missing); scripts/ensure-prereqs --tests installs it.");
        StopAbandoned();
        var folder = Directory.CreateTempSubdirectory("piximi-sweep-pg-").FullName;
        File.WriteAllText(Path.Combine(folder, "owner"), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var data = Path.Combine(folder, "data");
        var sockets = Path.Combine(folder, "sockets");
        Directory.CreateDirectory(data);
        Directory.CreateDirectory(sockets);
        var passwordFile = Path.Combine(folder, "password");
        File.WriteAllText(passwordFile, Password);
        var asRoot = Environment.UserName == "root";
        if (asRoot) Run("chown", "-R", "postgres:postgres", folder);
        Run("chmod", "700", data);

        Postgres("initdb", "-D", data, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=" + passwordFile, "-E", "UTF8");
        var port = FreePort();
        // fsync off: a test cluster needs no durability across power cuts, and fsyncs would dominate the tests' time.
        Postgres("pg_ctl", "-D", data, "-l", Path.Combine(folder, "server.log"), "-w", "start",
            "-o", $"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Postgres("pg_ctl", "-D", data, "-m", "immediate", "stop");
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception)
            {
                // Best effort at exit: a server left behind lives in a temp folder on a random port.
            }
        };
        return (folder, port);

        void Postgres(string program, params string[] args)
        {
            if (asRoot) Run("runuser", ["-u", "postgres", "--", Path.Combine(Bin, program), .. args]);
            else Run(Path.Combine(Bin, program), args);
        }
    }

    /// <summary>
    /// Servers of test processes that were killed (their exit hook never ran): stopped and deleted, so killed test
    /// runs do not pile up servers.
    /// </summary>
    private static void StopAbandoned()
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), "piximi-sweep-pg-*"))
        {
            try
            {
                var owner = Path.Combine(folder, "owner");
                if (File.Exists(owner) && int.TryParse(File.ReadAllText(owner), out var pid) && Directory.Exists($"/proc/{pid}")) continue;
                var data = Path.Combine(folder, "data");
                if (File.Exists(Path.Combine(data, "postmaster.pid")))
                {
                    if (Environment.UserName == "root") Run("runuser", "-u", "postgres", "--", Path.Combine(Bin, "pg_ctl"), "-D", data, "-m", "immediate", "stop");
                    else Run(Path.Combine(Bin, "pg_ctl"), "-D", data, "-m", "immediate", "stop");
                }
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception)
            {
                // Another test process's folder, or one being set up right now: leave it.
            }
        }
    }

    private static void Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // runuser warns about an unreadable current folder (e.g. /root) as the postgres user.
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({process.ExitCode}): {error}{output.Result}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
