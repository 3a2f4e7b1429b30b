namespace Piximi.Sweep.Core.Tests;

public sealed class Reading_a_tpe_search : IDisposable
{
    private readonly SweepFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private LoadedSweep Tpe(int seed, int trials = 30) => SweepFile.Parse(LocalDisk.Instance, 
        Sweeps.Minimal + $"\nmethod: tpe\nsampler_seed: {seed}\ntrials: {trials}\n"
        + "parameters:\n  optimizer: [Adam, RMSProp]\n  learning_rate: {from: 0.0001, to: 0.3}\n",
        _folder.SweepPath());

    [Fact]
    public void A_tpe_search_keeps_its_trial_count_and_seed_and_leaves_the_trials_to_the_workers()
    {
        var tpe = Tpe(seed: 3);

        Assert.Equal((SearchMethod.Tpe, 3, (int?)30), (tpe.Definition.Method, tpe.Definition.SamplerSeed, tpe.Definition.Trials));
        // Each trial is proposed at run time from the results stored by then, so none is known when the file is read.
        Assert.Empty(tpe.Trials);
    }

    [Theory]
    [InlineData("tpe")]
    [InlineData("TPE")]
    [InlineData(" Tpe ")]
    public void The_method_is_matched_without_regard_to_case(string written)
    {
        var tpe = SweepFile.Parse(LocalDisk.Instance, Sweeps.Minimal + $"\nmethod: '{written}'\ntrials: 5\n", _folder.SweepPath());

        Assert.Equal(SearchMethod.Tpe, tpe.Definition.Method);
    }

    [Fact]
    public void Its_definition_is_stored_as_tpe_and_read_back_the_same()
    {
        var json = SweepJson.Serialize(Tpe(seed: 3).Definition);

        Assert.Contains("\"method\":\"Tpe\"", json, StringComparison.Ordinal);
        Assert.Contains("\"trials\":30", json, StringComparison.Ordinal);
        Assert.Equal(json, SweepJson.Serialize(SweepJson.Deserialize(json)));
        Assert.NotEqual(json, SweepJson.Serialize(Tpe(seed: 4).Definition));
    }

    [Fact]
    public void A_tpe_search_without_trials_is_refused_at_the_method()
    {
        var errors = Sweeps.Refuse(Sweeps.Minimal + "\nmethod: tpe\n", _folder.SweepPath());

        Sweeps.Only(errors, "trials", 5, 9, "missing; method: tpe needs", "from 1 to 100000, with method: random or tpe");
    }

    [Theory]
    [InlineData("0", "0 is out of range")]
    [InlineData("100001", "100001 is out of range")]
    [InlineData("2.5", "2.5 is not a whole number")]
    public void A_trial_count_outside_1_to_100000_is_refused(string trials, string message)
    {
        var errors = Sweeps.Refuse(Sweeps.Minimal + $"\nmethod: tpe\ntrials: {trials}\n", _folder.SweepPath());

        Sweeps.Only(errors, "trials", 6, 9, message, "allowed: a whole number from 1 to 100000");
    }

    [Fact]
    public void An_unknown_method_names_tpe_among_those_allowed()
    {
        var errors = Sweeps.Refuse(Sweeps.Minimal + "\nmethod: bayes\n", _folder.SweepPath());

        Sweeps.Only(errors, "method", 5, 9, "'bayes' is not a search method here", "allowed: grid, random or tpe");
    }
}
