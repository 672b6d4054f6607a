// The 2-D mode's DOM: toolbar (transport, speed, data set, drawing, layers), network settings, lane
// cards with their plane canvases and colour scales, and the charts. Text goes in as text only.
import { LAYERS } from './updates.js';
import { drawScaleBar } from './view.js';

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
const field = (label, input) => el('label', { class: 'plane-field' }, [el('span', { text: label }), input]);
const number = (id, value, min, max, step = 1) => el('input', { id, type: 'number', value: String(value), min: String(min), max: String(max), step: String(step) });

/** Builds the page; returns the elements the wiring needs. */
export function buildPlanePage(root, { limits, objectives, config, options }) {
  const pl = limits.plane;
  const btn = (id, text, title) => el('button', { id, type: 'button', text, title });
  const play = btn('plane-play', 'Play', 'Train all lanes (space)');
  const step = btn('plane-step', 'Step', 'One generator step (D then G)');
  const stepD = btn('plane-step-d', 'Step D', "Only D's update: the heatmap changes, the fakes stay");
  const stepG = btn('plane-step-g', 'Step G', 'Only G\'s update: the fakes move along their arrows');
  const speed = select('plane-speed', [['0', 'full speed'], ['1', 'slow motion (1 step/s)'], ['4', 'slow (4 steps/s)'], ['30', '30 steps/s']], options.speed);
  const dataset = select('plane-dataset', pl.datasets.map((d) => [d.id, d.label]), config.dataset);
  const clear = btn('plane-clear', 'Clear', 'Remove every drawn point');
  const undo = btn('plane-undo', 'Undo', 'Remove the last stroke');
  const drawHint = el('span', { class: 'plane-hint', id: 'plane-draw-hint', text: 'Click or drag on a plane to add points.' });
  const drawTools = el('span', { class: 'plane-draw', id: 'plane-draw-tools' }, [clear, undo, drawHint]);
  const layerBoxes = {};
  const layers = el('span', { class: 'plane-layers' }, LAYERS.map((l) => {
    const box = el('input', { type: 'checkbox', id: `plane-layer-${l}` });
    box.checked = true;
    layerBoxes[l] = box;
    return el('label', {}, [box, ` ${l}`]);
  }));
  const status = el('p', { id: 'plane-status', class: 'plane-status', role: 'status', text: 'loading…' });
  const toolbar = el('div', { class: 'plane-toolbar' }, [play, step, stepD, stepG, field('speed', speed), field('data', dataset), drawTools, layers]);

  const net = {
    g_layers: number('plane-g-layers', config.g_layers, pl.layers.min, pl.layers.max),
    g_neurons: number('plane-g-neurons', config.g_neurons, pl.neurons.min, pl.neurons.max),
    d_layers: number('plane-d-layers', config.d_layers, pl.layers.min, pl.layers.max),
    d_neurons: number('plane-d-neurons', config.d_neurons, pl.neurons.min, pl.neurons.max),
    activation: select('plane-activation', pl.activations.map((a) => [a, a]), config.activation),
    latent: select('plane-latent', [['1', '1-D'], ['2', '2-D']], config.latent),
    latent_dist: select('plane-latent-dist', [['uniform', 'uniform'], ['gaussian', 'Gaussian']], config.latent_dist),
    batch: number('plane-batch', config.batch, 1, 512),
  };
  const settings = el('div', { class: 'plane-settings' }, [
    field('G layers', net.g_layers), field('G neurons', net.g_neurons), field('D layers', net.d_layers), field('D neurons', net.d_neurons),
    field('activation', net.activation), field('latent', net.latent), field('latent distribution', net.latent_dist), field('batch', net.batch),
  ]);
  const lanesBox = el('div', { class: 'plane-lanes', id: 'plane-lanes' });
  const charts = {};
  const chartBox = el('div', { class: 'plane-charts' }, ['kl', 'js', 'swd', 'loss'].map((k) => {
    charts[k] = el('canvas', { id: `plane-chart-${k}`, width: '320', height: '150' });
    return charts[k];
  }));
  const addLane = btn('plane-add-lane', '+ lane', 'Add a lane (up to 4)');
  root.replaceChildren(
    el('header', { class: 'plane-header' }, [el('h1', { text: 'GAN playground — 2-D' }), status]),
    toolbar, settings,
    el('div', { class: 'plane-lane-tools' }, [addLane, el('a', { href: '?', text: 'image mode (MNIST)' })]),
    lanesBox, chartBox,
  );
  return { play, step, stepD, stepG, speed, dataset, clear, undo, drawTools, layerBoxes, status, net, lanesBox, charts, addLane, objectives };
}

/** A lane card: objective picker, plane canvas, colour scale and figures. */
export function buildLaneCard(lane, index, objectives, size) {
  const pick = el('select', { class: 'plane-objective', 'aria-label': `lane ${index + 1} objective` });
  for (const o of objectives) pick.append(el('option', { value: o.id, text: o.name }));
  pick.value = lane.objective;
  const remove = el('button', { type: 'button', class: 'plane-remove', text: '×', title: 'Remove this lane' });
  const canvas = el('canvas', { class: 'plane-canvas', width: String(size), height: String(size) });
  const bar = el('canvas', { class: 'plane-scale-bar', width: '200', height: '10' });
  drawScaleBar(bar);
  const lo = el('span', { class: 'plane-scale-lo' });
  const hi = el('span', { class: 'plane-scale-hi' });
  const label = el('div', { class: 'plane-scale-label' });
  const figures = el('div', { class: 'plane-figures' });
  const swatch = el('span', { class: 'plane-swatch' });
  swatch.style.background = lane.color; // CSSOM, not a style attribute (the CSP allows no inline styles)
  const card = el('section', { class: 'plane-lane', 'data-lane': String(lane.id) }, [
    el('div', { class: 'plane-lane-head' }, [swatch, pick, remove]),
    canvas,
    el('div', { class: 'plane-scale' }, [lo, bar, hi]), label, figures,
  ]);
  return { card, canvas, pick, remove, lo, hi, label, figures };
}
