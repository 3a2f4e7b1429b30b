using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Cli.Commands;

/// <summary>What <c>launch slurm</c> was asked for.</summary>
internal sealed record SlurmLaunchOptions(
    string Db,
    string Sweep,
    int Workers,
    int GpusPerWorker,
    string? Partition,
    string? Time,
    int Threads,
    bool DryRun);

/// <summary>
/// <c>piximi-sweep launch slurm</c>: writes an sbatch job-array script (one worker per array task) beside the sweep's
/// results, submits it and records the job id in the store, so that <c>cancel</c> can scancel it. The store location
/// is never written into the script: sbatch passes the submitter's environment to the tasks (<c>--export=ALL</c>), and
/// the sbatch process is started with <c>PIXIMI_SWEEP_STORE</c> set, so a PostgreSQL password stays out of files,
/// logs and process lists.
/// </summary>
internal sealed partial class LaunchCommand(TextWriter output, TextWriter error)
{
    /// <summary>The program that submits; a test seam (a fake sbatch on PATH works too).</summary>
    internal string Sbatch { get; init; } = "sbatch";

    public int Slurm(SlurmLaunchOptions options)
    {
        Check(options);
        using var store = StoreAccess.OpenExisting(options.Db);
        var sweep = StoreAccess.ResolveSweep(store, options.Db, options.Sweep);
        var results = StoreAccess.ResultsFolder(options.Db);
        var sqlitePath = StoreLocations.SqlitePath(options.Db) is { } p ? Path.GetFullPath(p) : null;
        var scriptPath = WriteScript(sweep, options, results, sqlitePath);
        if (sqlitePath is not null)
        {
            error.WriteLine(
                $"note: the store is a SQLite file ({sqlitePath}). Every array task opens it at this path: fine on a single-node " +
                "Slurm, but on a cluster other nodes may not see it (and SQLite on a network file system is unsafe). " +
                "For a cluster use --store postgres://user@host/database (password in PIXIMI_SWEEP_STORE or ~/.pgpass).");
        }
        if (options.DryRun)
        {
            output.WriteLine(scriptPath);
            if (store.FindCancellation(sweep.Id) is { } cancelled)
                error.WriteLine($"note: sweep '{sweep.Name}' is cancelled ({cancelled.Reason}); its workers would stop at once. `piximi-sweep resume` or a launch without --dry-run lifts the cancellation.");
            return ExitCodes.Ok;
        }
        // Launching is asking the sweep to go on: lift a cancellation before any task can start and see it.
        store.ClearCancellation(sweep.Id);
        var jobId = Submit(scriptPath, options.Db);
        store.RecordLaunch(sweep.Id, "slurm", jobId, scriptPath);
        WriteSubmitted(store, sweep, options, jobId, scriptPath, results);
        return ExitCodes.Ok;
    }

    /// <summary>Every option, before the store is opened.</summary>
    private static void Check(SlurmLaunchOptions options)
    {
        if (options.Workers < 1) throw new UserErrorException($"--workers must be at least 1, got {options.Workers}.");
        if (options.GpusPerWorker < 0) throw new UserErrorException($"--gpus-per-worker must be 0 or more, got {options.GpusPerWorker}.");
        if (options.Threads < 1) throw new UserErrorException($"--threads must be at least 1, got {options.Threads}.");
        RequireSlurmWord(options.Partition, "--partition", "e.g. gpu");
        RequireSlurmWord(options.Time, "--time", "e.g. 4:00:00 or 1-00:00:00");
    }

