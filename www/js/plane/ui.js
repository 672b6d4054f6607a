// The 2-D mode's DOM, built from the image mode's components (style.css: .transport, .btn, .panel,
// .lane, the design tokens) and plane.css: transport bar (training buttons, speed, data set, drawing),
// notices, network settings, the lanes toolbar (layers, + lane, load), lane cards with their plane
// canvases and colour scales, the charts and the time-lapse. Text goes in as text only.
import { LAYERS } from './updates.js';
import { drawScaleBar } from './view.js';

/** The 2-D charts: key → its title, y-axis label, and the lane curve (`curves[curve]`) and field it plots. */
export const CHARTS = {
  kl: { title: 'KL(real ‖ fake), grid estimate', axis: 'KL (nats)', curve: 'dist', pick: (q) => q.kl },
  js: { title: 'JS divergence, grid estimate', axis: 'JS (nats)', curve: 'dist', pick: (q) => q.js },
  swd: { title: 'sliced Wasserstein distance', axis: 'SWD', curve: 'dist', pick: (q) => q.swd },
  loss: { title: 'G loss', axis: 'G loss', curve: 'loss', pick: (q) => q.g },
};

export function el(tag, attrs = {}, children = []) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') e.textContent = v;
    else if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

const select = (id, options, value) => {
  const s = el('select', { id });
  for (const [v, label] of options) s.append(el('option', { value: v, text: label }));
  s.value = String(value);
  return s;
};
const field = (label, input, id) => el('label', { class: 'inline-field plane-field', ...(id ? { id } : {}) }, [el('span', { text: label }), input]);
const number = (id, value, min, max, step = 1) => el('input', { id, type: 'number', value: String(value), min: String(min), max: String(max), step: String(step) });
const btn = (id, text, title, cls = 'btn') => el('button', { id, type: 'button', class: cls, text, title });

/** Builds the page; returns the elements the wiring needs. */
export function buildPlanePage(root, { limits, config, options, notices = [] }) {
  const pl = limits.plane;
  const play = btn('plane-play', 'Play', 'Train all lanes', 'btn primary');
  const step = btn('plane-step', 'Step', 'One generator step (D then G)');
  const stepD = btn('plane-step-d', 'Step D', "Only D's update: the heatmap changes, the fakes stay");
  const stepG = btn('plane-step-g', 'Step G', 'Only G\'s update: the fakes move along their arrows');
  const speed = select('plane-speed', [['0', 'full speed'], ['30', '30 steps/s'], ['4', 'slow (4 steps/s)'], ['1', 'slow motion (1 step/s)']], options.speed);
  const dataset = select('plane-dataset', pl.datasets.map((d) => [d.id, d.label]), config.dataset);
  const clear = btn('plane-clear', 'Clear', 'Remove every drawn point', 'btn small');
  const undo = btn('plane-undo', 'Undo', 'Remove the last stroke', 'btn small');
  const drawHint = el('span', { class: 'plane-hint', id: 'plane-draw-hint', text: 'Click or drag on a plane to add points.' });
  const drawTools = el('span', { class: 'plane-draw', id: 'plane-draw-tools' }, [clear, undo, drawHint]);
  const status = el('p', { id: 'plane-status', class: 'status-line', role: 'status', text: 'loading…' });
  const transport = el('header', { class: 'transport plane-transport', 'aria-label': 'training' }, [
    el('div', { class: 'brand' }, [el('h1', { text: 'GAN playground' }), el('span', { class: 'badge', text: '2-D' }),
      el('p', { class: 'tagline', text: "GAN Lab's picture for every objective: D's opinion of the plane, G's points and where they are pushed." })]),
    el('div', { class: 'transport-buttons', role: 'toolbar', 'aria-label': 'training controls' }, [
      play, step, el('span', { class: 'group', id: 'plane-step-modes' }, [stepD, stepG]), field('speed', speed, 'plane-speed-field'),
    ]),
    el('div', { class: 'transport-figures' }, [field('data', dataset, 'plane-dataset-field'), drawTools]),
    status,
  ]);
  const noticeBox = el('div', { id: 'plane-notices', 'aria-live': 'polite' }, notices.map((t) => el('p', { class: 'notice warn', text: t })));
  // The image mode's resume offer and autosave line (../views/resume.js renders them).
  const resume = el('section', { id: 'autosave', class: 'autosave', 'aria-label': 'saved runs' });
  resume.hidden = true;
  const autosaveLine = el('footer', { id: 'autosave-line', class: 'autosave autosave-footer', 'aria-label': 'autosave' });
  autosaveLine.hidden = true;

  const net = {
    g_layers: number('plane-g-layers', config.g_layers, pl.layers.min, pl.layers.max),
    g_neurons: number('plane-g-neurons', config.g_neurons, pl.neurons.min, pl.neurons.max),
    d_layers: number('plane-d-layers', config.d_layers, pl.layers.min, pl.layers.max),
    d_neurons: number('plane-d-neurons', config.d_neurons, pl.neurons.min, pl.neurons.max),
    activation: select('plane-activation', pl.activations.map((a) => [a, a]), config.activation),
    latent: select('plane-latent', [['1', '1-D'], ['2', '2-D']], config.latent),
    latent_dist: select('plane-latent-dist', [['uniform', 'uniform'], ['gaussian', 'Gaussian']], config.latent_dist),
    batch: number('plane-batch', config.batch, limits.fields.batch.min, limits.fields.batch.max),
  };
  const settings = el('section', { class: 'panel plane-settings', id: 'plane-settings', 'aria-label': 'networks' }, [
    el('h2', { text: 'Networks' }),
    el('div', { class: 'plane-settings-fields' }, [
      field('G layers', net.g_layers), field('G neurons', net.g_neurons), field('D layers', net.d_layers), field('D neurons', net.d_neurons),
      field('activation', net.activation), field('latent', net.latent), field('latent distribution', net.latent_dist), field('batch', net.batch),
    ]),
    el('p', { class: 'hint', text: 'A change restarts every lane from step 0; the link keeps the settings.' }),
  ]);
  const layerBoxes = {};
  const layers = el('span', { class: 'plane-layers', id: 'plane-layers', role: 'group', 'aria-label': 'layers' }, LAYERS.map((l) => {
    const box = el('input', { type: 'checkbox', id: `plane-layer-${l}` });
    box.checked = true;
    layerBoxes[l] = box;
    return el('label', { class: 'inline-field' }, [box, l]);
  }));
  const addLane = btn('plane-add-lane', '+ lane', `Add a lane (up to ${limits.maxLanes})`, 'btn small');
  const load = el('input', { id: 'plane-load', type: 'file', accept: '.gan2d,application/octet-stream' });
  const loadField = el('label', { class: 'file-button btn small', id: 'plane-load-field', title: 'Add a lane from a saved 2-D checkpoint' }, ['Load checkpoint…', load]);
  const lanesBox = el('div', { class: 'plane-lanes', id: 'plane-lanes' });
  const lanesPanel = el('section', { class: 'plane-lanes-panel', 'aria-label': 'lanes' }, [
    el('div', { class: 'plane-lane-tools' }, [layers, addLane, loadField, el('a', { href: '?', class: 'plane-mode-link', text: 'image mode (MNIST)' })]),
    lanesBox,
  ]);
  // One chart box per quantity (the page draws a uPlot into each): a title, then the plot.
  const charts = {};
  const chartBox = el('section', { class: 'panel plane-charts', id: 'plane-charts', 'aria-label': 'charts' }, Object.entries(CHARTS).map(([k, { title }]) => {
    charts[k] = el('div', { class: 'plane-plot', id: `plane-chart-${k}` });
    return el('div', { class: 'plot' }, [el('p', { class: 'plot-title', text: title }), charts[k]]);
  }));
  const timelapse = el('section', { class: 'panel plane-timelapse', id: 'timelapse', 'aria-label': 'time-lapse' }, [el('h2', { text: 'Time-lapse' })]);
  root.replaceChildren(transport, noticeBox, resume, el('main', { class: 'plane-main' }, [lanesPanel, chartBox, timelapse, settings]), autosaveLine);
  return { play, step, stepD, stepG, speed, dataset, clear, undo, drawTools, layerBoxes, status, net, lanesBox, charts, addLane, load, timelapse, resume, autosaveLine };
}

