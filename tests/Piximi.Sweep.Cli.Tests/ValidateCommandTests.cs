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

    [Fact]
    public async Task A_wandb_file_prints_its_notes_with_ignore_unknown_and_lists_every_refusal_without_it()
    {
        using var folder = new TestFolder();
        var file = folder.Write("wandb.yaml", """
            program: train.py
            method: grid
            metric: {name: val_acc, goal: maximize}
            parameters:
              lr: {values: [0.003, 0.01]}
              optimizer: {values: [adam, nadam]}
              dropout: {values: [0.2, 0.5]}
            piximi:
              dataset:
                kind: idx
                images: /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
                labels: /usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz
                subset: 600
            """);

        var ignored = await Cli.RunAsync("validate", file, "--ignore-unknown");

        Assert.True(ignored.ExitCode == 0, ignored.ToString());
        Assert.Matches(@"note: .*wandb\.yaml:1:1: program: W&B's 'program'", ignored.Output);
        Assert.Matches(@"note: .*wandb\.yaml:6:30: parameters\.optimizer\.values\[1\]: 'nadam' .*ignored \(--ignore-unknown\)", ignored.Output);
        Assert.Matches(@"note: .*wandb\.yaml:7:3: parameters\.dropout: .*ignored \(--ignore-unknown\)", ignored.Output);
        Assert.Contains("Grid: 2 trials", ignored.Output);

        var refused = await Cli.RunAsync("validate", file);

        Assert.Equal(2, refused.ExitCode);
        Assert.Matches(@"wandb\.yaml:6:30: parameters\.optimizer\.values\[1\]: 'nadam' is not one of Piximi's optimizer names", refused.Error);
        Assert.Matches(@"wandb\.yaml:7:3: parameters\.dropout: 'dropout' is not a Piximi hyperparameter", refused.Error);
        Assert.Contains("2 error(s)", refused.Error);
    }

    [Fact]
    public async Task A_wandb_file_takes_its_dataset_from_the_dataset_option()
    {
        using var folder = new TestFolder();
        var file = folder.Write("bare.yaml", "method: random\nrun_cap: 3\nparameters:\n  lr: {distribution: uniform, min: 0.001, max: 0.1}\n");

        var result = await Cli.RunAsync("validate", file, "--dataset", TestFolder.FashionMnist, "--model", "SimpleCNN");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("train-images-idx3-ubyte.gz", result.Output);
        Assert.Contains("Random search: 3 trials drawn (sampler seed 0); learning rate uniform in [0.001, 0.1]", result.Output);
    }

    [Theory]
    [InlineData("random", "Random search: no trial count (runs until a budget, the deadline or Ctrl+C stops it), each trial drawn when a worker is free (sampler seed 0)")]
    [InlineData("bayes", "TPE: no trial count (runs until a budget, the deadline or Ctrl+C stops it), each proposed when a worker is free")]
    public async Task A_wandb_file_without_run_cap_is_valid_and_says_it_runs_until_stopped(string method, string search)
    {
        using var folder = new TestFolder();
        var file = folder.Write("open.yaml", $"method: {method}\nparameters:\n  lr: {{distribution: uniform, min: 0.001, max: 0.1}}\n");

        var result = await Cli.RunAsync("validate", file, "--dataset", TestFolder.FashionMnist, "--db", folder.Db);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches($@"note: .*open\.yaml:1:9: run_cap: not given, so, as W&B runs method: {method}, trials are proposed until stopped", result.Output);
        Assert.Contains(search, result.Output);
        Assert.False(File.Exists(folder.Db));
    }

    [Fact]
    public async Task A_wandb_files_messages_name_the_flags_that_answer_them()
    {
        // Core names the caller's options through SweepFileOptions.OptionName; the user still reads the CLI's flags.
        using var folder = new TestFolder();
        var file = folder.Write("open.yaml", "method: random\nparameters:\n  lr: {distribution: uniform, min: 0.001, max: 0.1}\n");
        var missing = Path.Combine(folder.Path, "nowhere");

        var noted = await Cli.RunAsync("validate", file, "--dataset", TestFolder.FashionMnist, "--db", folder.Db);
        var refused = await Cli.RunAsync("validate", file, "--dataset", missing, "--model", "ResNet");

        Assert.True(noted.ExitCode == 0, noted.ToString());
        Assert.Contains("by a budget (--max-trials, --max-epochs, --compute-hours), the deadline (--deadline) or Ctrl+C", noted.Output);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains($"--dataset: folder not found: {missing}", refused.Error);
        Assert.Contains("--model: unknown model 'ResNet'", refused.Error);
    }
}
