namespace Piximi.Sweep.Core.Tests;

public sealed class Reading_a_random_search : IDisposable
{
    private readonly SweepFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private LoadedSweep Random(int seed, int trials = 20) => SweepFile.Parse(LocalDisk.Instance, 
        Sweeps.Minimal + $"\nmethod: random\nsampler_seed: {seed}\ntrials: {trials}\n"
        + "parameters:\n  optimizer: [Adam, RMSProp]\n  learning_rate: {from: 0.001, to: 0.1}\n  batch_size: [16, 32, 64]\n",
        _folder.SweepPath());

    [Fact]
    public void Draws_the_asked_number_of_trials_within_the_space_and_the_same_ones_for_the_same_seed()
    {
        var first = Random(seed: 7);
        var again = Random(seed: 7);
        var other = Random(seed: 8);

        Assert.Equal(20, first.Trials.Count);
        Assert.Equal(first.Trials, again.Trials);
        Assert.NotEqual(first.Trials, other.Trials);
        Assert.All(first.Trials, t =>
        {
            Assert.InRange(t.LearningRate, 0.001, 0.1);
            Assert.Contains(t.BatchSize, new[] { 16, 32, 64 });
            Assert.Contains(t.Optimizer, new[] { OptimizerKind.Adam, OptimizerKind.RMSProp });
        });
        // Continuous learning rates: draws, not the ladder's five points.
        Assert.True(first.Trials.Select(t => t.LearningRate).Distinct().Count() > 5);
        Assert.Equal((SearchMethod.Random, 7, (int?)20), (first.Definition.Method, first.Definition.SamplerSeed, first.Definition.Trials));
    }

    [Fact]
    public void A_grid_sweep_stores_the_same_definition_as_before_searches_existed()
    {
        var grid = SweepFile.Parse(LocalDisk.Instance, Sweeps.Minimal, _folder.SweepPath());
        var json = SweepJson.Serialize(grid.Definition);

        Assert.DoesNotContain("method", json);
        Assert.DoesNotContain("sampler_seed", json);
        Assert.DoesNotContain("\"trials\"", json);
        Assert.Contains("\"method\":\"Random\"", SweepJson.Serialize(Random(seed: 1).Definition));
        Assert.Equal(Random(seed: 1).Definition.Trials, SweepJson.Deserialize(SweepJson.Serialize(Random(seed: 1).Definition)).Trials);
    }

    [Fact]
    public void Refuses_trials_with_the_grid_and_a_random_search_without_trials()
    {
        var gridTrials = Sweeps.Refuse(Sweeps.Minimal + "\ntrials: 5\n", _folder.SweepPath());
        Sweeps.Single(gridTrials, "trials", 5, 9, "the grid has as many trials as points");

        var noCount = Sweeps.Refuse(Sweeps.Minimal + "\nmethod: random\n", _folder.SweepPath());
        Sweeps.Single(noCount, "trials", 5, 9, "missing; method: random needs");
    }
}
