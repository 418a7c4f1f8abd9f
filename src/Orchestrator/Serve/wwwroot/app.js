// The live view's pages. Every string from the store is written with textContent (never innerHTML),
// so a sweep name, failure reason, sample or probe character shows as text, whatever it holds.
"use strict";
(() => {
  const page = document.body.dataset.page;
  const subject = document.body.dataset.subject;
  const main = document.getElementById("main");
  const errorBox = document.getElementById("error");
  const live = document.getElementById("live");
  const palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];

  // ---- small DOM helpers -------------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }
  const link = (href, text, attrs) => el("a", Object.assign({ href }, attrs || {}), text);
  const sweepHref = name => "/sweep/" + encodeURIComponent(name);
  const trialHref = id => "/trial/" + encodeURIComponent(id);
  const num = (v, digits = 4) => (v === null || v === undefined ? "–" : Number(v).toFixed(digits));
  const rate = v => (v === null || v === undefined ? "–" : Math.round(v).toLocaleString("en-US"));
  function duration(s) {
    if (s === null || s === undefined) return "–";
    s = Math.round(s);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : m > 0 ? `${m}m${String(sec).padStart(2, "0")}s` : `${sec}s`;
  }

  async function getJson(url) {
    let response;
    try {
      response = await fetch(url, { headers: { Accept: "application/json" } });
    } catch (e) {
      throw new Error("the server does not answer (stopped?): " + e.message);
    }
    const body = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
    if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
    return body;
  }
  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
    live.textContent = message ? "not updating" : "live · " + new Date().toLocaleTimeString();
    live.classList.toggle("stale", !!message);
  }
  // Runs `step` now and then every `ms`, one at a time; errors are shown in the page and polling goes on.
  function poll(step, ms) {
    const tick = async () => {
      try {
        await step();
        showError("");
      } catch (e) {
        showError(e.message);
      }
      setTimeout(tick, ms);
    };
    tick();
  }
  function replace(node, content) {
    node.replaceChildren(...[content].flat(Infinity).filter(Boolean));
  }

  // ---- curves: incremental, per (trial, metric) ---------------------------------------------------
  const METRICS = [
    { name: "train_loss", title: "training loss per step", x: "step" },
    { name: "val_loss", title: "validation loss per epoch", x: "epoch" },
    { name: "val_error", title: "validation error per epoch", x: "epoch" },
  ];
  const MAX_POINTS = 2000; // a page keeps at most about this many points per curve; more → ask anew (thinned by the server)

  class Curves {
    constructor(container) {
      this.container = container;
      this.series = new Map(); // "trial\u0000metric" -> {trial, metric, last, xs, ys}
      this.trials = [];
      this.labels = new Map();
      this.charts = new Map();
    }
    setTrials(trials, labels) {
      const ids = trials.join(",");
      this.labels = labels;
      if (ids === this.trials.join(",")) return;
      this.trials = trials.slice();
      for (const key of [...this.series.keys()]) if (!this.trials.includes(key.split("\u0000")[0])) this.series.delete(key);
      this.rebuild();
    }
    key(trial, metric) {
      return trial + "\u0000" + metric;
    }
    // One request at a time: two at once would both ask after the same step and add its points twice.
    update() {
      if (!this.inflight) this.inflight = this.fetchNew().finally(() => { this.inflight = null; });
      return this.inflight;
    }
    async fetchNew() {
      if (this.trials.length === 0) return;
      const asks = [];
      for (const t of this.trials)
        for (const m of METRICS) {
          const s = this.series.get(this.key(t, m.name));
          asks.push("c=" + encodeURIComponent(`${t}:${m.name}:${s ? s.last : -1}`));
        }
      const body = await getJson("/api/curves?" + asks.join("&"));
      let changed = false;
      for (const c of body.curves) {
        const key = this.key(c.trial, c.metric);
        if (!this.trials.includes(c.trial)) continue;
        let s = this.series.get(key);
        if (!s) this.series.set(key, (s = { trial: c.trial, metric: c.metric, last: -1, xs: [], ys: [] }));
        const byEpoch = METRICS.find(m => m.name === c.metric).x === "epoch";
        for (const [step, epoch, value] of c.points) {
          s.xs.push(byEpoch ? epoch : step);
          s.ys.push(value);
        }
        if (c.points.length > 0) changed = true;
        s.last = c.last;
        if (s.xs.length > MAX_POINTS) this.series.delete(key); // asked again, thinned, next time
      }
      if (changed) this.draw();
    }
    rebuild() {
      for (const chart of this.charts.values()) chart.plot && chart.plot.destroy();
      this.charts.clear();
      const boxes = METRICS.map(m => {
        const box = el("figure", { class: "chart", "data-chart": m.name, "data-points": 0 }, el("figcaption", { text: m.title }));
        this.charts.set(m.name, { box, plot: null });
        return box;
      });
      replace(this.container, this.trials.length ? boxes : el("p", { class: "muted", text: "no trials chosen: tick some in the table to plot them" }));
      this.draw();
    }
    draw() {
      const width = Math.max(300, Math.min(560, Math.floor(((this.container.clientWidth || 1240) - 60) / 3)));
      for (const m of METRICS) {
        const chart = this.charts.get(m.name);
        if (!chart) continue;
        const tables = [], series = [{ label: m.x }];
        let points = 0;
        this.trials.forEach((t, i) => {
          const s = this.series.get(this.key(t, m.name)) || { xs: [], ys: [] };
          tables.push([s.xs, s.ys]);
          points += s.xs.length;
          series.push({ label: this.labels.get(t) || t, stroke: palette[i % palette.length], width: 1.5, spanGaps: true, points: { show: m.x === "epoch" } });
        });
        chart.box.dataset.points = points;
        const data = tables.length ? uPlot.join(tables) : [[]];
        if (chart.plot && chart.plot.series.length === series.length) {
          chart.plot.setData(data);
        } else {
          if (chart.plot) chart.plot.destroy();
          chart.box.style.width = width + 10 + "px";
          const x = m.x === "epoch" ? { label: m.x, incrs: [1, 2, 5, 10, 20, 50, 100] } : { label: m.x };
          chart.plot = new uPlot({ width, height: 220, series, scales: { x: { time: false } }, axes: [x, {}], legend: { live: false } }, data, chart.box);
        }
      }
    }
  }

  // ---- tables -------------------------------------------------------------------------------------
  // A sortable, filterable table of rows; columns: {title, value(row) for sorting, cell(row) -> Node|string}.
  class Table {
    constructor(columns, rowAttrs) {
      this.columns = columns;
      this.rowAttrs = rowAttrs;
      this.sortBy = null;
      this.descending = false;
      this.filter = "";
      this.rows = [];
      this.tbody = el("tbody");
      this.node = el("table", { class: "grid" }, el("thead", {}, el("tr", {}, columns.map((c, i) =>
        el("th", { class: c.value ? "sortable" : null, title: c.value ? "sort" : null, onclick: c.value ? () => this.sort(i) : null }, c.title)))), this.tbody);
    }
    sort(i) {
      this.descending = this.sortBy === i ? !this.descending : false;
      this.sortBy = i;
      this.render();
    }
    setRows(rows) {
      this.rows = rows;
      this.render();
    }
    setFilter(text) {
      this.filter = text.toLowerCase();
      this.render();
    }
    render() {
      let rows = this.rows;
      if (this.filter) rows = rows.filter(r => this.columns.some(c => c.value && String(c.value(r) ?? "").toLowerCase().includes(this.filter)));
      if (this.sortBy !== null) {
        const v = this.columns[this.sortBy].value, sign = this.descending ? -1 : 1;
        rows = rows.slice().sort((a, b) => {
          const x = v(a), y = v(b);
          if (x === y) return 0;
          if (x === null || x === undefined) return 1;
          if (y === null || y === undefined) return -1;
          return (x < y ? -1 : 1) * sign;
        });
      }
      replace(this.tbody, rows.map(r => el("tr", this.rowAttrs(r), this.columns.map(c => el("td", { class: c.class || null }, c.cell(r))))));
    }
  }

  function progressBar(done, failed, total) {
    const bar = el("span", { class: "bar", title: `${done} completed, ${failed} failed of ${total}` });
    bar.append(el("span", { class: "done" }), el("span", { class: "failed" }));
    bar.children[0].style.width = total ? (100 * done) / total + "%" : "0";
    bar.children[1].style.width = total ? (100 * failed) / total + "%" : "0";
    return bar;
  }

  // ---- home ---------------------------------------------------------------------------------------
  function home() {
    const table = new Table([
      { title: "sweep", value: s => s.name, cell: s => link(sweepHref(s.name), s.name) },
      { title: "progress", value: s => (s.completed + s.failed) / Math.max(1, s.total), cell: s => progressBar(s.completed, s.failed, s.total) },
      { title: "completed", value: s => s.completed, cell: s => `${s.completed} / ${s.total}`, class: "num" },
      { title: "running", value: s => s.running, cell: s => s.running, class: "num" },
      { title: "pending", value: s => s.pending, cell: s => s.pending, class: "num" },
      { title: "failed", value: s => s.failed, cell: s => s.failed, class: "num" },
      { title: "elapsed", value: s => s.elapsed_seconds, cell: s => duration(s.elapsed_seconds), class: "num" },
      { title: "ETA", value: s => s.eta_seconds, cell: s => (s.active ? duration(s.eta_seconds) : "–"), class: "num" },
      { title: "best so far", value: s => s.best && s.best.val_loss, cell: s => s.best ? [link(trialHref(s.best.trial_id), s.best.label), ` val loss ${num(s.best.val_loss)}`] : "–" },
      { title: "state", value: s => (s.active ? "running" : "idle"), cell: s => el("span", { class: s.active ? "badge running" : "badge", text: s.active ? "running" : "idle" }) },
    ], s => ({ "data-sweep": s.name }));
    replace(main, [el("h1", { text: "Sweeps" }), table.node]);
    poll(async () => table.setRows(await getJson("/api/sweeps")), 2000);
  }

  // ---- a sweep ------------------------------------------------------------------------------------
  function sweep(name) {
    const params = new URLSearchParams(location.search);
    // Without ?plot= (or a tick) the chart follows the first six trials that started, so running ones appear as they start.
    let follow = !params.has("plot");
    let chosen = follow ? [] : params.get("plot").split(",").filter(Boolean);
    const labels = new Map();
    const header = el("section", { class: "summary" });
    const charts = el("section", { class: "charts" });
    const curves = new Curves(charts);
    const filter = el("input", { type: "search", placeholder: "filter trials (id, grid value, state, failure…)", "aria-label": "filter trials" });
    const heat = el("section", { class: "heatmaps" });
    const reports = el("section", { class: "reports" });
    const choose = (id, on) => {
      const set = new Set(chosen);
      on ? set.add(id) : set.delete(id);
      follow = false;
      chosen = [...set];
      const url = new URL(location.href);
      url.searchParams.set("plot", chosen.join(","));
      history.replaceState(null, "", url);
      curves.setTrials(chosen, labels);
      curves.update().catch(e => showError(e.message));
    };
    let gridKeys = [];
    const table = new Table([
      { title: "plot", cell: t => el("input", { type: "checkbox", "aria-label": "plot " + t.trial_id, checked: curves.trials.includes(t.trial_id), onchange: e => choose(t.trial_id, e.target.checked) }) },
      { title: "trial", value: t => t.trial_id, cell: t => link(trialHref(t.trial_id), t.trial_id, { class: "mono" }) },
      { title: "grid", value: t => t.label, cell: t => t.label },
      { title: "state", value: t => t.state, cell: t => el("span", { class: "badge " + t.state, text: t.state }), class: "state" },
      { title: "attempt", value: t => t.attempt, cell: t => t.attempt, class: "num" },
      { title: "epoch", value: t => t.epoch, cell: t => `${t.epoch}/${t.epochs}`, class: "num" },
      { title: "step", value: t => t.step, cell: t => t.step, class: "num" },
      { title: "best val loss", value: t => t.best_val_loss, cell: t => (t.best_val_loss === null ? "–" : `${num(t.best_val_loss)} (ep ${t.best_epoch})`), class: "num" },
      { title: "chars/s", value: t => t.chars_per_sec, cell: t => rate(t.chars_per_sec), class: "num" },
      { title: "where", value: t => t.where, cell: t => t.where || "–" },
      { title: "failure", value: t => [t.failure_kind, t.failure].filter(Boolean).join(": "), cell: t => !t.failure ? "" : t.failure_kind && !t.failure.startsWith(t.failure_kind) ? [el("b", { text: t.failure_kind }), " ", t.failure] : t.failure, class: "failure" },
    ], t => ({ "data-trial": t.trial_id, "data-state": t.state }));
    filter.addEventListener("input", () => table.setFilter(filter.value));
    replace(main, [
      el("h1", {}, "Sweep ", el("span", { class: "subject", text: name })),
      header,
      el("h2", { text: "Curves" }), charts,
      el("h2", { text: "Trials" }), filter, table.node,
      el("h2", { text: "Best validation loss: hidden × seq_len" }), heat,
      reports,
    ]);
    let first = true;
    let shown = ""; // the trials as last drawn: a sweep whose rows did not change is not drawn again
    poll(async () => {
      const s = await getJson("/api/sweeps/" + encodeURIComponent(name));
      const sum = s.summary;
      for (const t of s.trials) labels.set(t.trial_id, t.label);
      gridKeys = s.grid_keys;
      if (first) document.title = `sweep ${sum.name} · orchestrator`;
      first = false;
      if (follow) {
        const started = s.trials.filter(t => t.state !== "pending");
        chosen = (started.length ? started : s.trials).slice(0, 6).map(t => t.trial_id);
      }
      curves.setTrials(chosen, labels);
      const curvesDrawn = curves.update(); // asked now, drawn when it comes: the table is built meanwhile
      replace(header, [
        progressBar(sum.completed, sum.failed, sum.total),
        el("span", { class: "counts" },
          el("span", { id: "count-completed", text: sum.completed }), " completed · ",
          el("span", { id: "count-running", text: sum.running }), " running · ",
          el("span", { id: "count-pending", text: sum.pending }), " pending · ",
          el("span", { id: "count-failed", text: sum.failed }), ` failed (of ${sum.total})`),
        el("span", { text: ` · elapsed ${duration(sum.elapsed_seconds)}` + (sum.active ? ` · ETA ${duration(sum.eta_seconds)}` : "") }),
        sum.best ? el("span", {}, " · best ", link(trialHref(sum.best.trial_id), sum.best.label), ` (${num(sum.best.val_loss)})`) : null,
        el("span", { class: sum.active ? "badge running" : "badge", text: sum.active ? "running" : "idle" }),
      ]);
      const rows = JSON.stringify(s.trials) + JSON.stringify(s.report_files);
      if (rows !== shown) {
        shown = rows;
        table.setRows(s.trials);
        replace(heat, heatmaps(s.trials, gridKeys));
        replace(reports, s.report_files.length ? [el("h2", { text: "Report" }), el("ul", {}, s.report_files.map(f =>
          el("li", {}, link(`/reports/${encodeURIComponent(name)}/${f.split("/").map(encodeURIComponent).join("/")}`, f))))] : []);
      }
      await curvesDrawn;
    }, 1000);
  }

  // One table per cell type: rows hidden, columns seq_len, each cell the best validation loss (darker: lower).
  function heatmaps(trials, gridKeys) {
    const hKey = gridKeys.find(k => k.endsWith(".hidden")), sKey = gridKeys.find(k => k.endsWith(".seq_len"));
    if (!hKey || !sKey) return el("p", { class: "muted", text: "the grid does not vary both hidden and seq_len" });
    const cKey = gridKeys.find(k => k.endsWith(".cell"));
    const cells = [...new Set(trials.map(t => (cKey ? t.grid[cKey] : "all")))];
    const hs = [...new Set(trials.map(t => t.grid[hKey]))].sort((a, b) => a - b);
    const ss = [...new Set(trials.map(t => t.grid[sKey]))].sort((a, b) => a - b);
    const losses = trials.map(t => t.best_val_loss).filter(v => v !== null);
    const lo = Math.min(...losses), hi = Math.max(...losses);
    return cells.map(cell => {
      const best = (h, s) => {
        const vs = trials.filter(t => (!cKey || t.grid[cKey] === cell) && t.grid[hKey] === h && t.grid[sKey] === s && t.best_val_loss !== null).map(t => t.best_val_loss);
        return vs.length ? Math.min(...vs) : null;
      };
      return el("table", { class: "heat" },
        el("caption", { text: String(cell) }),
        el("tr", {}, el("th", { text: "hidden \\ seq_len" }), ss.map(s => el("th", { text: s }))),
        hs.map(h => el("tr", {}, el("th", { text: h }), ss.map(s => {
          const v = best(h, s);
          const td = el("td", { text: v === null ? "–" : num(v, 3) });
          if (v !== null) {
            const f = hi > lo ? (v - lo) / (hi - lo) : 0;
            td.style.background = `hsl(210, 70%, ${35 + 55 * f}%)`;
            td.style.color = f < 0.5 ? "#fff" : "#000";
          }
          return td;
        }))));
    });
  }

  // ---- a trial ------------------------------------------------------------------------------------
  function trial(id) {
    const charts = el("section", { class: "charts" });
    const curves = new Curves(charts);
    const details = el("section");
    replace(main, [el("h1", {}, "Trial ", el("span", { class: "subject mono", text: id })), el("h2", { text: "Curves" }), charts, details]);
    curves.setTrials([id], new Map([[id, id]]));
    poll(async () => {
      const t = await getJson("/api/trials/" + encodeURIComponent(id));
      const p = t.place;
      replace(details, [
        el("p", {}, "in ", t.sweeps.map((s, i) => [i ? ", " : "", link(sweepHref(s), s)]), " · ",
          el("span", { class: "badge " + t.state, text: t.state }), ` · attempt ${t.attempt} · epoch ${t.epoch} · step ${t.step}`),
        t.failure ? el("div", { class: "failure-box" }, el("b", { text: (t.failure_kind || "failed") + ": " }), el("span", { class: "failure", text: t.failure })) : null,
        el("h2", { text: "Where it ran" }),
        el("table", { class: "kv" }, [["host", p.host], ["device", p.device], ["GPU", p.gpu_name], ["libtorch", p.libtorch_version], ["CUDA", p.cuda_version], ["parameters", p.params && p.params.toLocaleString("en-US")]]
          .map(([k, v]) => el("tr", {}, el("th", { text: k }), el("td", { text: v ?? "–" })))),
        el("h2", { text: "Attempts" }),
        el("table", { class: "grid" }, el("tr", {}, ["#", "owner", "started", "ended", "exit", "outcome", "failure", "reason", "slurm job", "CUDA_VISIBLE_DEVICES"].map(h => el("th", { text: h }))),
          t.attempts.map(a => el("tr", {}, [a.attempt, a.owner, a.started_at, a.ended_at, a.exit_code, a.outcome, a.failure_kind, a.reason, a.slurm_job, a.cuda_visible_devices].map(v => el("td", { text: v ?? "" }))))),
        t.attempts.filter(a => a.stderr_tail).map(a => el("details", {}, el("summary", { text: `stderr tail of attempt ${a.attempt}` }), el("pre", { text: a.stderr_tail }))),
        el("h2", { text: "Checkpoints and the probe's top predictions" }),
        el("table", { class: "grid" }, el("tr", {}, ["checkpoint", "epoch", "step", "bytes", "probe", "predicted", "top"].map(h => el("th", { text: h }))),
          t.checkpoints.map(c => el("tr", {}, el("td", { text: c.name }), el("td", { text: c.epoch }), el("td", { text: c.step }), el("td", { text: c.bytes.toLocaleString("en-US") }),
            el("td", { class: "mono", text: c.probes.map(p => JSON.stringify(p.input)).join(" ") }),
            el("td", { class: "mono", text: c.probes.map(p => JSON.stringify(p.predicted)).join(" ") }),
            el("td", { class: "mono", text: c.probes.map(p => (p.top || []).map(x => `${JSON.stringify(x.char)} ${num(x.p, 3)}`).join(", ")).join(" | ") })))),
        el("h2", { text: "Samples" }),
        t.samples.length ? t.samples.map(s => el("figure", { class: "sample" },
          el("figcaption", { text: `${s.checkpoint} · prime ${JSON.stringify(s.prime)} · ${s.length} chars · temperature ${s.temperature} · top-k ${s.top_k} · seed ${s.seed}` }),
          el("pre", { class: "sample-text", text: s.text }))) : el("p", { class: "muted", text: "no samples yet" }),
        el("h2", { text: "Layers" }),
        el("table", { class: "grid" }, el("tr", {}, ["layer", "type", "output shape", "parameters"].map(h => el("th", { text: h }))),
          t.architecture.map(a => el("tr", {}, [a.layer, a.type, a.output_shape, a.params.toLocaleString("en-US")].map(v => el("td", { text: v }))))),
        el("h2", { text: "Config" }),
        el("pre", { text: JSON.stringify(t.config, null, 2) }),
      ]);
      await curves.update();
    }, 2000);
  }

  // ---- compare ------------------------------------------------------------------------------------
  function compare() {
    const params = new URLSearchParams(location.search);
    let chosen = (params.get("trials") || "").split(",").filter(Boolean);
    const labels = new Map(chosen.map(t => [t, t]));
    const charts = el("section", { class: "charts" });
    const curves = new Curves(charts);
    const picker = el("section", { class: "picker" });
    replace(main, [el("h1", { text: "Compare trials" }), el("p", { class: "muted", text: "Tick trials of any sweep; the URL keeps the choice, to bookmark or share." }), charts, picker]);
    const apply = () => {
      const url = new URL(location.href);
      url.searchParams.set("trials", chosen.join(","));
      history.replaceState(null, "", url);
      curves.setTrials(chosen, labels);
    };
    apply();
    (async () => {
      const sweeps = await getJson("/api/sweeps");
      for (const s of sweeps) {
        const page = await getJson("/api/sweeps/" + encodeURIComponent(s.name));
        for (const t of page.trials) if (!labels.has(t.trial_id) || labels.get(t.trial_id) === t.trial_id) labels.set(t.trial_id, `${s.name}: ${t.label}`);
        picker.append(el("details", { open: sweeps.length <= 3 }, el("summary", {}, link(sweepHref(s.name), s.name), ` (${page.trials.length} trials)`),
          el("ul", { class: "pick" }, page.trials.map(t => el("li", {}, el("label", {},
            el("input", { type: "checkbox", checked: chosen.includes(t.trial_id), onchange: e => {
              chosen = e.target.checked ? [...new Set([...chosen, t.trial_id])] : chosen.filter(x => x !== t.trial_id);
              apply();
            } }), ` ${t.label} `, el("span", { class: "mono muted", text: t.trial_id })))))));
      }
      curves.labels = labels;
      curves.rebuild(); // the legends name the trials by sweep and grid now
    })().catch(e => showError(e.message));
    poll(() => curves.update(), 2000);
  }

  ({ home, sweep, trial, compare })[page](subject);
})();
