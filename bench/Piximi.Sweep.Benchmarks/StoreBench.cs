namespace Piximi.Sweep.Benchmarks;

/// <summary>Store bookkeeping cost per trial with a no-op trainer. (Stub: the storage engineer fills it in.)</summary>
internal static class StoreBench
{
    public static int Run(string[] args) => throw new NotImplementedException();
}
