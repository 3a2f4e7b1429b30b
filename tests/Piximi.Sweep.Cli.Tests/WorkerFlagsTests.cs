using Piximi.Sweep.Cli.Commands;
using Piximi.Sweep.Engine;

namespace Piximi.Sweep.Cli.Tests;

/// <summary>The Engine's worker-plan refusals, as the user reads them: with the flags they typed.</summary>
public sealed class The_worker_flags
{
    private static int NoGpu() => 0;

    private static string Worded(Action plan) => WorkerFlags.Worded(Assert.Throws<WorkerPlanRefused>(plan)).Message;

    [Fact]
    public void Name_the_flag_that_is_wrong()
    {
        Assert.Equal("--workers 3: this machine has 2 cores, so at most 2 CPU workers.",
            Worded(() => WorkerPlan.Make("cpu", 1, 3, null, 12, cores: 2, NoGpu)));
        Assert.Equal("--threads must be at least 1, got 0.", Worded(() => WorkerPlan.Make("cpu", 1, null, 0, 4, 2, NoGpu)));
        Assert.Equal("--device 'auto' is not understood; allowed: cpu or cuda:N.", Worded(() => WorkerPlan.CheckDevice("auto", NoGpu)));
    }

    [Fact]
    public void Say_workers_times_threads_without_one_flag()
    {
        Assert.Equal("2 workers × 2 threads is more than this machine's 2 cores; allowed: workers × threads ≤ 2.",
            Worded(() => WorkerPlan.Make("cpu", 1, 2, 2, 12, cores: 2, NoGpu)));
    }

    [Fact]
    public void Point_to_per_device_for_a_device_named_twice()
    {
        Assert.Equal("--devices 'cuda:0,cuda:0' names a device twice; use --per-device to run several workers on one.",
            Worded(() => WorkerPlan.Make("cuda:0,cuda:0", 1, null, null, 4, 2, () => 1)));
    }
}
