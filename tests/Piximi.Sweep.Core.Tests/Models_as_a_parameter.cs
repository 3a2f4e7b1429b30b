namespace Piximi.Sweep.Core.Tests;

/// <summary>`model` as a sweep parameter: read, stored, expanded and sampled; one-model sweeps exactly as before.</summary>
public sealed class Models_as_a_parameter : IDisposable
{
    private readonly SweepFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private LoadedSweep Parse(string yaml) => SweepFile.Parse(LocalDisk.Instance, Sweeps.Minimal + "\n" + yaml, _folder.SweepPath());

    private static readonly ParameterSpace Space = new(
        [OptimizerKind.Adam, OptimizerKind.RMSProp], [LossKind.CategoricalCrossEntropy], [0.001, 0.01], [32], [2], null, [0, 1]);

    [Fact]
    public void A_model_list_under_parameters_is_a_grid_dimension_outermost_in_the_order_given()
    {
        var sweep = Parse("parameters:\n  model: [MobileNet, simplecnn]\n  optimizer: [Adam, RMSProp]\n");

        Assert.Equal([ModelKind.MobileNet, ModelKind.SimpleCNN], sweep.Definition.Parameters.Models);
        Assert.Equal(ModelKind.MobileNet, sweep.Definition.Model);
        Assert.Equal(4, sweep.Trials.Count);
        Assert.Equal([ModelKind.MobileNet, ModelKind.MobileNet, ModelKind.SimpleCNN, ModelKind.SimpleCNN], sweep.Trials.Select(t => t.Model));
        Assert.Equal([OptimizerKind.Adam, OptimizerKind.RMSProp, OptimizerKind.Adam, OptimizerKind.RMSProp], sweep.Trials.Select(t => t.Optimizer));
    }

    [Fact]
    public void One_model_whether_at_the_top_or_under_parameters_stores_the_json_it_always_had()
    {
        var top = Parse("model: SimpleCNN\n");
        var parameter = Parse("parameters:\n  model: SimpleCNN\n");
        var none = Parse("");

        var json = SweepJson.Serialize(none.Definition);
        Assert.Equal(json, SweepJson.Serialize(top.Definition));
        Assert.Equal(json, SweepJson.Serialize(parameter.Definition));
        Assert.DoesNotContain("models", json, StringComparison.Ordinal);
        Assert.Null(none.Definition.Parameters.Models);
        Assert.All(none.Trials, t => Assert.Equal(ModelKind.SimpleCNN, t.Model));
        Assert.DoesNotContain("model", SweepJson.Serialize(none.Trials[0]), StringComparison.Ordinal);
    }

