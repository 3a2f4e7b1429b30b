using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Piximi.Sweep.Cli.Commands;
using Piximi.Sweep.Core;
using Piximi.Sweep.Reports;
using Piximi.Sweep.Reports.Dashboard;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Cli.Serve;

/// <summary>
/// The dashboard's routes, GET only (read-only): HTML shells that the embedded script fills from the <c>/api/…</c> JSON
/// read models (<see cref="DashboardData"/>), the embedded assets, the live report and a trial's downloads. A request
/// opens the store read-only and closes it (a store's calls take turns on one connection, and a PostgreSQL server that
/// restarts costs one failed request rather than a dead dashboard), but for the pages' polls, which share one kept open
/// for a few seconds (<see cref="Polls"/>); what is costly to read is kept while the sweep has not changed.
/// </summary>
internal static class DashboardEndpoints
{
    // The pages' own script and styles, no inline script, nothing from elsewhere.
    private const string PagePolicy = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    // The static report is one self-contained file with inline script and styles: those, and still nothing from elsewhere.
    private const string ReportPolicy = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'";

    public static void Map(IEndpointRouteBuilder app, string location)
    {
        var store = StoreLocations.Describe(location);
        app.MapGet("/", (HttpContext c) => Page(c, DashboardPages.SweepList(store)));
        app.MapGet("/sweeps/{name}", (HttpContext c, string name) => Page(c, DashboardPages.Sweep(store, name)));
        app.MapGet("/sweeps/{name}/trials/{number:int}", (HttpContext c, string name, int number) => Page(c, DashboardPages.Trial(store, name, number)));
        app.MapGet("/sweeps/{name}/report", (HttpContext c, string name) => Read(location, s => Report(c, s, name)));
        app.MapGet("/assets/{file}", (HttpContext c, string file, string? v) =>
        {
            if (DashboardPages.Asset(file) is not { } asset) return Results.NotFound();
            // At the address the pages use (its text's hash), the answer never changes: the browser keeps it.
            if (v == asset.Version) c.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
            return Results.Text(asset.Text, asset.ContentType);
        });

        app.MapGet("/api/sweeps", () => Read(location, s => Results.Json(new { store, sweeps = DashboardData.Sweeps(s) })));
        app.MapGet("/api/sweeps/{name}", (string name) => Read(location, s => WithSweep(s, name, sweep => WholeSweep(s, sweep))));
        app.MapGet("/api/sweeps/{name}/changes", (string name, long? after, string? running) => Shared(name, Math.Max(0, after ?? 0), Ids(running),
            (position, ids) => Polls.Read(location, s => WithSweep(s, name, sweep => Results.Json(DashboardData.Changes(s, sweep, position, ids))))));
        app.MapGet("/api/sweeps/{name}/trials/{number:int}", (string name, int number) => Read(location, s => WithTrial(s, name, number,
            (_, trial) => Results.Json(trial))));
        app.MapGet("/api/sweeps/{name}/trials/{number:int}/epochs.csv", (string name, int number) => Read(location, s => WithTrial(s, name, number,
            (sweep, trial) => Download(DashboardData.EpochsCsv(trial), "text/csv", $"{sweep.Name}-trial-{number}-epochs.csv"))));
        app.MapGet("/api/sweeps/{name}/trials/{number:int}/model_hyperparameters.json", (string name, int number) => Read(location, s => WithTrial(s, name, number,
            (sweep, trial) => trial.CanExportPiximi
                ? Download(PiximiExport.ModelHyperparameters(sweep.Definition, s.FindTrial(sweep.Id, number)!.Hyperparameters),
                    "application/json", $"{sweep.Name}-trial-{number}-model_hyperparameters.json")
                : Results.NotFound("This trial has no Piximi settings to export: it has not trained an epoch, or the sweep predates its input shape."))));
        app.MapGet("/api/sweeps/{name}/trials/{number:int}/model.zip", (string name, int number) => Read(location, s => WithSweep(s, name,
            sweep => ModelDownload.Zip(s, sweep, number))));
        app.MapGet("/api/sweeps/{name}/fanova", (string name) => Read(location, s => WithSweep(s, name, sweep => Importance(s, sweep))));
    }

    // The last whole-sweep answer of each sweep, with what it was read at: a sweep page's load (and a reload) reads every
    // trial's summary and 500 trials' curves and writes ~5 MB of JSON (10,000 trials × 20 epochs: ~170 ms), while asking
    // whether anything changed since is one small read. Kept while no epoch was stored, the counts by state are the
    // same, the same trials run with the same start, attempt and losses (a trial given back and another or the same one
    // claimed leave the counts alone) and the sweep was not cancelled. A trial changes only by being claimed, storing an
    // epoch or ending, and each of those moves one of these.
    private static readonly Kept<SweepMark> Answers = new();

