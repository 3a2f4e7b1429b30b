using TorchSharp;

namespace Piximi.Sweep.Training.Tests;

public class TorchRuntimeInitialize
{
    [Fact]
    public void LoadsTorchSharpAndSetsTheIntraOpThreadCount()
    {
        TorchRuntime.Initialize(threads: 2);
        Assert.Equal(2, torch.get_num_threads());

        TorchRuntime.Initialize(threads: 1);
        Assert.Equal(1, torch.get_num_threads());
    }

    [Fact]
    public void CanBeCalledAgainWithTheSameThreadCount()
    {
        FashionMnist.InitializeTorch();
        FashionMnist.InitializeTorch();

        using var sum = torch.ones(3).sum();
        Assert.Equal(3f, sum.item<float>());
    }

    [Fact]
    public void RefusesFewerThanOneThread()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TorchRuntime.Initialize(threads: 0));
    }

    [Fact]
    public void KeepsFreedTensorMemoryForReuseOnGlibc()
    {
        FashionMnist.InitializeTorch();

        // This machine runs glibc, whose mallopt must have accepted both thresholds.
        Assert.True(TorchRuntime.AllocatorTuned);
    }

    [Fact]
    public void SeesNoCudaDeviceOnTheCpuBuild()
    {
        FashionMnist.InitializeTorch();
        Assert.Equal(0, TorchRuntime.CudaDeviceCount());
    }

    [Fact]
    public void FindsTheCompatibilityShimNextToTheAssemblyWhereTheSystemLibstdcxxIsOlderThanGcc13()
    {
        // The build decides from the system libstdc++; check that it decided right for this machine.
        var libstdcxx = File.ReadAllText("/usr/lib/x86_64-linux-gnu/libstdc++.so.6");
        var needed = !libstdcxx.Contains("GLIBCXX_3.4.32", StringComparison.Ordinal);
        var shim = Path.Combine(AppContext.BaseDirectory, TorchRuntime.ShimFileName);

        Assert.Equal(needed, File.Exists(shim));
    }
}
