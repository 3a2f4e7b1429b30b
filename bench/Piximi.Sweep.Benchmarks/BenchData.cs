namespace Piximi.Sweep.Benchmarks;

/// <summary>The real data the benchmarks train on: Debian's dataset-fashion-mnist package.</summary>
internal static class BenchData
{
    public const string FashionMnist = "/usr/share/datasets/fashion-mnist";

    public const string TrainImages = FashionMnist + "/train-images-idx3-ubyte.gz";

    public const string TrainLabels = FashionMnist + "/train-labels-idx1-ubyte.gz";
}
