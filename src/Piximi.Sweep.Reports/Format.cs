using System.Globalization;
using System.Net;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Reports;

/// <summary>What only the reports show; hyperparameters and metrics read as <see cref="Display"/> shows them.</summary>
internal static class Format
{
    public static string Seconds(double seconds) => seconds.ToString("F1", CultureInfo.InvariantCulture) + " s";

    /// <summary>Hours, minutes and seconds for totals a person reads ("2 h 05 min"), seconds kept for short ones.</summary>
    public static string Duration(double seconds)
    {
        var span = TimeSpan.FromSeconds(seconds);
        return span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes:00} min"
            : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes} min {span.Seconds:00} s"
            : Seconds(seconds);
    }

    /// <summary>Round-trip text of a number: what CSV and JSON hold, so parsing it back gives the stored double.</summary>
    public static string Exact(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string Percent(double fraction) => (fraction * 100).ToString("F1", CultureInfo.InvariantCulture) + " %";

    /// <summary>
    /// How the sweep chose its trials: the grid's size, or the sampler's draws and seed; and the baseline's trials, which
    /// run first and are none of the sampler's draws (<paramref name="storedTrials"/> counts them).
    /// </summary>
    public static string Search(SweepDefinition definition, int storedTrials)
    {
        var baseline = Baselines.Trials(definition).Count;
        var drawn = Math.Max(0, storedTrials - baseline);
        // An open-ended sweep (no trial count) has only what it drew so far to report.
        var soFar = definition.IsOpenEnded ? " so far, no trial count" : "";
        var search = definition.Method switch
        {
            SearchMethod.Random => $"random search, {Display.Int(drawn)} draws{soFar} (sampler seed {Display.Int(definition.SamplerSeed)})",
            SearchMethod.Tpe => $"TPE, {Display.Int(definition.Trials ?? drawn)} trials{soFar} ("
                + (definition.Trials is { } planned && drawn < planned ? $"{Display.Int(drawn)} proposed so far; " : "")
                + $"sampler seed {Display.Int(definition.SamplerSeed)}; "
                + $"the first {Display.Int(new TpeOptions().StartupTrials)} at random)",
            _ => $"grid of {Display.Int(storedTrials)} trials",
        };
        if (baseline == 0) return search;
        var yours = $"your settings' {Display.Int(baseline)} trial{(baseline == 1 ? "" : "s")}";
        return definition.Method == SearchMethod.Grid ? $"{search} ({yours} first)" : $"{search}, after {yours}";
    }

    /// <summary>"ASHA trained 81 of 243 epochs (33%)": what pruning and early stopping spent against running every trial in full.</summary>
    public static string Effort(SweepDefinition definition, EpochEffort effort)
    {
        var who = definition.Pruner?.Kind switch
        {
            PrunerKind.Asha => "ASHA",
            PrunerKind.Hyperband => "Hyperband",
            PrunerKind.Median => "The median pruner",
            _ => "Early stopping",
        };
        if (definition.Pruner is not null && definition.EarlyStopping is not null) who += " and early stopping";
        var percent = effort.InFull > 0 ? Math.Round(100.0 * effort.Trained / effort.InFull, MidpointRounding.AwayFromZero) : 100;
        return $"{who} trained {Display.Int(effort.Trained)} of {Display.Int(effort.InFull)} epochs ({percent.ToString("F0", CultureInfo.InvariantCulture)}%)";
    }

    /// <summary>What <see cref="Effort"/> counts, for the sentence after it.</summary>
    public static string EffortBasis(EpochEffort effort) =>
        $"epochs run by the {Display.Int(effort.Trials)} completed and pruned trials, against the epochs each was set to run";

    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "–";
}

internal static class Html
{
    /// <summary>Text and attribute values: &amp; &lt; &gt; &quot; &#39; escaped, so no sweep, path or class name can become markup.</summary>
    public static string Escape(string? text) => WebUtility.HtmlEncode(text ?? "");
}