    [Fact]
    public void MobileNet_alone_at_the_top_trains_every_trial_with_MobileNet_and_round_trips_through_json()
    {
        var sweep = Parse("model: mobilenet\nparameters:\n  seed: [1, 2]\n");

        Assert.Equal(ModelKind.MobileNet, sweep.Definition.Model);
        Assert.Equal([ModelKind.MobileNet], sweep.Definition.Parameters.Models);
        Assert.All(sweep.Trials, t => Assert.Equal(ModelKind.MobileNet, t.Model));
        var json = SweepJson.Serialize(sweep.Definition);
        Assert.Contains("\"models\":[\"MobileNet\"]", json, StringComparison.Ordinal);
        Assert.Equal(json, SweepJson.Serialize(SweepJson.Deserialize(json)));
        Assert.Contains("\"model\":\"MobileNet\"", SweepJson.Serialize(sweep.Trials[0]), StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_at_the_top_and_under_parameters_is_refused_and_an_unknown_one_gets_a_suggestion()
    {
        var both = Sweeps.Refuse(Sweeps.Minimal + "\nmodel: SimpleCNN\nparameters:\n  model: [SimpleCNN, MobileNet]\n", _folder.SweepPath());
        Sweeps.Single(both, "parameters.model", 7, 10, "also given at the top", "give it in one place");

        var unknown = Sweeps.Refuse(Sweeps.Minimal + "\nparameters:\n  model: [SimpleCNN, MobileNett]\n", _folder.SweepPath());
        Sweeps.Single(unknown, "parameters.model[1]", 6, 22, "unknown model 'MobileNett'", "did you mean 'MobileNet'?", "allowed: SimpleCNN, MobileNet");

        var twice = Sweeps.Refuse(Sweeps.Minimal + "\nparameters:\n  model: [MobileNet, MobileNet]\n", _folder.SweepPath());
        Assert.Contains(twice, e => e.Field.StartsWith("parameters.model", StringComparison.Ordinal));
    }

    [Fact]
    public void The_grid_counts_and_orders_models_outermost_and_keeps_one_model_grids_as_they_were()
    {
        var one = Grid.Expand(Space);
        var two = Grid.Expand(Space with { Models = [ModelKind.SimpleCNN, ModelKind.MobileNet] });

        Assert.Equal(8, one.Count);
        Assert.All(one, t => Assert.Equal(ModelKind.SimpleCNN, t.Model));
        Assert.Equal(16, two.Count);
        Assert.Equal(one, two.Take(8));
        Assert.Equal(one.Select(t => t with { Model = ModelKind.MobileNet }), two.Skip(8));
        Assert.Equal(16, Grid.Count(Space with { Models = [ModelKind.SimpleCNN, ModelKind.MobileNet] }));
    }

    [Fact]
    public void Random_draws_the_model_last_so_one_model_sweeps_get_the_draws_they_always_had()
    {
        var before = Samplers.Random(Space, seed: 5);
        var swept = Samplers.Random(Space with { Models = [ModelKind.SimpleCNN, ModelKind.MobileNet] }, seed: 5);
        var onlyMobile = Samplers.Random(Space with { Models = [ModelKind.MobileNet] }, seed: 5);

        var plain = Spaces.Run(before, 40, Spaces.Flat).Select(o => o.Point).ToList();
        var mixed = Spaces.Run(swept, 40, Spaces.Flat).Select(o => o.Point).ToList();
        var mobile = Spaces.Run(onlyMobile, 40, Spaces.Flat).Select(o => o.Point).ToList();

        // Every other parameter is drawn exactly as before; the model is drawn after them.
        Assert.Equal(plain, mixed.Select(p => p with { Model = ModelKind.SimpleCNN }));
        Assert.Equal(plain.Select(p => p with { Model = ModelKind.MobileNet }), mobile);
        Assert.InRange(mixed.Count(p => p.Model == ModelKind.MobileNet), 10, 30);
    }

    [Fact]
    public void Tpe_treats_the_model_as_a_category_and_learns_which_one_does_better()
    {
        var space = Space with { Models = [ModelKind.SimpleCNN, ModelKind.MobileNet] };
        var tpe = Samplers.Tpe(space, seed: 3);

        // MobileNet's trials do far better: after the 10 random start-up trials, TPE should mostly propose it.
        var history = Spaces.Run(tpe, 40, (point, _) => point.Model == ModelKind.MobileNet ? 0.1 : 1.0);

        var later = history.Skip(10).Select(o => o.Point.Model).ToList();
        Assert.True(later.Count(m => m == ModelKind.MobileNet) >= 24, $"{later.Count(m => m == ModelKind.MobileNet)} of 30 MobileNet");
        // Without a model list TPE proposes what it always did (the pinned proposals in Sampling_with_tpe say so too).
        var plain = Spaces.Run(Samplers.Tpe(Space, seed: 3), 20, Spaces.Flat);
        Assert.All(plain, o => Assert.Equal(ModelKind.SimpleCNN, o.Point.Model));
    }

    [Fact]
    public void A_wandb_model_parameter_maps_its_spellings_and_model_overrides_it_with_a_note()
    {
        const string wandb = """
            method: grid
            parameters:
              model: {values: [simple_cnn, mobilenet_v1]}
              optimizer: {values: [adam]}
            """;
        var path = _folder.SweepPath("wb.yaml");
        var sweep = SweepFile.Parse(LocalDisk.Instance, wandb + "\n" + Reading_a_wandb_sweep.Piximi + "\n", path);

        Assert.Equal([ModelKind.SimpleCNN, ModelKind.MobileNet], sweep.Definition.Parameters.Models);
        Assert.Equal([ModelKind.SimpleCNN, ModelKind.MobileNet], sweep.Trials.Select(t => t.Model));

        var overridden = SweepFile.Parse(LocalDisk.Instance, wandb + "\n" + Reading_a_wandb_sweep.Piximi + "\n", path,
            options: Sweeps.Flags with { Model = "MobileNet" });
        Assert.Equal([ModelKind.MobileNet], overridden.Definition.Parameters.Models);
        Assert.Equal(ModelKind.MobileNet, overridden.Definition.Model);
        Assert.Contains(overridden.Notes, n => n.Contains("--model MobileNet is used instead", StringComparison.Ordinal));
    }
}
