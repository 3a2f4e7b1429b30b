using System.Text;

namespace Piximi.Sweep.Reports;

/// <summary>CSV as every CSV the tool writes spells it (the report and <c>trials</c>/<c>best --format csv</c>).</summary>
public static class CsvText
{
    /// <summary>RFC 4180: quote a cell holding a comma, quote or line break; double the quotes. Null is an empty cell.</summary>
    public static string Cell(string? cell)
    {
        if (string.IsNullOrEmpty(cell)) return "";
        if (cell.IndexOfAny([',', '"', '\n', '\r']) < 0) return cell;
        return new StringBuilder("\"").Append(cell.Replace("\"", "\"\"")).Append('"').ToString();
    }
}
