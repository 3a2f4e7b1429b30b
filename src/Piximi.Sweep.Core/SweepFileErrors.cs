namespace Piximi.Sweep.Core;

/// <summary>
/// One problem in a sweep file. <see cref="Line"/> and <see cref="Column"/> are 1-based; both are 0 when the problem is
/// the file as a whole (e.g. it does not exist). <see cref="Field"/> is the setting's dotted path, e.g.
/// <c>parameters.learning_rate</c> or <c>parameters.seed[1]</c>, or <c>(yaml)</c>, <c>(document)</c>, <c>(file)</c>
/// for problems that belong to no setting.
/// </summary>
public sealed record SweepFileError(string File, int Line, int Column, string Field, string Message)
{
    public override string ToString() => $"{File}:{Line}:{Column}: {Field}: {Message}";
}

/// <summary>A sweep file was refused; <see cref="Errors"/> holds every problem found, in file order.</summary>
public sealed class SweepFileException : Exception
{
    public SweepFileException(IReadOnlyList<SweepFileError> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        ArgumentOutOfRangeException.ThrowIfZero(errors.Count);
        Errors = errors;
    }

    public IReadOnlyList<SweepFileError> Errors { get; }
}
