using System.Text;

namespace Piximi.Sweep.Core.Tests.Design;

/// <summary>
/// C# source split into its code and the text of its string literals, comments dropped: just enough lexing for the
/// design checks to tell a call from a word in a comment or a message. Line breaks are kept in the code, so a match
/// can name its line. Handles //, /* */, character literals, "…", @"…", $"…" with holes (their code and nested
/// strings are read as code and literals) and raw """…""" strings.
/// </summary>
internal static class CSharpText
{
    public sealed record Parts(string Code, IReadOnlyList<string> Literals);

    public static Parts Split(string source)
    {
        var code = new StringBuilder();
        var literals = new List<string>();
        var i = 0;
        ReadCode(source, ref i, code, literals, inHole: false);
        return new Parts(code.ToString(), literals);
    }

    /// <summary>Code up to the end, or in an interpolation hole up to the '}' that closes it (left at <paramref name="i"/>).</summary>
    private static void ReadCode(string s, ref int i, StringBuilder code, List<string> literals, bool inHole)
    {
        var depth = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '/' && At(s, i + 1) == '/')
            {
                while (i < s.Length && s[i] != '\n') i++;
            }
            else if (c == '/' && At(s, i + 1) == '*')
            {
                var end = s.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? s.Length : end + 2;
                code.Append(Breaks(s, i, end)).Append(' ');
                i = end;
            }
            else if (c == '\'')
            {
                for (i++; i < s.Length && s[i] != '\''; i++)
                    if (s[i] == '\\') i++;
                i++;
                code.Append("' '");
            }
            else if (c == '"' || ((c == '$' || c == '@') && StartsString(s, i)))
            {
                var start = i;
                literals.Add(ReadLiteral(s, ref i, code, literals));
                code.Append(Breaks(s, start, i)).Append("\"\"");
            }
            else
            {
                if (inHole && c == '{') depth++;
                if (inHole && c == '}' && depth-- == 0) return;
                code.Append(c);
                i++;
            }
        }
    }

    private static bool StartsString(string s, int i)
    {
        while (i < s.Length && s[i] is '$' or '@') i++;
        return At(s, i) == '"';
    }

    /// <summary>The literal's text without its holes; the holes' code goes to <paramref name="code"/>.</summary>
    private static string ReadLiteral(string s, ref int i, StringBuilder code, List<string> literals)
    {
        bool verbatim = false, interpolated = false;
        for (; s[i] != '"'; i++)
        {
            verbatim |= s[i] == '@';
            interpolated |= s[i] == '$';
        }
        var quotes = 0;
        while (At(s, i + quotes) == '"') quotes++;
        var text = new StringBuilder();
        if (quotes >= 3)
        {
            // Raw string: ends at as many quotes as it began with (its holes, if any, are read as text).
            var end = s.IndexOf(new string('"', quotes), i + quotes, StringComparison.Ordinal);
            end = end < 0 ? s.Length : end;
            text.Append(s, i + quotes, end - i - quotes);
            i = Math.Min(s.Length, end + quotes);
            return text.ToString();
        }
        for (i++; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '"' && verbatim && At(s, i + 1) == '"') { text.Append('"'); i++; }
            else if (c == '"') { i++; break; }
            else if (c == '\\' && !verbatim) { text.Append(c).Append(At(s, i + 1)); i++; }
            else if (interpolated && c == '{' && At(s, i + 1) == '{') { text.Append('{'); i++; }
            else if (interpolated && c == '}' && At(s, i + 1) == '}') { text.Append('}'); i++; }
            else if (interpolated && c == '{')
            {
                i++;
                ReadCode(s, ref i, code, literals, inHole: true);
                text.Append('\u0001'); // a hole: never part of a flag
            }
            else text.Append(c);
        }
        return text.ToString();
    }

    private static char At(string s, int i) => i < s.Length ? s[i] : '\0';

    private static string Breaks(string s, int from, int to) => new('\n', s.AsSpan(from, Math.Min(to, s.Length) - from).Count('\n'));
}
