namespace Piximi.Sweep.Core.Tests;

/// <summary>
/// A sweep whose MobileNet trials train too few steps for their validation to mean anything is told so when it is
/// read (validate and run print the note); one that trains enough, or has no MobileNet, is not.
/// </summary>
public sealed class Noting_short_mobilenet_trials : IDisposable
{
    private readonly SweepFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>Read with a dataset of 1,200 images: 900 train at the default training percentage 0.75.</summary>
    private LoadedSweep Parse(string yaml) => SweepFile.Parse(LocalDisk.Instance, Sweeps.Minimal + "\n" + yaml, _folder.SweepPath(), _ => 1200);

    [Fact]
    public void Steps_are_epochs_times_the_batches_an_epoch_takes_the_last_one_short()
    {
        Assert.Equal(339, MobileNetSteps.Of(3, 8, 900)); // ⌈900 / 8⌉ = 113
        Assert.Equal(904, MobileNetSteps.Of(8, 8, 900));
        Assert.Equal(29, MobileNetSteps.Of(1, 32, 900)); // 28 full batches and one of 4
    }

    [Fact]
    public void A_grid_with_mobilenet_trials_under_850_steps_gets_a_note_naming_how_many_and_the_fewest()
    {
        var sweep = Parse("parameters:\n  model: [SimpleCNN, MobileNet]\n  batch_size: 8\n  epochs: [3, 8]\n");

        var note = Assert.Single(sweep.Notes);
        Assert.StartsWith("model MobileNet: 1 of 2 MobileNet setting(s) train fewer than 850 steps (epochs × ⌈900 training images / batch size⌉; the fewest 339)", note, StringComparison.Ordinal);
    }

    [Fact]
    public void Enough_steps_or_no_mobilenet_or_no_count_give_no_note()
    {
        Assert.Empty(Parse("parameters:\n  model: MobileNet\n  batch_size: 8\n  epochs: 8\n").Notes);
        Assert.Empty(Parse("parameters:\n  batch_size: 32\n  epochs: 1\n").Notes);
        Assert.Empty(SweepFile.Parse(LocalDisk.Instance, Sweeps.Minimal + "\nparameters:\n  model: MobileNet\n  epochs: 1\n", _folder.SweepPath()).Notes);
    }

    [Fact]
    public void A_tpe_search_is_judged_by_every_epochs_and_batch_size_its_space_allows()
    {
        var sweep = Parse("method: tpe\ntrials: 20\nparameters:\n  model: MobileNet\n  batch_size: [8, 64]\n  epochs: 8\n");

        // 8 × ⌈900 / 64⌉ = 120 steps: too few, although no trial is stored yet.
        Assert.Contains("1 of 2 MobileNet setting(s)", Assert.Single(sweep.Notes), StringComparison.Ordinal);
    }
}