    /// <summary>The sbatch script, written executable into the results folder; its path.</summary>
    private static string WriteScript(SweepRecord sweep, SlurmLaunchOptions options, string results, string? sqlitePath)
    {
        Directory.CreateDirectory(results);
        var scriptPath = Path.Combine(results, $"{sweep.Name}-slurm.sh");
        File.WriteAllText(scriptPath, Script(sweep.Name, options, results, sqlitePath, sqlitePath ?? StoreLocations.Describe(options.Db)));
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(scriptPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return scriptPath;
    }

    private void WriteSubmitted(ITrialStore store, SweepRecord sweep, SlurmLaunchOptions options, string jobId, string scriptPath, string results)
    {
        output.WriteLine($"Submitted Slurm job {jobId}: {options.Workers} worker(s) for sweep '{sweep.Name}' (array 1-{options.Workers}).");
        // The tasks are given no budget: they obey the sweep's stored one, which run and resume set.
        if (store.LoadPolicy(sweep.Id).Describe() is { Length: > 0 } budgets)
            output.WriteLine($"Budgets the workers obey (stored with the sweep): {budgets.TrimStart(';', ' ')}");
        output.WriteLine($"Script: {scriptPath}");
        output.WriteLine($"Worker logs: {Path.Combine(results, $"{sweep.Name}-worker-{jobId}_<task>.log")}");
        output.WriteLine($"Follow with: piximi-sweep status --sweep {sweep.Name}    Cancel with: piximi-sweep cancel {sweep.Name}");
    }

    /// <summary>The sbatch script. Holds no store location but a SQLite path (which has no password).</summary>
    internal static string Script(string sweepName, SlurmLaunchOptions options, string results, string? sqlitePath, string storeDescription)
    {
        var threads = options.Threads.ToString(CultureInfo.InvariantCulture);
        var device = options.GpusPerWorker > 0 ? "cuda:0" : "cpu";
        var s = new StringBuilder();
        s.Append("#!/bin/bash\n");
        s.Append(CultureInfo.InvariantCulture, $"# Written by `piximi-sweep launch slurm` for sweep '{sweepName}' on {DateTimeOffset.Now:yyyy-MM-dd HH:mm}.\n");
        s.Append("# One worker per array task: each claims trials of the sweep from the store until none is left, then ends.\n");
        s.Append(CultureInfo.InvariantCulture, $"# Store: {storeDescription} (passed as PIXIMI_SWEEP_STORE in the submitter's environment, never written here).\n");
        s.Append(CultureInfo.InvariantCulture, $"#SBATCH --job-name=piximi-{sweepName}\n");
        s.Append(CultureInfo.InvariantCulture, $"#SBATCH --array=1-{options.Workers}\n");
        s.Append("#SBATCH --ntasks=1\n");
        s.Append(CultureInfo.InvariantCulture, $"#SBATCH --cpus-per-task={threads}\n");
        if (options.GpusPerWorker > 0)
            s.Append(CultureInfo.InvariantCulture, $"#SBATCH --gres=gpu:{options.GpusPerWorker}\n");
        if (options.Partition is { } partition) s.Append(CultureInfo.InvariantCulture, $"#SBATCH --partition={partition}\n");
        if (options.Time is { } time) s.Append(CultureInfo.InvariantCulture, $"#SBATCH --time={time}\n");
        s.Append(CultureInfo.InvariantCulture, $"#SBATCH --output={Path.Combine(results, $"{sweepName}-worker-%A_%a.log")}\n");
        s.Append(CultureInfo.InvariantCulture, $"#SBATCH --chdir={Directory.GetCurrentDirectory()}\n");
        s.Append("#SBATCH --export=ALL\n");
        s.Append("set -euo pipefail\n");
        if (sqlitePath is not null)
        {
            s.Append(CultureInfo.InvariantCulture, $"export {StoreLocations.EnvironmentVariable}=\"${{{StoreLocations.EnvironmentVariable}:-{ShellEscapeInDoubleQuotes(sqlitePath)}}}\"\n");
        }
        else
        {
            s.Append(CultureInfo.InvariantCulture,
                $": \"${{{StoreLocations.EnvironmentVariable}:?set {StoreLocations.EnvironmentVariable} to the store (postgres://user:password@host/database) in the environment of sbatch}}\"\n");
        }
        s.Append(CultureInfo.InvariantCulture, $"export OMP_NUM_THREADS={threads} MKL_NUM_THREADS={threads}\n");
        if (options.GpusPerWorker > 0)
            s.Append("# Slurm sets CUDA_VISIBLE_DEVICES to this task's GPU(s): the worker's cuda:0 is the first of them.\n");
        s.Append("echo \"piximi-sweep worker: job ${SLURM_ARRAY_JOB_ID:-?} task ${SLURM_ARRAY_TASK_ID:-?} on $(hostname)\"\n");
        var command = SelfCommand().Concat(["worker", "--sweep", sweepName, "--device", device, "--threads", threads]);
        s.Append("exec ").Append(string.Join(' ', command.Select(ShellQuote))).Append('\n');
        return s.ToString();
    }

    /// <summary>This same piximi-sweep build: its apphost, or dotnet with its dll.</summary>
    internal static IReadOnlyList<string> SelfCommand()
    {
        var dll = typeof(LaunchCommand).Assembly.Location;
        var host = Environment.ProcessPath;
        if (host is not null && Path.GetFileNameWithoutExtension(host) == "piximi-sweep") return [host];
        var dotnet = host is not null && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } fromSdk ? fromSdk
            : FindOnPath("dotnet") ?? "dotnet";
        return [dotnet, dll];
    }

