// Piximi.Sweep dashboard: reads the /api JSON read models and draws every view as tables and Apache ECharts charts.
// ECharts is embedded in the program (/assets/echarts.min.js, brought in from npm at build time), nothing is fetched
// from elsewhere; every text from the store is set as text, never as markup (tooltips escape it).
(function () {
  "use strict";
  var body = document.body, app = document.getElementById("app"), nav = document.getElementById("nav");
  var STATES = ["completed", "running", "queued", "pruned", "failed", "diverged"];
  var COLORS = { completed: "#2e8b57", running: "#2f6fdf", queued: "#8a94a3", pruned: "#b0b6bf", failed: "#c0392b", diverged: "#d35400" };
  // Index of each metric in an epoch point: [trialId, epoch, loss, accuracy, val_loss, val_accuracy, seconds].
  var COLUMN = { loss: 2, accuracy: 3, val_loss: 4, val_accuracy: 5 };
  var POLL_MS = 1000;

  // ---- small helpers ----
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "onclick") node.addEventListener("click", attrs[k]);
      else if (attrs[k] !== undefined && attrs[k] !== null) node.setAttribute(k, attrs[k]);
    }
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }
  function esc(v) { return String(v).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; }); }
  function finite(v) { return v !== null && v !== undefined && isFinite(v) ? v : null; }
  function api(path) {
    return fetch(path, { headers: { Accept: "application/json" }, credentials: "same-origin" }).then(function (r) {
      if (!r.ok) return r.text().then(function (t) { throw new Error(r.status + ": " + t.slice(0, 300)); });
      return r.json();
    });
  }
  var enc = encodeURIComponent;
  function fmt(v, digits) {
    if (v === null || v === undefined || !isFinite(v)) return "–";
    if (digits !== undefined) return Number(v).toFixed(digits);
    var a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e5) ? Number(v).toExponential(2) : String(Math.round(v * 10000) / 10000);
  }
  function time(iso) { return iso ? new Date(iso).toLocaleString() : "–"; }
  function card(id, title, children) {
    var c = el("section", { class: "card", id: id }, [title ? el("h2", { text: title }) : null].concat(children || []));
    return c;
  }
  // Links to the page's sections that hold something (a chart, a table), so none leads to a sentence alone; an entry
  // with a third element links to that address instead (another page).
  function navTo(sections) {
    nav.textContent = "";
    sections.filter(function (s) {
      var target = s[2] ? null : document.getElementById(s[0]);
      return s[2] || (target && target.querySelector("table, .echart, dl, figure, img"));
    }).forEach(function (s) { nav.appendChild(el("a", { href: s[2] || "#" + s[0], text: s[1] })); });
  }
  function fail(e) {
    app.textContent = "";
    app.appendChild(card("error", "Could not load", [el("p", { text: String(e.message || e) })]));
  }

  // ---- charts: Apache ECharts, one instance per chart, kept across redraws ----
  // A chart's box is the same element (and ECharts instance) at every redraw, so a poll updates a chart rather than
  // building a new one; drawCharts() draws the waiting ones once their boxes are in the document (ECharts measures them).
  // A chart whose data did not change is left alone (a poll redraws the page), and what the reader chose survives one
  // that did: the legend entries hidden, the ranges dragged on parallel axes.
  var charts = {}, waiting = [];
  function echart(id, height, option) {
    var c = charts[id] || (charts[id] = { box: el("div", { class: "echart", id: id, style: "height:" + height + "px" }), chart: null });
    c.option = option;
    waiting.push(c);
    return c.box;
  }
  function drawCharts() {
    waiting.splice(0).forEach(function (c) {
      if (!document.body.contains(c.box)) return;
      if (!c.chart) {
        c.chart = echarts.init(c.box, null, { renderer: "canvas" });
        // A click on the legend toggles (legendselectchanged); the legend's actions select or unselect.
        ["legendselectchanged", "legendselected", "legendunselected"].forEach(function (name) { c.chart.on(name, function (e) { c.hidden = e.selected; }); });
        c.chart.on("axisareaselected", function (e) { (c.areas = c.areas || {})[e.parallelAxisId] = e.intervals; });
      } else if (c.chart.getWidth() !== c.box.clientWidth) c.chart.resize();
      var shape = JSON.stringify([c.option.series, c.option.xAxis, c.option.yAxis, c.option.parallelAxis, c.option.visualMap, c.option.legend && c.option.legend.data]);
      if (shape === c.shape) return;
      c.shape = shape;
      if (c.hidden && c.option.legend && c.option.legend.data) c.option.legend.selected = c.hidden;
      c.chart.setOption(c.option, { notMerge: true });
      Object.keys(c.areas || {}).forEach(function (id) { c.chart.dispatchAction({ type: "axisAreaSelect", parallelAxisId: id, intervals: c.areas[id] }); });
    });
  }
  window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { if (charts[k].chart) charts[k].chart.resize(); }); });
  var FONT = "system-ui, 'DejaVu Sans', sans-serif";
  var CROSS = "path://M1,0 L5,4 L9,0 L10,1 L6,5 L10,9 L9,10 L5,6 L1,10 L0,9 L4,5 L0,1 Z";
  // An x-y chart: axes span the data (scale), never a fixed 0–1, so five trials between 0.80 and 0.84 stay apart; the
  // legend sits beside the plot, never over a point; tooltips name the trial.
  function xy(o) {
    return {
      animation: false, textStyle: { fontFamily: FONT }, aria: { enabled: true, label: { description: o.title } },
      grid: { left: 64, right: o.legend ? 190 : 20, top: 14, bottom: 46 },
      tooltip: { trigger: "item", confine: true, formatter: o.tip },
      legend: o.legend ? { orient: "vertical", right: 0, top: 8, data: o.legend, textStyle: { fontSize: 12 }, itemWidth: 18 } : { show: false },
      xAxis: Object.assign({ type: "value", scale: true, name: o.x, nameLocation: "middle", nameGap: 28, splitLine: { show: false } }, o.xAxis),
      yAxis: Object.assign({ type: "value", scale: true, name: o.y, nameLocation: "middle", nameGap: 50, axisLabel: { formatter: function (v) { return fmt(v); } } }, o.yAxis),
      series: o.series,
    };
  }
  // Labels at exactly these values (a ladder of learning rates, the categories' places) rather than round numbers,
  // every one shown: turned when they would not fit side by side (ECharts would otherwise drop some).
  function at(values, label, width) {
    var room = (width || 300) / Math.max(values.length, 1), longest = 0;
    values.forEach(function (v) { longest = Math.max(longest, String(label(v)).length); });
    return { axisLabel: { customValues: values, formatter: label, rotate: longest * 6.5 > room - 6 ? 35 : 0 }, axisTick: { customValues: values } };
  }
  // Viridis-like ramp: separates 0.80 from 0.84 when the scale spans the data, not 0–1.
  var RAMP = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  // The same stops for ECharts' colour scales (parallel coordinates), so tables and charts share one scale.
  var VIRIDIS = RAMP.map(function (c) { return "rgb(" + c.join(",") + ")"; });
  function ramp(t) {
    if (t === null || !isFinite(t)) return "#eee";
    t = Math.max(0, Math.min(1, t)) * (RAMP.length - 1);
    var i = Math.min(Math.floor(t), RAMP.length - 2), f = t - i, a = RAMP[i], b = RAMP[i + 1];
    return "rgb(" + [0, 1, 2].map(function (k) { return Math.round(a[k] + (b[k] - a[k]) * f); }).join(",") + ")";
  }
  function inkOn(t) { return t > 0.6 ? "#1d2433" : "#fff"; }
  // A legend of HTML swatches (the progress bar's states).
  function legend(items) {
    return el("div", { class: "legend" }, items.map(function (it) {
      return el("span", {}, [el("i", { style: "background:" + it[1] }), it[0]]);
    }));
  }

  // ---- the sweeps list ----
  function sweepsPage() {
    function draw(data) {
      app.textContent = "";
      var rows = data.sweeps.map(function (s) {
        var c = s.counts, done = c.total ? c.ended / c.total : 0;
        return el("tr", {}, [
          el("td", { class: "text" }, [el("a", { href: "/sweeps/" + enc(s.name), text: s.name })]),
          el("td", { class: "text msg", text: s.description || "" }),
          el("td", { class: "text", text: s.method }), el("td", { class: "text", text: s.metric }),
          el("td", {}, [el("div", { class: "progress", style: "width:140px" }, [el("span", { style: "width:" + (done * 100).toFixed(1) + "%;background:" + COLORS.completed })])]),
          el("td", { text: c.ended + " / " + c.total }), el("td", { text: String(c.running) }), el("td", { text: String(c.queued) }),
          el("td", { class: "text", text: s.cancelled ? "cancelled" : c.running ? "running" : c.queued ? "waiting" : "finished" }),
          el("td", { class: "text", text: time(s.createdAt) }),
        ]);
      });
      var head = ["sweep", "description", "method", "metric", "progress", "ended", "running", "queued", "", "created"];
      app.appendChild(el("h1", { text: "Sweeps" }));
      app.appendChild(card("sweeps", data.sweeps.length + " sweep(s) in " + data.store, [
        data.sweeps.length ? el("div", { class: "scroll" }, [el("table", { id: "sweep-table" }, [
          el("thead", {}, [el("tr", {}, head.map(function (h, i) { return el("th", { class: i < 4 || i > 7 ? "text" : null, text: h }); }))]),
          el("tbody", {}, rows)])]) : el("p", { class: "muted", text: "No sweep yet: piximi-sweep run <file> makes one." }),
      ]));
    }
    function load() { api("/api/sweeps").then(draw, fail); }
    load();
    setInterval(load, 5000);
  }

  // ---- a sweep ----
  function sweepPage() {
    // curves: the whole curves the page has (a large sweep sends some, see DashboardData.CurveLimit; the polls extend
    // them); stats: every trial's epoch count, seconds and result point, kept from the load's summaries and the polls.
    var name = body.dataset.sweep, S = null, trials = new Map(), curves = new Map(), stats = new Map(), position = 0, firstRender = true;
    var view = { filter: "all", sortKey: "metric", sortDir: 0, curveMetric: null, historyBy: "trial" };
    var lastUpdate = null, error = null, timer = null, dirty = true;

    function metricOf(t, metric) {
      var c = curves.get(t.id), st = stats.get(t.id), col = COLUMN[metric || S.metric], p = st ? st.point : null;
      if (c && c.length) {
        p = c[c.length - 1];
        if (t.resultEpoch) c.forEach(function (q) { if (q[1] === t.resultEpoch) p = q; });
      }
      return p ? p[col] : null;
    }
    function epochsOf(t) { var st = stats.get(t.id); return st ? st.n : 0; }
    function secondsOf(t) { var st = stats.get(t.id); return st ? st.seconds : 0; }
    function addEpochs(points) {
      points.forEach(function (p) {
        var c = curves.get(p[0]);
        if (!c) curves.set(p[0], c = []);
        if (c.length && c[c.length - 1][1] >= p[1]) { c = c.filter(function (q) { return q[1] !== p[1]; }); curves.set(p[0], c); }
        c.push(p);
        if (c.length > 1 && c[c.length - 2][1] > p[1]) c.sort(function (a, b) { return a[1] - b[1]; });
        var st = stats.get(p[0]);
        if (!st) stats.set(p[0], st = { n: 0, seconds: 0, point: null });
        if (!st.point || p[1] > st.point[1]) { st.n++; st.seconds += p[6] || 0; st.point = p; }
        else if (p[1] === st.point[1]) { st.seconds += (p[6] || 0) - (st.point[6] || 0); st.point = p; }
      });
    }
    function better(a, b) { return S.higherIsBetter ? a > b : a < b; }
    function best() {
      var b = null, v = null;
      trials.forEach(function (t) {
        if (t.state !== "completed") return;
        var m = metricOf(t);
        if (m !== null && (v === null || better(m, v))) { b = t; v = m; }
      });
      return b;
    }
    function poll() {
      var running = [];
      trials.forEach(function (t) { if (t.state === "running") running.push(t.id); });
      api("/api/sweeps/" + enc(name) + "/changes?after=" + position + "&running=" + running.join(",")).then(function (d) {
        error = null;
        if (d.epochs.length || d.trials.length || JSON.stringify(d.counts) !== JSON.stringify(S.counts)) dirty = true;
        addEpochs(d.epochs);
        d.trials.forEach(function (t) { trials.set(t.id, t); });
        S.counts = d.counts; S.cancelled = d.cancelled; position = d.position; lastUpdate = new Date();
        if (dirty && d.counts.queued + d.counts.running > 0 && d.epochs.length === 0 && d.trials.length === 0) {
          // A trial that started and ended between polls shows in the counts only: reload once to see it.
          return reload();
        }
        render();
      }, function (e) { error = e; renderStatus(); }).finally(schedule);
    }
    function schedule() { clearTimeout(timer); timer = setTimeout(poll, POLL_MS); }
    function reload() {
      return api("/api/sweeps/" + enc(name)).then(function (d) {
        S = d; trials = new Map(); curves = new Map(); stats = new Map();
        d.trials.forEach(function (t) { trials.set(t.id, t); });
        addEpochs(d.epochs);
        // The trials whose curves were not sent: [id, epoch, loss, accuracy, val_loss, val_accuracy, seconds, epochs].
        d.summaries.forEach(function (s) { if (!stats.has(s[0])) stats.set(s[0], { n: s[7], seconds: s[6] || 0, point: s.slice(0, 7) }); });
        position = d.position; lastUpdate = new Date(); dirty = true;
        if (!view.curveMetric) view.curveMetric = d.metric;
        render();
      });
    }
    function render() {
      if (!dirty) { renderStatus(); return; }
      dirty = false;
      var scroll = window.scrollY, focus = document.activeElement && document.activeElement.id;
      app.textContent = "";
      var all = Array.from(trials.values());
      app.appendChild(summary(all));
      app.appendChild(trialTable(all));
      app.appendChild(curvesCard(all));
      drawCharts();
      renderStatus();
      function rest() {
        var completed = sampled(all);
        app.appendChild(el("div", { class: "grid2" }, [historyCard(all), importanceCard()]));
        app.appendChild(slicesCard(completed));
        app.appendChild(heatmapCard(all, completed.every));
        app.appendChild(parallelCard(completed));
        drawCharts();
        navTo([["trials", "Trials"], ["curves", "Curves"], ["history", "History"], ["importance", "Importance"],
          ["slices", "Slices"], ["heatmap", "LR × batch"], ["parallel", "Parallel"], ["report", "Report", "/sweeps/" + enc(S.name) + "/report"]]);
        if (focus && document.getElementById(focus)) document.getElementById(focus).focus();
        window.scrollTo(0, scroll);
      }
      // A large sweep's first view paints the summary, the table and the curves first; the charts below are drawn at
      // the next frame (a callback of this frame would run before its paint).
      if (firstRender && all.length > 1000) { firstRender = false; requestAnimationFrame(function () { requestAnimationFrame(rest); }); }
      else { firstRender = false; rest(); }
    }
    function renderStatus() {
      var s = document.getElementById("live");
      if (!s) return;
      var c = S.counts, active = c.running + c.queued > 0 && !S.cancelled;
      s.className = "live" + (error ? " error" : active ? "" : " done");
      s.textContent = error ? "cannot reach the store: " + error.message
        : (active ? "live" : S.cancelled ? "cancelled: " + S.cancelled : "finished") + " · updated " + (lastUpdate ? lastUpdate.toLocaleTimeString() : "–");
    }

    function summary(all) {
      var c = S.counts, counts = {};
      STATES.forEach(function (s) { counts[s] = 0; });
      all.forEach(function (t) { counts[t.state]++; });
      counts.queued += Math.max(0, c.total - all.length);
      var total = Math.max(c.total, 1);
      var b = best(), running = all.filter(function (t) { return t.state === "running"; });
      return card("summary", "", [
        el("h1", { text: S.name }), el("span", { id: "live", class: "live" }),
        S.description ? el("p", { text: S.description }) : null,
        el("div", { class: "facts" }, [
          el("span", {}, ["metric ", el("b", { text: S.metric + (S.higherIsBetter ? " (higher is better)" : " (lower is better)") })]),
          el("span", {}, ["search ", el("b", { text: S.method })]),
          S.pruner ? el("span", {}, ["pruner ", el("b", { text: S.pruner })]) : null,
          el("span", {}, ["trials ", el("b", { id: "count-ended", text: c.ended + " of " + c.total + " ended" }), ", " + c.running + " running, " + c.queued + " queued"]),
          el("span", {}, ["epochs stored ", el("b", { id: "epoch-count", text: String(Array.from(stats.values()).reduce(function (n, x) { return n + x.n; }, 0)) })]),
          el("span", {}, ["best ", el("b", { id: "best", text: b ? "trial " + b.number + ": " + fmt(metricOf(b)) : "none yet" })]),
          el("a", { href: "/sweeps/" + enc(S.name) + "/report", id: "report", text: "Full report ↗" }),
        ]),
        el("div", { class: "progress", title: "trials by state" }, STATES.filter(function (s) { return counts[s]; }).map(function (s) {
          return el("span", { style: "width:" + (counts[s] / total * 100).toFixed(2) + "%;background:" + COLORS[s], title: s + ": " + counts[s] });
        })),
        legend(STATES.filter(function (s) { return counts[s]; }).map(function (s) { return [s + " " + counts[s], COLORS[s]]; })),
        running.length ? el("p", { class: "note", id: "running-now" }, ["Running: "].concat(running.slice(0, 20).map(function (t) {
          var n = epochsOf(t);
          return el("span", { text: "trial " + t.number + " (epoch " + n + "/" + t.epochs + ")  " });
        }))) : null,
      ]);
    }

    // The trials table: filter by state, sort by any column; the first three columns stay in view.
    var COLUMNS = [
      { key: "number", label: "trial", get: function (t) { return t.number; } },
      { key: "state", label: "state", text: true, get: function (t) { return t.state; } },
      { key: "metric", label: null, get: function (t) { return metricOf(t); } },
      { key: "val_accuracy", label: "val_accuracy", get: function (t) { return metricOf(t, "val_accuracy"); } },
      { key: "val_loss", label: "val_loss", get: function (t) { return metricOf(t, "val_loss"); } },
      { key: "accuracy", label: "accuracy", get: function (t) { return metricOf(t, "accuracy"); } },
      { key: "loss_value", label: "loss", get: function (t) { return metricOf(t, "loss"); } },
      { key: "epochs", label: "epochs", get: epochsOf, show: function (t) { return epochsOf(t) + " / " + t.epochs; } },
      { key: "optimizer", label: "optimizer", text: true, get: function (t) { return t.optimizer; } },
      { key: "loss", label: "loss function", text: true, get: function (t) { return t.loss; } },
      { key: "learningRate", label: "learning rate", get: function (t) { return t.learningRate; } },
      { key: "batchSize", label: "batch size", get: function (t) { return t.batchSize; } },
      { key: "model", label: "model", text: true, get: function (t) { return t.model; } },
      { key: "seed", label: "seed", get: function (t) { return t.seed; } },
      { key: "seconds", label: "seconds", get: secondsOf, show: function (t, v) { return fmt(v, 1); } },
      { key: "message", label: "message", text: true, get: function (t) { return t.message || ""; } },
    ];
    function trialTable(all) {
      // The ranking metric is the third, sticky column, under its own name; its plain copy further right is left out.
      var metricCol = COLUMNS[2], copy = S.metric === "loss" ? "loss_value" : S.metric;
      metricCol.label = S.metric;
      var cols = COLUMNS.filter(function (c) { return c.key !== copy; });
      var shown = all.filter(function (t) { return view.filter === "all" || t.state === view.filter; });
      var col = cols.filter(function (c) { return c.key === view.sortKey; })[0] || cols[0];
      var dir = view.sortDir || (col.key === "metric" ? (S.higherIsBetter ? -1 : 1) : 1);
      shown.sort(function (a, b) {
        var x = col.get(a), y = col.get(b);
        if (x === null || x === undefined || (typeof x === "number" && !isFinite(x))) return 1;
        if (y === null || y === undefined || (typeof y === "number" && !isFinite(y))) return -1;
        return (x < y ? -1 : x > y ? 1 : a.number - b.number) * dir;
      });
      var b = best(), LIMIT = 500;
      var buttons = ["all"].concat(STATES).map(function (s) {
        var n = s === "all" ? all.length : all.filter(function (t) { return t.state === s; }).length;
        return el("button", { type: "button", "data-state": s, "aria-pressed": String(view.filter === s), text: s + " (" + n + ")",
          onclick: function () { view.filter = s; dirty = true; render(); } });
      });
      var head = el("tr", {}, cols.map(function (c, i) {
        return el("th", { class: "sortable" + (c.text ? " text" : "") + (i < 3 ? " s" + i : ""), "data-key": c.key,
          title: c === metricCol ? "the sweep's ranking metric" : null,
          "aria-sort": c === col ? (dir > 0 ? "ascending" : "descending") : null, text: c.label,
          onclick: function () { view.sortDir = view.sortKey === c.key ? -dir : (c.key === "metric" ? (S.higherIsBetter ? -1 : 1) : 1); view.sortKey = c.key; dirty = true; render(); } });
      }));
      var rows = shown.slice(0, LIMIT).map(function (t) {
        return el("tr", { class: b && t.id === b.id ? "best" : null, "data-trial": t.number }, cols.map(function (c, i) {
          var v = c.get(t), cls = (c.text ? "text" : "") + (i < 3 ? " s" + i : "") + (c.key === "message" ? " msg" : "");
          if (c.key === "number") return el("td", { class: cls }, [el("a", { href: "/sweeps/" + enc(S.name) + "/trials/" + t.number, text: String(t.number) })]);
          if (c.key === "state") return el("td", { class: cls }, [el("span", { class: "state " + t.state, text: t.state })]);
          return el("td", { class: cls, title: c.key === "message" ? v : null, text: c.show ? c.show(t, v) : typeof v === "number" ? fmt(v) : v });
        }));
      });
      return card("trials", "Trials", [
        el("div", { class: "controls", id: "state-filter" }, buttons),
        el("div", { class: "scroll trials" }, [el("table", { id: "trial-table" }, [el("thead", {}, [head]), el("tbody", {}, rows)])]),
        shown.length > LIMIT ? el("p", { class: "note", text: "Showing the first " + LIMIT + " of " + shown.length + " trials in this order; filter or sort to see others." }) : null,
      ]);
    }

    function metricSelect(value, onchange) {
      var s = el("select", { id: "curve-metric" }, Object.keys(COLUMN).map(function (m) { return el("option", { value: m, text: m }); }));
      s.value = value;
      s.addEventListener("change", function () { onchange(s.value); });
      return s;
    }
    // All trials' curves in one chart: pruned ones grey and dashed with a × where they were stopped; the best thick, on
    // top. Series of one state share a legend entry (click it to hide them); a series' id is its trial.
    function curvesCard(all) {
      var m = view.curveMetric, col = COLUMN[m], b = best(), series = [], crosses = [], present = {};
      var bestName = "best (trial " + (b ? b.number : "–") + ")";
      var order = all.slice().sort(function (a, c) { return (a.state === "pruned" ? 0 : 1) - (c.state === "pruned" ? 0 : 1); });
      order.forEach(function (t) {
        var c = (curves.get(t.id) || []).map(function (p) { return [p[1], finite(p[col])]; });
        if (!c.length) return;
        var isBest = b && t.id === b.id, name = isBest ? bestName : t.state;
        present[name] = true;
        series.push({ type: "line", id: "trial-" + t.number, name: name, data: c, showSymbol: c.length === 1, symbolSize: 5, triggerLineEvent: true,
          color: isBest ? "#e67e22" : COLORS[t.state], z: isBest ? 4 : 2,
          lineStyle: { width: isBest ? 3 : 1.4, type: t.state === "pruned" ? [4, 3] : "solid", opacity: isBest ? 1 : 0.8 } });
        var last = c[c.length - 1];
        if (t.state === "pruned" && last[1] !== null) crosses.push({ value: last, trial: t.number });
      });
      if (crosses.length) series.push({ type: "scatter", id: "pruned-marks", name: "pruned", data: crosses, symbol: CROSS, symbolSize: 9, color: "#6b7480", z: 3 });
      var box = echart("curves-chart", 360, xy({
        title: "all trials' " + m + " by epoch", x: "epoch", y: m, xAxis: { minInterval: 1 },
        legend: [bestName, "completed", "running", "pruned", "failed", "diverged"].filter(function (n) { return present[n]; }),
        tip: function (q) {
          var trial = q.data && q.data.trial !== undefined ? q.data.trial : String(q.seriesId).slice(6), v = q.value || q.data.value;
          return "trial " + esc(trial) + " (" + esc(q.seriesName) + ")" + (v ? "<br>epoch " + v[0] + ": " + esc(m) + " " + fmt(v[1]) : "");
        },
        series: series,
      }));
      return card("curves", "All trials' curves", [
        el("div", { class: "controls" }, ["metric ", metricSelect(m, function (v) { view.curveMetric = v; dirty = true; render(); })]),
        series.length ? box : el("p", { class: "muted", text: "No epoch stored yet." }),
        el("p", { class: "note", text: "Pruned trials are dashed and end in a × where they were stopped. Click a legend entry to hide its trials; hover a line for its trial." }),
      ]);
    }

    // Optimization history: each finished trial's value by trial number (or by finish time), and the best so far.
    function historyCard(all) {
      var byTime = view.historyBy === "time";
      var done = all.filter(function (t) { return (t.state === "completed" || t.state === "pruned") && metricOf(t) !== null; })
        .map(function (t) { return { t: t, x: byTime ? new Date(t.finishedAt || t.startedAt).getTime() / 60000 : t.number, v: metricOf(t) }; })
        .sort(function (a, b) { return a.x - b.x; });
      if (byTime && done.length) { var t0 = done[0].x; done.forEach(function (d) { d.x -= t0; }); }
      var bestSoFar = [], cur = null, dots = new Set(drawn(done)), completed = [], pruned = [];
      done.forEach(function (d) {
        if (d.t.state === "completed" && (cur === null || better(d.v, cur))) { cur = d.v; bestSoFar.push([d.x, cur]); }
        if (dots.has(d)) (d.t.state === "pruned" ? pruned : completed).push({ value: [d.x, d.v], trial: d.t.number });
      });
      // The best so far changes only at a new best: a step at each, then on to the last trial.
      if (bestSoFar.length && done.length) bestSoFar.push([done[done.length - 1].x, cur]);
      var by = el("select", { id: "history-by" }, [el("option", { value: "trial", text: "by trial" }), el("option", { value: "time", text: "by time" })]);
      by.value = view.historyBy;
      by.addEventListener("change", function () { view.historyBy = by.value; dirty = true; render(); });
      var box = echart("history-chart", 320, xy({
        title: "optimization history", x: byTime ? "minutes since the first trial finished" : "trial", y: S.metric,
        xAxis: byTime ? {} : { minInterval: 1 }, legend: ["completed", "pruned (hollow)", "best so far"],
        tip: function (q) { return q.data && q.data.trial !== undefined ? "trial " + q.data.trial + ": " + esc(S.metric) + " " + fmt(q.data.value[1]) : "best so far " + fmt(q.value[1]); },
        series: [
          { type: "scatter", id: "completed", name: "completed", data: completed, symbolSize: 6, color: COLORS.completed },
          { type: "scatter", id: "pruned", name: "pruned (hollow)", data: pruned, symbolSize: 6, color: "#6b7480", itemStyle: { color: "transparent", borderColor: "#6b7480", borderWidth: 1 } },
          { type: "line", id: "best-so-far", name: "best so far", data: bestSoFar, step: "end", showSymbol: false, color: "#e67e22", lineStyle: { width: 2 }, z: 4 },
        ],
      }));
      return card("history", "Optimization history", [el("div", { class: "controls" }, [by]),
        done.length ? box : el("p", { class: "muted", text: "Needs a finished trial." }), drawnNote(dots.size, done.length)]);
    }

    function importanceCard() {
      // A hyperparameter with one value explains nothing: leave it out rather than show 0.000.
      var imp = (S.importance || []).filter(function (i) { return i.etaSquared !== null && i.values > 1; });
      var rows = imp.map(function (i) {
        var few = i.values > 0 && i.trials / i.values < 3;
        return el("tr", {}, [el("td", { class: "text", text: i.hyperparameter }),
          el("td", {}, [el("div", { class: "bar", style: "width:" + Math.round(i.etaSquared * 160) + "px" })]),
          el("td", { text: fmt(i.etaSquared, 3) }), el("td", { text: i.values + " values, " + i.trials + " trials" }),
          el("td", { class: "text note", text: few ? "fewer than 3 trials per value: unreliable" : "" })]);
      });
      return card("importance", "Importance (η² of val_accuracy)", [
        imp.length ? el("div", { class: "scroll" }, [el("table", {}, [el("tbody", {}, rows)])]) : el("p", { class: "muted", text: "Needs completed trials that differ in a hyperparameter." }),
        el("p", { class: "note", text: "The share of val_accuracy's variance explained by each hyperparameter alone, over the completed trials; brought up to date as trials end (at most every 30 s while the sweep runs)." }),
        fanovaPart(),
      ]);
    }

    // η² and fANOVA (a forest: up to a second at 2,000 trials) come on their own route, not with each poll: asked for
    // when the page opens and again when trials have ended since, at most every 30 s while the sweep runs (at once when
    // it is over); the server fits the forest once per change for every page. The card is redrawn when they come.
    var fanova = { ended: null, at: 0, data: null, error: null, asking: false };
    function askImportance() {
      var active = S.counts.running + S.counts.queued > 0 && !S.cancelled;
      if (fanova.asking || fanova.ended === S.counts.ended || (fanova.data && active && Date.now() - fanova.at < 30000)) return;
      var ended = S.counts.ended;
      fanova.asking = true;
      api("/api/sweeps/" + enc(name) + "/fanova").then(function (d) { fanova.data = d; fanova.error = null; S.importance = d.etaSquared; },
        function (e) { fanova.error = e; }).then(function () {
        fanova.asking = false; fanova.ended = ended; fanova.at = Date.now();
        var shown = document.getElementById("importance");
        if (shown) shown.replaceWith(importanceCard());
      });
    }
    function fanovaPart() {
      askImportance();
      var d = fanova.data, box = el("div", { id: "fanova" }, [el("h3", { text: "fANOVA" + (d ? " of " + d.metric : "") })]);
      if (fanova.error) box.appendChild(el("p", { class: "note", text: "fANOVA could not be computed: " + fanova.error.message }));
      else if (!d) box.appendChild(el("p", { class: "muted", text: "Fitting fANOVA's forest…" }));
      else if (!d.importance.length) box.appendChild(el("p", { class: "muted", text: "Needs 2 completed trials that differ in a hyperparameter." }));
      else {
        box.appendChild(el("div", { class: "scroll" }, [el("table", {}, [el("tbody", {}, d.importance.map(function (i) {
          return el("tr", { "data-hyperparameter": i.hyperparameter }, [el("td", { class: "text", text: i.hyperparameter }),
            el("td", {}, [el("div", { class: "bar", style: "width:" + Math.round(i.importance * 160) + "px" })]),
            el("td", { class: "fanova-value", text: fmt(i.importance, 3) })]);
        }))])]));
        box.appendChild(el("p", { class: "note", text: "Each hyperparameter's share of " + d.metric + "'s variance explained by its own marginal in a random forest of "
          + d.trees + " trees (seed " + d.seed + ") over " + (d.trials < d.completed ? "a fixed sample of " + d.trials + " of the " + d.completed : "the " + d.trials)
          + " completed trials, as Optuna's FanovaImportanceEvaluator and the report compute it; shares add up to 1. Unlike η², the other settings are held in the model." }));
      }
      return box;
    }

    // Which hyperparameters vary in this sweep, as slice and parallel-coordinate axes.
    function varying(all) {
      var params = [
        { key: "learningRate", label: "learning rate", log: true }, { key: "batchSize", label: "batch size", cat: true },
        { key: "optimizer", label: "optimizer", cat: true }, { key: "loss", label: "loss function", cat: true },
        { key: "model", label: "model", cat: true }, { key: "epochs", label: "epochs", cat: true }, { key: "seed", label: "seed", cat: true },
      ];
      return params.filter(function (p) {
        p.values = Array.from(new Set(all.map(function (t) { return t[p.key]; }))).sort(function (a, b) { return a < b ? -1 : a > b ? 1 : 0; });
        return p.values.length > 1;
      });
    }
    // What the slice and parallel plots draw, read once per redraw: the completed trials with a score (every), those
    // drawn of them (done) and the hyperparameters that vary (ps).
    function sampled(all) {
      var every = all.filter(function (t) { return t.state === "completed" && metricOf(t) !== null; });
      return { every: every, done: drawn(every), ps: varying(all) };
    }

    // At most DRAWN points per chart (a 10,000-trial sweep would put ~150,000 elements on the page and redraw them at
    // every poll): the best fifth by the metric, then an even sample of the rest by trial number, in trial order.
    var DRAWN = 1000;
    function drawn(list) {
      if (list.length <= DRAWN) return list;
      var ranked = list.slice().sort(function (a, b) { var x = metricOf(a.t || a), y = metricOf(b.t || b); return better(x, y) ? -1 : better(y, x) ? 1 : 0; });
      var keep = new Set(ranked.slice(0, DRAWN / 5)), rest = ranked.slice(DRAWN / 5).sort(function (a, b) { return (a.t || a).number - (b.t || b).number; });
      var step = rest.length / (DRAWN - keep.size);
      for (var i = 0; keep.size < DRAWN && i < rest.length; i += step) keep.add(rest[Math.floor(i)]);
      return list.filter(function (x) { return keep.has(x); });
    }
    function drawnNote(shown, of) {
      return shown < of ? el("p", { class: "note", text: "Drawn: " + shown + " of " + of + " trials (the best fifth and an even sample of the rest)." }) : null;
    }

    function slicesCard(completed) {
      var done = completed.done, ps = completed.ps, ys = done.map(function (t) { return metricOf(t); });
      var charts = ps.map(function (p) {
        // The axis spans every value the sweep tries, not only the completed trials', so the slices line up across
        // updates; categories sit at 0, 1, 2…, each trial spread sideways a little by its number.
        var places = p.values.map(function (_, i) { return i; });
        var xAxis = p.cat ? Object.assign({ min: -0.5, max: p.values.length - 0.5 }, at(places, function (v) { return String(p.values[v]); }, 300))
          : Object.assign({ type: p.log ? "log" : "value" }, p.log ? { min: function (e) { return e.min / 1.6; }, max: function (e) { return e.max * 1.6; } } : {},
            p.values.length <= 8 ? at(p.values, function (v) { return fmt(v); }, 300) : {});   // a log axis padded: no point on the axis line
        var turned = xAxis.axisLabel && xAxis.axisLabel.rotate;
        var data = done.map(function (t, i) {
          var x = p.cat ? p.values.indexOf(t[p.key]) + ((t.number * 7919) % 100 / 100 - 0.5) * 0.3 : t[p.key];
          return { value: [x, ys[i]], trial: t.number, setting: t[p.key] };
        });
        var option = xy({
          title: "slice " + p.label, x: p.label, y: S.metric, xAxis: Object.assign(xAxis, turned ? { nameGap: 86 } : {}),
          tip: function (q) { return "trial " + q.data.trial + ": " + esc(p.label) + " " + esc(q.data.setting) + ", " + esc(S.metric) + " " + fmt(q.data.value[1]); },
          series: [{ type: "scatter", id: "slice", data: data, symbolSize: 6, color: COLORS.completed, itemStyle: { opacity: 0.75 } }],
        });
        // Turned labels take the room below the axis; its name goes under them.
        if (turned) option.grid.bottom = 104;
        return el("div", { class: "slice", "data-param": p.key }, [echart("slice-" + p.key, turned ? 300 : 250, option)]);
      });
      return card("slices", "Slice plots", [
        charts.length && done.length ? el("div", { class: "slices" }, charts) : el("p", { class: "muted", text: "Needs completed trials and a hyperparameter that varies." }),
        drawnNote(done.length, completed.every.length),
      ]);
    }

    // Learning rate × batch size: the mean metric of the completed trials in each cell, over every other setting.
    function heatmapCard(all, done) {
      var lrs = Array.from(new Set(all.map(function (t) { return t.learningRate; }))).sort(function (a, b) { return a - b; });
      var bss = Array.from(new Set(all.map(function (t) { return t.batchSize; }))).sort(function (a, b) { return a - b; });
      var cells = {}, values = [];
      done.forEach(function (t) { var k = t.learningRate + "|" + t.batchSize; (cells[k] = cells[k] || []).push(metricOf(t)); });
      Object.keys(cells).forEach(function (k) { var v = cells[k]; cells[k] = { mean: v.reduce(function (a, b) { return a + b; }, 0) / v.length, n: v.length }; values.push(cells[k].mean); });
      var lo = Math.min.apply(null, values), hi = Math.max.apply(null, values);
      function shade(v) { var t = hi > lo ? (v - lo) / (hi - lo) : 1; return S.higherIsBetter ? t : 1 - t; }
      var rows = bss.map(function (b) {
        return el("tr", {}, [el("th", { class: "row", text: String(b) })].concat(lrs.map(function (lr) {
          var c = cells[lr + "|" + b];
          if (!c) return el("td", { class: "note", text: "–" });
          var t = shade(c.mean);
          return el("td", { style: "background:" + ramp(t) + ";color:" + inkOn(t), title: c.n + " trial(s)", text: fmt(c.mean, 4) });
        })));
      });
      return card("heatmap", "Learning rate × batch size", [
        done.length ? el("div", { class: "scroll" }, [el("table", { class: "heat" }, [
          el("thead", {}, [el("tr", {}, [el("th", { class: "row", text: "batch \\ lr" })].concat(lrs.map(function (lr) { return el("th", { text: fmt(lr) }); })))]),
          el("tbody", {}, rows)])]) : el("p", { class: "muted", text: "Needs completed trials." }),
        done.length ? el("p", { class: "note", text: "Mean " + S.metric + " of the completed trials per cell; colours span " + fmt(lo, 4) + " to " + fmt(hi, 4) + " (the data, not 0–1)." }) : null,
      ]);
    }

    // Parallel coordinates: one axis per varying hyperparameter and the metric; one line per completed trial, coloured
    // from the worst to the best, the best drawn last (on top). Drag along an axis to keep only the trials in a range.
    function parallelCard(completed) {
      var every = completed.every, done = completed.done, ps = completed.ps;
      if (!done.length || !ps.length) return card("parallel", "Parallel coordinates", [el("p", { class: "muted", text: "Needs completed trials and a hyperparameter that varies." })]);
      var ys = done.map(function (t) { return metricOf(t); }), lo = Math.min.apply(null, ys), hi = Math.max.apply(null, ys);
      var rows = done.map(function (t, i) { return ps.map(function (p) { return p.cat ? String(t[p.key]) : t[p.key]; }).concat([ys[i]]); })
        .sort(function (a, b) { var x = a[ps.length], y = b[ps.length]; return better(x, y) ? 1 : better(y, x) ? -1 : 0; });
      // Each axis's labels wrap within the room to the next axis (the card is the page's width), never over it.
      var room = Math.max(60, ((app.clientWidth || 1200) - 230) / Math.max(ps.length, 1)) - 14;
      var axes = ps.map(function (p, k) {
        // By id, so a range dragged on an axis is put back after a redraw.
        return p.cat ? { id: "axis-" + p.key, dim: k, name: p.label, type: "category", data: p.values.map(String), axisLabel: { width: room, overflow: "breakAll" } }
          : Object.assign({ id: "axis-" + p.key, dim: k, name: p.label, type: p.log ? "log" : "value", scale: true }, p.values.length <= 8 ? at(p.values, function (v) { return fmt(v); }) : {});
      }).concat([{ id: "axis-metric", dim: ps.length, name: S.metric, type: "value", scale: true, axisLabel: { formatter: function (v) { return fmt(v); } } }]);
      var box = echart("parallel-chart", 360, {
        animation: false, textStyle: { fontFamily: FONT }, aria: { enabled: true, label: { description: "parallel coordinates" } },
        parallel: { left: 40, right: 130, top: 36, bottom: 24, parallelAxisDefault: { nameGap: 12, nameTextStyle: { fontSize: 12 } } },
        parallelAxis: axes,
        visualMap: { type: "continuous", dimension: ps.length, min: lo, max: hi === lo ? lo + 1e-9 : hi, right: 0, top: "middle", itemHeight: 180,
          precision: 4, calculable: false, inRange: { color: S.higherIsBetter ? VIRIDIS : VIRIDIS.slice().reverse() } },
        series: [{ type: "parallel", id: "trials", data: rows, lineStyle: { width: 1.3, opacity: 0.8 }, inactiveOpacity: 0.04, activeOpacity: 1 }],
      });
      return card("parallel", "Parallel coordinates", [box,
        el("p", { class: "note", text: "Colour: " + S.metric + ", from the worst (dark) to the best (yellow) completed trial, the best on top. Drag along an axis to keep only the trials in that range." }),
        drawnNote(done.length, every.length)]);
    }

    reload().then(schedule, function (e) { fail(e); });
  }

  // ---- a trial ----
  function trialPage() {
    var name = body.dataset.sweep, number = body.dataset.trial, timer = null;
    function chart(id, curve, cols, labels, title, yLabel) {
      var colors = ["#2f6fdf", "#e67e22"];
      return echart(id, 290, xy({
        title: title, x: "epoch", y: yLabel, xAxis: { minInterval: 1 }, legend: labels,
        tip: function (q) { return esc(q.seriesName) + " at epoch " + q.value[0] + ": " + fmt(q.value[1]); },
        series: cols.map(function (c, i) {
          return { type: "line", id: labels[i], name: labels[i], color: colors[i], symbolSize: 6, lineStyle: { width: 2 },
            data: curve.map(function (p) { return [p[1], finite(p[c])]; }) };
        }),
      }));
    }
    function confusion(ev) {
      var max = 0;
      ev.confusion.forEach(function (row) { var s = row.reduce(function (a, b) { return a + b; }, 0); row.forEach(function (v) { max = Math.max(max, s ? v / s : 0); }); });
      var head = el("tr", {}, [el("th", { class: "row", text: "actual \\ predicted" })].concat(ev.classNames.map(function (c) { return el("th", { text: c }); })));
      var rows = ev.confusion.map(function (row, i) {
        var s = row.reduce(function (a, b) { return a + b; }, 0);
        return el("tr", {}, [el("th", { class: "row", text: ev.classNames[i] })].concat(row.map(function (v, j) {
          var t = s ? v / s : 0;
          return el("td", { class: i === j ? "diag" : null, style: "background:" + ramp(t) + ";color:" + inkOn(t), title: ev.classNames[i] + " → " + ev.classNames[j] + ": " + v, text: String(v) });
        })));
      });
      return el("div", { class: "scroll cm-wrap" }, [el("table", { class: "cm", id: "confusion" }, [el("thead", {}, [head]), el("tbody", {}, rows)])]);
    }
    function perClass(ev) {
      var rows = ev.classes.map(function (c) {
        return el("tr", {}, [el("td", { class: "text", text: c.name }), el("td", { text: fmt(c.precision, 3) }), el("td", { text: fmt(c.recall, 3) }),
          el("td", { text: fmt(c.f1, 3) }), el("td", { text: String(c.support) }), el("td", { text: String(c.predicted) })]);
      });
      rows.push(el("tr", {}, [el("td", { class: "text", text: "macro average" }), el("td", { text: fmt(ev.macroPrecision, 3) }),
        el("td", { text: fmt(ev.macroRecall, 3) }), el("td", { text: fmt(ev.macroF1, 3) }), el("td", { text: String(ev.total) }), el("td", { text: "" })]));
      return el("div", { class: "scroll" }, [el("table", { id: "per-class" }, [el("thead", {}, [el("tr", {}, ["class", "precision", "recall", "F1", "images", "predicted"].map(function (h, i) { return el("th", { class: i ? null : "text", text: h }); }))]), el("tbody", {}, rows)])]);
    }
    function draw(d) {
      var t = d.trial, base = "/api/sweeps/" + enc(name) + "/trials/" + t.number;
      app.textContent = "";
      app.appendChild(card("trial", "", [
        el("p", {}, [el("a", { href: "/sweeps/" + enc(name), text: "← " + name })]),
        el("h1", { text: "Trial " + t.number }), el("span", { class: "state " + t.state, text: t.state }),
        el("div", { class: "facts" }, [["optimizer", t.optimizer], ["loss function", t.loss], ["learning rate", fmt(t.learningRate)], ["batch size", t.batchSize],
          ["epochs", d.curve.length + " / " + t.epochs], ["model", t.model], ["seed", t.seed], ["started", time(t.startedAt)], ["finished", time(t.finishedAt)]]
          .map(function (f) { return el("span", {}, [f[0] + " ", el("b", { text: String(f[1]) })]); })),
        t.message ? el("p", { class: "note", text: t.message }) : null,
        d.attempts ? el("p", { class: "note", text: "Attempts: " + d.attempts }) : null,
        el("p", { class: "downloads" }, [el("a", { href: base + "/epochs.csv", download: "", text: "epochs.csv" }),
          d.canExportPiximi ? el("a", { href: base + "/model_hyperparameters.json", download: "", text: "Piximi model_hyperparameters.json" }) : null,
          d.hasModel ? el("a", { href: base + "/model.zip", download: "", text: "trained model for Piximi (.zip)" }) : null]),
      ]));
      app.appendChild(card("trial-curves", "Curves", [d.curve.length ? el("div", { class: "grid2" }, [
        chart("trial-loss", d.curve, [2, 4], ["loss", "val_loss"], "loss", "loss"), chart("trial-accuracy", d.curve, [3, 5], ["accuracy", "val_accuracy"], "accuracy", "accuracy")])
        : el("p", { class: "muted", text: "No epoch stored yet." })]));
      var ev = d.evaluation;
      app.appendChild(card("evaluation", "Confusion matrix (validation)", [ev ? confusion(ev) : el("p", { class: "muted", text: "Stored when a trial completes." }),
        ev ? el("p", { class: "note", text: "Rows: actual class; columns: predicted; colour: the share of the row; outlined: correct." }) : null]));
      app.appendChild(card("classes", "Per-class metrics", [ev ? perClass(ev) : el("p", { class: "muted", text: "Stored when a trial completes." })]));
      drawCharts();
      navTo([["trial-curves", "Curves"], ["evaluation", "Confusion matrix"], ["classes", "Per class"]]);
      clearTimeout(timer);
      if (t.state === "running" || t.state === "queued") timer = setTimeout(load, 2000);
    }
    function load() { api("/api/sweeps/" + enc(name) + "/trials/" + enc(number)).then(draw, fail); }
    load();
  }

  var page = body.dataset.page;
  if (page === "sweeps") sweepsPage();
  else if (page === "sweep") sweepPage();
  else if (page === "trial") trialPage();
})();
