using Piximi.Sweep.Core;

namespace Piximi.Sweep.Storage;

/// <summary>
/// Trial states as stored: lowercase words, so a store file reads well in a SQL shell and a reordered enum cannot
/// change what a stored trial means.
/// </summary>
internal static class TrialStateWords
{
    public static string ToWord(TrialState state) => state switch
    {
        TrialState.Queued => "queued",
        TrialState.Running => "running",
        TrialState.Completed => "completed",
        TrialState.Failed => "failed",
        TrialState.Diverged => "diverged",
        TrialState.Pruned => "pruned",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Not a trial state."),
    };

    public static TrialState Parse(string word) => word switch
    {
        "queued" => TrialState.Queued,
        "running" => TrialState.Running,
        "completed" => TrialState.Completed,
        "failed" => TrialState.Failed,
        "diverged" => TrialState.Diverged,
        "pruned" => TrialState.Pruned,
        _ => throw new InvalidDataException($"The store holds an unknown trial state '{word}'."),
    };

    /// <summary>How an attempt ended, as stored: the final state's word, <c>released</c> or <c>lost</c>.</summary>
    public static string ToWord(AttemptOutcome outcome) => outcome switch
    {
        AttemptOutcome.Completed => "completed",
        AttemptOutcome.Failed => "failed",
        AttemptOutcome.Diverged => "diverged",
        AttemptOutcome.Pruned => "pruned",
        AttemptOutcome.Released => "released",
        AttemptOutcome.Lost => "lost",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Not an attempt outcome."),
    };

    public static AttemptOutcome ParseOutcome(string word) => word switch
    {
        "completed" => AttemptOutcome.Completed,
        "failed" => AttemptOutcome.Failed,
        "diverged" => AttemptOutcome.Diverged,
        "pruned" => AttemptOutcome.Pruned,
        "released" => AttemptOutcome.Released,
        "lost" => AttemptOutcome.Lost,
        _ => throw new InvalidDataException($"The store holds an unknown attempt outcome '{word}'."),
    };

    /// <summary>The attempt outcome of a trial finished in <paramref name="state"/> (a final state).</summary>
    public static AttemptOutcome OutcomeOf(TrialState state) => state switch
    {
        TrialState.Completed => AttemptOutcome.Completed,
        TrialState.Failed => AttemptOutcome.Failed,
        TrialState.Diverged => AttemptOutcome.Diverged,
        TrialState.Pruned => AttemptOutcome.Pruned,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Only a final state ends an attempt."),
    };

    /// <summary>The states a trial may end in; queued and running are not ends.</summary>
    public static bool IsFinal(TrialState state) =>
        state is TrialState.Completed or TrialState.Failed or TrialState.Diverged or TrialState.Pruned;
}
