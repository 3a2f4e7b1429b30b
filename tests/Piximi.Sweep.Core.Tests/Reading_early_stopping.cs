namespace Piximi.Sweep.Core.Tests;

public sealed class Reading_early_stopping : IDisposable
{
    private readonly SweepFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>The minimal file plus <paramref name="top"/> lines; early_stopping: is on line 5.</summary>
    private LoadedSweep Read(string earlyStopping, string top = "") =>
        SweepFile.Parse(LocalDisk.Instance, Sweeps.Minimal + $"\nearly_stopping:{earlyStopping}\n{top}", _folder.SweepPath());

    private IReadOnlyList<SweepFileError> Refuse(string earlyStopping) =>
        Sweeps.Refuse(Sweeps.Minimal + $"\nearly_stopping:{earlyStopping}\n", _folder.SweepPath());

    [Fact]
    public void Patience_alone_watches_the_sweeps_metric_with_no_minimum_improvement()
    {
        Assert.Equal(new EarlyStoppingSpec("val_accuracy", 3, 0), Read(" {patience: 3}").Definition.EarlyStopping);
        Assert.Equal(new EarlyStoppingSpec("loss", 3, 0), Read(" {patience: 3}", top: "metric: loss\n").Definition.EarlyStopping);
    }

    [Fact]
    public void A_metric_and_a_minimum_improvement_of_its_own_are_kept_in_the_metrics_spelling()
    {
        var stopping = Read("\n  patience: 2\n  metric: VAL_LOSS\n  min_delta: 0.001\n").Definition.EarlyStopping;

        Assert.Equal(new EarlyStoppingSpec("val_loss", 2, 0.001), stopping);
    }

    [Fact]
    public void Early_stopping_is_part_of_the_stored_definition_and_leaving_it_out_stores_nothing()
    {
        var definition = Read(" {patience: 2, metric: val_loss}").Definition;
        var json = SweepJson.Serialize(definition);

        Assert.Contains("\"early_stopping\":{\"metric\":\"val_loss\",\"patience\":2,\"min_delta\":0}", json, StringComparison.Ordinal);
        Assert.Equal(definition.EarlyStopping, SweepJson.Deserialize(json).EarlyStopping);
        Assert.DoesNotContain("early_stopping", SweepJson.Serialize(SweepFile.Parse(LocalDisk.Instance, Sweeps.Minimal, _folder.SweepPath()).Definition),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Early_stopping_and_a_pruner_go_together()
    {
        var definition = Read(" {patience: 2}", top: "pruner: asha\n").Definition;

        Assert.Equal(PrunerKind.Asha, definition.Pruner!.Kind);
        Assert.Equal(2, definition.EarlyStopping!.Patience);
    }

    [Fact]
    public void A_mapping_without_patience_is_refused_at_the_mapping()
    {
        Sweeps.Only(Refuse(" {metric: loss}"), "early_stopping.patience", 5, 17, "missing", "from 1 to 10000");
    }

    [Theory]
    [InlineData(" 3", "expected a mapping with patience:", "found '3'")]
    [InlineData("", "expected a mapping with patience:", "found nothing")]
    public void Something_other_than_a_mapping_is_refused(string written, string expected, string found)
    {
        Sweeps.Only(Refuse(written), "early_stopping", 5, written.Length == 0 ? 16 : 17, expected, found);
    }

    [Theory]
    [InlineData("0", "0 is out of range")]
    [InlineData("10001", "10001 is out of range")]
    [InlineData("1.5", "1.5 is not a whole number")]
    public void Patience_outside_1_to_10000_is_refused(string written, string message)
    {
        Sweeps.Only(Refuse($" {{patience: {written}}}"), "early_stopping.patience", 5, 28, message, "allowed: a whole number from 1 to 10000");
    }

    [Fact]
    public void An_unknown_metric_is_refused_with_the_closest_one()
    {
        Sweeps.Only(Refuse(" {patience: 2, metric: val_acc}"), "early_stopping.metric", 5, 39,
            "unknown metric 'val_acc'", "did you mean 'val_accuracy'?", "allowed: val_accuracy, val_loss, accuracy, loss");
    }

    [Theory]
    [InlineData("-0.1", "-0.1 is out of range")]
    [InlineData(".nan", "'.nan' is not a number")]
    [InlineData(".inf", "'.inf' is not a number")]
    public void A_negative_or_not_finite_minimum_improvement_is_refused(string written, string message)
    {
        Sweeps.Only(Refuse($" {{patience: 2, min_delta: {written}}}"), "early_stopping.min_delta", 5, 42, message, "allowed: a number ≥ 0");
    }

    [Fact]
    public void An_unknown_key_suggests_the_closest_and_every_problem_is_reported_at_once()
    {
        var errors = Refuse("\n  patiense: 3\n  min_delta: -1\n");

        Sweeps.Single(errors, "early_stopping.patiense", 6, 3, "unknown key 'patiense'", "did you mean 'patience'?");
        Sweeps.Single(errors, "early_stopping.patience", 6, 3, "missing");
        Sweeps.Single(errors, "early_stopping.min_delta", 7, 14, "-1 is out of range");
        Assert.Equal(3, errors.Count);
    }
}