    /// <summary>What a whole-sweep answer was read at.</summary>
    private sealed record SweepMark(long Position, TrialCounts Counts, string? Cancelled, IReadOnlyDictionary<long, RunningMark> Running);

    private sealed record RunningMark(DateTimeOffset? StartedAt, int Attempts, int Lost);

    /// <summary>
    /// The newest sweeps' whole answers, read once in the background as serve starts: a just-started serve took ~500 ms
    /// for a 10,000-trial sweep's first answer (its code compiling as it went; ~170 ms warm), most of the first page's
    /// wait. A page asking meanwhile waits for this reading rather than making a second.
    /// </summary>
    public static Task Prepare(string location, int newest = 3) => Task.Run(() =>
    {
        try
        {
            using var store = StoreAccess.OpenForReading(location);
            foreach (var sweep in store.ListSweeps().OrderByDescending(s => s.CreatedAt).Take(newest)) WholeSweep(store, sweep);
        }
        catch (Exception)
        {
            // Only a head start: whatever failed here, the pages' own requests meet again and answer for.
        }
    });

    private static IResult WholeSweep(ITrialStore store, SweepRecord sweep) => Answers.Get(sweep,
        kept =>
        {
            // The running trials now and those running then, whatever their state now.
            var changes = store.ReadChanges(sweep.Id, kept.Position, [.. kept.Running.Keys]);
            return changes.Epochs.Epochs.Count == 0 && changes.Counts == kept.Counts && SameRunning(changes.Trials, kept.Running)
                && store.FindCancellation(sweep.Id)?.Reason == kept.Cancelled;
        },
        () =>
        {
            var view = DashboardData.Sweep(store, sweep);
            var running = view.Trials.Where(t => t.State == "running").ToDictionary(t => t.Id, t => new RunningMark(t.StartedAt, t.Attempts, t.Lost));
            return (new SweepMark(view.Position, new TrialCounts(view.Counts.Queued, view.Counts.Running, view.Counts.Ended), view.Cancelled, running), view);
        });

    private static bool SameRunning(IReadOnlyList<TrialRecord> now, IReadOnlyDictionary<long, RunningMark> then) =>
        now.Count == then.Count && now.All(t => t.State == TrialState.Running && then.TryGetValue(t.Id, out var mark)
            && mark == new RunningMark(t.StartedAt, t.Attempts, t.Lost));

    // The importance card's answer (fANOVA's forest: up to a second of CPU at 2,000 trials) of each sweep, kept while
    // no trial ended since: a completed trial's scores never change, so the same ended count means the same trials. The
    // pages ask again when they see the count move (at most every 30 s each); one fit serves every page.
    private static readonly Kept<int> Importances = new();

    private static IResult Importance(ITrialStore store, SweepRecord sweep) => Importances.Get(sweep,
        ended => ended == store.CountTrials(sweep.Id).Ended,
        () => (store.CountTrials(sweep.Id).Ended, DashboardFanova.Of(store, sweep)));

    /// <summary>
    /// Answers costly to read, kept per sweep (by id and creation, so a sweep deleted and made anew is another) as the
    /// JSON sent, with a mark of what they were read at; one reading at a time per sweep, so pages asking together
    /// wait for one reading rather than each making its own.
    /// </summary>
    private sealed class Kept<TMark>
    {
        private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
        private readonly ConcurrentDictionary<(long Sweep, DateTimeOffset Created), (Lock Gate, TMark Mark, byte[]? Json)> _kept = new();

        /// <param name="fresh">Whether an answer read at this mark still holds.</param>
        /// <param name="read">The mark first (what is read after it may be newer, never older), then the answer.</param>
        public IResult Get<TView>(SweepRecord sweep, Func<TMark, bool> fresh, Func<(TMark Mark, TView View)> read)
        {
            var key = (sweep.Id, sweep.CreatedAt);
            var gate = _kept.GetOrAdd(key, _ => (new Lock(), default!, null)).Gate;
            lock (gate)
            {
                var kept = _kept[key];
                if (kept.Json is null || !fresh(kept.Mark))
                {
                    var (mark, view) = read();
                    _kept[key] = kept = (gate, mark, JsonSerializer.SerializeToUtf8Bytes(view, Json));
                }
                return Results.Bytes(kept.Json!, "application/json; charset=utf-8");
            }
        }
    }

    // The pages of one sweep poll every second from the same position, with the same running trials, once they have
    // caught up: an answer given less than SharedFor ago to the same question is given again rather than the store
    // read again: while epochs are rarer than polls, 20 open pages read the store about as often as one or two (on the
    // quick sweep, an epoch every ~0.3 s, they rarely share: serve's CPU over a run went only from 2.4 to 2.1 s). A new
    // epoch still shows within 2 s (a page asks 1 s after its last answer, which is at most SharedFor old).
    private static readonly TimeSpan SharedFor = TimeSpan.FromMilliseconds(500);
    private static readonly ConcurrentDictionary<(string Name, long After, string Running), (long At, IResult Answer)> Recent = new();

