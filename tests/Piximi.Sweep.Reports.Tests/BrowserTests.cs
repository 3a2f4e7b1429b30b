using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Piximi.Sweep.Reports.Tests;

/// <summary>
/// The HTML report in a real headless Chromium: it renders, its scripts run without error, and it asks for nothing
/// over the network. Needs /usr/bin/chromium (scripts/ensure-prereqs installs the Debian package); the screenshot is
/// kept as an artifact under the test output's TestResults folder.
/// </summary>
public sealed partial class TheHtmlReportOpensInARealBrowser : IDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private readonly KnownSweep _sweep = new(partial: true);
    private readonly TempFolder _profile = new();

    public void Dispose()
    {
        _sweep.Dispose();
        _profile.Dispose();
    }

    [Fact]
    public void ItRendersWithoutScriptErrorsOrNetworkRequests()
    {
        Assert.True(File.Exists(Chromium),
            $"{Chromium} is missing: this test needs the Debian package 'chromium' (scripts/ensure-prereqs installs it).");
        var artifacts = Path.Combine(AppContext.BaseDirectory, "TestResults");
        Directory.CreateDirectory(artifacts);
        var page = Path.Combine(artifacts, "report.html");
        var screenshot = Path.Combine(artifacts, "report-screenshot.png");
        File.Delete(screenshot);
        using (var file = new StreamWriter(page)) ReportWriter.Html(_sweep.Load(), file);

        var (exitCode, errors) = Run(Chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", $"--user-data-dir={_profile.FullPath}",
            "--enable-logging=stderr", "--v=0", $"--screenshot={screenshot}", "--window-size=1280,2000", new Uri(page).AbsoluteUri);

        Assert.True(exitCode == 0, $"chromium exited with {exitCode}:\n{errors}");
        Assert.True(File.Exists(screenshot), $"no screenshot at {screenshot}:\n{errors}");
        // A blank 1280×2000 PNG compresses to a few KB; the report's text, tables and charts make far more.
        Assert.True(new FileInfo(screenshot).Length > 50_000, $"the screenshot is only {new FileInfo(screenshot).Length} bytes");
        var consoleErrors = errors.Split('\n').Where(l => l.Contains("INFO:CONSOLE", StringComparison.Ordinal)
            && (l.Contains("Uncaught", StringComparison.Ordinal) || l.Contains("ReferenceError", StringComparison.Ordinal)
                || l.Contains("TypeError", StringComparison.Ordinal))).ToList();
        Assert.True(consoleErrors.Count == 0, string.Join('\n', consoleErrors));
        var network = NetworkAttempt().Matches(errors).Select(m => m.Value).ToList();
        Assert.True(network.Count == 0, "the page tried the network:\n" + string.Join('\n', network));
    }

    /// <summary>A URL chromium logged for the page (fetch, blocked load, console): nothing of it should be http(s).</summary>
    [GeneratedRegex(@"[^\n]*https?://(?!www\.w3\.org/)[^\n]*")]
    private static partial Regex NetworkAttempt();

    private static (int ExitCode, string Errors) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"chromium did not finish in 90 s:\n{errors.Result}");
        }
        return (process.ExitCode, errors.Result + output.Result);
    }
}
