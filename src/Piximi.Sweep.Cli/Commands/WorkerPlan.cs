namespace Piximi.Sweep.Cli.Commands;

/// <summary>One worker process to start: its device and how many torch threads it may use.</summary>
internal sealed record WorkerSlot(int Index, string Device, int Threads);

/// <summary>
/// How many workers, on which devices. With CUDA devices: <c>--per-device</c> workers on each (small trials share a
/// GPU well). On the CPU: workers splitting the cores so that workers × threads never exceeds them (small
/// convolutions use two 1-thread processes better than one 2-thread process). Never more workers than queued trials.
/// Zero workers is allowed: <c>run</c> then only watches while workers on other machines train.
/// </summary>
internal static class WorkerPlan
{
    public static IReadOnlyList<WorkerSlot> Make(string devices, int perDevice, int? workers, int? threads, int queuedTrials, int cores, Func<int> cudaDevices)
    {
        if (workers is < 0) throw new UserErrorException($"--workers must be 0 (watch only: workers elsewhere train) or more, got {workers}.");
        // No local workers: run only watches the store, recovers trials of workers that stop beating, and reports.
        if (workers == 0) return [];
        if (threads is < 1) throw new UserErrorException($"--threads must be at least 1, got {threads}.");
        if (perDevice < 1) throw new UserErrorException($"--per-device must be at least 1, got {perDevice}.");
        var resolved = ResolveDevices(devices, cudaDevices);
        var onCpu = resolved[0] == "cpu";
        if (onCpu)
        {
            if (workers > cores)
                throw new UserErrorException($"--workers {workers}: this machine has {cores} cores, so at most {cores} CPU workers.");
            var count = Math.Min(workers ?? cores, Math.Max(1, queuedTrials));
            var perWorker = threads ?? Math.Max(1, cores / count);
            if (count * perWorker > cores)
                throw new UserErrorException($"{count} workers × {perWorker} threads is more than this machine's {cores} cores; " +
                                             $"allowed: workers × threads ≤ {cores}.");
            return Enumerable.Range(0, count).Select(i => new WorkerSlot(i + 1, "cpu", perWorker)).ToList();
        }
        var slots = resolved.SelectMany(d => Enumerable.Repeat(d, perDevice)).ToList();
        var gpuWorkers = Math.Min(workers ?? slots.Count, Math.Max(1, queuedTrials));
        // Each GPU worker still needs a CPU thread to feed it; share the cores between them.
        var gpuThreads = threads ?? Math.Max(1, cores / gpuWorkers);
        return Enumerable.Range(0, gpuWorkers).Select(i => new WorkerSlot(i + 1, slots[i % slots.Count], gpuThreads)).ToList();
    }

    /// <summary><c>auto</c>, <c>cpu</c>, or a comma-separated list of <c>cuda:N</c>.</summary>
    private static IReadOnlyList<string> ResolveDevices(string devices, Func<int> cudaDevices)
    {
        if (devices == "cpu") return ["cpu"];
        if (devices == "auto")
        {
            var n = cudaDevices();
            return n > 0 ? Enumerable.Range(0, n).Select(i => $"cuda:{i}").ToList() : ["cpu"];
        }
        var list = devices.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (list.Length == 0 || list.Any(d => !d.StartsWith("cuda:", StringComparison.Ordinal) || !int.TryParse(d.AsSpan(5), out var i) || i < 0))
            throw new UserErrorException($"--devices '{devices}' is not understood; allowed: auto, cpu, or cuda:N[,cuda:M…].");
        if (list.Distinct().Count() != list.Length)
            throw new UserErrorException($"--devices '{devices}' names a device twice; use --per-device to run several workers on one.");
        var available = cudaDevices();
        var missing = list.Where(d => int.Parse(d.AsSpan(5), System.Globalization.CultureInfo.InvariantCulture) >= available).ToList();
        if (missing.Count > 0)
            throw new UserErrorException($"--devices {string.Join(',', missing)}: this machine has {available} CUDA device(s)" +
                                         (available == 0 ? " (or this is the CPU build; see the README's CUDA build option)" : "") + ".");
        return list;
    }
}
