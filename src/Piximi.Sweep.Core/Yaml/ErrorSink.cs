using YamlDotNet.Core;

namespace Piximi.Sweep.Core.Yaml;

/// <summary>
/// Collects every problem of one sweep file, so the user fixes them all in one round instead of one per run.
/// </summary>
internal sealed class ErrorSink(string file)
{
    private readonly string _file = file;
    private readonly List<SweepFileError> _errors = [];

    public int Count => _errors.Count;

    public void Add(int line, int column, string field, string message) =>
        _errors.Add(new SweepFileError(_file, line, column, field, message));

    public void Add(YNode at, string field, string message) => Add(at.Line, at.Column, field, message);

    public void Add(Mark at, string field, string message) =>
        Add(YamlTree.Line(at), YamlTree.Column(at), field, message);

    /// <summary>In file order; errors found late (e.g. batch sizes checked against the image count) slot in place.</summary>
    public IReadOnlyList<SweepFileError> Sorted() =>
        [.. _errors.OrderBy(e => e.Line).ThenBy(e => e.Column)];
}
