using System.Net;

namespace Piximi.Sweep.Reports.Dashboard;

/// <summary>
/// The dashboard's HTML shells and its embedded script, styles and chart library (Assets/ and ECharts from npm, compiled
/// into this assembly: nothing is fetched from a CDN or read from disk at run time). A shell names its page and what it
/// shows in data- attributes; the script reads the JSON read models (<see cref="DashboardData"/>) and draws the views. Every text from the store is
/// HTML-encoded here and set as text by the script, never as markup.
/// </summary>
public static class DashboardPages
{
    private static readonly Dictionary<string, string> Types = new(StringComparer.Ordinal)
    {
        ["dashboard.js"] = "text/javascript; charset=utf-8",
        ["dashboard.css"] = "text/css; charset=utf-8",
        ["echarts.min.js"] = "text/javascript; charset=utf-8",
    };
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Text, string Version)> Read = new(StringComparer.Ordinal);

    public static string SweepList(string store) =>
        Shell("Sweeps", store, null, ("page", "sweeps"));

    public static string Sweep(string store, string sweep) =>
        Shell($"{sweep} · sweep", store, $"/api/sweeps/{Uri.EscapeDataString(sweep)}", ("page", "sweep"), ("sweep", sweep));

    public static string Trial(string store, string sweep, int number) =>
        Shell($"{sweep} · trial {number}", store, null, ("page", "trial"), ("sweep", sweep), ("trial", number.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>
    /// An embedded asset by file name (dashboard.js, dashboard.css, and echarts.min.js: Apache ECharts, which the build
    /// brings in from npm, pinned by Dashboard/Vendor/package-lock.json), or null; with <c>Version</c>, a hash of its
    /// text, which the pages put in its address (<c>?v=</c>): an answer to that address never changes, so a browser may
    /// keep it (and its compiled script) rather than fetch and parse 1.1 MB of chart library at every page. Each is
    /// read once.
    /// </summary>
    public static (string Text, string ContentType, string Version)? Asset(string file)
    {
        if (!Types.TryGetValue(file, out var type)) return null;
        var (text, version) = Read.GetOrAdd(file, static name =>
        {
            using var stream = typeof(DashboardPages).Assembly.GetManifestResourceStream($"Piximi.Sweep.Reports.Dashboard.Assets.{name}")
                               ?? throw new InvalidOperationException($"The dashboard asset {name} is not embedded in {typeof(DashboardPages).Assembly.GetName().Name}.");
            using var reader = new StreamReader(stream);
            var text = reader.ReadToEnd();
            return (text, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..16]);
        });
        return (text, type, version);
    }

    private static string Address(string file) => $"/assets/{file}?v={Asset(file)!.Value.Version}";

    /// <param name="preload">
    /// The JSON the page's script asks for first, fetched while the browser still reads the chart library (about 100 ms
    /// of a large sweep's first paint); the script's own request for it is answered from this one.
    /// </param>
    private static string Shell(string title, string store, string? preload, params (string Name, string Value)[] data)
    {
        var early = preload is null ? "" : $"<link rel=\"preload\" href=\"{WebUtility.HtmlEncode(preload)}\" as=\"fetch\" crossorigin>";
        var attributes = string.Concat(data.Select(d => $" data-{d.Name}=\"{WebUtility.HtmlEncode(d.Value)}\""));
        return $"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{WebUtility.HtmlEncode(title)} · Piximi.Sweep</title>
            <link rel="icon" href="data:,">
            {early}
            <link rel="stylesheet" href="{Address("dashboard.css")}">
            </head>
            <body{attributes} data-store="{WebUtility.HtmlEncode(store)}">
            <header class="top"><a href="/" class="brand">Piximi.Sweep</a><span class="store">{WebUtility.HtmlEncode(store)} · read-only</span><nav id="nav"></nav></header>
            <main id="app"><p class="muted" id="loading">Loading…</p></main>
            <script src="{Address("echarts.min.js")}"></script>
            <script src="{Address("dashboard.js")}"></script>
            </body>
            </html>
            """;
    }
}
