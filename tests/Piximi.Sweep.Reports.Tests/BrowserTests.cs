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

    [Fact]
    public void ItsTableSortsOnAHeaderClickAndDrawsATrialsCurvesOnDemand()
    {
        Assert.True(File.Exists(Chromium),
            $"{Chromium} is missing: this test needs the Debian package 'chromium' (scripts/ensure-prereqs installs it).");
        var (exitCode, dump) = Drive(_sweep.Load(), _profile.FullPath, """
                var table = d.getElementById("trial-table"), headers = table.tHead.rows[0].cells;
                var column = Array.prototype.findIndex.call(headers, function (h) { return h.textContent.trim() === "learning rate"; });
                headers[column].click();
                var rows = table.tBodies[0].rows;
                out.push("sorted " + rows[0].cells[column].textContent.trim() + ".." + rows[rows.length - 1].cells[column].textContent.trim()
                  + " " + headers[column].getAttribute("aria-sort"));
                headers[column].click();
                out.push("resorted " + rows[0].cells[column].textContent.trim() + " " + headers[column].getAttribute("aria-sort"));
                var button = table.querySelector("button.cv");
                button.click();
                var viewer = d.getElementById("viewer");
                out.push("viewer " + !viewer.hidden + " " + viewer.querySelectorAll("svg").length + " trial " + button.getAttribute("data-t")
                  + " " + (viewer.textContent.indexOf("Trial " + Number(button.getAttribute("data-t"))) >= 0));
            """);

        Assert.True(exitCode == 0, $"chromium exited with {exitCode}:\n{dump}");
        var seen = SelfTest().Match(dump);
        Assert.True(seen.Success, $"the test page wrote no result:\n{dump}");
        // The first ▸ after the last sort is whichever trial sorts first; its curves must be the ones drawn.
        Assert.Matches(@"^sorted 0\.01\.\.0\.03 ascending\|resorted 0\.03 descending\|viewer true 2 trial \d+ true$", seen.Groups[1].Value);
    }

    [GeneratedRegex("<pre id=\"selftest\">([^<]*)</pre>")]
    private static partial Regex SelfTest();

    /// <summary>A URL chromium logged for the page (fetch, blocked load, console): nothing of it should be http(s).</summary>
    [GeneratedRegex(@"[^\n]*https?://(?!www\.w3\.org/)[^\n]*")]
    private static partial Regex NetworkAttempt();

    /// <summary>
    /// Writes the report into a frame of a test page, runs <paramref name="actions"/> (JavaScript that may use the
    /// frame's document <c>d</c> and push what it saw onto <c>out</c>) once the frame has loaded, and dumps the page:
    /// its console log and the <c>selftest</c> element holding <c>out</c>. Test code stays out of the report itself.
    /// </summary>
    internal static (int ExitCode, string Dump) Drive(SweepReport report, string profile, string actions)
    {
        var folder = Path.Combine(profile, "pages");
        Directory.CreateDirectory(folder);
        using (var file = new StreamWriter(Path.Combine(folder, "report.html"))) ReportWriter.Html(report, file);
        File.WriteAllText(Path.Combine(folder, "drive.html"), $$"""
            <!doctype html><html><body><iframe id="r" src="report.html" width="1200" height="900"></iframe>
            <script>
            var frame = document.getElementById("r");
            frame.addEventListener("load", function () {
              var out = [];
              try {
                var d = frame.contentDocument;
            {{actions}}
              } catch (e) { out.push("error " + e); }
              var result = document.createElement("pre");
              result.id = "selftest";
              result.textContent = out.join("|");
              document.body.appendChild(result);
            });
            </script></body></html>
            """);
        return Run(Chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--allow-file-access-from-files",
            "--enable-logging=stderr", "--v=0", $"--user-data-dir={Path.Combine(profile, "profile")}", "--dump-dom",
            new Uri(Path.Combine(folder, "drive.html")).AbsoluteUri);
    }

    internal static (int ExitCode, string Errors) Run(string program, params string[] arguments)
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

/// <summary>
/// The pruned TPE sweep's report in headless Chromium: it renders without script errors or network requests, and a
/// pruned trial's on-demand curves end in crosses while an early-stopped trial's mark the epoch it kept.
/// </summary>
public sealed partial class ThePrunedSweepsHtmlReportOpensInARealBrowser : IDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private readonly PrunedSweep _sweep = new();
    private readonly TempFolder _profile = new();

    public void Dispose()
    {
        _sweep.Dispose();
        _profile.Dispose();
    }

    [Fact]
    public void APrunedTrialsCurvesEndInACrossAndAnEarlyStoppedOnesMarkTheKeptEpoch()
    {
        Assert.True(File.Exists(Chromium),
            $"{Chromium} is missing: this test needs the Debian package 'chromium' (scripts/ensure-prereqs installs it).");
        var (exitCode, dump) = TheHtmlReportOpensInARealBrowser.Drive(_sweep.Load(), _profile.FullPath, """
                var viewer = d.getElementById("viewer");
                ["2", "3"].forEach(function (t) {
                  d.querySelector('button.cv[data-t="' + t + '"]').click();
                  out.push(t + ": " + viewer.querySelectorAll("svg").length + " svg " + viewer.querySelectorAll(".pruned-end").length + " crosses "
                    + viewer.querySelectorAll("circle.kept").length + " kept " + viewer.querySelector("h3").textContent);
                });
            """);

        Assert.True(exitCode == 0, $"chromium exited with {exitCode}:\n{dump}");
        var consoleErrors = dump.Split('\n').Where(l => l.Contains("INFO:CONSOLE", StringComparison.Ordinal)
            && (l.Contains("Uncaught", StringComparison.Ordinal) || l.Contains("Error", StringComparison.Ordinal))).ToList();
        Assert.True(consoleErrors.Count == 0, string.Join('\n', consoleErrors));
        Assert.DoesNotMatch(@"https?://(?!www\.w3\.org/)", dump);
        var seen = SelfTest().Match(dump);
        Assert.True(seen.Success, $"the test page wrote no result:\n{dump}");
        // Trial 2: pruned at rung 0 after 1 of 9 epochs, a cross on each of 4 series; trial 3: kept epoch 4, a circle on each.
        Assert.Equal("2: 2 svg 4 crosses 0 kept Trial 2 — training (blue), validation (orange) · pruned at rung 0 after epoch 1 of 9"
            + "|3: 2 svg 0 crosses 4 kept Trial 3 — training (blue), validation (orange) · kept epoch 4 of 7 run", seen.Groups[1].Value);
    }

    [GeneratedRegex("<pre id=\"selftest\">([^<]*)</pre>")]
    private static partial Regex SelfTest();
}
