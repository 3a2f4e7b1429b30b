using Piximi.Sweep.Cli.Commands;

namespace Piximi.Sweep.Cli.Tests;

public sealed class The_worker_plan
{
    private static int NoGpu() => 0;

    [Fact]
    public void Splits_the_cores_into_one_thread_cpu_workers_by_default()
    {
        var plan = WorkerPlan.Make("auto", workers: null, threads: null, queuedTrials: 12, cores: 2, NoGpu);

        Assert.Equal([new WorkerSlot(1, "cpu", 1), new WorkerSlot(2, "cpu", 1)], plan);
    }

    [Fact]
    public void Gives_fewer_workers_their_share_of_the_cores()
    {
        var plan = WorkerPlan.Make("cpu", workers: 2, threads: null, queuedTrials: 12, cores: 8, NoGpu);

        Assert.All(plan, w => Assert.Equal(4, w.Threads));
        Assert.Equal(2, plan.Count);
    }

    [Fact]
    public void Never_starts_more_workers_than_queued_trials()
    {
        var plan = WorkerPlan.Make("cpu", workers: 4, threads: null, queuedTrials: 1, cores: 4, NoGpu);

        Assert.Equal([new WorkerSlot(1, "cpu", 4)], plan);
    }

    [Fact]
    public void Starts_one_worker_per_cuda_device_when_there_are_some()
    {
        var plan = WorkerPlan.Make("auto", workers: null, threads: null, queuedTrials: 10, cores: 16, () => 2);

        Assert.Equal(["cuda:0", "cuda:1"], plan.Select(w => w.Device));
    }

    [Theory]
    [InlineData("cuda:0", "0 CUDA device")]
    [InlineData("gpu", "allowed: auto, cpu, cuda:N")]
    [InlineData("cuda:x", "allowed: auto, cpu, cuda:N")]
    public void Refuses_a_device_this_machine_does_not_have(string device, string message)
    {
        var error = Assert.Throws<UserErrorException>(() => WorkerPlan.Make(device, null, null, 4, 2, NoGpu));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Refuses_zero_workers_or_threads()
    {
        Assert.Throws<UserErrorException>(() => WorkerPlan.Make("cpu", 0, null, 4, 2, NoGpu));
        Assert.Throws<UserErrorException>(() => WorkerPlan.Make("cpu", null, 0, 4, 2, NoGpu));
    }
}
