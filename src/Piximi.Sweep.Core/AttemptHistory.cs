namespace Piximi.Sweep.Core;

/// <summary>
/// Why each attempt at a trial ended, in words, as <c>trials</c> and the reports show it: "attempt 1: epochs 1–3,
/// lost (worker 4747 was killed by signal 9 (SIGKILL)); attempt 2: epochs 4–5, completed". Reasons are given for the
/// attempts that did not end the trial (lost, released); the one that did has the trial's own message beside it.
/// </summary>
public static class AttemptHistory
{
    /// <summary>
    /// The trial's attempts in order, one phrase each; attempts the store did not record (claimed by a version before
    /// attempts were kept) are said to be missing rather than left out. Empty for a trial never claimed.
    /// </summary>
    /// <param name="lastEpoch">The trial's last stored epoch, for a running attempt's progress so far.</param>
    public static IReadOnlyList<string> Phrases(TrialRecord trial, IReadOnlyList<TrialAttempt> attempts, int lastEpoch)
    {
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(attempts);
        var phrases = new List<string>();
        var firstRecorded = attempts.Count > 0 ? attempts.Min(a => a.Attempt) : trial.Attempts + 1;
        if (firstRecorded > 1 && trial.Attempts > 0)
        {
            var last = Math.Min(firstRecorded - 1, trial.Attempts);
            phrases.Add((last == 1 ? "attempt 1" : $"attempts 1–{Display.Int(last)}") + ": not recorded (claimed by an older Piximi.Sweep)" +
                        (trial.Lost > 0 ? $"; the trial was lost {Display.Int(trial.Lost)} time(s) in all" : ""));
        }
        phrases.AddRange(attempts.OrderBy(a => a.Attempt).Select(a => Phrase(a, lastEpoch)));
        return phrases;
    }

    /// <summary>The phrases joined into one line ("" for a trial never claimed).</summary>
    public static string Line(TrialRecord trial, IReadOnlyList<TrialAttempt> attempts, int lastEpoch) =>
        string.Join("; ", Phrases(trial, attempts, lastEpoch));

    /// <summary>
    /// Whether the history says more than the trial's state does: more than one attempt, or one that did not end the
    /// trial (lost, released), or one running after earlier ones.
    /// </summary>
    public static bool IsWorthShowing(TrialRecord trial, IReadOnlyList<TrialAttempt> attempts)
    {
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(attempts);
        return trial.Attempts > 1 || trial.Lost > 0 || attempts.Any(a => a.Outcome is AttemptOutcome.Lost or AttemptOutcome.Released);
    }

    /// <summary>One attempt: "attempt 2: epochs 4–5, completed", "attempt 3: no new epoch, lost (no heartbeat for 60s)".</summary>
    public static string Phrase(TrialAttempt attempt, int lastEpoch)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var head = $"attempt {Display.Int(attempt.Attempt)}: ";
        if (attempt.Outcome is not { } end)
        {
            var since = attempt.StartEpoch is { } s && lastEpoch > s ? $", {Span(s, lastEpoch)} so far"
                : attempt.StartEpoch is > 0 and var from ? $" from epoch {Display.Int(from)}" : "";
            return head + "running" + since;
        }
        var span = attempt.StartEpoch is { } start && attempt.EndEpoch is { } stop
            ? Span(start, stop)
            : attempt.EndEpoch is { } known ? $"up to epoch {Display.Int(known)}" : "epochs unknown";
        var why = end is AttemptOutcome.Lost or AttemptOutcome.Released && attempt.Reason is { Length: > 0 } reason ? $" ({reason})" : "";
        return $"{head}{span}, {Word(end)}{why}";
    }

    public static string Word(AttemptOutcome end) => end.ToString().ToLowerInvariant();

    /// <summary>The epochs stored between two last-stored epochs: "epoch 4", "epochs 4–5", "no new epoch", "no epoch".</summary>
    private static string Span(int start, int end) =>
        end <= start ? (start == 0 ? "no epoch" : "no new epoch")
        : end == start + 1 ? $"epoch {Display.Int(end)}"
        : $"epochs {Display.Int(start + 1)}–{Display.Int(end)}";
}
