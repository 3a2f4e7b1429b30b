using Piximi.Sweep.Core;

namespace Piximi.Sweep.Cli;

/// <summary>
/// The flags a sweep file's messages point the user to. Core knows no command line: it asks for these names through
/// <see cref="SweepFileOptions.OptionName"/>, so the wording of a flag lives beside the options that define it.
/// </summary>
internal static class SweepFileFlags
{
    public static string Of(CallerOption option) => option switch
    {
        CallerOption.Dataset => "--dataset",
        CallerOption.Model => "--model",
        CallerOption.IgnoreUnknown => "--ignore-unknown",
        CallerOption.MaxTrials => "--max-trials",
        CallerOption.MaxEpochs => "--max-epochs",
        CallerOption.ComputeHours => "--compute-hours",
        CallerOption.Deadline => "--deadline",
        _ => throw new ArgumentOutOfRangeException(nameof(option), option, null),
    };
}
