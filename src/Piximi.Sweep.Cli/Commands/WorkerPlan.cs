namespace Piximi.Sweep.Cli.Commands;

/// <summary>One worker process to start: its device and how many torch threads it may use.</summary>
internal sealed record WorkerSlot(int Index, string Device, int Threads);

/// <summary>
/// How many workers, on which devices. One per CUDA device when there is one; otherwise CPU workers splitting the
/// cores so that workers × threads never exceeds them (small convolutions use two 1-thread processes better than one
/// 2-thread process). Never more workers than queued trials.
/// </summary>
internal static class WorkerPlan
{
    public static IReadOnlyList<WorkerSlot> Make(string device, int? workers, int? threads, int queuedTrials, int cores, Func<int> cudaDevices)
    {
        if (workers is < 1) throw new UserErrorException($"--workers must be at least 1, got {workers}.");
        if (threads is < 1) throw new UserErrorException($"--threads must be at least 1, got {threads}.");
        var devices = ResolveDevices(device, cudaDevices);
        var count = Math.Max(1, Math.Min(workers ?? (devices[0] == "cpu" ? cores : devices.Count), Math.Max(1, queuedTrials)));
        var perWorkerThreads = threads ?? Math.Max(1, cores / count);
        return Enumerable.Range(0, count)
            .Select(i => new WorkerSlot(i + 1, devices[i % devices.Count], perWorkerThreads))
            .ToList();
    }

    private static IReadOnlyList<string> ResolveDevices(string device, Func<int> cudaDevices)
    {
        if (device == "cpu") return ["cpu"];
        if (device == "auto")
        {
            var n = cudaDevices();
            return n > 0 ? Enumerable.Range(0, n).Select(i => $"cuda:{i}").ToList() : ["cpu"];
        }
        if (device.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(device.AsSpan(5), out var index) && index >= 0)
        {
            var n = cudaDevices();
            if (index >= n)
                throw new UserErrorException($"--device {device}: this machine has {n} CUDA device(s){(n == 0 ? " (or this is the CPU build; see the README's CUDA build option)" : "")}.");
            return [device];
        }
        throw new UserErrorException($"--device '{device}' is not understood; allowed: auto, cpu, cuda:N.");
    }
}
