namespace Piximi.Sweep.Engine;

/// <summary>
/// How many workers, on which devices. With CUDA devices: <c>perDevice</c> workers on each (small trials share a
/// GPU well). On the CPU: workers splitting the cores so that workers × threads never exceeds them (small
/// convolutions use two 1-thread processes better than one 2-thread process). Never more workers than queued trials.
/// Zero workers is allowed: the run then only watches while workers on other machines train.
/// <see cref="Check"/> judges the request against this machine before the store is opened; only the number of queued
/// trials, which can lower the count but never makes the request wrong, waits for the store (<see cref="For"/>).
/// A request this machine cannot honour is a <see cref="WorkerPlanRefused"/> naming the option it is about; the CLI
/// words it with its own flags.
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

    /// <exception cref="WorkerPlanRefused">A request this machine cannot honour, saying what is allowed.</exception>
    public static WorkerPlan Check(string devices, int perDevice, int? workers, int? threads, int cores, Func<int> cudaDevices)
    {
        if (workers is < 0) throw new WorkerPlanRefused(WorkerOption.Workers, $"must be 0 (watch only: workers elsewhere train) or more, got {workers}");
        // No local workers: the run only watches the store, recovers trials of workers that stop beating, and reports.
        if (workers == 0) return new WorkerPlan([], perDevice, workers, threads, cores);
        if (threads is < 1) throw new WorkerPlanRefused(WorkerOption.Threads, $"must be at least 1, got {threads}");
        if (threads > cores)
            throw new WorkerPlanRefused(WorkerOption.Threads, $"{threads}: this machine has {cores} cores, so at most {cores} threads per worker; allowed: workers × threads ≤ {cores}");
        if (perDevice < 1) throw new WorkerPlanRefused(WorkerOption.PerDevice, $"must be at least 1, got {perDevice}");
        var resolved = ResolveDevices(devices, cudaDevices, WorkerOption.Devices, "auto, cpu, or cuda:N[,cuda:M…]");
        if (resolved[0] == "cpu") CheckCpu(workers, threads, cores);
        return new WorkerPlan(resolved, perDevice, workers, threads, cores);
    }

    private static void CheckCpu(int? workers, int? threads, int cores)
    {
        if (workers > cores)
            throw new WorkerPlanRefused(WorkerOption.Workers, $"{workers}: this machine has {cores} cores, so at most {cores} CPU workers");
        if (workers * (threads ?? 1) > cores)
            throw new WorkerPlanRefused(null, $"{workers} workers × {threads} threads is more than this machine's {cores} cores; allowed: workers × threads ≤ {cores}");
    }

    /// <summary>The workers to start for <paramref name="queuedTrials"/> trials: never more than there are trials.</summary>
    public IReadOnlyList<WorkerSlot> For(int queuedTrials)
    {
        if (_devices.Count == 0) return [];
        if (_devices[0] == "cpu")
        {
            // Without a worker count, as many as the cores hold at the threads asked for each (one thread each by default).
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

    /// <summary>A worker's own device: <c>cpu</c>, or a <c>cuda:N</c> this machine has.</summary>
    public static void CheckDevice(string device, Func<int> cudaDevices)
    {
        if (device == "cpu") return;
        // One device per worker: a list, or auto, is the run's to resolve.
        if (device == "auto" || device.Contains(',', StringComparison.Ordinal))
            throw new WorkerPlanRefused(WorkerOption.Device, $"'{device}' is not understood; allowed: cpu or cuda:N");
        ResolveDevices(device, cudaDevices, WorkerOption.Device, "cpu or cuda:N");
    }

    /// <summary><c>auto</c>, <c>cpu</c>, or a comma-separated list of <c>cuda:N</c>.</summary>
    private static IReadOnlyList<string> ResolveDevices(string devices, Func<int> cudaDevices, WorkerOption option, string allowed)
    {
        if (devices == "cpu") return ["cpu"];
        if (devices == "auto")
        {
            var n = cudaDevices();
            return n > 0 ? Enumerable.Range(0, n).Select(i => $"cuda:{i}").ToList() : ["cpu"];
        }
        var list = devices.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (list.Length == 0 || list.Any(d => !d.StartsWith("cuda:", StringComparison.Ordinal) || !int.TryParse(d.AsSpan(5), out var i) || i < 0))
            throw new WorkerPlanRefused(option, $"'{devices}' is not understood; allowed: {allowed}");
        if (list.Distinct().Count() != list.Length)
            throw new WorkerPlanRefused(option, $"'{devices}' names a device twice", instead: WorkerOption.PerDevice);
        var available = cudaDevices();
        var missing = list.Where(d => int.Parse(d.AsSpan(5), System.Globalization.CultureInfo.InvariantCulture) >= available).ToList();
        if (missing.Count > 0)
            throw new WorkerPlanRefused(option, $"{string.Join(',', missing)}: this machine has {available} CUDA device(s)" +
                                                (available == 0 ? " (or this is the CPU build; see the README's CUDA build option)" : ""));
        return list;
    }
}

/// <summary>What a worker plan is asked through; the CLI names each by its flag.</summary>
internal enum WorkerOption
{
    Workers,
    Threads,
    PerDevice,
    /// <summary>The devices a run spreads its workers over (auto, cpu, or a list).</summary>
    Devices,
    /// <summary>The one device of a single worker.</summary>
    Device,
}

/// <summary>
/// A worker plan this machine cannot honour: what is wrong (the message, saying what is allowed, without naming a
/// flag) with which option.
/// </summary>
internal sealed class WorkerPlanRefused(WorkerOption? option, string problem, WorkerOption? instead = null) : Exception(problem)
{
    /// <summary>The option the problem is about; null when it is about several together.</summary>
    public WorkerOption? Option { get; } = option;

    /// <summary>The option that does what was meant, when another one was used for it.</summary>
    public WorkerOption? Instead { get; } = instead;
}
