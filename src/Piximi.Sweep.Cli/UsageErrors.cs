using System.Text.RegularExpressions;

namespace Piximi.Sweep.Cli;

/// <summary>System.CommandLine's parse errors in a user's words: one line each, no .NET type names.</summary>
internal static partial class UsageErrors
{
    public static string Readable(string message)
    {
        if (CannotParse().Match(message) is { Success: true } m)
        {
            var kind = m.Groups["type"].Value switch
            {
                var t when t.Contains("Int32", StringComparison.Ordinal) || t.Contains("Int64", StringComparison.Ordinal) => "a whole number",
                var t when t.Contains("Double", StringComparison.Ordinal) => "a number",
                var t when t.Contains("Boolean", StringComparison.Ordinal) => "true or false",
                _ => "a value it takes",
            };
            return $"{m.Groups["option"].Value}: '{m.Groups["value"].Value}' is not {kind}.";
        }
        // A budget given to worker or launch slurm, as older versions took it: say where budgets are set now.
        if (BudgetOption().Match(message) is { Success: true } budget)
            return $"{message.Trim()} Budgets are stored with the sweep, and every worker obeys them: set them with run or resume " +
                   $"(e.g. piximi-sweep resume <sweep> --workers 0 {budget.Groups["option"].Value} …).";
        // "Argument 'xml' not recognized. Must be one of:\n\t'table'\n\t'json'" on one line.
        var lines = message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return lines.Length <= 1 ? message.Trim() : $"{lines[0]} {string.Join(", ", lines[1..])}";
    }

    [GeneratedRegex(@"^Unrecognized command or argument '(?<option>--deadline|--max-trials|--max-epochs|--compute-hours|--max-retries)'")]
    private static partial Regex BudgetOption();

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for (option|argument) '(?<option>[^']*)' as expected type '(?<type>[^']*)'")]
    private static partial Regex CannotParse();
}
