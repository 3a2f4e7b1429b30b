using Piximi.Sweep.Core;

namespace Piximi.Sweep.Reports.Tests;

/// <summary>The report's "Search" line, for a sweep with and without a trial count.</summary>
public sealed class TheSearchLine
{
    private static readonly SweepDefinition Sweep = new("s", new DatasetSpec("idx", "/images.gz", "/labels.gz", 0.75, null), ModelKind.SimpleCNN,
        MetricNames.ValAccuracy, new ParameterSpace([OptimizerKind.Adam], [LossKind.CategoricalCrossEntropy], [0.001, 0.1], [32], [1], null, [0]));

    [Fact]
    public void Of_an_open_ended_sweep_says_what_was_drawn_so_far_and_that_it_has_no_trial_count()
    {
        Assert.Equal("random search, 3 draws so far, no trial count (sampler seed 0)", Format.Search(Sweep with { Method = SearchMethod.Random }, 3));
        Assert.StartsWith("TPE, 3 trials so far, no trial count (sampler seed 0;", Format.Search(Sweep with { Method = SearchMethod.Tpe }, 3), StringComparison.Ordinal);
    }

    [Fact]
    public void Of_a_counted_sweep_is_as_before()
    {
        Assert.Equal("random search, 3 draws (sampler seed 0)", Format.Search(Sweep with { Method = SearchMethod.Random, Trials = 3 }, 3));
        Assert.StartsWith("TPE, 5 trials (3 proposed so far; sampler seed 0;", Format.Search(Sweep with { Method = SearchMethod.Tpe, Trials = 5 }, 3), StringComparison.Ordinal);
    }
}
