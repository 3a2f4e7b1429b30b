namespace Piximi.Sweep.Cli.Tests;

public sealed class The_validate_command
{
    [Fact]
    public async Task Prints_the_grid_count_and_a_row_per_trial_without_creating_a_store()
    {
        using var folder = new TestFolder();
        var file = folder.Write("grid.yaml", TestFolder.SmallSweep("grid", 600, ("learning_rate", "{from: 0.001, to: 0.1}"), ("batch_size", "{from: 16, to: 64}")));

        var result = await Cli.RunAsync("validate", file, "--db", folder.Db);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Grid: 15 trials = optimizer 1 × loss 1 × learning_rate 5 × batch_size 3 × epochs 1 × seed 1", result.Output);
        foreach (var rate in new[] { "0.001", "0.003", "0.01", "0.03", "0.1" })
            Assert.Contains($" {rate} ", result.Output);
        var rows = result.Output.Split('\n').Count(l => l.Contains(" Adam ") && l.Contains("CategoricalCrossEntropy"));
        Assert.Equal(15, rows);
        Assert.False(File.Exists(folder.Db));
    }

    [Fact]
    public async Task Refuses_a_bad_file_with_file_line_column_and_the_allowed_range()
    {
        using var folder = new TestFolder();
        var file = folder.Write("bad.yaml", TestFolder.SmallSweep("bad", 600, ("learning_rate", "5")));

        var result = await Cli.RunAsync("validate", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Matches(@"bad\.yaml:\d+:\d+: parameters\.learning_rate: .*5.*> 0 and ≤ 1", result.Error);
    }
}
