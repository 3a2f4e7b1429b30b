using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;

namespace Piximi.Sweep.Core.Yaml;

/// <summary>
/// Collects every problem of one sweep file, so the user fixes them all in one round instead of one per run.
/// </summary>
internal sealed partial class ErrorSink(string file)
{
    /// <summary>How much of a quoted value a message echoes; the rest is counted, not printed.</summary>
    internal const int EchoLimit = 200;

    private readonly string _file = file;
    private readonly List<SweepFileError> _errors = [];

    public int Count => _errors.Count;

    public void Add(int line, int column, string field, string message) =>
        _errors.Add(new SweepFileError(_file, line, column, field, Cut(message)));

    /// <summary>
    /// Messages quote what the file says ('…'); a value of thousands of characters (a pasted blob, a runaway line) is
    /// cut to its first <see cref="EchoLimit"/> characters with a mark saying how long it was, so the error stays readable.
    /// </summary>
    internal static string Cut(string message) => LongQuote().Replace(message, m =>
        string.Create(CultureInfo.InvariantCulture, $"'{m.Groups[1].Value[..EchoLimit]}…' ({m.Groups[1].Value.Length} characters)"));

    // A quoted value: its opening quote starts a word (after the start, a space or a bracket, before a non-space), its
    // closing quote ends one; so the text between two short quoted values is never taken for a value.
    [GeneratedRegex(@"(?<=^|[\s(\[])'(?=[^\s'])([^'\n]{201,}?)'(?=$|[\s;,.:!?)\]])")]
    private static partial Regex LongQuote();

    public void Add(YNode at, string field, string message) => Add(at.Line, at.Column, field, message);

    public void Add(Mark at, string field, string message) =>
        Add(YamlTree.Line(at), YamlTree.Column(at), field, message);

    /// <summary>In file order; errors found late (e.g. batch sizes checked against the image count) slot in place.</summary>
    public IReadOnlyList<SweepFileError> Sorted() =>
        [.. _errors.OrderBy(e => e.Line).ThenBy(e => e.Column)];
}
