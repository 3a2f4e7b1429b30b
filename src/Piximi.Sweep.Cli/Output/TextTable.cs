namespace Piximi.Sweep.Cli.Output;

/// <summary>A plain, aligned text table: numbers right-aligned, text left-aligned.</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public int RowCount => _rows.Count;

    public void Add(params string[] cells)
    {
        if (cells.Length != headers.Length)
            throw new ArgumentException($"expected {headers.Length} cells, got {cells.Length}");
        _rows.Add(cells);
    }

    public void WriteTo(TextWriter writer)
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        var numeric = headers.Select((_, i) => _rows.Count > 0 && _rows.All(r => IsNumeric(r[i]))).ToArray();
        WriteRow(writer, headers, widths, numeric);
        writer.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))).TrimEnd());
        foreach (var row in _rows)
            WriteRow(writer, row, widths, numeric);
    }

    private static void WriteRow(TextWriter writer, string[] cells, int[] widths, bool[] numeric) =>
        writer.WriteLine(string.Join("  ", cells.Select((c, i) => numeric[i] ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd());

    private static bool IsNumeric(string cell) =>
        cell.Length == 0 || cell is "-" or "–" || double.TryParse(cell.TrimEnd('s', '%'), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);
}
