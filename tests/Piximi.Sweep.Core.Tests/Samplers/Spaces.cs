namespace Piximi.Sweep.Core.Tests;

internal static class Spaces
{
    /// <summary>Learning rates 1e-5 … 0.1 (four decades), every list with several values.</summary>
    public static readonly ParameterSpace Wide = new(
        Optimizers: Enum.GetValues<OptimizerKind>(),
        Losses: [LossKind.CategoricalCrossEntropy, LossKind.Hinge, LossKind.MeanSquaredError],
        LearningRates: [0.001, 1e-5, 0.1],
        BatchSizes: [16, 32, 64, 128, 256],
        Epochs: [5, 10, 20],
        TimeBudget: TimeSpan.FromMinutes(3),
        Seeds: [0, 1, 2]);

    /// <summary>Runs <paramref name="sampler"/> for <paramref name="trials"/> proposals, each told its loss.</summary>
    public static List<Observation> Run(ISampler sampler, int trials, Func<Hyperparameters, int, double> loss)
    {
        var history = new List<Observation>();
        for (var trial = 0; trial < trials; trial++)
        {
            var point = sampler.Propose(history);
            history.Add(new Observation(point, loss(point, trial)));
        }
        return history;
    }

    /// <summary>A loss that does not care where the point is, for tests about the proposals alone.</summary>
    public static double Flat(Hyperparameters point, int trial) => trial % 7;
}
