using Piximi.Sweep.Engine;
using Piximi.Sweep.Training;

namespace Piximi.Sweep.Cli.Commands;

/// <summary>
/// How many workers, on which devices. With CUDA devices: <c>--per-device</c> workers on each (small trials share a
/// GPU well). On the CPU: workers splitting the cores so that workers × threads never exceeds them (small
/// convolutions use two 1-thread processes better than one 2-thread process). Never more workers than queued trials.
/// Zero workers is allowed: <c>run</c> then only watches while workers on other machines train.
/// <see cref="Check"/> judges the options against this machine before the store is opened; only the number of queued
/// trials, which can lower the count but never makes the options wrong, waits for the store (<see cref="For"/>).
/// </summary>
internal sealed class WorkerPlan
{
    private readonly IReadOnlyList<string> _devices;
    private readonly int _perDevice;
    private readonly int? _workers;
    private readonly int? _threads;
    private readonly int _cores;

    private WorkerPlan(IReadOnlyList<string> devices, int perDevice, int? workers, int? threads, int cores)
    {
        _devices = devices;
        _perDevice = perDevice;
        _workers = workers;
        _threads = threads;
        _cores = cores;
    }

    /// <exception cref="UserErrorException">An option this machine cannot honour, saying what is allowed.</exception>
    public static WorkerPlan Check(string devices, int perDevice, int? workers, int? threads, int cores, Func<int> cudaDevices)
    {
        if (workers is < 0) throw new UserErrorException($"--workers must be 0 (watch only: workers elsewhere train) or more, got {workers}.");
        // No local workers: run only watches the store, recovers trials of workers that stop beating, and reports.
        if (workers == 0) return new WorkerPlan([], perDevice, workers, threads, cores);
        if (threads is < 1) throw new UserErrorException($"--threads must be at least 1, got {threads}.");
        if (threads > cores)
            throw new UserErrorException($"--threads {threads}: this machine has {cores} cores, so at most {cores} threads per worker; allowed: workers × threads ≤ {cores}.");
        if (perDevice < 1) throw new UserErrorException($"--per-device must be at least 1, got {perDevice}.");
        var resolved = ResolveDevices(devices, cudaDevices);
        if (resolved[0] == "cpu")
        {
            if (workers > cores)
                throw new UserErrorException($"--workers {workers}: this machine has {cores} cores, so at most {cores} CPU workers.");
            if (workers * (threads ?? 1) > cores)
                throw new UserErrorException($"{workers} workers × {threads} threads is more than this machine's {cores} cores; " +
                                             $"allowed: workers × threads ≤ {cores}.");
        }
        return new WorkerPlan(resolved, perDevice, workers, threads, cores);
    }

    /// <summary>The workers to start for <paramref name="queuedTrials"/> trials: never more than there are trials.</summary>
    public IReadOnlyList<WorkerSlot> For(int queuedTrials)
    {
        if (_devices.Count == 0) return [];
        if (_devices[0] == "cpu")
        {
            // Without --workers, as many as the cores hold at --threads each (one thread each by default).
            var count = Math.Min(_workers ?? _cores / (_threads ?? 1), Math.Max(1, queuedTrials));
            var perWorker = _threads ?? Math.Max(1, _cores / count);
            return Enumerable.Range(0, count).Select(i => new WorkerSlot(i + 1, "cpu", perWorker)).ToList();
        }
        var slots = _devices.SelectMany(d => Enumerable.Repeat(d, _perDevice)).ToList();
        var gpuWorkers = Math.Min(_workers ?? slots.Count, Math.Max(1, queuedTrials));
        // Each GPU worker still needs a CPU thread to feed it; share the cores between them.
        var gpuThreads = _threads ?? Math.Max(1, _cores / gpuWorkers);
        return Enumerable.Range(0, gpuWorkers).Select(i => new WorkerSlot(i + 1, slots[i % slots.Count], gpuThreads)).ToList();
    }

    public static IReadOnlyList<WorkerSlot> Make(string devices, int perDevice, int? workers, int? threads, int queuedTrials, int cores, Func<int> cudaDevices) =>
        Check(devices, perDevice, workers, threads, cores, cudaDevices).For(queuedTrials);

    /// <summary>A worker's own <c>--device</c>: <c>cpu</c>, or a <c>cuda:N</c> this machine has.</summary>
    public static void CheckDevice(string device, Func<int> cudaDevices)
    {
        if (device == "cpu") return;
        // One device per worker: a list, or auto, is run's to resolve.
        if (device == "auto" || device.Contains(',', StringComparison.Ordinal))
            throw new UserErrorException($"--device '{device}' is not understood; allowed: cpu or cuda:N.");
        ResolveDevices(device, cudaDevices, "--device", "cpu or cuda:N");
    }

    /// <summary>CUDA devices, asked of TorchSharp only where an NVIDIA driver exists (loading libtorch costs a second).</summary>
    public static int CudaDeviceCount()
    {
        if (!Directory.Exists("/proc/driver/nvidia/gpus")) return 0;
        TorchRuntime.Initialize(1);
        return TorchRuntime.CudaDeviceCount();
    }

    /// <summary><c>auto</c>, <c>cpu</c>, or a comma-separated list of <c>cuda:N</c>.</summary>
    private static IReadOnlyList<string> ResolveDevices(string devices, Func<int> cudaDevices, string option = "--devices", string allowed = "auto, cpu, or cuda:N[,cuda:M…]")
    {
        if (devices == "cpu") return ["cpu"];
        if (devices == "auto")
        {
            var n = cudaDevices();
            return n > 0 ? Enumerable.Range(0, n).Select(i => $"cuda:{i}").ToList() : ["cpu"];
        }
        var list = devices.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (list.Length == 0 || list.Any(d => !d.StartsWith("cuda:", StringComparison.Ordinal) || !int.TryParse(d.AsSpan(5), out var i) || i < 0))
            throw new UserErrorException($"{option} '{devices}' is not understood; allowed: {allowed}.");
        if (list.Distinct().Count() != list.Length)
            throw new UserErrorException($"{option} '{devices}' names a device twice; use --per-device to run several workers on one.");
        var available = cudaDevices();
        var missing = list.Where(d => int.Parse(d.AsSpan(5), System.Globalization.CultureInfo.InvariantCulture) >= available).ToList();
        if (missing.Count > 0)
            throw new UserErrorException($"{option} {string.Join(',', missing)}: this machine has {available} CUDA device(s)" +
                                         (available == 0 ? " (or this is the CPU build; see the README's CUDA build option)" : "") + ".");
        return list;
    }
}
