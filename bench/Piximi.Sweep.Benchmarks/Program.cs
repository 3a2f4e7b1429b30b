using Piximi.Sweep.Benchmarks;

// Usage: Piximi.Sweep.Benchmarks store [options] | throughput [options]
return args.FirstOrDefault() switch
{
    "store" => StoreBench.Run(args[1..]),
    "throughput" => ThroughputBench.Run(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Piximi.Sweep.Benchmarks store|throughput [options]");
    return 2;
}
