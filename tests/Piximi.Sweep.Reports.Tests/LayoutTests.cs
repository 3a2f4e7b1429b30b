using Microsoft.Playwright;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Reports.Tests;

/// <summary>
/// The static report in the system Chromium driven by Playwright (no <c>playwright install</c>: it launches
/// /usr/bin/chromium) at a 1,280 px viewport, with 10 and with 20 long-named classes: no element overflows its
/// container or hides a number (<see cref="LayoutProbe"/>), no console or page error, no request leaves the file. The
/// page and a full-page screenshot are kept under the test output's TestResults folder.
/// </summary>
public sealed class TheReportsLayoutHidesNoNumberAt1280Pixels
{
    private const string Chromium = "/usr/bin/chromium";

    [Theory]
    [InlineData(10)]
    [InlineData(20)]
    public async Task NothingOverflowsAndTheConsoleStaysCleanWithThisManyClasses(int classes)
    {
        Assert.True(File.Exists(Chromium),
            $"{Chromium} is missing: this test needs the Debian package 'chromium' (scripts/ensure-prereqs installs it).");
        using var sweep = new ManyClassSweep(classes);
        var artifacts = Path.Combine(AppContext.BaseDirectory, "TestResults");
        Directory.CreateDirectory(artifacts);
        var page = Path.Combine(artifacts, $"layout-{classes}-classes.html");
        using (var file = new StreamWriter(page)) ReportWriter.Html(sweep.Load(), file);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Args = ["--no-sandbox"] });
        var tab = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var errors = new List<string>();
        tab.Console += (_, message) => { if (message.Type == "error") errors.Add($"console: {message.Text}"); };
        tab.PageError += (_, error) => errors.Add($"page error: {error}");
        tab.Request += (_, request) => { if (!request.Url.StartsWith("file:", StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal)) errors.Add($"request: {request.Url}"); };
        await tab.GotoAsync(new Uri(page).AbsoluteUri);

        var problems = await tab.EvaluateAsync<string[]>(LayoutProbe.Script, MetricNames.ValAccuracy);
        await tab.ScreenshotAsync(new() { Path = Path.Combine(artifacts, $"layout-{classes}-classes.png"), FullPage = true });

        Assert.True(problems.Length == 0, $"{problems.Length} layout problem(s) at 1,280 px with {classes} classes:\n" + string.Join('\n', problems));
        Assert.True(errors.Count == 0, string.Join('\n', errors));
    }
}
