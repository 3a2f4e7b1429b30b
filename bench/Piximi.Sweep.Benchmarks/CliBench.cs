using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Piximi.Sweep.Benchmarks;

/// <summary>
/// Issue 13's "<c>status</c> and <c>best</c> under 200 ms", measured as the user runs them: <c>--cli</c> is the
/// README's <c>./piximi-sweep</c> (its up-to-date check, the apphost, the runtime's start-up, the query), on the store
/// <c>scripts/bench-scale</c> leaves (10,000 trials × 10 epochs). Prints each command's whole-process wall time
/// (median, min–max) and CPU time (user + system, median), and <c>--help</c>'s: the start-up alone, so that what
/// status and best add is theirs. Wall times count whatever else the machine runs (it prints the load); CPU times
/// much less so. Prints figures; never a test.
/// Usage: cli --cli PATH --db PATH [--sweep scale] [--repeat 11]
/// </summary>
internal static partial class CliBench
{
    public static int Run(string[] args)
    {
        var cli = BenchArgs.Option(args, "--cli") ?? throw new ArgumentException("--cli <the piximi-sweep to run> is required");
        var db = BenchArgs.Option(args, "--db") ?? throw new ArgumentException("--db <a store> is required");
        var sweep = BenchArgs.Option(args, "--sweep") ?? "scale";
        var repeat = BenchArgs.IntOption(args, "--repeat", 11);
        Console.WriteLine($"bench-cli on {Environment.ProcessorCount} cores, {DateTimeOffset.Now:yyyy-MM-dd HH:mm zzz}, load {Load()}; {cli}; store {db}");
        foreach (var command in new[] { ["--help"], ["status", "--sweep", sweep, "--db", db], new[] { "best", "--sweep", sweep, "--db", db } })
        {
            Time(cli, command); // once unmeasured: a build the wrapper still had to do, and a cold page cache, are not what a user waits for every time
            var runs = Enumerable.Range(0, repeat).Select(_ => Time(cli, command)).ToList();
            var wall = runs.Select(r => r.Wall).Order().ToList();
            var cpu = runs.Select(r => r.Cpu).Order().ToList();
            Console.WriteLine($"{command[0],-7} wall {wall[wall.Count / 2],6:F1} ms ({wall[0]:F1}–{wall[^1]:F1}), CPU {cpu[cpu.Count / 2],6:F1} ms, median of {repeat}");
        }
        Console.WriteLine($"load after: {Load()} (target: status and best < 200 ms wall on an otherwise idle machine)");
        return 0;
    }

    private static (double Wall, double Cpu) Time(string cli, string[] args)
    {
        var start = new ProcessStartInfo(cli) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        var before = ChildrenCpu();
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        var wall = clock.Elapsed.TotalMilliseconds;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"piximi-sweep {string.Join(' ', args)} exited {process.ExitCode}:\n{error.Result}{output.Result}");
        return (wall, ChildrenCpu() - before);
    }

    /// <summary>User + system milliseconds of this process's children that ended (and were waited for): getrusage(2).</summary>
    private static double ChildrenCpu()
    {
        const int children = -1;
        if (GetRusage(children, out var usage) != 0) return double.NaN;
        return (usage.UserSeconds + usage.SystemSeconds) * 1000.0 + (usage.UserMicroseconds + usage.SystemMicroseconds) / 1000.0;
    }

    /// <summary>struct rusage's two timevals; the 14 longs after them are not read but must be there to be written.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        private unsafe fixed long _rest[14];
    }

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetRusage(int who, out RUsage usage);

    private static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
}
