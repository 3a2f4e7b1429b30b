using Piximi.Sweep.Benchmarks;

// Usage: Piximi.Sweep.Benchmarks store [options] | throughput [options] | chaos --cli PATH [options] | recovery --cli PATH [options] | report [options] | search --cli PATH [options] | postgres [options] | scale --cli PATH [options] | cli --cli PATH --db PATH [options] | dashboard --cli PATH [options] | charts --libs DIR [options]
return args.FirstOrDefault() switch
{
    "store" => StoreBench.Run(args[1..]),
    "throughput" => ThroughputBench.Run(args[1..]),
    "chaos" => ChaosBench.Run(args[1..]),
    "recovery" => RecoveryBench.Run(args[1..]),
    "report" => ReportBench.Run(args[1..]),
    "search" => SearchBench.Run(args[1..]),
    "postgres" => PostgresBench.Run(args[1..]),
    "scale" => ScaleBench.Run(args[1..]),
    "cli" => CliBench.Run(args[1..]),
    "dashboard" => DashboardBench.Run(args[1..]),
    "charts" => ChartsBench.Run(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Piximi.Sweep.Benchmarks store|throughput|chaos|recovery|report|search|postgres|scale|cli|dashboard|charts [options]");
    return 2;
}
