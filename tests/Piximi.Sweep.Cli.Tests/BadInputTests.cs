using Microsoft.Data.Sqlite;
using Piximi.Sweep.Tests.Shared;
using static Piximi.Sweep.Cli.Tests.Locks;

namespace Piximi.Sweep.Cli.Tests;

/// <summary>Usage errors exit 2, like every other bad input, with one line each; --help ends with the exit codes.</summary>
public sealed class Usage_errors
{
    [Theory]
    [InlineData("frobnicate")]
    [InlineData("bset")]
    [InlineData("best", "--format", "xml")]
    [InlineData("best", "--metric", "f1")]
    [InlineData("best", "--top", "many")]
    [InlineData("trials", "--nope")]
    [InlineData("report", "--format", "pdf")]
    [InlineData("worker")]
    [InlineData("worker", "--sweep", "s", "--threads", "two")]
    [InlineData("run", "--workers", "abc", "x.yaml")]
    [InlineData("run")]
    [InlineData("launch", "slurm", "s")]
    [InlineData]
    public async Task Exit_2_with_an_error_line_and_where_help_is(params string[] args)
    {
        using var folder = new TestFolder();

        var result = await Cli.RunAsync([.. args, "--db", folder.Db]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
        Assert.Contains("--help", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(folder.Db)));
    }

    [Fact]
    public async Task Help_ends_with_the_table_of_exit_codes_the_readme_has()
    {
        var help = await Cli.RunAsync("--help");

        Assert.Equal(0, help.ExitCode);
        Assert.EndsWith(ExitCodes.Table, help.Output.TrimEnd(), StringComparison.Ordinal);
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        foreach (var code in new[] { 0, 1, 2, 3, 4, 70, 130 })
        {
            Assert.Contains($"\n  {code} ", ExitCodes.Table.ReplaceLineEndings("\n"), StringComparison.Ordinal);
            Assert.Contains($"| {code} |", readme, StringComparison.Ordinal);
        }
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(folder.FullName, "Piximi.Sweep.sln"))) folder = folder.Parent!;
        return folder.FullName;
    }
}

/// <summary>Every option of run, resume and worker is judged before the store is opened: a refusal writes nothing.</summary>
public sealed class Options_checked_before_the_store
{
    public static TheoryData<string[], string> RunOptions => new()
    {
        { ["--workers", "-1"], "--workers must be 0" },
        { ["--workers", (Environment.ProcessorCount + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)], "CPU workers" },
        { ["--threads", "0"], "--threads must be at least 1" },
        { ["--threads", "1000"], "--threads 1000: this machine has" },
        { ["--workers", "1", "--threads", (Environment.ProcessorCount + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)], "threads per worker" },
        { ["--devices", "gpu"], "--devices 'gpu' is not understood" },
        { ["--devices", "cuda:7"], "CUDA device" },
        { ["--per-device", "0"], "--per-device must be at least 1" },
        { ["--heartbeat-grace", "1s"], "--heartbeat-grace must be at least 2s" },
        { ["--heartbeat-grace", "soon"], "--heartbeat-grace 'soon' is not understood" },
        { ["--deadline", "2020-01-01T07:00"], "has already passed" },
        { ["--deadline", "tomorrowish"], "--deadline 'tomorrowish' is not understood" },
        { ["--max-trials", "0"], "--max-trials must be at least 1" },
        { ["--max-retries", "-1"], "--max-retries must be 0 or more" },
        { ["--max-epochs", "0"], "--max-epochs must be at least 1" },
        { ["--compute-hours", "0"], "--compute-hours must be" },
    };

