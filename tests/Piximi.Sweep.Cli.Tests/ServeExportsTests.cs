using System.Globalization;
using System.IO.Compression;
using System.Net;
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
    public async Task The_importance_card_shows_beside_eta_squared_the_fanova_the_report_computes_for_the_same_store_and_follows_trials_that_end()
    {
        var definition = SweepFile.Load(LocalDisk.Instance, _folder.Write("fanova.yaml", TestFolder.SmallSweep("fanova-serve",
            parameters: [("learning_rate", "[0.001, 0.003, 0.01, 0.03]"), ("batch_size", "[32, 64]"), ("optimizer", "[Adam, RMSProp]")])));
        Directory.CreateDirectory(Path.GetDirectoryName(_folder.Db)!);
        IReadOnlyList<FanovaImportance> expected;
        using var store = TrialStores.OpenSqlite(_folder.Db);
        var sweep = store.CreateSweep(definition.Definition, definition.Trials);
        // A known answer: the learning rate matters most, the optimizer a little, the batch size not at all. The last
        // trial stays running, to end while the page is open.
        var trials = new List<TrialRecord>();
        while (store.ClaimNext(sweep.Id, "test-worker") is { } trial) trials.Add(trial);
        void Complete(TrialRecord trial)
        {
            var hp = trial.Hyperparameters;
            var accuracy = 0.5 + 0.1 * Math.Log10(hp.LearningRate / 0.001) + (hp.Optimizer == OptimizerKind.Adam ? 0.03 : 0) + 0.01 * (trial.Number % 3);
            var lease = TrialLease.Of(trial);
            store.RecordEpoch(lease, new EpochMetrics(1, 1 - accuracy, accuracy, 1 - accuracy, accuracy, 0.5, 900), checkpoint: null);
            store.Finish(lease, TrialState.Completed, null);
        }
        trials.SkipLast(1).ToList().ForEach(Complete);
        expected = SweepReport.Load(store, sweep).Fanova;
        Assert.Equal("learning_rate", expected[0].Hyperparameter);

        await using var serve = await ServeProcess.StartAsync(_folder, "--port", "0");
        using var json = JsonDocument.Parse(await _http.GetStringAsync(serve.Url + "api/sweeps/fanova-serve/fanova"));
        var served = json.RootElement.GetProperty("importance").EnumerateArray()
            .Select(i => (i.GetProperty("hyperparameter").GetString()!, i.GetProperty("importance").GetDouble())).ToList();
        Assert.Equal(expected.Select(i => (i.Hyperparameter, i.Importance)), served);
        Assert.Equal(expected[0].Trials, json.RootElement.GetProperty("trials").GetInt32());

        await using var browser = await Chromium.OpenAsync(1280, 2400);
        var (page, problems) = (browser.Page, browser.Problems);
        await page.GotoAsync(serve.Url + "sweeps/fanova-serve");
        await Assertions.Expect(page.Locator("#fanova tbody tr")).ToHaveCountAsync(expected.Count);
        Assert.Equal(expected.Select(i => i.Hyperparameter), await page.Locator("#fanova tbody tr td:first-child").AllTextContentsAsync());
        Assert.Equal(expected.Select(i => i.Importance.ToString("F3", CultureInfo.InvariantCulture)),
            await page.Locator("#fanova .fanova-value").AllTextContentsAsync());
        // η² stays, with its n.
        await Assertions.Expect(page.Locator("#importance > .scroll tbody tr").First).ToContainTextAsync($"{trials.Count - 1} trials");
        await page.Locator("#importance").ScreenshotAsync(new() { Path = Artifact("serve-importance.png") });
        var layout = await page.EvaluateAsync<string[]>(LayoutProbe.Script, MetricNames.ValAccuracy);
        Assert.True(layout.Length == 0, "the sweep page at 1,280 px:\n" + string.Join('\n', layout));

        // A range dragged on the learning-rate axis of the parallel coordinates (what a drag there dispatches)...
        const string parallel = "echarts.getInstanceByDom(document.getElementById('parallel-chart'))";
        await page.EvaluateAsync($"() => {parallel}.dispatchAction({{ type: 'axisAreaSelect', parallelAxisId: 'axis-learningRate', intervals: [[0.0009, 0.004]] }})");

        // The last trial ends, and with it the sweep: the open page's card follows, η² and fANOVA both.
        Complete(trials[^1]);
        var after = SweepReport.Load(store, sweep).Fanova;
        Assert.NotEqual(expected.Select(i => i.Importance), after.Select(i => i.Importance));
        await Assertions.Expect(page.Locator("#fanova .fanova-value")).ToHaveTextAsync(
            [.. after.Select(i => i.Importance.ToString("F3", CultureInfo.InvariantCulture))], new() { Timeout = 5000 });
        await Assertions.Expect(page.Locator("#importance > .scroll tbody tr").First).ToContainTextAsync($"{trials.Count} trials");
        // ...is still there once the chart has redrawn with the new trial's line (ECharts keeps it on the axis's model).
        Assert.Equal(trials.Count, await page.EvaluateAsync<int>($"() => {parallel}.getOption().series[0].data.length"));
        Assert.Equal("[[0.0009,0.004]]", await page.EvaluateAsync<string>(
            $"() => JSON.stringify({parallel}.getModel().getComponent('parallelAxis', 0).activeIntervals)"));
        Assert.True(problems.Count == 0, "the page reported:\n" + string.Join('\n', problems));
    }

    [Fact]
    public async Task A_trained_trials_model_downloads_as_the_zip_export_model_writes_and_one_without_its_checkpoint_is_a_clear_404()
    {
        var file = _folder.Write("real.yaml", TestFolder.SmallSweep("real-serve", 200, ("learning_rate", "[0.01, 0.003]"), ("batch_size", "32")));
        var run = await Cli.RunAsync("run", file, "--db", _folder.Db, "--workers", "1");
        Assert.True(run.ExitCode == 0, run.ToString());
        int best, other;
        using (var store = TrialStores.OpenSqlite(_folder.Db))
        {
            var trials = store.ListTrials(store.FindSweep("real-serve")!.Id);
            Assert.All(trials, t => Assert.Equal(TrialState.Completed, t.State));
            best = trials.Single(t => store.LoadCheckpoint(t.Id) is not null).Number;
            other = trials.Single(t => t.Number != best).Number;
        }
        var exported = Path.Combine(_folder.Path, "exported");
        var export = await Cli.RunAsync("export", "real-serve", "--model", "--trial", best.ToString(CultureInfo.InvariantCulture), "--db", _folder.Db, "--output", exported);
        Assert.True(export.ExitCode == 0, export.ToString());

        await using var serve = await ServeProcess.StartAsync(_folder, "--port", "0");
        var download = await _http.GetAsync(serve.Url + $"api/sweeps/real-serve/trials/{best}/model.zip");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/zip", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"real-serve-trial{best}.zip", download.Content.Headers.ContentDisposition?.FileNameStar ?? download.Content.Headers.ContentDisposition?.FileName);
        using var zip = new ZipArchive(await download.Content.ReadAsStreamAsync());
        Assert.Equal(Directory.GetFiles(exported).Select(Path.GetFileName).Order(), zip.Entries.Select(e => e.FullName).Order());
        foreach (var entry in zip.Entries)
        {
            using var content = new MemoryStream();
            await using (var stream = entry.Open()) await stream.CopyToAsync(content);
            Assert.True(File.ReadAllBytes(Path.Combine(exported, entry.FullName)).SequenceEqual(content.ToArray()), $"{entry.FullName} differs from export --model's");
        }
        using (var model = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(exported, $"real-serve-trial{best}.json"))))
            Assert.Equal("layers-model", model.RootElement.GetProperty("format").GetString());

        var gone = await _http.GetAsync(serve.Url + $"api/sweeps/real-serve/trials/{other}/model.zip");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Contains("keeps only its best completed trial's model", await gone.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("\"hasModel\":true", await _http.GetStringAsync(serve.Url + $"api/sweeps/real-serve/trials/{best}"), StringComparison.Ordinal);
        Assert.Contains("\"hasModel\":false", await _http.GetStringAsync(serve.Url + $"api/sweeps/real-serve/trials/{other}"), StringComparison.Ordinal);

        // The trial page links it.
        await using var browser = await Chromium.OpenAsync(1280, 1200);
        var page = browser.Page;
        await page.GotoAsync(serve.Url + $"sweeps/real-serve/trials/{best}");
        await Assertions.Expect(page.Locator(".downloads a[href$='/model.zip']")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task On_loopback_a_request_naming_another_host_is_refused_against_dns_rebinding()
    {
        _folder.StoreWithOneFinishedTrial(_folder.Write("small.yaml", TestFolder.SmallSweep("small-serve")));
        await using var serve = await ServeProcess.StartAsync(_folder, "--port", "0");

        foreach (var allowed in new[] { $"localhost:{serve.Port}", $"127.0.0.1:{serve.Port}", $"[::1]:{serve.Port}", $"LocalHost:{serve.Port}" })
            Assert.Equal(HttpStatusCode.OK, (await GetWithHost(serve.Url + "api/sweeps", allowed)).StatusCode);
        foreach (var refused in new[] { $"rebound.example:{serve.Port}", "localhost", $"localhost:{serve.Port + 1}", $"127.0.0.1.nip.io:{serve.Port}" })
        {
            var answer = await GetWithHost(serve.Url + "api/sweeps", refused);
            Assert.True(answer.StatusCode == HttpStatusCode.Forbidden, $"Host {refused}: {answer.StatusCode}");
            Assert.Contains("DNS rebinding", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    private async Task<HttpResponseMessage> GetWithHost(string url, string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Host = host;
        return await _http.SendAsync(request);
    }
}
