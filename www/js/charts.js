// Live line charts drawn with uPlot: the loss chart (d and g loss) and the objective's diagnostics,
// one point per generator step.
import uPlot from '../vendor/uPlot.esm.js';

const MAX_POINTS = 4000;
const HEIGHT = 200;
const PALETTE = ['#d9534f', '#2a7ae2', '#2e9e44', '#9b59b6', '#e69500', '#16a2b8'];

export class LineChart {
  /** `series`: [{label, get(stats) → number|null}]. */
  constructor(container, yLabel, series) {
    this.container = container;
    this.yLabel = yLabel;
    this.setSeries(series);
    new ResizeObserver(() => this.plot.setSize({ width: this.width(), height: HEIGHT })).observe(container);
  }

  width() {
    return Math.max(280, this.container.clientWidth || 480);
  }

  /** Replaces the series (and clears the data), e.g. when the objective changes. */
  setSeries(series) {
    this.series = series;
    this.columns = [[], ...series.map(() => [])];
    this.plot?.destroy();
    this.plot = new uPlot({
      width: this.width(),
      height: HEIGHT,
      scales: { x: { time: false } },
      axes: [{ label: 'generator step' }, { label: this.yLabel }],
      series: [
        { label: 'step' },
        ...series.map((s, i) => ({ label: s.label, stroke: PALETTE[i % PALETTE.length], width: 1.5, points: { show: false } })),
      ],
    }, this.columns, this.container);
  }

  /** Appends step statistics; non-finite values show as gaps. Halves the resolution past MAX_POINTS. */
  push(stats) {
    for (const s of stats) {
      this.columns[0].push(s.step);
      this.series.forEach((series, i) => this.columns[i + 1].push(series.get(s) ?? null));
    }
    if (this.columns[0].length > MAX_POINTS) {
      for (const col of this.columns) {
        const kept = col.filter((_, i) => i % 2 === 0);
        col.length = 0;
        col.push(...kept);
      }
    }
    this.plot.setData(this.columns);
  }

  /** Drops the points after `step` (a lane rolled back or restored there replays them). */
  truncate(step) {
    const keep = this.columns[0].findIndex((x) => x > step);
    if (keep === -1) return;
    for (const col of this.columns) col.length = keep;
    this.plot.setData(this.columns);
  }

  clear() {
    for (const col of this.columns) col.length = 0;
    this.plot.setData(this.columns);
  }
}

export const lossSeries = () => [
  { label: 'd loss', get: (s) => s.d_loss },
  { label: 'g loss', get: (s) => s.g_loss },
];

/** One series per diagnostic the objective reports (names from the objective registry). */
export const diagnosticSeries = (info) =>
  [...info.d_diagnostics, ...info.g_diagnostics, 'g_grad_norm'].map((name) => ({ label: name.replaceAll('_', ' '), get: (s) => s.diagnostics[name] }));