    private static IResult Shared(string name, long after, long[] running, Func<long, long[], IResult> read)
    {
        var key = (name, after, string.Join(',', running.Order()));
        var now = Environment.TickCount64;
        if (Recent.TryGetValue(key, out var recent) && now - recent.At < SharedFor.TotalMilliseconds) return recent.Answer;
        var answer = read(after, running);
        if (Recent.Count > 1_000) Recent.Clear();
        Recent[key] = (now, answer);
        return answer;
    }

    private static IResult Page(HttpContext context, string html)
    {
        context.Response.Headers.ContentSecurityPolicy = PagePolicy;
        return Results.Content(html, "text/html; charset=utf-8");
    }

    private static IResult Report(HttpContext context, ITrialStore store, string name) => WithSweep(store, name, sweep =>
    {
        var html = new StringWriter(CultureInfo.InvariantCulture);
        ReportWriter.Html(SweepReport.Load(store, sweep), html);
        context.Response.Headers.ContentSecurityPolicy = ReportPolicy;
        return Results.Content(html.ToString(), "text/html; charset=utf-8");
    });

    private static IResult Download(string text, string contentType, string fileName) =>
        Results.File(System.Text.Encoding.UTF8.GetBytes(text), contentType, fileName);

    /// <summary>Opens the store for this request; a store that cannot be read now is a 503 with the reason (never its secret).</summary>
    private static IResult Read(string location, Func<ITrialStore, IResult> answer)
    {
        try
        {
            using var store = StoreAccess.OpenForReading(location);
            return answer(store);
        }
        catch (Exception e) when (Unreadable(e))
        {
            return Unavailable(e);
        }
    }

    private static bool Unreadable(Exception e) =>
        e is UserErrorException or StoreUnavailableException or StoreNotFoundException or StoreVersionException;

    /// <summary>A store that cannot be read now: 503 with the reason (never its secret: the store's messages leave it out).</summary>
    private static IResult Unavailable(Exception e) => Results.Problem(e.Message, statusCode: StatusCodes.Status503ServiceUnavailable);

    /// <summary>
    /// The store the pages' polls read, kept open between them, one poll at a time: opening a SQLite store (connection,
    /// schema, version and foreign-file checks) was ~45 % of a poll's wall time in a sampled profile of 1,000 polls
    /// (dotnet-trace) and ~20 % of its CPU (1.1 → 0.9 ms a poll of the 10,000-trial store), paid by every open page each
    /// second. It is opened again after <see cref="KeptFor"/>, at
    /// once when its file is gone, and after anything fails, so a store deleted and made anew (an open connection would
    /// go on reading the deleted file), upgraded by a newer program or gone is seen within seconds as a per-request
    /// open sees it. Only the polls: the heavier reads (a whole sweep, a report, fANOVA, a model) open their own, so
    /// they never make a poll wait.
    /// </summary>
    private static class Polls
    {
        private static readonly TimeSpan KeptFor = TimeSpan.FromSeconds(5);
        private static readonly Lock Gate = new();
        private static (string Location, ITrialStore Store, long OpenedAt)? _kept;

        public static IResult Read(string location, Func<ITrialStore, IResult> answer)
        {
            lock (Gate)
            {
                try
                {
                    var now = Environment.TickCount64;
                    if (_kept is not { } kept || kept.Location != location || now - kept.OpenedAt > KeptFor.TotalMilliseconds
                        || (!StoreLocations.IsPostgres(location) && !File.Exists(location)))
                    {
                        Close();
                        kept = (location, StoreAccess.OpenForReading(location), now);
                        _kept = kept;
                    }
                    return answer(kept.Store);
                }
                catch (Exception e)
                {
                    Close();
                    if (Unreadable(e)) return Unavailable(e);
                    throw;
                }
            }
        }

        private static void Close()
        {
            _kept?.Store.Dispose();
            _kept = null;
        }
    }

    private static IResult WithSweep(ITrialStore store, string name, Func<SweepRecord, IResult> answer) =>
        store.FindSweep(name) is { } sweep ? answer(sweep) : Results.NotFound($"No sweep named '{name}' in this store.");

    private static IResult WithTrial(ITrialStore store, string name, int number, Func<SweepRecord, TrialView, IResult> answer) =>
        WithSweep(store, name, sweep => DashboardData.Trial(store, sweep, number) is { } trial
            ? answer(sweep, trial)
            : Results.NotFound($"Sweep '{name}' has no trial {number}."));

    /// <summary>The trial ids a page last saw running, comma-separated; anything else is ignored (they only widen what is read).</summary>
    private static long[] Ids(string? running) =>
        [.. (running ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1)
            .Where(id => id > 0).Take(10_000)];
}
