namespace Piximi.Sweep.Core;

/// <summary>The grid of a sweep: every combination of its parameter lists.</summary>
public static class Grid
{
    /// <summary>
    /// The product of the space's lists, in a fixed order so trial numbers mean the same on every run: model
    /// outermost (so each model's trials are neighbours, and a sweep of one model numbers its trials as before models
    /// were a parameter), then optimizer, loss, learning rate, batch size, epochs, and seed innermost (so a setting's replicates are
    /// neighbours). Each list's own order is kept.
    /// </summary>
    /// <exception cref="ArgumentException">A list of the space is empty (the grid would silently be empty).</exception>
    public static IReadOnlyList<Hyperparameters> Expand(ParameterSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        space.RequireEveryList("the grid");

        return
        [
            .. from model in space.ModelList
            from optimizer in space.Optimizers
            from loss in space.Losses
            from learningRate in space.LearningRates
            from batchSize in space.BatchSizes
            from epochs in space.Epochs
            from seed in space.Seeds
            select new Hyperparameters(optimizer, loss, learningRate, batchSize, epochs, space.TimeBudget, seed) { Model = model },
        ];
    }

    /// <summary>How many trials <see cref="Expand"/> would make, without making them.</summary>
    public static long Count(ParameterSpace space) =>
        (long)space.ModelList.Count * space.Optimizers.Count * space.Losses.Count * space.LearningRates.Count * space.BatchSizes.Count
        * space.Epochs.Count * space.Seeds.Count;
}
