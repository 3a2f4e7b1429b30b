namespace Piximi.Sweep.Engine;

/// <summary>One worker process to start: its device and how many torch threads it may use.</summary>
internal sealed record WorkerSlot(int Index, string Device, int Threads);

/// <summary>A C++ exception that aborted a worker: its type (e.g. <c>c10::Error</c>) and the first line of its message.</summary>
internal sealed record NativeError(string Type, string Message)
{
    /// <summary>
    /// libtorch's own errors (<c>c10::Error</c> and its kin: checks of shapes, types, values and indices) recur in a
    /// seeded trial, so they fail it at once; running out of memory depends on the machine, so it counts as a loss.
    /// </summary>
    public bool Recurs => Type.StartsWith("c10::", StringComparison.Ordinal) && Type != "c10::OutOfMemoryError";
}
