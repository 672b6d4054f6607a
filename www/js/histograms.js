// Small uPlot bar charts for the lane panels (class histogram, D-score histogram); binning re-exported from binning.js.
import uPlot from '../vendor/uPlot.esm.js';

export { histogram, range, fractions, binLabels } from './binning.js';

const DEFAULT_WIDTH = 240;
const MIN_WIDTH = 160;
/** Pixels per x label before labels are thinned out (every 2nd, 3rd, … category). */
const LABEL_SPACING = 34;
const Y_AXIS_SIZE = 42;

/** `color` with opacity `alpha` when it is a #rgb or #rrggbb hex colour; other colours unchanged. */
function withAlpha(color, alpha) {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color)?.[1];
  if (!hex) return color;
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
  return `#${full}${Math.round(alpha * 255).toString(16).padStart(2, '0')}`;
}

const formatValue = (v) => (v == null ? '–' : Math.abs(v) >= 100 || Number.isInteger(v) ? String(v) : v.toPrecision(3));

export class BarChart {
  /**
   * `categories`: the x labels, one bar (group) each. `series`: [{label, color}], one or two (or more)
   * bar series drawn side by side within each category. `width` fixes the width; without it the chart
   * follows the container's width. `yRange`: a fixed [lo, hi]; without it y runs from 0 to the data's max.
   * `xLabels`: true (thinned to fit), false (none) or 'ends' (the first and last category only).
   */
  constructor(container, { categories, series, height = 110, width, yLabel, yRange, compact = false, xLabels = true } = {}) {
    if (!Array.isArray(categories) || !Array.isArray(series) || series.length === 0) {
      throw new TypeError('BarChart: categories (string[]) and series ([{label, color}]) are required');
    }
    this.container = container;
    this.categories = categories.map(String);
    this.series = series;
    this.height = height;
    this.fixedWidth = width;
    this.yLabel = yLabel;
    this.yRange = yRange;
    // compact: no legend and no y axis, small x labels (the lane cards' histograms).
    this.compact = compact;
    this.xLabels = xLabels;
    this.yAxisSize = compact ? 0 : Y_AXIS_SIZE;
    this.values = series.map(() => this.categories.map(() => null));
    this.plot = new uPlot(this.options(), this.data(), container);
    if (width == null && typeof ResizeObserver !== 'undefined') {
      this.resizer = new ResizeObserver(() => this.plot.setSize({ width: this.width(), height: this.height }));
      this.resizer.observe(container);
    }
  }

  width() {
    return this.fixedWidth ?? Math.max(this.compact ? 60 : MIN_WIDTH, this.container.clientWidth || (this.compact ? 100 : DEFAULT_WIDTH));
  }

  options() {
    const n = this.series.length;
    // One series: centred bars. Two: side by side, each taking 40 % of the category's width, left then
    // right of its centre. More: centred, semi-transparent and successively narrower, overlapping.
    const bars = this.series.map((_, i) => {
      if (n === 1) return uPlot.paths.bars({ size: [0.7, Infinity, 1], align: 0 });
      if (n === 2) return uPlot.paths.bars({ size: [0.4, Infinity, 1], align: i === 0 ? -1 : 1 });
      return uPlot.paths.bars({ size: [0.8 * (1 - i / (n + 1)), Infinity, 1], align: 0 });
    });
    const categories = () => this.categories;
    return {
      width: this.width(),
      height: this.height,
      legend: { show: n > 1 && !this.compact, live: true },
      cursor: { points: { show: false }, drag: { x: false, y: false } },
      select: { show: false },
      scales: {
        x: { time: false, range: () => [-0.5, categories().length - 0.5] },
        y: { range: (u, min, max) => this.yRange ?? [0, max > 0 ? max * 1.1 : 1] },
      },
      axes: [
        {
          splits: () => categories().map((_, i) => i),
          values: (u, splits) => {
            if (!this.xLabels) return splits.map(() => '');
            if (this.xLabels === 'ends') return splits.map((i, k) => (k === 0 || k === splits.length - 1 ? categories()[i] ?? '' : ''));
            const plotWidth = Math.max(1, this.width() - this.yAxisSize);
            const every = Math.max(1, Math.ceil((categories().length * LABEL_SPACING) / plotWidth));
            return splits.map((i) => (i % every === 0 ? categories()[i] ?? '' : ''));
          },
          grid: { show: false },
          size: this.compact ? 18 : 28,
          ...(this.compact ? { font: '10px system-ui, sans-serif', ticks: { show: false }, gap: 2 } : {}),
        },
        { label: this.yLabel, size: this.yAxisSize, labelSize: this.yLabel ? 16 : 0, show: !this.compact },
      ],
      series: [
        { label: 'bin', value: (u, i) => (i == null ? '–' : categories()[Math.round(i)] ?? '') },
        ...this.series.map((s, i) => ({
          label: s.label,
          stroke: s.color,
          fill: withAlpha(s.color, n > 2 ? 0.5 : n > 1 ? 0.75 : 0.85),
          width: 1,
          paths: bars[i],
          points: { show: false },
          value: (u, v) => formatValue(v),
        })),
      ],
    };
  }

  data() {
    return [this.categories.map((_, i) => i), ...this.values];
  }

  /**
   * Sets the bars: `valuesPerSeries[s][c]` is series s's value for category c (null or non-finite: no
   * bar). `categories` optionally replaces the x labels (e.g. a histogram whose range moved).
   */
  set(valuesPerSeries, categories) {
    if (categories) this.categories = categories.map(String);
    this.values = this.series.map((_, s) => this.categories.map((_, c) => {
      const v = valuesPerSeries[s]?.[c];
      return Number.isFinite(v) ? v : null;
    }));
    this.plot.setData(this.data());
  }

  /** Removes every bar (the categories stay). */
  clear() {
    this.values = this.series.map(() => this.categories.map(() => null));
    this.plot.setData(this.data());
  }

  destroy() {
    this.resizer?.disconnect();
    this.plot.destroy();
  }
}
