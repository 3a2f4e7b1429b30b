using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Piximi.Sweep.Core;
using Piximi.Sweep.Reports;
using Piximi.Sweep.Storage;
using Piximi.Sweep.Tests.Shared;
using Piximi.Sweep.Training;

namespace Piximi.Sweep.Cli.Tests;

/// <summary><c>serve</c>'s fANOVA, a trial's trained model as a download, and its Host check on loopback.</summary>
public sealed partial class ServeTests
{
    [Fact]
    public async Task The_importance_card_shows_beside_eta_squared_the_fanova_the_report_computes_for_the_same_store()
    {
        var definition = SweepFile.Load(LocalDisk.Instance, _folder.Write("fanova.yaml", TestFolder.SmallSweep("fanova-serve",
            parameters: [("learning_rate", "[0.001, 0.003, 0.01, 0.03]"), ("batch_size", "[32, 64]"), ("optimizer", "[Adam, RMSProp]")])));
        Directory.CreateDirectory(Path.GetDirectoryName(_folder.Db)!);
        IReadOnlyList<FanovaImportance> expected;
        using (var store = TrialStores.OpenSqlite(_folder.Db))
        {
            var sweep = store.CreateSweep(definition.Definition, definition.Trials);
            // A known answer: the learning rate matters most, the optimizer a little, the batch size not at all.
            while (store.ClaimNext(sweep.Id, "test-worker") is { } trial)
            {
                var hp = trial.Hyperparameters;
                var accuracy = 0.5 + 0.1 * Math.Log10(hp.LearningRate / 0.001) + (hp.Optimizer == OptimizerKind.Adam ? 0.03 : 0);
                var lease = TrialLease.Of(trial);
                store.RecordEpoch(lease, new EpochMetrics(1, 1 - accuracy, accuracy, 1 - accuracy, accuracy, 0.5, 900), checkpoint: null);
                store.Finish(lease, TrialState.Completed, null);
            }
            expected = SweepReport.Load(store, store.FindSweep("fanova-serve")!).Fanova;
        }
        Assert.Equal("learning_rate", expected[0].Hyperparameter);

        await using var serve = await ServeProcess.StartAsync(_folder, "--port", "0");
        using var json = JsonDocument.Parse(await _http.GetStringAsync(serve.Url + "api/sweeps/fanova-serve/fanova"));
        var served = json.RootElement.GetProperty("importance").EnumerateArray()
            .Select(i => (i.GetProperty("hyperparameter").GetString()!, i.GetProperty("importance").GetDouble())).ToList();
        Assert.Equal(expected.Select(i => (i.Hyperparameter, i.Importance)), served);
        Assert.Equal(expected[0].Trials, json.RootElement.GetProperty("trials").GetInt32());

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 2400 } });
        var problems = Watch(page);
        await page.GotoAsync(serve.Url + "sweeps/fanova-serve");
        await Assertions.Expect(page.Locator("#fanova tbody tr")).ToHaveCountAsync(expected.Count);
        Assert.Equal(expected.Select(i => i.Hyperparameter), await page.Locator("#fanova tbody tr td:first-child").AllTextContentsAsync());
        Assert.Equal(expected.Select(i => i.Importance.ToString("F3", CultureInfo.InvariantCulture)),
            await page.Locator("#fanova .fanova-value").AllTextContentsAsync());
        // η² stays, with its n.
        await Assertions.Expect(page.Locator("#importance > .scroll tbody tr").First).ToContainTextAsync("trials");
        await page.Locator("#importance").ScreenshotAsync(new() { Path = Artifact("serve-importance.png") });
        var layout = await page.EvaluateAsync<string[]>(LayoutProbe.Script, MetricNames.ValAccuracy);
        Assert.True(layout.Length == 0, "the sweep page at 1,280 px:\n" + string.Join('\n', layout));
        Assert.True(problems.Count == 0, "the page reported:\n" + string.Join('\n', problems));
    }
}
