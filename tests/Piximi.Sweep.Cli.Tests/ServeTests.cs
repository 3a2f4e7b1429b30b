using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;
using Piximi.Sweep.Tests.Shared;
using Piximi.Sweep.Training;

namespace Piximi.Sweep.Cli.Tests;

/// <summary>
/// <c>serve</c> as a user meets it: the real program on a free port over a real store, asked over HTTP, and its page
/// driven in the system Chromium by Playwright while the test stores epochs through <see cref="ITrialStore"/> as a
/// worker would. Screenshots are kept under the test output's TestResults folder.
/// </summary>
public sealed partial class ServeTests : IDisposable
{
    private readonly TestFolder _folder = new();
    private readonly HttpClient _http = new(new HttpClientHandler { UseCookies = false }) { Timeout = TimeSpan.FromSeconds(20) };

    public void Dispose()
    {
        _http.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task Serve_starts_on_a_free_port_and_answers_the_sweeps_list_and_a_sweep_page()
    {
        _folder.StoreWithOneFinishedTrial(_folder.Write("small.yaml", TestFolder.SmallSweep("small-serve")));
        await using var serve = await ServeProcess.StartAsync(_folder, "--port", "0");

        var list = await _http.GetAsync(serve.Url);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Contains("/assets/dashboard.js", await list.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("\"name\":\"small-serve\"", await _http.GetStringAsync(serve.Url + "api/sweeps"), StringComparison.Ordinal);
        var page = await _http.GetAsync(serve.Url + "sweeps/small-serve");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("data-sweep=\"small-serve\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var sweep = await _http.GetStringAsync(serve.Url + "api/sweeps/small-serve");
        Assert.Contains("\"state\":\"completed\"", sweep, StringComparison.Ordinal);
        Assert.Matches("\"epochs\":\\[\\[\\d+,1,", sweep);
        Assert.Contains("function", await _http.GetStringAsync(serve.Url + "assets/dashboard.js"), StringComparison.Ordinal);
        // The page names each asset by a hash of its text; at that address the browser may keep it, at any other not.
        var shell = await page.Content.ReadAsStringAsync();
        var chartLibrary = System.Text.RegularExpressions.Regex.Match(shell, "src=\"/(assets/echarts\\.min\\.js\\?v=([0-9a-f]{16}))\"");
        Assert.True(chartLibrary.Success, shell);
        using (var kept = await _http.GetAsync(serve.Url + chartLibrary.Groups[1].Value))
        {
            var cache = kept.Headers.CacheControl!;
            Assert.True(cache.Public && cache.MaxAge == TimeSpan.FromDays(365) && cache.ToString().Contains("immutable", StringComparison.Ordinal), cache.ToString());
            var text = await kept.Content.ReadAsByteArrayAsync();
            Assert.StartsWith(chartLibrary.Groups[2].Value, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(text)), StringComparison.Ordinal);
        }
        using (var other = await _http.GetAsync(serve.Url + "assets/echarts.min.js?v=0000000000000000"))
            Assert.True(other.Headers.CacheControl!.NoStore, other.Headers.CacheControl.ToString());
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(serve.Url + "sweeps/small-serve/report")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync(serve.Url + "api/sweeps/no-such-sweep")).StatusCode);
    }

