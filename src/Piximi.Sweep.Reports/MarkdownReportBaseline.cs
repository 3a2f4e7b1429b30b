using Piximi.Sweep.Core;

namespace Piximi.Sweep.Reports;

// The baseline in the Markdown report (and the words the HTML report shares): the gain, the user's settings and their
// trials, and the baseline's rows marked in the ranking. Kept beside the rest of the report so that it changes on its own.
internal static partial class MarkdownReport
{
    private static void BaselineSection(SweepReport report, TextWriter w)
    {
        if (report.Gain is not { } gain) return;
        w.WriteLine("## Against your settings");
        w.WriteLine();
        w.WriteLine($"**{BaselineSentence(gain)}**");
        w.WriteLine();
        w.WriteLine("Your settings (the sweep file's `baseline:`), run first as any other setting, once per seed, and never pruned:");
        w.WriteLine();
        foreach (var (name, value) in BaselineSettings(gain.Settings)) w.WriteLine($"- {name}: {value}");
        w.WriteLine($"- Trials: {BaselineTrials(gain)}");
        w.WriteLine();
    }

    /// <summary><see cref="BaselineGain.Text"/> as a sentence of its own.</summary>
    internal static string BaselineSentence(BaselineGain gain) => string.Concat(gain.Text[..1].ToUpperInvariant(), gain.Text.AsSpan(1), ".");

    /// <summary>The baseline's settings by the names sweep files give them.</summary>
    internal static IReadOnlyList<(string Name, string Value)> BaselineSettings(BaselineSpec baseline) =>
    [
        ("Model", baseline.Model.ToString()),
        ("Optimizer", baseline.Optimizer.ToString()),
        ("Loss function", baseline.Loss.ToString()),
        ("Learning rate", Display.Rate(baseline.LearningRate)),
        ("Batch size", Display.Int(baseline.BatchSize)),
        ("Epochs", Display.Int(baseline.Epochs)),
    ];

    /// <summary>"1 (seed 1, completed), 2 (seed 2, running)", or "none yet" before the sweep stored any.</summary>
    internal static string BaselineTrials(BaselineGain gain) => gain.Trials.Count == 0
        ? "none yet"
        : string.Join(", ", gain.Trials.Select(t => $"{Display.Int(t.Number)} (seed {Display.Int(t.Hyperparameters.Seed)}, {Display.State(t.State)})"));

    /// <summary>The trial number in the ranking, marked on the baseline's trials.</summary>
    private static string TrialCell(SweepReport report, TrialLine line) =>
        report.IsBaseline(line) ? $"{Display.Int(line.Trial.Number)} (baseline)" : Display.Int(line.Trial.Number);
}
