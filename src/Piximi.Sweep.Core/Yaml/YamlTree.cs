using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Piximi.Sweep.Core.Yaml;

/// <summary>A node of a sweep file, with the 1-based line and column where it starts.</summary>
internal abstract record YNode(int Line, int Column)
{
    /// <summary>How a message names this kind of node: "a list", "a mapping", "a single value".</summary>
    public abstract string KindName { get; }
}

internal sealed record YScalar(int Line, int Column, string Text, bool IsPlain) : YNode(Line, Column)
{
    public override string KindName => "a single value";

    /// <summary>YAML's null: <c>key:</c> with nothing after it, <c>~</c> or <c>null</c> (unquoted only).</summary>
    public bool IsNull => IsPlain && Text is "" or "~" or "null" or "Null" or "NULL";
}

internal sealed record YSequence(int Line, int Column, IReadOnlyList<YNode> Items) : YNode(Line, Column)
{
    public override string KindName => "a list";
}

internal sealed record YMapping(int Line, int Column, IReadOnlyList<YEntry> Entries) : YNode(Line, Column)
{
    public override string KindName => "a mapping";
}

/// <summary>One <c>key: value</c> pair; keys stay in file order and duplicates are kept, so they can be reported.</summary>
internal sealed record YEntry(YNode Key, YNode Value);

/// <summary>
/// Reads YAML text into <see cref="YNode"/>s from YamlDotNet's parser events. We build our own small tree rather than
/// use <c>YamlStream</c> because YamlStream throws at the first duplicate key (so the file's other errors, and the
/// duplicate's dotted path, would be lost) and because some malformed inputs make it throw without any position.
/// </summary>
internal static class YamlTree
{
    /// <summary>Field name used for errors that belong to the YAML syntax rather than to a setting.</summary>
    public const string SyntaxField = "(yaml)";

    /// <summary>Field name used for errors about the document as a whole.</summary>
    public const string DocumentField = "(document)";

    /// <summary>The root node of the file's single document, or null when there is none (errors say why).</summary>
    public static YNode? Load(string text, ErrorSink errors)
    {
        var reader = new Reader(new Parser(new StringReader(text)), text);
        return reader.ReadStream(errors);
    }

