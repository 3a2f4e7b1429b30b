using Piximi.Sweep.Engine;
using Piximi.Sweep.Training;

namespace Piximi.Sweep.Cli.Commands;

/// <summary>
/// The worker options of <c>run</c>, <c>resume</c> and <c>worker</c> (<c>--workers</c>, <c>--threads</c>,
/// <c>--devices</c>, <c>--per-device</c>, <c>--device</c>) checked by the Engine's <see cref="WorkerPlan"/> against
/// this machine; a refusal is worded here, with the flags the user typed.
/// </summary>
internal static class WorkerFlags
{
    /// <summary>The plan <c>run</c> and <c>resume</c> will start workers by.</summary>
    public static WorkerPlan Plan(RunOptions options)
    {
        try
        {
            return WorkerPlan.Check(options.Devices, options.PerDevice, options.Workers, options.Threads, Environment.ProcessorCount, CudaDeviceCount);
        }
        catch (WorkerPlanRefused refused)
        {
            throw Worded(refused);
        }
    }

    /// <summary>A worker's own <c>--device</c>.</summary>
    public static void CheckDevice(string device)
    {
        try
        {
            WorkerPlan.CheckDevice(device, CudaDeviceCount);
        }
        catch (WorkerPlanRefused refused)
        {
            throw Worded(refused);
        }
    }

    /// <summary>CUDA devices, asked of TorchSharp only where an NVIDIA driver exists (loading libtorch costs a second).</summary>
    public static int CudaDeviceCount()
    {
        if (!Directory.Exists("/proc/driver/nvidia/gpus")) return 0;
        TorchRuntime.Initialize(1);
        return TorchRuntime.CudaDeviceCount();
    }

    /// <summary>The refusal as the user reads it: the flag, what is wrong with it, and the flag to use instead.</summary>
    internal static UserErrorException Worded(WorkerPlanRefused refused) =>
        new((refused.Option is { } option ? $"{Flag(option)} " : "") + refused.Message
            + (refused.Instead is { } instead ? $"; use {Flag(instead)} to run several workers on one" : "") + ".");

    private static string Flag(WorkerOption option) => option switch
    {
        WorkerOption.Workers => "--workers",
        WorkerOption.Threads => "--threads",
        WorkerOption.PerDevice => "--per-device",
        WorkerOption.Devices => "--devices",
        WorkerOption.Device => "--device",
        _ => throw new ArgumentOutOfRangeException(nameof(option), option, null),
    };
}