    private string Submit(string scriptPath, string db)
    {
        var start = new ProcessStartInfo(Sbatch)
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.ArgumentList.Add(scriptPath);
        // By environment, not argument or file: the tasks inherit it (--export=ALL) and no password is written anywhere.
        start.Environment[StoreLocations.EnvironmentVariable] = StoreLocations.SqlitePath(db) is { } path ? Path.GetFullPath(path) : db;
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception();
        }
        catch (Win32Exception)
        {
            throw new UserErrorException(
                $"'{Sbatch}' was not found: Slurm's client is not installed here. The script is written: {scriptPath}. " +
                "Use --dry-run to only write it, then submit it where Slurm runs with the store in the environment: " +
                $"{StoreLocations.EnvironmentVariable}=<store> sbatch {scriptPath}");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            var said = Redact(stderr.Result.Trim(), db);
            if (process.ExitCode != 0)
                throw new UserErrorException($"sbatch refused {scriptPath} (exit code {process.ExitCode}): {(said.Length > 0 ? said : "(no message)")}");
            var match = SubmittedJob().Match(stdout.Result);
            if (!match.Success)
                throw new UserErrorException($"sbatch printed no job id for {scriptPath}: {Redact(stdout.Result.Trim(), db)} {said}".TrimEnd());
            return match.Groups["id"].Value;
        }
    }

    /// <summary>Whatever a program prints, the store location with its password is not repeated.</summary>
    private static string Redact(string text, string db) =>
        StoreLocations.IsPostgres(db) && text.Length > 0 ? text.Replace(db, StoreLocations.Describe(db), StringComparison.Ordinal) : text;

    private static void RequireSlurmWord(string? value, string option, string example)
    {
        if (value is not null && !SlurmWord().IsMatch(value))
            throw new UserErrorException($"{option} must be one word of letters, digits and . , : _ - ({example}), got '{value}'.");
    }

    internal static string ShellQuote(string word) =>
        word.Length > 0 && SafeShellWord().IsMatch(word) ? word : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string ShellEscapeInDoubleQuotes(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("$", "\\$", StringComparison.Ordinal).Replace("`", "\\`", StringComparison.Ordinal).Replace("}", "\\}", StringComparison.Ordinal);

    internal static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);

    [GeneratedRegex(@"Submitted batch job (?<id>\d+)|^(?<id>\d+)(;\S+)?\s*$", RegexOptions.Multiline)]
    private static partial Regex SubmittedJob();

    [GeneratedRegex(@"^[A-Za-z0-9_.,:\-]+$")]
    private static partial Regex SlurmWord();

    [GeneratedRegex(@"^[A-Za-z0-9_./:=@%+,\-]+$")]
    private static partial Regex SafeShellWord();
}

/// <summary>
/// <c>piximi-sweep cancel</c>: marks the sweep cancelled in the store (workers anywhere stop and give their trials
/// back; <c>resume</c> continues it) and scancels every recorded Slurm job of it.
/// </summary>
internal sealed class CancelCommand(TextWriter output, TextWriter error)
{
    internal string Scancel { get; init; } = "scancel";

    public int Execute(string db, string? sweepName, string? reason)
    {
        using var store = StoreAccess.OpenExisting(db);
        var sweep = StoreAccess.ResolveSweep(store, db, sweepName);
        var cancellation = store.CancelSweep(sweep.Id, reason is { Length: > 0 } r ? r : $"cancelled by {Environment.UserName}@{Environment.MachineName}");
        output.WriteLine($"Sweep '{sweep.Name}' cancelled ({cancellation.Reason}). Workers stop at their next check and give their trials back; continue with: piximi-sweep resume {sweep.Name}");
        foreach (var launch in store.ListLaunches(sweep.Id).Where(l => l.Kind == "slurm"))
            CancelJob(launch.JobId);
        return ExitCodes.Ok;
    }

    private void CancelJob(string jobId)
    {
        var start = new ProcessStartInfo(Scancel) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(jobId);
        try
        {
            using var process = Process.Start(start) ?? throw new Win32Exception();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            var said = (stdout.Result + " " + stderr.Result).Trim();
            if (process.ExitCode == 0 && said.Length == 0)
                output.WriteLine($"Slurm job {jobId}: scancel sent.");
            else
                // Most often the job already ended (scancel: "Invalid job id specified"): nothing left to stop.
                error.WriteLine($"note: Slurm job {jobId}: scancel said (exit code {process.ExitCode}): {(said.Length > 0 ? said : "nothing")}");
        }
        catch (Win32Exception)
        {
            error.WriteLine($"note: '{Scancel}' is not installed here, so Slurm job {jobId} was not cancelled by it; its workers stop by themselves at their next check of the store (or run: scancel {jobId}).");
        }
    }
}