    [Theory]
    [MemberData(nameof(RunOptions))]
    public async Task Run_refuses_a_bad_option_before_the_store_is_created(string[] option, string message)
    {
        using var folder = new TestFolder();
        var file = folder.Write("s.yaml", TestFolder.SmallSweep("s", 200));

        var result = await Cli.RunAsync(["run", file, "--db", folder.Db, .. option]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(folder.Db)), "the store's folder was created");
    }

    [Theory]
    [MemberData(nameof(RunOptions))]
    public async Task Resume_refuses_a_bad_option_before_the_store_is_opened(string[] option, string message)
    {
        using var folder = new TestFolder();
        folder.StoreWithOneFinishedTrial(folder.Write("s.yaml", TestFolder.SmallSweep("s", 200)));
        var before = Cli.Fingerprint(folder.Db);

        var result = await Cli.RunAsync(["resume", "s", "--db", folder.Db, .. option]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.Equal(before, Cli.Fingerprint(folder.Db));
        Assert.Equal(["store.db"], Directory.GetFiles(Path.GetDirectoryName(folder.Db)!).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("--threads 0", "--threads must be 1 to")]
    [InlineData("--threads 1000", "--threads must be 1 to")]
    [InlineData("--device gpu", "--device 'gpu' is not understood")]
    [InlineData("--device cuda:0,cuda:1", "--device 'cuda:0,cuda:1' is not understood")]
    [InlineData("--device cuda:7", "CUDA device")]
    [InlineData("--heartbeat-interval 0", "--heartbeat-interval must be a number of seconds > 0")]
    // Budgets are the sweep's stored policy (run and resume set it), not a worker's to choose.
    [InlineData("--max-trials 3", "'--max-trials'. Budgets are stored with the sweep, and every worker obeys them: set them with run or resume")]
    [InlineData("--deadline 07:00", "(e.g. piximi-sweep resume <sweep> --workers 0 --deadline …)")]
    public async Task Worker_refuses_a_bad_option_before_the_store_is_opened(string option, string message)
    {
        using var folder = new TestFolder();

        var result = await Cli.RunAsync(["worker", "--sweep", "s", "--db", folder.Db, .. option.Split(' ')]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("no store", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(folder.Db)));
    }
}

/// <summary>
/// best, trials, status, report, compare and export open the store read-only: whatever they are pointed at, they
/// create and change nothing, and say "no store at …" or "… is not a Piximi.Sweep store".
/// </summary>
public sealed class Read_commands
{
    private static readonly string[][] Readers =
    [
        ["best"], ["trials"], ["status"], ["report"], ["report", "--format", "md"], ["compare", "a", "b"],
        ["export", "--piximi"], ["export", "--model"],
    ];

    [Theory]
    [InlineData("missing", "no store at {0}: there is no such file")]
    [InlineData("empty", "no store at {0}: the file is empty")]
    [InlineData("text", "{0} is not a Piximi.Sweep store: it is not a SQLite database")]
    [InlineData("foreign", "{0} is not a Piximi.Sweep store: it is another program's SQLite database")]
    [InlineData("blank", "no store at {0}: it is an empty SQLite database")]
    [InlineData("folder", "{0} is a folder, not a store")]
    public async Task Refuse_what_is_not_a_store_and_create_or_change_nothing(string kind, string message)
    {
        using var folder = new TestFolder();
        var db = folder.Db;
        Directory.CreateDirectory(Path.GetDirectoryName(db)!);
        switch (kind)
        {
            case "empty": File.WriteAllBytes(db, []); break;
            case "text": File.WriteAllText(db, "sweep results, by hand\n"); break;
            case "folder": Directory.CreateDirectory(db); break;
            case "foreign" or "blank":
                using (var connection = new SqliteConnection($"Data Source={db};Pooling=False"))
                {
                    connection.Open();
                    using var command = connection.CreateCommand();
                    command.CommandText = kind == "foreign"
                        ? "PRAGMA journal_mode = WAL; CREATE TABLE photos (id INTEGER PRIMARY KEY);"
                        : "PRAGMA user_version = 1;";
                    command.ExecuteNonQuery();
                }
                break;
        }
        var before = FolderSnapshot.Of(folder.Path);

        foreach (var reader in Readers)
        {
            var result = await Cli.RunAsync([.. reader, "--db", db]);

            Assert.True(result.ExitCode == 2, $"{string.Join(' ', reader)}: {result}");
            Assert.StartsWith($"error: {string.Format(System.Globalization.CultureInfo.InvariantCulture, message, db)}", result.Error, StringComparison.Ordinal);
            Assert.Single(result.Error.TrimEnd().Split('\n'));
            Assert.Equal(before, FolderSnapshot.Of(folder.Path));
        }
    }

    [Fact]
    public async Task Leave_a_store_at_rest_byte_for_byte_with_nothing_beside_it()
    {
        using var folder = new TestFolder();
        folder.StoreWithOneFinishedTrial(folder.Write("s.yaml", TestFolder.SmallSweep("s", 200)));
        var before = FolderSnapshot.Of(Path.GetDirectoryName(folder.Db)!);

        foreach (var reader in new[] { "best", "trials", "status" })
        {
            var result = await Cli.RunAsync(reader, "--db", folder.Db);
            Assert.True(result.ExitCode == 0, result.ToString());
        }

        Assert.Equal(before, FolderSnapshot.Of(Path.GetDirectoryName(folder.Db)!));
    }

    [Fact]
    public async Task Read_a_store_while_another_program_holds_its_write_lock()
    {
        using var folder = new TestFolder();
        folder.StoreWithOneFinishedTrial(folder.Write("s.yaml", TestFolder.SmallSweep("s", 200)));
        using var other = HoldExclusiveLock(folder.Db);

        var status = await Cli.RunAsync("status", "--db", folder.Db);

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("1 completed", status.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuse_an_empty_postgresql_database_without_creating_tables()
    {
        var connectionString = PostgresServer.CreateDatabase();
        var url = PostgresServer.Url(connectionString);

        foreach (var reader in Readers)
        {
            var result = await Cli.RunAsync([.. reader, "--store", url]);

            Assert.True(result.ExitCode == 2, result.ToString());
            Assert.StartsWith("error: no store at postgres://", result.Error, StringComparison.Ordinal);
            Assert.DoesNotContain(PostgresServer.Password, result.Error, StringComparison.Ordinal);
        }
        using var connection = new Npgsql.NpgsqlConnection(connectionString);
        connection.Open();
        using var tables = new Npgsql.NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public';", connection);
        Assert.Equal(0L, tables.ExecuteScalar());
    }
}

internal static class Locks
{
    /// <summary>Another program's connection inside <c>BEGIN EXCLUSIVE</c> on the store, until disposed.</summary>
    public static SqliteConnection HoldExclusiveLock(string db)
    {
        var other = new SqliteConnection($"Data Source={db};Pooling=False");
        other.Open();
        using var begin = other.CreateCommand();
        begin.CommandText = "BEGIN EXCLUSIVE;";
        begin.ExecuteNonQuery();
        return other;
    }
}

/// <summary>
/// A store that cannot be used (a folder, a file or folder that cannot be written, a full disk, another program's
/// lock) is one line naming the store, exit 2, from run as from the other commands: never a stack trace.
/// </summary>
public sealed class Stores_that_cannot_be_used
{
    [Fact]
    public async Task Run_refuses_a_folder_as_its_store()
    {
        using var folder = new TestFolder();
        var file = folder.Write("s.yaml", TestFolder.SmallSweep("s", 200));
        var store = Directory.CreateDirectory(Path.Combine(folder.Path, "results")).FullName;

        var result = await Cli.RunAsync("run", file, "--db", store);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal(
            $"error: {store} is a folder, not a store: open the store's file, e.g. {Path.Combine(store, "piximi-sweep.db")}. " +
            "(--db <file> chooses the store; piximi-sweep run <file> makes one.)\n",
            result.Error.ReplaceLineEndings("\n"));
        Assert.Empty(Directory.GetFileSystemEntries(store));
    }

    [Fact]
    public async Task Run_refuses_a_store_file_that_cannot_be_written()
    {
        using var folder = new TestFolder();
        folder.StoreWithOneFinishedTrial(folder.Write("s.yaml", TestFolder.SmallSweep("s", 200)));
        var file = folder.Write("t.yaml", TestFolder.SmallSweep("t", 200));

        CliResult result;
        using (HostileDisks.Immutable(folder.Db))
            result = await Cli.RunAsync("run", file, "--db", folder.Db);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.StartsWith($"error: cannot use the store {folder.Db}: the file cannot be written", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task Run_refuses_a_store_in_a_folder_that_cannot_be_written_and_readers_still_read_it()
    {
        using var folder = new TestFolder();
        folder.StoreWithOneFinishedTrial(folder.Write("s.yaml", TestFolder.SmallSweep("s", 200)));
        var file = folder.Write("t.yaml", TestFolder.SmallSweep("t", 200));
        var results = Path.GetDirectoryName(folder.Db)!;

        CliResult run, newStore, best;
        using (HostileDisks.Immutable(results))
        {
            run = await Cli.RunAsync("run", file, "--db", folder.Db);
            newStore = await Cli.RunAsync("run", file, "--db", Path.Combine(results, "new.db"));
            best = await Cli.RunAsync("best", "--db", folder.Db);
        }

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith($"error: cannot use the store {folder.Db}: its folder {results} cannot be written", run.Error, StringComparison.Ordinal);
        Assert.True(newStore.ExitCode == 2, newStore.ToString());
        Assert.Contains($"its folder {results} cannot be written", newStore.Error, StringComparison.Ordinal);
        Assert.True(best.ExitCode == 0, best.ToString());
        Assert.Equal(["store.db"], Directory.GetFiles(results).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Run_on_a_full_disk_says_so_naming_the_store()
    {
        using var folder = new TestFolder();
        var file = folder.Write("s.yaml", TestFolder.SmallSweep("s", 200, ("seed", "[1, 2, 3, 4, 5, 6, 7, 8]")));
        using var disk = HostileDisks.Mount(kilobytes: 512);
        var db = Path.Combine(disk.Path, "store.db");
        using (Storage.TrialStores.OpenSqlite(db))
        {
            // The store exists, and then the disk fills up (another program's files, a big checkpoint).
        }
        disk.Fill();

        var result = await Cli.RunAsync("run", file, "--db", db);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.StartsWith($"error: cannot use the store {db}: the disk is full.", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task Run_gives_up_on_a_lock_another_program_holds_saying_so()
    {
        using var folder = new TestFolder();
        folder.StoreWithOneFinishedTrial(folder.Write("s.yaml", TestFolder.SmallSweep("s", 200)));
        var file = folder.Write("t.yaml", TestFolder.SmallSweep("t", 200));
        var before = Cli.Fingerprint(folder.Db);
        using var other = HoldExclusiveLock(folder.Db);

        // The store waits 30 s for a lock (writers hold it for well under a millisecond), then gives up.
        var result = await Cli.RunAsync("run", file, "--db", folder.Db);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.StartsWith($"error: cannot use the store {folder.Db}: another program holds its lock", result.Error, StringComparison.Ordinal);
        other.Close();
        Assert.Equal(before, Cli.Fingerprint(folder.Db));
    }
}

/// <summary>An unexpected error is one line on standard error and exit 70; its stack trace goes to a log file only.</summary>
public sealed class Unexpected_errors
{
    [Fact]
    public async Task Print_one_line_naming_the_log_that_holds_the_stack_trace()
    {
        using var folder = new TestFolder();
        folder.StoreWithOneFinishedTrial(folder.Write("s.yaml", TestFolder.SmallSweep("s", 200)));
        // A damaged store: a sweep's definition that is no longer JSON.
        using (var connection = new SqliteConnection($"Data Source={folder.Db};Pooling=False"))
        {
            connection.Open();
            using var damage = connection.CreateCommand();
            damage.CommandText = "UPDATE sweeps SET definition_json = '{';";
            damage.ExecuteNonQuery();
        }
        var log = Path.Combine(folder.Path, "results", ErrorLog.FileName);

        var inProcess = await Cli.RunAsync("best", "--db", folder.Db);
        var asProcess = await Cli.RunProcessAsync(folder.Path, TimeSpan.FromMinutes(1), "status", "--db", folder.Db);

        foreach (var result in new[] { inProcess, asProcess })
        {
            Assert.True(result.ExitCode == 70, result.ToString());
            Assert.Matches($@"^error: .+ \(an unexpected error; details in {System.Text.RegularExpressions.Regex.Escape(log)}\)\n$", result.Error.ReplaceLineEndings("\n"));
        }
        var details = File.ReadAllText(log);
        Assert.Contains("unexpected error in `piximi-sweep best --db ", details, StringComparison.Ordinal);
        Assert.Contains("unexpected error in `piximi-sweep status --db ", details, StringComparison.Ordinal);
        Assert.Contains("Exception: ", details, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\s+at ", details);
    }
}