/**
 * A lane card: number and objective picker, save and remove, plane canvas, colour scale and figures,
 * and (hidden while the lane is healthy) the divergence notice with its roll-back button.
 */
export function buildLaneCard(lane, index, objectives, size) {
  const pick = el('select', { class: 'plane-objective', 'aria-label': `lane ${index + 1} objective` });
  for (const o of objectives) pick.append(el('option', { value: o.id, text: o.name }));
  pick.value = lane.objective;
  const name = el('span', { class: 'plane-objective-name', text: objectives.find((o) => o.id === lane.objective)?.name ?? lane.objective });
  const save = el('button', { type: 'button', class: 'plane-save', text: 'save', title: 'Download this lane as a checkpoint (.gan2d)' });
  const remove = el('button', { type: 'button', class: 'plane-remove', text: '×', title: 'Remove this lane', 'aria-label': `remove lane ${index + 1}` });
  const canvas = el('canvas', { class: 'plane-canvas', width: String(size), height: String(size) });
  const bar = el('canvas', { class: 'plane-scale-bar', width: '200', height: '10' });
  drawScaleBar(bar);
  const lo = el('span', { class: 'plane-scale-lo' });
  const hi = el('span', { class: 'plane-scale-hi' });
  const label = el('div', { class: 'plane-scale-label' });
  const figures = el('div', { class: 'plane-figures' });
  const divergedText = el('span', { class: 'plane-diverged-text' });
  const rollback = el('button', { type: 'button', class: 'btn small plane-rollback' });
  const diverged = el('div', { class: 'plane-diverged', role: 'alert' }, [divergedText, rollback]);
  diverged.hidden = true;
  const swatch = el('span', { class: 'swatch', text: String(index + 1) });
  swatch.style.background = lane.color; // CSSOM, not a style attribute (the CSP allows no inline styles)
  const card = el('section', { class: 'lane plane-lane', 'data-lane': String(lane.id) }, [
    el('header', {}, [swatch, pick, name, el('span', { class: 'lane-buttons' }, [save, remove])]),
    diverged, canvas,
    el('div', { class: 'plane-scale' }, [lo, bar, hi]), label, figures,
  ]);
  return { card, canvas, pick, save, remove, lo, hi, label, figures, diverged, divergedText, rollback };
}

/** Shows or hides a card's divergence notice: "Diverged at step N …" and "Roll back to step M". */
export function showDivergence(c, lane) {
  const on = lane.diverged !== null && lane.diverged !== undefined;
  c.diverged.hidden = !on;
  if (!on) return;
  const text = `Diverged at step ${lane.diverged}: a loss or the weights became NaN or infinite, so this lane stopped (the others go on). Roll back to the snapshot of step ${lane.snapshotStep}: the same steps then repeat exactly, so unchanged settings diverge again.`;
  if (c.divergedText.textContent !== text) c.divergedText.textContent = text;
  c.rollback.textContent = `Roll back to step ${lane.snapshotStep}`;
}
