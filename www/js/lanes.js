// Lane panels, rendered from the store: one per lane, with its colour, objective and architecture,
// live figures (step, steps/s, losses, FID, classes covered), the fixed-z sample grid, the class
// histogram and the D-score histogram, and the lane's own buttons (select, save, roll back, remove).
import { drawGrid } from './samples.js';
import { BarChart, histogram, range, fractions } from './histograms.js';
import { laneById, objectiveInfo, selectedLane } from './store.js';
import { el } from './dom.js';

const D_BINS = 20;
const CLASS_LABELS = {
  mnist: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  // Short enough to sit under ten bars; the caption below the chart spells them out.
  fashion: ['top', 'trs', 'pull', 'drs', 'coat', 'sndl', 'shrt', 'snkr', 'bag', 'boot'],
};
const FASHION_NAMES = 'top, trouser, pullover, dress, coat, sandal, shirt, sneaker, bag, ankle boot';


export class LaneView {
  /** `actions`: select(id), save(id), remove(id), rollback(id). */
  constructor(container, lane, actions, dataset) {
    this.id = lane.id;
    const title = el('button', { type: 'button', className: 'lane-title', title: 'edit this lane in the controls' });
    // The lane's number on its colour: the charts' legends say "lane 1" in the same colour.
    this.swatch = el('span', { className: 'swatch', ariaHidden: 'true' });
    const swatch = this.swatch;
    swatch.style.background = lane.color;
    this.title = title;
    this.figures = el('p', { className: 'lane-figures' });
    this.canvas = el('canvas', { className: 'lane-samples', width: 224, height: 224 });
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', 'fixed-z samples of this lane');
    this.caption = el('p', { className: 'lane-caption' });
    this.quality = el('p', { className: 'lane-quality', textContent: 'quality: not measured yet' });
    const save = el('button', { type: 'button', className: 'lane-save', textContent: 'save', title: 'download a checkpoint of this lane' });
    this.rollbackButton = el('button', { type: 'button', className: 'lane-rollback', textContent: 'roll back', hidden: true });
    this.removeButton = el('button', { type: 'button', className: 'lane-remove', textContent: '×', title: 'remove this lane' });
    this.removeButton.setAttribute('aria-label', 'remove this lane');
    const remove = this.removeButton;
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
        el('div', {}, el('p', { className: 'hist-label', textContent: 'classes', title: dataset === 'fashion' ? `classes: ${FASHION_NAMES}` : 'the classifier\'s class of each fresh sample' }), this.classHist),
        el('div', {}, this.dLabel, this.dHist)));
    this.root.dataset.lane = String(lane.id);
    this.root.querySelector('.histograms .hist-label').dataset.term = 'classes_covered'; // glossary (teach.js)
    container.append(this.root);
    this.classChart = new BarChart(this.classHist, {
      categories: CLASS_LABELS[dataset] ?? CLASS_LABELS.mnist, series: [{ label: 'fraction', color: lane.color }], height: 64, yRange: [0, 1], compact: true,
    });
    this.dChart = null;
    this.dScore = null;
  }

  /** Header, figures and D-histogram axes for the lane's (new) config. */
  showConfig(lane, info, index, selected, caption = '') {
    const arch = lane.config.arch.toUpperCase();
    const name = `${info?.name ?? lane.config.objective} · ${arch}`;
    this.swatch.textContent = String(index + 1);
    this.title.textContent = `${info?.short ?? lane.config.objective} · ${arch}`;
    this.title.title = `Lane ${index + 1}: ${name} — select to edit it in the settings`;
    this.root.setAttribute('aria-label', `lane ${index + 1}: ${name}`);
    this.scoreCaption = caption;
    this.root.classList.toggle('selected', selected);
    const score = info?.d_score ?? { label: 'D score', lo: null, hi: null };
    if (!this.dChart || JSON.stringify(score) !== JSON.stringify(this.dScore)) {
      this.dScore = score;
      this.dChart?.destroy();
      this.dHist.replaceChildren();
      this.dLabel.textContent = 'D score';
      this.dLabel.title = [`${score.label}: real (dark) vs generated (light)`, this.scoreCaption].filter(Boolean).join('. ');
      this.dChart = new BarChart(this.dHist, {
        categories: Array.from({ length: D_BINS }, (_, i) => String(i)),
        series: [{ label: 'D(x) real', color: shade(this.root, 0.9) }, { label: 'D(G(z)) fake', color: shade(this.root, 0.45) }],
        height: 64, compact: true, xLabels: 'ends',
      });
    }
    this.render(lane);
  }

  render(lane) {
    const fmt = (v) => (v === null || v === undefined ? '—' : Number(v).toFixed(3));
    const state = lane.diverged !== null ? ` · diverged at ${lane.diverged}` : '';
    const rate = lane.stepsPerSec > 0 ? ` · ${lane.stepsPerSec.toFixed(1)} steps/s` : '';
    this.figures.textContent = `step ${lane.step}${rate} · d ${fmt(lane.dLoss)} · g ${fmt(lane.gLoss)}${state}`;
    this.rollbackButton.hidden = lane.diverged === null;
    this.rollbackButton.textContent = `roll back to ${lane.snapshotStep}`;
  }

  setSelected(selected) {
    this.root.classList.toggle('selected', selected);
  }

  drawSamples(msg) {
    drawGrid(this.canvas, msg.pixels);
    this.caption.textContent = `fixed-z samples · step ${msg.step}`;
  }

  /** A live measurement: FID, classes covered, class histogram, D(x) / D(G(z)) histogram (absent in one loaded from a file). */
  showQuality(msg) {
    this.quality.textContent = `FID ${msg.fid.toFixed(1)} · ${msg.classesCovered}/10 classes`;
    this.quality.title = `measured on ${msg.n ?? 'fresh'} samples at step ${msg.step}`;
    this.classChart.set([fractions(msg.histogram)]);
    if (!msg.dReal || !this.dChart) return;
    const { lo, hi } = range(msg.dReal, msg.dFake, this.dScore.lo, this.dScore.hi);
    const real = histogram(msg.dReal, lo, hi, D_BINS);
    const fake = histogram(msg.dFake, lo, hi, D_BINS);
    // The range as the axis's two ends (20 bin labels would overlap).
    this.dChart.set([real.counts, fake.counts], real.counts.map((_, i) => (i === 0 ? formatEdge(lo) : i === D_BINS - 1 ? formatEdge(hi) : '')));
    this.dLabel.title = [`${this.dScore.label}, ${formatEdge(lo)} to ${formatEdge(hi)}: real (dark) vs generated (light)`, this.scoreCaption].filter(Boolean).join('. ');
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

/** Lane panels in `container`, kept in step with the store; `actions`: select, save, remove, rollback (lane id). */
export function mountLanes(container, store, actions, { dataset, scrubbing }) {
  const views = new Map();
  const { state } = store;

  function layout() {
    for (const [id, view] of views) {
      if (!laneById(state, id)) {
        view.remove();
        views.delete(id);
      }
    }
    const selected = selectedLane(state)?.id;
    state.lanes.forEach((lane, i) => {
      let view = views.get(lane.id);
      if (!view) {
        view = new LaneView(container, lane, actions, dataset);
        views.set(lane.id, view);
      }
      container.append(view.root); // keeps display order
      if (lane.config) {
        const info = objectiveInfo(state, lane.config.objective);
        view.showConfig(lane, info, i, lane.id === selected, info?.score_caption ?? '');
      }
      view.setSelected(lane.id === selected);
      view.removeButton.disabled = state.lanes.length === 1;
      view.removeButton.title = state.lanes.length === 1 ? 'the last lane cannot be removed' : 'remove this lane';
    });
    container.dataset.count = String(state.lanes.length);
  }

  store.subscribe((s, change) => {
    const view = change.lane !== undefined ? views.get(change.lane) : null;
    const lane = change.lane !== undefined ? laneById(s, change.lane) : null;
    switch (change.type) {
      case 'ready': case 'addLane': case 'removeLane': case 'select':
        return layout();
      case 'laneBuilt':
        layout();
        if (change.fresh) views.get(change.lane)?.clearQuality();
        else if (lane?.quality) views.get(change.lane)?.showQuality(lane.quality);
        return undefined;
      case 'stats': case 'diverged': case 'rolledBack': case 'running':
        if (view && lane) view.render(lane);
        if (change.type === 'running') for (const l of s.lanes) views.get(l.id)?.render(l);
        return undefined;
      case 'samples':
        if (view && lane && !scrubbing()) view.drawSamples(lane.samples);
        return undefined;
      case 'quality':
        if (view && lane) view.showQuality(lane.quality);
        return undefined;
      default:
        return undefined;
    }
  });
  return {
    /** Draws each lane's grid from `frameOf(laneId)` ({step, pixels} or null). */
    drawFrames(frameOf) {
      for (const l of state.lanes) {
        const frame = frameOf(l.id);
        if (frame) views.get(l.id)?.drawSamples(frame);
      }
    },
  };
}
