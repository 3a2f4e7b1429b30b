using System.Globalization;

namespace Piximi.Sweep.Engine;

/// <summary>
/// Worker ids are <c>host:pid</c>: unique while the process lives, and enough for an orchestrator on the same host
/// to tell at once whether the holder of a running trial is still alive.
/// </summary>
internal static class WorkerIds
{
    public static string ForThisProcess() => For(Environment.ProcessId);

    public static string For(int pid) => $"{Environment.MachineName}:{pid.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// True when the id names a process on this host that is gone (or that is no longer a piximi-sweep process: the
    /// pid was reused). Ids of other hosts are never judged here; their heartbeats are.
    /// </summary>
    public static bool IsDeadLocal(string? workerId)
    {
        if (workerId is null) return false;
        var colon = workerId.LastIndexOf(':');
        if (colon < 0 || workerId[..colon] != Environment.MachineName) return false;
        if (!int.TryParse(workerId.AsSpan(colon + 1), CultureInfo.InvariantCulture, out var pid)) return false;
        try
        {
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline");
            return !commandLine.Contains("piximi-sweep", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
