namespace Piximi.Sweep.Benchmarks;

/// <summary>SimpleCNN training throughput in images/s. (Stub: the training engineer fills it in.)</summary>
internal static class ThroughputBench
{
    public static int Run(string[] args) => throw new NotImplementedException();
}
