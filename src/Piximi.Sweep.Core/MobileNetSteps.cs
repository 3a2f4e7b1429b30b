namespace Piximi.Sweep.Core;

/// <summary>
/// How many training steps a MobileNet trial takes, and the note a sweep gets when some take too few for their
/// validation to mean anything: MobileNet trains from scratch here, and until about <see cref="Enough"/> steps its
/// BatchNorm running statistics (Keras' momentum 0.99) are still near where they started, so evaluation puts every
/// image in one class (measured in SWEEP-FILE.md, "Models").
/// </summary>
public static class MobileNetSteps
{
    /// <summary>The steps from which 0.99^steps is about a tenth of the smallest BatchNorm variance measured.</summary>
    public const int Enough = 850;

    /// <summary>Steps of a trial: epochs × ⌈training images / batch size⌉ (the last batch may be short).</summary>
    public static long Of(int epochs, int batchSize, int trainingImages) =>
        (long)epochs * ((trainingImages + batchSize - 1) / batchSize);

    /// <summary>
    /// The note for a sweep whose MobileNet settings train fewer than <see cref="Enough"/> steps, or null: over its
    /// <paramref name="trials"/>, and, for a search that proposes as it runs (TPE, open-ended random), over every epochs × batch size
    /// its space allows.
    /// </summary>
    public static string? Note(SweepDefinition definition, IReadOnlyList<Hyperparameters> trials, int trainingImages)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(trials);
        var space = definition.Parameters;
        if (!space.ModelList.Contains(ModelKind.MobileNet) && trials.All(t => t.Model != ModelKind.MobileNet)) return null;
        var settings = trials.Where(t => t.Model == ModelKind.MobileNet).Select(t => (t.Epochs, t.BatchSize)).ToList();
        if (definition.ProposesAsItRuns && space.ModelList.Contains(ModelKind.MobileNet))
            settings.AddRange(space.Epochs.SelectMany(e => space.BatchSizes.Select(b => (e, b))));
        var steps = settings.Distinct().Select(s => Of(s.Epochs, s.BatchSize, trainingImages)).ToList();
        var few = steps.Where(s => s < Enough).ToList();
        if (few.Count == 0) return null;
        return $"model MobileNet: {few.Count} of {steps.Count} MobileNet setting(s) train fewer than {Enough} steps "
               + $"(epochs × ⌈{trainingImages} training images / batch size⌉; the fewest {few.Min()}). Trained from scratch, MobileNet "
               + $"needs about {Enough} before its validation means anything (until then every image gets one class); "
               + "more epochs or smaller batches reach it (SWEEP-FILE.md, Models).";
    }
}
