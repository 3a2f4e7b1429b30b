using System.Globalization;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Cli.Commands;

/// <summary>
/// The budgets counted over the whole sweep's stored epochs (not one run's): epochs, and compute hours (summed epoch
/// wall time, so two workers spend it twice as fast). Checked by workers before a claim and after every epoch, and by
/// the orchestrator on its poll; a worker can overshoot by the epoch it was running.
/// </summary>
internal sealed record SweepLimits(int? MaxEpochs, double? ComputeHours)
{
    public static SweepLimits None { get; } = new(null, null);

    public bool Any => MaxEpochs is not null || ComputeHours is not null;

    /// <summary>Which budget says the sweep may train no more ("the epoch budget (…)"), or null while it may.</summary>
    public string? Spent(SweepUsage usage)
    {
        if (MaxEpochs is { } epochs && usage.Epochs >= epochs)
            return $"the epoch budget ({usage.Epochs} of {epochs} epochs spent)";
        if (ComputeHours is { } hours && usage.Seconds >= hours * 3600)
            return $"the compute budget ({(usage.Seconds / 3600).ToString("0.####", CultureInfo.InvariantCulture)} of {hours.ToString(CultureInfo.InvariantCulture)} hours spent)";
        return null;
    }

    /// <summary>As <see cref="Spent(SweepUsage)"/>, from what <paramref name="follower"/> has seen once it caught up (only new epochs are read).</summary>
    public string? Spent(SweepFollower follower)
    {
        if (!Any) return null;
        follower.CatchUp();
        return Spent(follower.Usage);
    }

    public string Describe() =>
        (MaxEpochs is { } e ? $"; at most {e} epochs in all" : "") +
        (ComputeHours is { } h ? $"; at most {h.ToString(CultureInfo.InvariantCulture)} compute hours" : "");
}