    /// <summary>
    /// Where the first tab in a line's indentation is (1-based), or null: YamlDotNet reports "invalid tab as
    /// indentation" at 1:1 whatever line the tab is on, so the line is found here.
    /// </summary>
    internal static (int Line, int Column)? FirstIndentingTab(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            for (var c = 0; c < line.Length && line[c] is ' ' or '\t'; c++)
                if (line[c] == '\t') return (i + 1, c + 1);
        }
        return null;
    }

    private sealed class Reader(IParser parser, string text)
    {
        private readonly IParser _parser = parser;
        private readonly string _text = text;
        private readonly Dictionary<string, YNode> _anchors = new(StringComparer.Ordinal);

        // Open '[' and '{' collections: YamlDotNet's scanner sometimes fails inside one without a position, and the
        // opening bracket is then the most useful place to point at.
        private readonly Stack<Mark> _openFlow = new();
        private Mark _lastEnd = Mark.Empty;

        public YNode? ReadStream(ErrorSink errors)
        {
            try
            {
                Next<StreamStart>();
                if (_parser.Current is StreamEnd)
                {
                    errors.Add(1, 1, DocumentField, "the file is empty; expected a mapping with at least 'dataset:'");
                    return null;
                }
                var documentStart = Next<DocumentStart>();
                var root = ReadNode();
                Next<DocumentEnd>();
                if (_parser.Current is DocumentStart second)
                {
                    errors.Add(second.Start, DocumentField,
                        "a second YAML document starts here; a sweep file holds exactly one");
                }
                // An empty document ("---" alone) parses as a null scalar at an odd position; point at the document.
                return root is YScalar { IsNull: true } ? root with { Line = Line(documentStart.Start), Column = Column(documentStart.Start) } : root;
            }
            catch (YamlException e) when (e.Message.Contains("tab", StringComparison.OrdinalIgnoreCase) && FirstIndentingTab(_text) is { } tab)
            {
                errors.Add(tab.Line, tab.Column, SyntaxField, "malformed YAML: a tab in the indentation; YAML indents with spaces only");
                return null;
            }
            catch (YamlException e)
            {
                errors.Add(e.Start, SyntaxField, $"malformed YAML: {Lowercase(e.Message)}");
                return null;
            }
            catch (InvalidOperationException)
            {
                if (_openFlow.TryPeek(out var open))
                {
                    errors.Add(open, SyntaxField, "malformed YAML: the '[' or '{' opened here is not closed properly");
                }
                else
                {
                    errors.Add(_lastEnd, SyntaxField, "malformed YAML: the parser stopped after this point");
                }
                return null;
            }
            catch (UnknownAnchorException e)
            {
                errors.Add(e.At, SyntaxField, $"malformed YAML: *{e.Anchor} refers to no anchor &{e.Anchor} defined before it");
                return null;
            }
        }

        private YNode ReadNode()
        {
            switch (_parser.Current)
            {
                case AnchorAlias alias:
                    Next<AnchorAlias>();
                    return _anchors.TryGetValue(alias.Value.Value, out var target)
                        ? target
                        : throw new UnknownAnchorException(alias.Value.Value, alias.Start);

                case Scalar scalar:
                    Next<Scalar>();
                    return Anchor(scalar.Anchor, new YScalar(
                        Line(scalar.Start), Column(scalar.Start), scalar.Value, scalar.Style == ScalarStyle.Plain));

                case SequenceStart start:
                {
                    Next<SequenceStart>();
                    if (start.Style == SequenceStyle.Flow) _openFlow.Push(start.Start);
                    var items = new List<YNode>();
                    while (_parser.Current is not SequenceEnd) items.Add(ReadNode());
                    Next<SequenceEnd>();
                    if (start.Style == SequenceStyle.Flow) _openFlow.Pop();
                    return Anchor(start.Anchor, new YSequence(Line(start.Start), Column(start.Start), items));
                }

                case MappingStart start:
                {
                    Next<MappingStart>();
                    if (start.Style == MappingStyle.Flow) _openFlow.Push(start.Start);
                    var entries = new List<YEntry>();
                    while (_parser.Current is not MappingEnd)
                    {
                        var key = ReadNode();
                        entries.Add(new YEntry(key, ReadNode()));
                    }
                    Next<MappingEnd>();
                    if (start.Style == MappingStyle.Flow) _openFlow.Pop();
                    return Anchor(start.Anchor, new YMapping(Line(start.Start), Column(start.Start), entries));
                }

                default:
                    var unexpected = _parser.Current;
                    throw new YamlException(
                        unexpected?.Start ?? _lastEnd, unexpected?.End ?? _lastEnd, $"Unexpected {unexpected?.GetType().Name}.");
            }
        }

        private YNode Anchor(AnchorName anchor, YNode node)
        {
            if (!anchor.IsEmpty) _anchors[anchor.Value] = node;
            return node;
        }

        /// <summary>Consumes the current event, which must be a <typeparamref name="T"/>, and moves to the next.</summary>
        private T Next<T>() where T : ParsingEvent
        {
            if (_parser.Current is null) _parser.MoveNext();
            if (_parser.Current is not T current)
            {
                var actual = _parser.Current;
                throw new YamlException(actual?.Start ?? _lastEnd, actual?.End ?? _lastEnd,
                    $"Expected {typeof(T).Name}, found {actual?.GetType().Name ?? "the end of the file"}.");
            }
            _lastEnd = current.End;
            _parser.MoveNext();
            return current;
        }
    }

    private sealed class UnknownAnchorException(string anchor, Mark at) : Exception
    {
        public string Anchor { get; } = anchor;
        public Mark At { get; } = at;
    }

    internal static int Line(Mark mark) => (int)Math.Min(mark.Line, int.MaxValue);

    internal static int Column(Mark mark) => (int)Math.Min(mark.Column, int.MaxValue);

    private static string Lowercase(string message) =>
        message.Length > 1 && char.IsUpper(message[0]) && !char.IsUpper(message[1])
            ? char.ToLowerInvariant(message[0]) + message[1..]
            : message;
}
