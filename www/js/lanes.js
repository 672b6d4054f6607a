// Lane panels: one per lane, with its colour, objective and architecture, live figures (step, steps/s,
// losses, FID, classes covered), fixed-z sample grid, class histogram and D-score histogram, and the
// lane's own buttons (select, save checkpoint, roll back, remove).
import { drawGrid } from './samples.js';
import { BarChart, histogram, range, fractions, binLabels } from './histograms.js';

const D_BINS = 20;
const CLASS_LABELS = {
  mnist: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  fashion: ['top', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'boot'],
};

const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

/** The figures a lane shows and the page API reports. */
export function newLaneState(id, color) {
  return {
    id, color, config: null, step: 0, dLoss: null, gLoss: null, stepsPerSec: 0, diverged: null, snapshotStep: 0,
    checkpoint: null, // {step, bytes}: the last healthy snapshot the worker sent (restores a restarted worker)
    quality: null, // the last measurement: {step, fid, classesCovered, histogram}
    codes: [0, 0], restoring: true,
    curves: { stats: [], quality: [] }, // what a saved checkpoint carries
  };
}

/** At most this many statistics entries per lane are kept for checkpoints (thinned like the charts). */
const MAX_CURVE_POINTS = 4000;

export function recordStats(lane, stats) {
  for (const s of stats) lane.curves.stats.push({ step: s.step, phase: s.phase, d_loss: s.d_loss, g_loss: s.g_loss, diagnostics: s.diagnostics });
  if (lane.curves.stats.length > MAX_CURVE_POINTS) lane.curves.stats = lane.curves.stats.filter((_, i) => i % 2 === 0);
}

export class LaneView {
  /** `actions`: select(id), save(id), remove(id), rollback(id). */
  constructor(container, lane, actions, dataset) {
    this.id = lane.id;
    const title = el('button', { type: 'button', className: 'lane-title', title: 'edit this lane in the controls' });
    const swatch = el('span', { className: 'swatch' });
    swatch.style.background = lane.color;
    this.title = title;
    this.figures = el('p', { className: 'lane-figures' });
    this.canvas = el('canvas', { className: 'lane-samples', width: 224, height: 224 });
    this.caption = el('p', { className: 'lane-caption' });
    this.quality = el('p', { className: 'lane-quality', textContent: 'quality: not measured yet' });
    const save = el('button', { type: 'button', className: 'lane-save', textContent: 'save', title: 'download a checkpoint of this lane' });
    this.rollbackButton = el('button', { type: 'button', className: 'lane-rollback', textContent: 'roll back', hidden: true });
    const remove = el('button', { type: 'button', className: 'lane-remove', textContent: '×', title: 'remove this lane' });
    title.addEventListener('click', () => actions.select(lane.id));
    save.addEventListener('click', () => actions.save(lane.id));
    this.rollbackButton.addEventListener('click', () => actions.rollback(lane.id));
    remove.addEventListener('click', () => actions.remove(lane.id));
    this.classHist = el('div', { className: 'class-hist' });
    this.dHist = el('div', { className: 'd-hist' });
    this.dLabel = el('p', { className: 'hist-label' });
    this.root = el('article', { className: 'lane' },
      el('header', {}, swatch, title, el('span', { className: 'lane-buttons' }, this.rollbackButton, save, remove)),
      this.figures, this.canvas, this.caption, this.quality,
      el('div', { className: 'histograms' },
        el('div', {}, el('p', { className: 'hist-label', textContent: 'classes of fresh samples' }), this.classHist),
        el('div', {}, this.dLabel, this.dHist)));
    this.root.dataset.lane = String(lane.id);
    container.append(this.root);
    this.classChart = new BarChart(this.classHist, {
      categories: CLASS_LABELS[dataset] ?? CLASS_LABELS.mnist, series: [{ label: 'fraction', color: lane.color }], height: 110, width: 250, yRange: [0, 1],
    });
    this.dChart = null;
    this.dScore = null;
  }

  /** Header, figures and D-histogram axes for the lane's (new) config. */
  showConfig(lane, info, index, selected) {
    this.title.textContent = `Lane ${index + 1}: ${info?.name ?? lane.config.objective} · ${lane.config.arch.toUpperCase()}`;
    this.root.classList.toggle('selected', selected);
    const score = info?.d_score ?? { label: 'D score', lo: null, hi: null };
    if (!this.dChart || JSON.stringify(score) !== JSON.stringify(this.dScore)) {
      this.dScore = score;
      this.dChart?.destroy();
      this.dHist.replaceChildren();
      this.dLabel.textContent = `${score.label}: real (dark) vs generated (light)`;
      this.dChart = new BarChart(this.dHist, {
        categories: Array.from({ length: D_BINS }, (_, i) => String(i)),
        series: [{ label: 'D(x) real', color: shade(this.root, 0.9) }, { label: 'D(G(z)) fake', color: shade(this.root, 0.45) }],
        height: 110, width: 250,
      });
    }
    this.render(lane);
  }

  render(lane) {
    const fmt = (v) => (v === null || v === undefined ? '—' : Number(v).toFixed(3));
    const state = lane.diverged !== null ? ` · diverged at ${lane.diverged}` : '';
    this.figures.textContent = `step ${lane.step} · ${lane.stepsPerSec.toFixed(1)} steps/s · d ${fmt(lane.dLoss)} · g ${fmt(lane.gLoss)}${state}`;
    this.rollbackButton.hidden = lane.diverged === null;
    this.rollbackButton.textContent = `roll back to ${lane.snapshotStep}`;
  }

  setSelected(selected) {
    this.root.classList.toggle('selected', selected);
  }

  drawSamples(msg) {
    drawGrid(this.canvas, msg.pixels);
    this.caption.textContent = `fixed-z samples at step ${msg.step}`;
  }

  /** A live measurement: FID, classes covered, class histogram, D(x) / D(G(z)) histogram. */
  showQuality(msg) {
    this.quality.textContent = `FID ${msg.fid.toFixed(1)} · ${msg.classesCovered}/10 classes · step ${msg.step} (${msg.n} samples)`;
    this.classChart.set([fractions(msg.histogram)]);
    const { lo, hi } = range(msg.dReal, msg.dFake, this.dScore.lo, this.dScore.hi);
    const real = histogram(msg.dReal, lo, hi, D_BINS);
    const fake = histogram(msg.dFake, lo, hi, D_BINS);
    this.dChart.set([real.counts, fake.counts], binLabels(real.edges));
    this.dLabel.textContent = `${this.dScore.label}, ${formatEdge(lo)} to ${formatEdge(hi)}: real (dark) vs generated (light)`;
  }

  clearQuality() {
    this.quality.textContent = 'quality: not measured yet';
    this.classChart.clear();
    this.dChart?.clear();
  }

  remove() {
    this.classChart.destroy();
    this.dChart?.destroy();
    this.root.remove();
  }
}

/** The lane's colour at a given opacity (its swatch's computed colour). */
function shade(root, alpha) {
  const color = getComputedStyle(root.querySelector('.swatch')).backgroundColor;
  const m = /rgba?\((\d+), (\d+), (\d+)/.exec(color);
  return m ? `rgba(${m[1]}, ${m[2]}, ${m[3]}, ${alpha})` : color;
}

const formatEdge = (v) => (Math.abs(v) >= 100 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(3))));
