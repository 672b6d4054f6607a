// Loss charts, drawn with uPlot: d and g loss per generator step, updated live.
import uPlot from '../vendor/uPlot.esm.js';

const MAX_POINTS = 4000;

export class LossChart {
  constructor(container) {
    this.steps = [];
    this.d = [];
    this.g = [];
    this.container = container;
    const opts = {
      width: this.width(),
      height: 220,
      scales: { x: { time: false } },
      axes: [{ label: 'generator step' }, { label: 'loss' }],
      series: [
        { label: 'step' },
        { label: 'd loss', stroke: '#d9534f', width: 1.5, points: { show: false } },
        { label: 'g loss', stroke: '#2a7ae2', width: 1.5, points: { show: false } },
      ],
      legend: { live: true },
    };
    this.plot = new uPlot(opts, [this.steps, this.d, this.g], container);
    new ResizeObserver(() => this.plot.setSize({ width: this.width(), height: 220 })).observe(container);
  }

  width() {
    return Math.max(280, this.container.clientWidth || 480);
  }

  /** Appends step statistics; non-finite values show as gaps. Halves the resolution past MAX_POINTS. */
  push(stats) {
    for (const s of stats) {
      this.steps.push(s.step);
      this.d.push(s.d_loss);
      this.g.push(s.g_loss);
    }
    if (this.steps.length > MAX_POINTS) {
      for (const arr of [this.steps, this.d, this.g]) {
        const kept = arr.filter((_, i) => i % 2 === 0);
        arr.length = 0;
        arr.push(...kept);
      }
    }
    this.plot.setData([this.steps, this.d, this.g]);
  }

  clear() {
    for (const arr of [this.steps, this.d, this.g]) arr.length = 0;
    this.plot.setData([this.steps, this.d, this.g]);
  }
}