    [Fact]
    public async Task Serve_is_read_only_and_leaves_the_store_as_it_was()
    {
        _folder.StoreWithOneFinishedTrial(_folder.Write("small.yaml", TestFolder.SmallSweep("small-serve")));
        var before = Cli.Fingerprint(_folder.Db);
        await using (var serve = await ServeProcess.StartAsync(_folder, "--port", "0"))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, (await _http.PostAsync(serve.Url + "api/sweeps/small-serve", new StringContent("{}"))).StatusCode);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, (await _http.DeleteAsync(serve.Url + "sweeps/small-serve")).StatusCode);
            await _http.GetStringAsync(serve.Url + "api/sweeps/small-serve/changes?after=0&running=1,2");
            await _http.GetStringAsync(serve.Url + "api/sweeps/small-serve/trials/1");
        }
        Assert.Equal(before, Cli.Fingerprint(_folder.Db));
    }

    [Fact]
    public async Task Off_loopback_a_request_without_the_token_gets_401_and_one_with_it_200()
    {
        _folder.StoreWithOneFinishedTrial(_folder.Write("small.yaml", TestFolder.SmallSweep("small-serve")));
        await using var serve = await ServeProcess.StartAsync(_folder, "--port", "0", "--host", "0.0.0.0");
        Assert.NotNull(serve.Token);
        var local = $"http://127.0.0.1:{serve.Port}/";

        foreach (var path in new[] { "", "sweeps/small-serve", "api/sweeps", "api/sweeps/small-serve/changes?after=0", "assets/dashboard.js" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await _http.GetAsync(local + path)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.GetAsync(local + "api/sweeps?token=" + new string('0', 64))).StatusCode);

        var withQuery = await _http.GetAsync(local + "api/sweeps?token=" + serve.Token);
        Assert.Equal(HttpStatusCode.OK, withQuery.StatusCode);
        var cookie = Assert.Single(withQuery.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        using var withHeader = new HttpRequestMessage(HttpMethod.Get, local + "sweeps/small-serve");
        withHeader.Headers.Add("X-Piximi-Token", serve.Token);
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(withHeader)).StatusCode);
        using var withCookie = new HttpRequestMessage(HttpMethod.Get, local + "api/sweeps/small-serve");
        withCookie.Headers.Add("Cookie", cookie.Split(';')[0]);
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(withCookie)).StatusCode);
    }

    [Fact]
    public async Task On_loopback_no_token_is_asked_for_or_printed()
    {
        _folder.StoreWithOneFinishedTrial(_folder.Write("small.yaml", TestFolder.SmallSweep("small-serve")));
        await using var serve = await ServeProcess.StartAsync(_folder, "--port", "0");
        Assert.Null(serve.Token);
        Assert.StartsWith("http://127.0.0.1:", serve.Url, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(serve.Url + "api/sweeps")).StatusCode);
    }

    [Fact]
    public async Task A_store_url_with_a_password_is_never_shown()
    {
        var result = await Cli.RunProcessAsync(_folder.Path, TimeSpan.FromSeconds(60),
            "serve", "--store", "postgres://someone:hunter2secret@127.0.0.1:1/sweeps", "--port", "0");
        Assert.Equal(2, result.ExitCode);
        Assert.DoesNotContain("hunter2secret", result.Output + result.Error, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_page_of_a_running_sweep_shows_a_new_epoch_within_two_seconds()
    {
        var definition = SweepFile.Load(LocalDisk.Instance, _folder.Write("live.yaml", TestFolder.SmallSweep("live-serve", 600, ("epochs", "5"), ("optimizer", "StochasticGradientDescent"))));
        Directory.CreateDirectory(Path.GetDirectoryName(_folder.Db)!);
        using var store = TrialStores.OpenSqlite(_folder.Db);
        var sweep = store.CreateSweep(definition.Definition, definition.Trials);
        var finished = Complete(store, sweep.Id);
        var claimed = store.ClaimNext(sweep.Id, "test-worker")!;
        var running = TrialLease.Of(claimed);
        store.RecordEpoch(running, new EpochMetrics(1, 1.2, 0.55, 1.1, 0.6, 0.5, 900), checkpoint: null);

        await using var serve = await ServeProcess.StartAsync(_folder, "--port", "0");
        await using var browser = await Chromium.OpenAsync(1280, 2400);
        var (page, problems) = (browser.Page, browser.Problems);

        await page.GotoAsync(serve.Url + "sweeps/live-serve");
        await Assertions.Expect(page.Locator("#epoch-count")).ToHaveTextAsync("3");
        // The reader hides the running trials' curves (as a click on the legend does); the next poll must not show them again.
        await page.EvaluateAsync("() => echarts.getInstanceByDom(document.getElementById('curves-chart')).dispatchAction({ type: 'legendUnSelect', name: 'running' })");
        var clock = Stopwatch.StartNew();
        store.RecordEpoch(running, new EpochMetrics(2, 0.9, 0.7, 0.85, 0.72, 0.5, 900), checkpoint: null);
        await Assertions.Expect(page.Locator("#epoch-count")).ToHaveTextAsync("4", new() { Timeout = 2000 });
        await Assertions.Expect(page.Locator("#running-now")).ToContainTextAsync("epoch 2/5", new() { Timeout = 2000 });
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the new epoch showed after {clock.Elapsed}");
        // The all-trials chart (ECharts) drew it too: the running trial's curve has its second point.
        var drawn = await page.EvaluateAsync<Dictionary<string, int>>(CurvesDrawn);
        Assert.Equal(2, drawn[$"trial-{claimed.Number}"]);
        Assert.Equal(2, drawn[$"trial-{finished}"]);
        Assert.True(await page.EvaluateAsync<bool>("() => echarts.getInstanceByDom(document.getElementById('curves-chart')).getOption().legend[0].selected.running === false"),
            "the running trials' curves came back after a poll");

        // Filtering by state and sorting by a column, on the live page.
        await page.ClickAsync("#state-filter button[data-state=running]");
        await Assertions.Expect(page.Locator("#trial-table tbody tr")).ToHaveCountAsync(1);
        await page.ClickAsync("#state-filter button[data-state=all]");
        await Assertions.Expect(page.Locator("#trial-table tbody tr")).ToHaveCountAsync(4);
        await page.ClickAsync("#trial-table th[data-key=learningRate]");
        await Assertions.Expect(page.Locator("#trial-table th[data-key=learningRate]")).ToHaveAttributeAsync("aria-sort", "ascending");
        var column = (await page.Locator("#trial-table thead th").AllTextContentsAsync()).ToList().IndexOf("learning rate") + 1;
        var rates = await page.Locator($"#trial-table tbody tr td:nth-child({column})").AllTextContentsAsync();
        Assert.Equal(rates.OrderBy(r => double.Parse(r, System.Globalization.CultureInfo.InvariantCulture)), rates);
        Assert.Equal(2, (await page.EvaluateAsync<Dictionary<string, int>>(CurvesDrawn)).Count);
        foreach (var chart in new[] { "#curves-chart", "#history-chart", "#parallel-chart" })
            Assert.Equal(1, await page.Locator(chart + " canvas").CountAsync());
        await page.ScreenshotAsync(new() { Path = Artifact("serve-sweep.png"), FullPage = true });
        // At 1,280 px nothing hides a number (the report's probe: overflow, clipping, sticky columns, labels).
        var layout = await page.EvaluateAsync<string[]>(LayoutProbe.Script, MetricNames.ValAccuracy);
        Assert.True(layout.Length == 0, "the sweep page at 1,280 px:\n" + string.Join('\n', layout));

        // The finished trial's own page: curves, confusion matrix, per-class metrics and its downloads.
        await page.GotoAsync(serve.Url + $"sweeps/live-serve/trials/{finished}");
        await Assertions.Expect(page.Locator("#confusion tbody tr")).ToHaveCountAsync(10);
        await Assertions.Expect(page.Locator("#per-class tbody tr")).ToHaveCountAsync(11);
        Assert.Equal(2, await page.Locator("#trial-curves .echart canvas").CountAsync());
        var download = await page.Locator(".downloads a").First.GetAttributeAsync("href");
        Assert.Contains("trial,epoch,loss", await _http.GetStringAsync(serve.Url + download!.TrimStart('/')), StringComparison.Ordinal);
        await page.ScreenshotAsync(new() { Path = Artifact("serve-trial.png"), FullPage = true });
        layout = await page.EvaluateAsync<string[]>(LayoutProbe.Script, MetricNames.ValAccuracy);
        Assert.True(layout.Length == 0, "the trial page at 1,280 px:\n" + string.Join('\n', layout));

        Assert.True(problems.Count == 0, "the pages reported:\n" + string.Join('\n', problems));
    }

    [Fact]
    public async Task A_sweep_answer_kept_for_new_pages_is_read_again_when_a_trial_is_given_back_and_claimed_without_an_epoch()
    {
        var definition = SweepFile.Load(LocalDisk.Instance, _folder.Write("kept.yaml", TestFolder.SmallSweep("kept-serve")));
        Directory.CreateDirectory(Path.GetDirectoryName(_folder.Db)!);
        using var store = TrialStores.OpenSqlite(_folder.Db);
        var sweep = store.CreateSweep(definition.Definition, definition.Trials);
        var first = store.ClaimNext(sweep.Id, "worker-a")!;
        await using var serve = await ServeProcess.StartAsync(_folder, "--port", "0");
        var url = serve.Url + "api/sweeps/kept-serve";
        var before = Running(await _http.GetStringAsync(url));
        Assert.Equal(before, Running(await _http.GetStringAsync(url)));   // kept: nothing changed

        // Given back and claimed again (by another worker), no epoch stored: the counts by state are as they were.
        store.Release(TrialLease.Of(first), "interrupted");
        var again = store.ClaimNext(sweep.Id, "worker-b")!;
        var after = Running(await _http.GetStringAsync(url));

        Assert.Equal($"{again.Number}:{again.Attempts}:{again.StartedAt:O}", Assert.Single(after));
        Assert.NotEqual(before, after);
    }

    [Fact]
    public async Task Polls_see_a_store_deleted_and_made_anew_within_seconds_and_a_missing_one_at_once()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_folder.Db)!);
        void MakeStore(string learningRates)
        {
            var definition = SweepFile.Load(LocalDisk.Instance, _folder.Write("anew.yaml", TestFolder.SmallSweep("anew-serve", 600, ("learning_rate", learningRates))));
            using var store = TrialStores.OpenSqlite(_folder.Db);
            store.CreateSweep(definition.Definition, definition.Trials);
        }
        void DeleteStore()
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var file in new[] { _folder.Db, _folder.Db + "-wal", _folder.Db + "-shm" }) File.Delete(file);
        }
        MakeStore("[0.003, 0.01]");   // 4 trials
        await using var serve = await ServeProcess.StartAsync(_folder, "--port", "0");
        var poll = serve.Url + "api/sweeps/anew-serve/changes?after=0&running=";
        async Task<int> Total() => System.Text.Json.JsonDocument.Parse(await _http.GetStringAsync(poll)).RootElement.GetProperty("counts").GetProperty("total").GetInt32();
        Assert.Equal(4, await Total());

        DeleteStore();
        MakeStore("[0.001, 0.003, 0.01]");   // 6 trials, in a new file at the same path
        var clock = Stopwatch.StartNew();
        while (await Total() != 6)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), "the polls still read the deleted store after 8 s");
            await Task.Delay(250);
        }

        DeleteStore();
        await Task.Delay(600);   // past the half second in which pages asking the same share an answer
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await _http.GetAsync(poll)).StatusCode);
    }

    /// <summary>The running trials of a whole-sweep answer as number:attempts:start.</summary>
    private static List<string> Running(string json) =>
        [.. System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("trials").EnumerateArray()
            .Where(t => t.GetProperty("state").GetString() == "running")
            .Select(t => $"{t.GetProperty("number").GetInt32()}:{t.GetProperty("attempts").GetInt32()}:{t.GetProperty("startedAt").GetDateTimeOffset():O}")];

    [Fact]
    public async Task Every_optimizer_is_labelled_on_the_slice_and_parallel_axes_even_seven_long_names()
    {
        string[] optimizers = ["Adadelta", "Adagrad", "Adam", "Adamax", "Momentum", "RMSProp", "StochasticGradientDescent"];
        var definition = SweepFile.Load(LocalDisk.Instance, _folder.Write("labels.yaml", TestFolder.SmallSweep("labels-serve",
            parameters: [("optimizer", $"[{string.Join(", ", optimizers)}]"), ("learning_rate", "[0.001, 0.01]"), ("batch_size", "32")])));
        Directory.CreateDirectory(Path.GetDirectoryName(_folder.Db)!);
        using (var store = TrialStores.OpenSqlite(_folder.Db))
        {
            var sweep = store.CreateSweep(definition.Definition, definition.Trials);
            while (store.ClaimNext(sweep.Id, "test-worker") is { } trial)
            {
                var lease = TrialLease.Of(trial);
                var accuracy = 0.6 + 0.01 * trial.Number;
                store.RecordEpoch(lease, new EpochMetrics(1, 1 - accuracy, accuracy, 1 - accuracy, accuracy, 0.5, 900), checkpoint: null);
                store.Finish(lease, TrialState.Completed, null);
            }
        }
        await using var serve = await ServeProcess.StartAsync(_folder, "--port", "0");
        await using var browser = await Chromium.OpenAsync(1280, 2400);
        var (page, problems) = (browser.Page, browser.Problems);
        await page.GotoAsync(serve.Url + "sweeps/labels-serve");
        await Assertions.Expect(page.Locator("#slice-optimizer canvas")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#parallel-chart canvas")).ToHaveCountAsync(1);

        // The canvas's text is not in the document: ask ECharts' renderer what it drew, the labels it dropped left out.
        var slice = await page.EvaluateAsync<string[]>(ChartTexts, "slice-optimizer");
        var parallel = await page.EvaluateAsync<string[]>(ChartTexts, "parallel-chart");
        Assert.All(optimizers, o => Assert.Contains(o, slice));
        Assert.All(optimizers, o => Assert.Contains(o, parallel));
        await page.Locator("#slices").ScreenshotAsync(new() { Path = Artifact("serve-slices-7-optimizers.png") });
        Assert.True(problems.Count == 0, "the page reported:\n" + string.Join('\n', problems));
    }

    /// <summary>The texts an ECharts chart drew (by its box's id): its renderer's display list, without what label layout dropped.</summary>
    private const string ChartTexts = """
        id => echarts.getInstanceByDom(document.getElementById(id)).getZr().storage.getDisplayList(true)
          .filter(e => e.style && e.style.text !== undefined).map(e => String(e.style.text))
        """;

    [Fact]
    public async Task Serve_over_postgresql_answers_the_page_and_its_polls_see_a_new_epoch_and_never_print_the_password()
    {
        var url = PostgresServer.Url(PostgresServer.CreateDatabase());
        var definition = SweepFile.Load(LocalDisk.Instance, _folder.Write("pg.yaml", TestFolder.SmallSweep("pg-serve")));
        using var store = TrialStores.Open(url);
        var sweep = store.CreateSweep(definition.Definition, definition.Trials);
        var running = TrialLease.Of(store.ClaimNext(sweep.Id, "test-worker")!);
        store.RecordEpoch(running, new EpochMetrics(1, 1.2, 0.55, 1.1, 0.6, 0.5, 900), checkpoint: null);

        await using var serve = await ServeProcess.StartAsync(_folder, "--store", url, "--port", "0");
        Assert.DoesNotContain(PostgresServer.Password, serve.Printed, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(serve.Url + "sweeps/pg-serve")).StatusCode);
        using var whole = System.Text.Json.JsonDocument.Parse(await _http.GetStringAsync(serve.Url + "api/sweeps/pg-serve"));
        var position = whole.RootElement.GetProperty("position").GetInt64();
        Assert.Equal(1, whole.RootElement.GetProperty("epochs").GetArrayLength());
        Assert.DoesNotContain(PostgresServer.Password, await _http.GetStringAsync(serve.Url + "api/sweeps"), StringComparison.Ordinal);

        // The polls read the kept store: a new epoch is in the next answer, as it is with SQLite.
        store.RecordEpoch(running, new EpochMetrics(2, 0.9, 0.7, 0.85, 0.72, 0.5, 900), checkpoint: null);
        using var changes = System.Text.Json.JsonDocument.Parse(await _http.GetStringAsync(serve.Url + $"api/sweeps/pg-serve/changes?after={position}&running="));
        var epochs = changes.RootElement.GetProperty("epochs");
        Assert.Equal(1, epochs.GetArrayLength());
        Assert.Equal(2, epochs[0][1].GetInt32());
    }

    /// <summary>What the page's all-trials chart draws: each trial line's series id (trial-N) and its number of points, from ECharts itself.</summary>
    private const string CurvesDrawn = """
        () => Object.fromEntries(echarts.getInstanceByDom(document.getElementById('curves-chart')).getOption().series
          .filter(s => s.type === 'line').map(s => [s.id, s.data.length]))
        """;

    [Fact]
    public async Task A_trial_page_with_twenty_long_named_classes_hides_no_number_at_1280_pixels()
    {
        var definition = SweepFile.Load(LocalDisk.Instance, _folder.Write("wide.yaml", TestFolder.SmallSweep("wide-serve")));
        Directory.CreateDirectory(Path.GetDirectoryName(_folder.Db)!);
        int number;
        using (var store = TrialStores.OpenSqlite(_folder.Db))
        {
            var sweep = store.CreateSweep(definition.Definition, definition.Trials);
            number = Complete(store, sweep.Id, Enumerable.Range(0, 20).Select(i => $"a rather long class name number {i}").ToList());
        }

        await using var serve = await ServeProcess.StartAsync(_folder, "--port", "0");
        await using var browser = await Chromium.OpenAsync(1280, 900);
        var (page, problems) = (browser.Page, browser.Problems);
        await page.GotoAsync(serve.Url + $"sweeps/wide-serve/trials/{number}");
        await Assertions.Expect(page.Locator("#confusion tbody tr")).ToHaveCountAsync(20);

        var layout = await page.EvaluateAsync<string[]>(LayoutProbe.Script, MetricNames.ValAccuracy);
        await page.ScreenshotAsync(new() { Path = Artifact("serve-trial-20-classes.png"), FullPage = true });
        Assert.True(layout.Length == 0, "the trial page with 20 classes at 1,280 px:\n" + string.Join('\n', layout));
        Assert.True(problems.Count == 0, "the page reported:\n" + string.Join('\n', problems));
    }

    /// <summary>Trial 1 claimed, given two epochs and an evaluation over <paramref name="classes"/> (10 by default), and completed; returns its number.</summary>
    private static int Complete(ITrialStore store, long sweepId, IReadOnlyList<string>? classes = null)
    {
        var trial = store.ClaimNext(sweepId, "test-worker")!;
        var lease = TrialLease.Of(trial);
        store.RecordEpoch(lease, new EpochMetrics(1, 1.0, 0.6, 0.95, 0.64, 0.5, 900), checkpoint: null);
        store.RecordEpoch(lease, new EpochMetrics(2, 0.8, 0.72, 0.82, 0.74, 0.5, 900), checkpoint: null);
        classes ??= [.. Enumerable.Range(0, 10).Select(i => $"class {i}")];
        var n = classes.Count;
        var confusion = Enumerable.Range(0, n).Select(r => (IReadOnlyList<int>)[.. Enumerable.Range(0, n).Select(c => r == c ? 20 : 1)]).ToList();
        store.RecordEvaluation(lease, new TrialEvaluation(trial.Id, classes, confusion));
        store.Finish(lease, TrialState.Completed, null);
        return trial.Number;
    }

    /// <summary>Console errors, uncaught exceptions, failed requests and any request leaving the dashboard's own origin.</summary>
    /// <summary>The system Chromium (as the README's tests use it) with one page of the given size, watched by <see cref="Watch"/>.</summary>
    private sealed class Chromium : IAsyncDisposable
    {
        private readonly IPlaywright _playwright;
        private readonly IBrowser _browser;

        private Chromium(IPlaywright playwright, IBrowser browser, IPage page) =>
            (_playwright, _browser, Page, Problems) = (playwright, browser, page, Watch(page));

        public IPage Page { get; }

        public List<string> Problems { get; }

        public static async Task<Chromium> OpenAsync(int width, int height)
        {
            var playwright = await Playwright.CreateAsync();
            var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Args = ["--no-sandbox"] });
            return new Chromium(playwright, browser, await browser.NewPageAsync(new() { ViewportSize = new() { Width = width, Height = height } }));
        }

        public async ValueTask DisposeAsync()
        {
            await _browser.DisposeAsync();
            _playwright.Dispose();
        }
    }

    private static List<string> Watch(IPage page)
    {
        var problems = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") problems.Add($"console: {m.Text}"); };
        page.PageError += (_, e) => problems.Add($"page error: {e}");
        page.Response += (_, r) => { if (r.Status >= 400) problems.Add($"{r.Status}: {r.Url}"); };
        page.RequestFailed += (_, r) => problems.Add($"request failed: {r.Url} {r.Failure}");
        page.Request += (_, r) => { if (!r.Url.StartsWith("http://127.0.0.1:", StringComparison.Ordinal)) problems.Add($"left the origin: {r.Url}"); };
        return problems;
    }

    private static string Artifact(string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "TestResults");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }

    /// <summary>A running <c>piximi-sweep serve</c>: its URL, port and token as it printed them; killed (by its id) when disposed.</summary>
    private sealed partial class ServeProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly System.Text.StringBuilder _printed = new();

        /// <summary>Everything serve printed so far, both streams.</summary>
        public string Printed { get { lock (_printed) return _printed.ToString(); } }

        private ServeProcess(Process process) => _process = process;

        public string Url { get; private set; } = "";

        public int Port { get; private set; }

        public string? Token { get; private set; }

        public static async Task<ServeProcess> StartAsync(TestFolder folder, params string[] args)
        {
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder.Path, RedirectStandardOutput = true, RedirectStandardError = true };
            // The test folder's SQLite store, unless the arguments name another.
            string[] store = args.Contains("--store") ? [] : ["--db", folder.Db];
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "piximi-sweep.dll") }.Concat(store).Append("serve").Concat(args))
                start.ArgumentList.Add(a);
            var serve = new ServeProcess(Process.Start(start)!);
            serve._process.ErrorDataReceived += (_, e) => { lock (serve._printed) serve._printed.AppendLine(e.Data); };
            serve._process.BeginErrorReadLine();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (await serve._process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                lock (serve._printed) serve._printed.AppendLine(line);
                if (Listening().Match(line) is { Success: true } m)
                {
                    serve.Port = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                    serve.Url = line.Contains(" at http://", StringComparison.Ordinal) ? line[(line.IndexOf("http://", StringComparison.Ordinal))..].Trim() : $"http://127.0.0.1:{serve.Port}/";
                }
                if (TokenLine().Match(line) is { Success: true } t) serve.Token = t.Groups[1].Value;
                if (line.StartsWith("Ctrl+C", StringComparison.Ordinal)) return serve;
            }
            throw new InvalidOperationException($"serve ended before it listened:\n{serve._printed}");
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }
            _process.Dispose();
        }

        [GeneratedRegex(@":(\d+)(/| |,)")]
        private static partial Regex Listening();

        [GeneratedRegex(@"^Token: ([0-9a-f]{64})\b")]
        private static partial Regex TokenLine();
    }
}
