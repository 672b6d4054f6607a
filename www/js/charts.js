// The charts panel, drawn with uPlot from the store's curves: d loss, g loss, FID (with the real-data
// reference), any diagnostic compared across lanes, and steps/s. Options: one shared axis or one chart
// per lane (objectives' losses differ in scale), exponential smoothing with the raw curve faint behind,
// an asinh ("log") loss scale that keeps negative losses; CSV export of every curve.
import { Plot } from './plot.js';
import { objectiveInfo } from './store.js';
import { download } from './timelapse-ui.js';
import { smooth, lossPoints, diagnosticPoints, curvesCsv } from './curves.js';

const REDRAW_MS = 250;
const $ = (id) => document.getElementById(id);

/** A chart box holding one plot (shared axis) or one per lane (small multiples). */
class Chart {
  constructor(container, options) {
    Object.assign(this, { container, options, plots: [] });
  }

  /** `groups`: [{title?, curves}] — one group per plot. */
  draw(groups) {
    while (this.plots.length > groups.length) this.plots.pop().container.remove();
    while (this.plots.length < groups.length) {
      const box = document.createElement('div');
      box.className = 'plot';
      this.container.append(box);
      const heading = document.createElement('p');
      heading.className = 'plot-title';
      box.append(heading);
      const plot = new Plot(box, this.options);
      plot.heading = heading;
      this.plots.push(plot);
    }
    groups.forEach((g, i) => {
      this.plots[i].heading.textContent = g.title ?? '';
      this.plots[i].heading.hidden = !g.title;
      this.plots[i].draw(g.curves);
    });
  }

  /** Points drawn (tests read it through the page). */
  count() {
    return this.plots.reduce((n, p) => n + (p.plot ? p.plot.data.slice(1).flat().filter((v) => v !== null).length : 0), 0);
  }
}

