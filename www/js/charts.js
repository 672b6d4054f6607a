// Live line charts drawn with uPlot: shared charts where every lane's curve overlays in the lane's
// colour (d loss, g loss, FID, steps/s), and the selected lane's objective diagnostics.
import uPlot from '../vendor/uPlot.esm.js';

/** Points kept per curve; past it the resolution is halved. */
const MAX_POINTS = 2000;
const HEIGHT = 180;
const PALETTE = ['#d9534f', '#2a7ae2', '#2e9e44', '#9b59b6', '#e69500', '#16a2b8'];

/** Halves a curve's resolution (keeping its last point) when it grows past MAX_POINTS. */
function thin(points) {
  if (points.length <= MAX_POINTS) return;
  const last = points[points.length - 1];
  const kept = points.filter((_, i) => i % 2 === 0);
  if (kept[kept.length - 1] !== last) kept.push(last);
  points.length = 0;
  points.push(...kept);
}

/** Base: a uPlot chart in `container` whose series are curves of `[x, y]` points, redrawn at most once a frame. */
class CurveChart {
  constructor(container, yLabel, { log = false } = {}) {
    Object.assign(this, { container, yLabel, log, curves: [], plot: null, frame: 0 });
    new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: HEIGHT })).observe(container);
  }

  width() {
    return Math.max(280, this.container.clientWidth || 480);
  }

  /** `curves`: [{key, label, color}]; points of curves whose key stays are kept. */
  setCurves(curves) {
    const old = new Map(this.curves.map((c) => [c.key, c.points]));
    this.curves = curves.map((c) => ({ ...c, points: old.get(c.key) ?? [] }));
    this.plot?.destroy();
    this.plot = new uPlot({
      width: this.width(),
      height: HEIGHT,
      scales: { x: { time: false }, y: this.log ? { distr: 3 } : {} },
      axes: [{ label: 'generator step' }, { label: this.yLabel }],
      series: [{ label: 'step' }, ...this.curves.map((c) => ({ label: c.label, stroke: c.color, width: 1.5, spanGaps: true, points: { show: false } }))],
    }, this.table(), this.container);
  }

  curve(key) {
    return this.curves.find((c) => c.key === key);
  }

  /** Appends `[x, y]` points to curve `key` (y null or non-finite shows as a gap). */
  add(key, points) {
    const curve = this.curve(key);
    if (!curve) return;
    for (const [x, y] of points) curve.points.push([x, Number.isFinite(y) ? y : null]);
    thin(curve.points);
    this.redraw();
  }

  /** Drops curve `key`'s points after `step` (all of them with step -1). */
  truncate(key, step) {
    const curve = this.curve(key);
    if (!curve) return;
    curve.points = curve.points.filter(([x]) => x <= step);
    this.redraw();
  }

  clear() {
    for (const c of this.curves) c.points = [];
    this.redraw();
  }

  /** uPlot's aligned columns: the union of every curve's x, each curve null where it has no point. */
  table() {
    const xs = [...new Set(this.curves.flatMap((c) => c.points.map(([x]) => x)))].sort((a, b) => a - b);
    const index = new Map(xs.map((x, i) => [x, i]));
    const columns = this.curves.map((c) => {
      const col = new Array(xs.length).fill(null);
      for (const [x, y] of c.points) col[index.get(x)] = this.log && !(y > 0) ? null : y;
      return col;
    });
    return [xs, ...columns];
  }

  redraw() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.plot?.setData(this.table());
    });
  }

  /** Number of points drawn (tests read it through the page). */
  count() {
    return this.curves.reduce((sum, c) => sum + c.points.length, 0);
  }
}

/** One curve per lane, in the lane's colour. */
export class LaneChart extends CurveChart {
  /** `lanes`: [{id, label, color}]. */
  setLanes(lanes) {
    // Rebuilding the plot is costly and layoutLanes calls this on every lane change: only when the set differs.
    const curves = lanes.map((l) => ({ key: l.id, label: l.label, color: l.color }));
    const signature = JSON.stringify(curves);
    if (signature === this.signature) return;
    this.signature = signature;
    this.setCurves(curves);
  }
}

/** The selected lane's diagnostics: one curve per diagnostic its objective reports. */
export class DiagnosticChart extends CurveChart {
  /** `info`: the objective's description (names of its diagnostics). */
  setObjective(info) {
    const names = info ? [...info.d_diagnostics, ...info.g_diagnostics, 'g_grad_norm'] : [];
    this.setCurves(names.map((name, i) => ({ key: name, label: name.replaceAll('_', ' '), color: PALETTE[i % PALETTE.length] })));
  }

  /** Replaces every curve with a lane's recorded statistics. */
  load(stats) {
    for (const c of this.curves) {
      c.points = stats.filter((s) => s.diagnostics && c.key in s.diagnostics).map((s) => [s.step, s.diagnostics[c.key]]);
      thin(c.points);
    }
    this.redraw();
  }

  push(stats) {
    for (const c of this.curves) {
      for (const s of stats) if (s.diagnostics && c.key in s.diagnostics) c.points.push([s.step, s.diagnostics[c.key] ?? null]);
      thin(c.points);
    }
    this.redraw();
  }
}

/** Lane colours, in the order lanes take them. */
export const LANE_COLORS = ['#d9534f', '#2a7ae2', '#2e9e44', '#9b59b6'];
