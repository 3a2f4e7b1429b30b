namespace Piximi.Sweep.Engine.Tests;

// Refusals are the Engine's WorkerPlanRefused, which does not name the CLI's flags (the CLI words them: WorkerFlagsTests).

public sealed class The_worker_plan
{
    private static int NoGpu() => 0;

    [Fact]
    public void Splits_the_cores_into_one_thread_cpu_workers_by_default()
    {
        var plan = WorkerPlan.Make("auto", 1, workers: null, threads: null, queuedTrials: 12, cores: 2, NoGpu);

        Assert.Equal([new WorkerSlot(1, "cpu", 1), new WorkerSlot(2, "cpu", 1)], plan);
    }

    [Fact]
    public void Gives_fewer_workers_their_share_of_the_cores()
    {
        var plan = WorkerPlan.Make("cpu", 1, workers: 2, threads: null, queuedTrials: 12, cores: 8, NoGpu);

        Assert.All(plan, w => Assert.Equal(4, w.Threads));
        Assert.Equal(2, plan.Count);
    }

    [Fact]
    public void Never_starts_more_workers_than_queued_trials()
    {
        var plan = WorkerPlan.Make("cpu", 1, workers: 4, threads: null, queuedTrials: 1, cores: 4, NoGpu);

        Assert.Equal([new WorkerSlot(1, "cpu", 4)], plan);
    }

    [Theory]
    [InlineData(3, null, "at most 2 CPU workers")]
    [InlineData(2, 2, "workers × threads ≤ 2")]
    [InlineData(null, 3, "workers × threads ≤ 2")]
    public void Never_lets_cpu_workers_times_threads_exceed_the_cores(int? workers, int? threads, string message)
    {
        var error = Assert.Throws<WorkerPlanRefused>(() => WorkerPlan.Make("cpu", 1, workers, threads, 12, cores: 2, NoGpu));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Starts_one_worker_per_cuda_device_when_there_are_some()
    {
        var plan = WorkerPlan.Make("auto", 1, workers: null, threads: null, queuedTrials: 10, cores: 16, () => 2);

        Assert.Equal(["cuda:0", "cuda:1"], plan.Select(w => w.Device));
    }

    [Fact]
    public void Runs_several_workers_on_each_listed_device_with_per_device()
    {
        var plan = WorkerPlan.Make("cuda:0,cuda:1", 3, workers: null, threads: null, queuedTrials: 10, cores: 12, () => 2);

        Assert.Equal(6, plan.Count);
        Assert.Equal(3, plan.Count(w => w.Device == "cuda:1"));
        Assert.All(plan, w => Assert.Equal(2, w.Threads));
    }

    [Theory]
    [InlineData("cuda:0", "0 CUDA device")]
    [InlineData("cuda:0,cuda:0", "names a device twice")]
    [InlineData("gpu", "allowed: auto, cpu, or cuda:N")]
    [InlineData("cuda:x", "allowed: auto, cpu, or cuda:N")]
    public void Refuses_a_device_this_machine_does_not_have(string devices, string message)
    {
        var error = Assert.Throws<WorkerPlanRefused>(() => WorkerPlan.Make(devices, 1, null, null, 4, 2, NoGpu));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Refuses_negative_workers_and_zero_threads_or_workers_per_device()
    {
        Assert.Throws<WorkerPlanRefused>(() => WorkerPlan.Make("cpu", 1, -1, null, 4, 2, NoGpu));
        Assert.Throws<WorkerPlanRefused>(() => WorkerPlan.Make("cpu", 1, null, 0, 4, 2, NoGpu));
        Assert.Throws<WorkerPlanRefused>(() => WorkerPlan.Make("cpu", 0, null, null, 4, 2, NoGpu));
    }

    [Fact]
    public void Zero_workers_means_watching_only_whatever_the_devices()
    {
        Assert.Empty(WorkerPlan.Make("cpu", 1, 0, null, 4, 2, NoGpu));
        Assert.Empty(WorkerPlan.Make("auto", 1, 0, 4, 4, 2, () => 2));
    }
}
