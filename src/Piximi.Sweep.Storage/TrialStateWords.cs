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

    /// <summary>The states a trial may end in; queued and running are not ends.</summary>
    public static bool IsFinal(TrialState state) =>
        state is TrialState.Completed or TrialState.Failed or TrialState.Diverged or TrialState.Pruned;
}
