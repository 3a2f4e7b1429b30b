using System.Globalization;

namespace Piximi.Sweep.Core;

/// <summary>
/// How a sweep may run, stored with it apart from its definition (changing a budget never makes another sweep): the
/// budgets, whichever runs out first, and the retry rule. Every worker reads it from the store and obeys it inside its
/// claim, wherever it was started; <c>run</c> and <c>resume</c> change it. A field left null sets no limit (for
/// <see cref="MaxRetries"/>: <see cref="DefaultMaxRetries"/>).
/// </summary>
/// <param name="Deadline">No claim at or after it; running trials stop at it and go back to the queue.</param>
/// <param name="MaxTrials">No claim once this many trials of the sweep have left the queue.</param>
/// <param name="MaxEpochs">No claim once the sweep's stored epochs, over every trial, reach this.</param>
/// <param name="ComputeHours">No claim once the summed seconds of the sweep's stored epochs reach this many hours.</param>
/// <param name="MaxRetries">Lost attempts in a row without a new stored epoch a trial may have before it fails.</param>
public sealed record RunPolicy(
    DateTimeOffset? Deadline = null,
    int? MaxTrials = null,
    int? MaxEpochs = null,
    double? ComputeHours = null,
    int? MaxRetries = null)
{
    public const int DefaultMaxRetries = 2;

    public static RunPolicy None { get; } = new();

    /// <summary>The retry rule in force.</summary>
    public int Retries => MaxRetries ?? DefaultMaxRetries;

    /// <summary>This policy's fields where set, else <paramref name="stored"/>'s: options given replace the stored ones they name.</summary>
    public RunPolicy Over(RunPolicy stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return new RunPolicy(
            Deadline ?? stored.Deadline, MaxTrials ?? stored.MaxTrials, MaxEpochs ?? stored.MaxEpochs,
            ComputeHours ?? stored.ComputeHours, MaxRetries ?? stored.MaxRetries);
    }

    /// <summary>
    /// Which budget forbids a new claim, given what the sweep has spent, or null while claims may go on. Checked in
    /// this order; the store runs it inside the claim's transaction.
    /// </summary>
    public BudgetStop? Stop(int startedTrials, int epochs, double seconds, DateTimeOffset now)
    {
        if (Deadline is { } deadline && now >= deadline)
            return new BudgetStop(Budget.Deadline, "the deadline");
        if (MaxTrials is { } trials && startedTrials >= trials)
            return new BudgetStop(Budget.Trials, $"the trial budget ({trials} trials)");
        return Spent(epochs, seconds);
    }

    /// <summary>The epoch or compute budget, when the sweep's stored epochs have used it up: checked after every epoch too.</summary>
    public BudgetStop? Spent(int epochs, double seconds)
    {
        if (MaxEpochs is { } max && epochs >= max)
            return new BudgetStop(Budget.Epochs, $"the epoch budget ({epochs} of {max} epochs spent)");
        if (ComputeHours is { } hours && seconds >= hours * 3600)
            return new BudgetStop(Budget.ComputeHours,
                $"the compute budget ({(seconds / 3600).ToString("0.####", CultureInfo.InvariantCulture)} of {hours.ToString(CultureInfo.InvariantCulture)} hours spent)");
        return null;
    }

    /// <summary>
    /// This policy without the budgets already spent (the deadline passed, the trials started, the epochs or hours
    /// used): running a sweep again after a budget stopped it is asking it to go on, as with a cancellation, unless
    /// the budget is given again. The retry rule always stays.
    /// </summary>
    public RunPolicy WithoutSpent(int startedTrials, int epochs, double seconds, DateTimeOffset now) => new(
        Deadline is { } d && now >= d ? null : Deadline,
        MaxTrials is { } t && startedTrials >= t ? null : MaxTrials,
        MaxEpochs is { } e && epochs >= e ? null : MaxEpochs,
        ComputeHours is { } h && seconds >= h * 3600 ? null : ComputeHours,
        MaxRetries);

    /// <summary>Whether the epoch or compute budget is set (then usage is read after every epoch).</summary>
    public bool CountsEpochs => MaxEpochs is not null || ComputeHours is not null;

    /// <summary>What changed from <paramref name="before"/>, field by field ("max_trials 3 → 5"); empty when nothing did.</summary>
    public IReadOnlyList<string> Changes(RunPolicy before)
    {
        ArgumentNullException.ThrowIfNull(before);
        var changes = new List<string>();
        void Compare<T>(string name, T? was, T? now, Func<T, string> show) where T : struct
        {
            if (!Nullable.Equals(was, now))
                changes.Add($"{name} {(was is { } w ? show(w) : "none")} → {(now is { } n ? show(n) : "none")}");
        }
        Compare("deadline", before.Deadline, Deadline, d => d.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
        Compare("max_trials", before.MaxTrials, MaxTrials, Show);
        Compare("max_epochs", before.MaxEpochs, MaxEpochs, Show);
        Compare("compute_hours", before.ComputeHours, ComputeHours, h => h.ToString(CultureInfo.InvariantCulture));
        Compare("max_retries", before.MaxRetries, MaxRetries, Show);
        return changes;
    }

    /// <summary>The budgets set, for a log line: "; deadline 2026-12-05 07:00; at most 3 trials" (empty for none).</summary>
    public string Describe() =>
        (Deadline is { } d ? $"; deadline {d.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}" : "") +
        (MaxTrials is { } m ? $"; at most {m} trials" : "") +
        (MaxEpochs is { } e ? $"; at most {e} epochs in all" : "") +
        (ComputeHours is { } h ? $"; at most {h.ToString(CultureInfo.InvariantCulture)} compute hours" : "");

    private static string Show(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The budgets of a <see cref="RunPolicy"/>.</summary>
public enum Budget
{
    Deadline,
    Trials,
    Epochs,
    ComputeHours,
}

/// <summary>A budget that stops claims, and how to say so ("the trial budget (3 trials)").</summary>
public sealed record BudgetStop(Budget Budget, string Description);
