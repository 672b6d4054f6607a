// One uPlot line chart over a set of curves, rebuilt only when the set of curves changes: the image
// mode's charts panel (charts.js) and the 2-D mode's charts (plane/page.js) draw with it.
import uPlot from '../vendor/uPlot.esm.js';

const HEIGHT = 140;

/** `#rrggbb` at opacity `alpha`. */
const faint = (hex, alpha = 0.25) => `${hex}${Math.round(alpha * 255).toString(16).padStart(2, '0')}`;

/** One uPlot in `container` over `curves` ([{label, color, points, raw?}]); rebuilt when the set of curves changes. */
export class Plot {
  constructor(container, { yLabel, distr = 1, empty }) {
    Object.assign(this, { container, yLabel, distr, empty, plot: null, signature: '' });
    this.note = Object.assign(document.createElement('p'), { className: 'chart-empty' });
    container.append(this.note);
    new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: HEIGHT })).observe(container);
  }

  width() {
    return Math.max(200, this.container.clientWidth || 320);
  }

  /** `curves`: [{label, color, points: [[x, y]], faint?: bool}]. */
  draw(curves) {
    const any = curves.some((c) => c.points.length > 0);
    this.note.textContent = any ? '' : this.empty;
    this.note.hidden = any;
    const signature = JSON.stringify([this.distr, curves.map((c) => [c.label, c.color, Boolean(c.faint), Boolean(c.dash)])]);
    if (signature !== this.signature) {
      this.signature = signature;
      this.plot?.destroy();
      this.plot = new uPlot({
        width: this.width(), height: HEIGHT,
        scales: { x: { time: false }, y: { distr: this.distr } },
        axes: [{ label: 'generator step', size: 36 }, { label: this.yLabel, size: 52 }],
        legend: { live: true },
        series: [{ label: 'step' }, ...curves.map((c) => ({
          label: c.faint ? '' : c.label, stroke: c.faint ? faint(c.color) : c.color, width: c.faint ? 1 : 2, spanGaps: true, dash: c.dash ? [6, 4] : undefined,
          // Sparse curves (one FID point, a first step) show their points; dense ones only the line.
          points: { show: (u, si) => (u.data[si]?.filter((v) => v !== null).length ?? 0) <= 12, size: 6 },
        }))],
      }, table(curves), this.container);
      // uPlot names an unlabelled series "Value" in its legend and has no per-series legend switch.
      const rows = this.plot.root.querySelectorAll('.u-legend .u-series');
      curves.forEach((c, i) => rows[i + 1]?.classList.toggle('faint-series', Boolean(c.faint)));
    } else {
      this.plot.setData(table(curves));
    }
  }
}

/** uPlot's aligned columns: the union of every curve's x, each curve null where it has no point. */
function table(curves) {
  const xs = [...new Set(curves.flatMap((c) => c.points.map(([x]) => x)))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  return [xs, ...curves.map((c) => {
    const col = new Array(xs.length).fill(null);
    for (const [x, y] of c.points) col[index.get(x)] = Number.isFinite(y) ? y : null;
    return col;
  })];
}