export function mountCharts(store) {
  const { state } = store;
  const view = { scale: 'shared', smoothing: 0.6, log: false, diagnostic: 'g_grad_norm' };
  const evalNote = () => `first measurement at step ${state.page.evalEvery ?? 200}`;
  const charts = {
    d: new Chart($('d-loss-chart'), { yLabel: 'd loss', empty: 'waiting for the first step' }),
    g: new Chart($('g-loss-chart'), { yLabel: 'g loss', empty: 'waiting for the first step' }),
    fid: new Chart($('fid-chart'), { yLabel: 'FID', distr: 3, get empty() { return evalNote(); } }),
    diag: new Chart($('diag-chart'), { yLabel: 'value', empty: 'waiting for the first step' }),
    rate: new Chart($('rate-chart'), { yLabel: 'steps/s', empty: 'shown while training runs' }),
  };
  const rates = new Map(); // lane id → [[step, steps/s]]

  const label = (lane) => `lane ${state.lanes.indexOf(lane) + 1}`;
  /** Curves of one quantity for `lanes`: each lane's smoothed curve, with the raw one faint behind it. */
  const laneCurves = (lanes, pointsOf, smoothing) => lanes.flatMap((lane) => {
    const raw = pointsOf(lane);
    if (smoothing === 0) return [{ label: label(lane), color: lane.color, points: raw }];
    return [{ label: `${label(lane)} raw`, color: lane.color, points: raw, faint: true }, { label: label(lane), color: lane.color, points: smooth(raw, smoothing) }];
  });
  const groups = (pointsOf, { extra = () => [], smoothing = view.smoothing } = {}) => (view.scale === 'lane' && state.lanes.length > 1
    ? state.lanes.map((lane) => ({ title: label(lane), curves: [...laneCurves([lane], pointsOf, smoothing), ...extra([lane])] }))
    : [{ curves: [...laneCurves(state.lanes, pointsOf, smoothing), ...extra(state.lanes)] }]);

  /** The real-data FID as a dashed line across the measured steps. */
  const reference = (lanes) => {
    const real = state.metrics?.realFid;
    const steps = lanes.flatMap((l) => l.curves.quality.map((q) => q.step));
    if (!Number.isFinite(real) || steps.length === 0) return [];
    return [{ label: 'real data', color: '#777777', dash: true, points: [[Math.min(...steps), real], [Math.max(...steps), real]] }];
  };

  function redraw() {
    for (const c of [charts.d, charts.g]) c.options.distr = view.log ? 4 : 1;
    charts.d.draw(groups((l) => lossPoints(l.curves.stats, 'd_loss')));
    charts.g.draw(groups((l) => lossPoints(l.curves.stats, 'g_loss')));
    // FID is sparse: never smoothed, its points shown.
    charts.fid.draw(groups((l) => l.curves.quality.map((q) => [q.step, q.fid]), { extra: reference, smoothing: 0 }));
    charts.diag.draw(groups((l) => diagnosticPoints(l.curves.stats, view.diagnostic)));
    charts.rate.draw([{ curves: state.lanes.map((l) => ({ label: label(l), color: l.color, points: rates.get(l.id) ?? [] })) }]);
  }

  function diagnosticNames() {
    const names = new Set(['g_grad_norm']);
    for (const lane of state.lanes) {
      const info = lane.config && objectiveInfo(state, lane.config.objective);
      for (const n of [...(info?.d_diagnostics ?? []), ...(info?.g_diagnostics ?? [])]) names.add(n);
    }
    const select = $('diag-name');
    const list = [...names];
    if ([...select.options].map((o) => o.value).join() !== list.join()) {
      select.replaceChildren(...list.map((n) => new Option(n.replaceAll('_', ' '), n)));
    }
    if (!names.has(view.diagnostic)) view.diagnostic = list[0];
    select.value = view.diagnostic;
  }

  let timer = null;
  let lastDraw = 0;
  const schedule = () => {
    if (timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      lastDraw = performance.now();
      redraw();
    }, Math.max(0, lastDraw + REDRAW_MS - performance.now()));
  };

  store.subscribe((s, change) => {
    if (change.type === 'stats') {
      const lane = s.lanes.find((l) => l.id === change.lane);
      const list = rates.get(change.lane) ?? [];
      if (lane && lane.stepsPerSec > 0) list.push([lane.step, lane.stepsPerSec]);
      if (list.length > 2000) list.splice(0, list.length - 2000);
      rates.set(change.lane, list);
    }
    if (change.type === 'laneBuilt' && change.fresh) rates.delete(change.lane);
    if (['ready', 'laneBuilt', 'addLane', 'removeLane'].includes(change.type)) diagnosticNames();
    if (['ready', 'laneBuilt', 'addLane', 'removeLane', 'stats', 'quality', 'rolledBack', 'options'].includes(change.type)) schedule();
  });

  $('chart-scale').addEventListener('change', (e) => { view.scale = e.target.value; redraw(); });
  $('chart-smooth').addEventListener('input', (e) => {
    view.smoothing = Number(e.target.value);
    $('chart-smooth-value').textContent = view.smoothing.toFixed(2);
    schedule();
  });
  $('chart-log').addEventListener('change', (e) => { view.log = e.target.checked; redraw(); });
  $('diag-name').addEventListener('change', (e) => { view.diagnostic = e.target.value; redraw(); });
  $('chart-csv').addEventListener('click', () => {
    download(new Blob([curvesCsv(state.lanes)], { type: 'text/csv' }), 'gan-playground-curves.csv');
  });
  redraw();
  return {
    /** Points drawn per chart (the page API's test view). */
    counts: () => Object.fromEntries(Object.entries(charts).map(([k, c]) => [k, c.count()])),
    /** Shows diagnostic `name` for every lane (the explainer's "what to watch" links here); `scroll`: bring it into view. */
    showDiagnostic(name, { scroll = true } = {}) {
      view.diagnostic = name;
      diagnosticNames();
      redraw();
      if (scroll) $('diagnostics').scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    },
  };
}
