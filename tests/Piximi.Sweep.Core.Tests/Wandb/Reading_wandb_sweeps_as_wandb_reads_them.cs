namespace Piximi.Sweep.Core.Tests;

/// <summary>
/// Issue 12: W&amp;B sweep files as W&amp;B reads them. W&amp;B's spec (docs.wandb.ai/models/sweeps/sweep-config-keys,
/// source wandb/docs models/sweeps/sweep-config-keys.mdx): run_cap is optional ("Maximum number of runs"), and random
/// and bayes run "forever unless you stop the process"; metric.name is whatever the script logs; early_terminate's
/// hyperband takes min_iter, or max_iter with s, and eta. The fixtures are excerpts in the shapes public files take.
/// </summary>
public sealed class Reading_wandb_sweeps_as_wandb_reads_them : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static readonly SweepFileOptions Ignore = new() { IgnoreUnknown = true };

    private LoadedSweep Read(string yaml, SweepFileOptions? options = null) =>
        SweepFile.Parse(yaml + "\n" + Reading_a_wandb_sweep.Piximi + "\n", _folder.SweepPath("wb.yaml"), options: options);

    private IReadOnlyList<SweepFileError> Refuse(string yaml, SweepFileOptions? options = null) =>
        Assert.Throws<SweepFileException>(() => Read(yaml, options)).Errors;

    private static void Noted(LoadedSweep sweep, params string[] parts) =>
        Assert.True(sweep.Notes.Any(n => parts.All(p => n.Contains(p, StringComparison.Ordinal))),
            $"no note with {string.Join(" and ", parts)} among:\n{string.Join("\n", sweep.Notes)}");

    // ----- 5. a Hyperband that can never prune -----

    [Fact]
    public void A_first_rung_at_or_past_the_last_epoch_is_refused_in_wandbs_words()
    {
        Sweeps.Only(Refuse("method: grid\nearly_terminate: {type: hyperband, min_iter: 5}\nparameters:\n  epochs: {values: [3, 5]}\n"),
            "early_terminate.min_iter", 2, 46,
            "min_iter 5 is not below the most epochs a trial runs (5, from parameters.epochs), so there would be nothing to prune",
            "allowed: a whole number from 1 to 4");
        Sweeps.Only(Refuse("method: grid\nearly_terminate: {type: hyperband, min_iter: 20}\nparameters:\n  num_epochs: {value: 10}\n"),
            "early_terminate.min_iter", 2, 46, "min_iter 20 is not below the most epochs a trial runs (10, from parameters.num_epochs)");
        // No epochs parameter: the default 10.
        Sweeps.Only(Refuse("method: grid\nearly_terminate: {type: hyperband, min_iter: 10}\nparameters:\n  lr: {value: 0.01}\n"),
            "early_terminate.min_iter", 2, 46, "(10, the default epochs, as no epochs parameter is given)");
        Sweeps.Only(Refuse("method: grid\nearly_terminate: {type: hyperband, min_iter: 1}\nparameters:\n  epochs: {value: 1}\n"),
            "early_terminate.min_iter", 2, 46, "allowed: none while trials run 1 epoch: give parameters.epochs more than 1, or leave out early_terminate");
    }

    [Fact]
    public void A_first_rung_derived_from_max_iter_and_s_is_refused_at_max_iter()
    {
        Sweeps.Only(Refuse("method: grid\nearly_terminate: {type: hyperband, max_iter: 27, s: 2, eta: 3}\nparameters:\n  epochs: {value: 3}\n"),
            "early_terminate.max_iter", 2, 46,
            "the first rung, max_iter / eta^s = 27 / 3^2 = 3 epochs, is not below the most epochs a trial runs (3, from parameters.epochs)",
            "allowed: a whole number from 1 to 2");
        Assert.Equal(3, Read("method: grid\nearly_terminate: {type: hyperband, max_iter: 27, s: 2, eta: 3}\nparameters:\n  epochs: {value: 4}\n")
            .Definition.Pruner!.MinEpochs);
    }

    [Fact]
    public void The_native_and_the_wandb_format_refuse_the_same_hyperband_with_the_same_rule()
    {
        var native = Sweeps.Refuse(Sweeps.Minimal + "\npruner: {type: hyperband, min_epochs: 5}\nparameters:\n  epochs: [3, 5]\n", _folder.SweepPath());
        var wandb = Refuse("method: grid\nearly_terminate: {type: hyperband, min_iter: 5}\nparameters:\n  epochs: {values: [3, 5]}\n");

        const string rule = " is not below the most epochs a trial runs (5, from parameters.epochs), so there would be nothing to prune; allowed: a whole number from 1 to 4";
        Assert.Equal("5" + rule, Sweeps.Only(native, "pruner.min_epochs", 5, 39).Message);
        Assert.Equal("min_iter 5" + rule, Sweeps.Only(wandb, "early_terminate.min_iter", 2, 46).Message);
        Assert.NotNull(Read("method: grid\nearly_terminate: {type: hyperband, min_iter: 4}\nparameters:\n  epochs: {values: [3, 5]}\n").Definition.Pruner);
    }
}
