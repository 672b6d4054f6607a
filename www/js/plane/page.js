// The 2-D mode's page: the store (plane updates), the worker (plane/worker.js), the controls, the
// lane cards with their plane views (redrawn on animation frames), the charts, the URL and the page API.
import { createStore, LANE_COLORS } from '../store.js';
import { parsePlaneQuery, toPlaneQuery, laneConfig } from './url.js';
import { requestMaker } from './protocol.js';
import { createPlaneView } from './view.js';
import { attachDrawing } from './draw.js';
import { drawChart } from './chart.js';
import { buildPlanePage, buildLaneCard } from './ui.js';
import { LAYERS } from './updates.js';

const CANVAS = 360;

export function startPlane(query) {
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = new URL('../../css/plane.css', import.meta.url).href;
  document.head.append(link);
  document.body.classList.add('plane-mode');
  const parsed = parsePlaneQuery(query);
  const store = createStore({ page: {} });
  store.update('planeInit', parsed);
  const P = () => store.state.plane;

  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  const makeRequest = requestMaker();
  const pending = new Map();
  const request = (type, args = {}) => new Promise((resolve, reject) => {
    const msg = makeRequest(type, args);
    pending.set(msg.id, { resolve, reject });
    worker.postMessage(msg);
  });
  let resolveReady;
  const ready = new Promise((r) => { resolveReady = r; });
  const EVENT_UPDATES = {
    ready: (m) => store.update('planeReady', m),
    failed: (m) => store.update('planeFailed', m),
    built: (m) => store.update('planeBuilt', m),
    stats: (m) => store.update('planeStats', m),
    view: (m) => store.update('planeView', m),
    running: (m) => store.update('planeRunning', m),
  };
  worker.onmessage = ({ data: msg }) => {
    if (msg.kind === 'reply') {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.ok) p?.resolve(msg.result); else p?.reject(new Error(msg.error));
    } else if (msg.kind === 'event') EVENT_UPDATES[msg.type]?.(msg);
  };
  worker.onerror = (e) => store.update('planeFailed', { message: e.message ?? 'the worker failed' });

  let ui = null;
  let cards = [];
  let dirty = true;
  const build = () => {
    store.update('planeRebuild', { colors: LANE_COLORS });
    const c = P().config;
    return request('build', { lanes: P().lanes.map((l) => ({ id: l.id, config: laneConfig(c, l.objective) })) });
  };
  const scoreOf = (objective) => P().objectives.find((o) => o.id === objective)?.d_score ?? null;
  const syncUrl = () => {
    try {
      const url = new URL(window.location.href);
      url.search = toPlaneQuery(P().config, P().options);
      window.history.replaceState(null, '', url);
    } catch { /* an opaque origin may not rewrite its URL */ }
  };
  const reconfigure = (changes) => {
    store.update('planeConfig', { changes });
    syncUrl();
    return build();
  };

  function mountCards() {
    ui.lanesBox.replaceChildren();
    cards = P().lanes.map((lane, i) => {
      const c = buildLaneCard(lane, i, P().objectives, CANVAS);
      c.view = createPlaneView(c.canvas, P().limits.plane.heatCells);
      c.pick.onchange = () => reconfigure({ lanes: P().lanes.map((l, j) => (j === i ? c.pick.value : l.objective)) });
      c.remove.onclick = () => P().lanes.length > 1 && reconfigure({ lanes: P().lanes.filter((_, j) => j !== i).map((l) => l.objective) });
      attachDrawing(c.canvas, c.view.toPlane, {
        enabled: () => P().config.dataset === 'drawn',
        onPoints: (points, start) => { store.update('planePoints', { add: points, start, max: P().limits.plane.maxPoints }); dirty = true; },
        onEnd: () => { syncUrl(); if (P().config.points.length) build(); },
      });
      ui.lanesBox.append(c.card);
      return c;
    });
    dirty = true;
  }

  function drawAll() {
    const p = P();
    for (const [i, lane] of p.lanes.entries()) {
      const c = cards[i];
      if (!c) continue;
      const extra = p.config.dataset === 'drawn' ? p.config.points : [];
      const scale = c.view.draw(lane.view, { layers: p.layers, score: scoreOf(lane.objective), extra });
      if (scale?.label) {
        c.lo.textContent = (scale.lowIsReal ? scale.hi : scale.lo).toPrecision(3);
        c.hi.textContent = (scale.lowIsReal ? scale.lo : scale.hi).toPrecision(3);
        c.label.textContent = `heatmap: ${scale.label}; left = looks fake, right = looks real`;
      }
      const v = lane.view;
      const f = (x) => (Number.isFinite(x) ? x.toFixed(3) : '—');
      c.figures.textContent = lane.error ? `error: ${lane.error}`
        : `step ${lane.step} · ${Math.round(lane.stepsPerSec)} steps/s · D ${f(lane.stats?.d_loss)} · G ${f(lane.stats?.g_loss)} · KL ${f(v?.kl)} · JS ${f(v?.js)} · SWD ${f(v?.swd)}${lane.diverged ? ' · diverged' : ''}`;
    }
    const series = (key, pick) => p.lanes.map((l) => ({ color: l.color, points: l.curves[key].map((q) => ({ x: q.step, y: pick(q) })) }));
    drawChart(ui.charts.kl, 'KL(real ‖ fake), grid estimate', series('dist', (q) => q.kl));
    drawChart(ui.charts.js, 'JS divergence, grid estimate', series('dist', (q) => q.js));
    drawChart(ui.charts.swd, 'sliced Wasserstein distance', series('dist', (q) => q.swd));
    drawChart(ui.charts.loss, 'G loss', series('loss', (q) => q.g));
  }

  // Frames: redraw when something changed; frames/s counts redraws in the last second.
  let frames = [];
  const frame = () => {
    if (dirty && ui) {
      dirty = false;
      drawAll();
      const now = performance.now();
      frames.push(now);
      frames = frames.filter((t) => now - t < 1000);
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);

  const statusLine = () => {
    const p = P();
    if (p.phase === 'failed') return `failed: ${p.error}`;
    if (p.phase !== 'ready') return 'loading the module…';
    const sps = p.lanes.map((l) => Math.round(l.stepsPerSec)).join(' / ');
    return `backend: CPU (burn flex, chosen for the tiny 2-D nets) · ${p.running ? 'training' : 'paused'} · ${sps} G steps/s · ${frames.length} frames/s`;
  };
  store.subscribe((state, change) => {
    if (['planeView', 'planeStats', 'planeLayer', 'planePoints', 'planeBuilt'].includes(change.type)) dirty = true;
    if (change.type === 'planeRebuild' && ui) mountCards();
    if (ui) {
      ui.status.textContent = statusLine();
      ui.play.textContent = P().running ? 'Pause' : 'Play';
      ui.drawTools.hidden = P().config.dataset !== 'drawn';
    }
  });

  ready.then(() => {});
  const unsub = store.subscribe((state, change) => {
    if (change.type !== 'planeReady') return;
    unsub();
    const p = P();
    ui = buildPlanePage(document.body, { limits: p.limits, objectives: p.objectives, config: p.config, options: p.options });
    wire();
    build().then(async () => {
      await request('options', { speed: p.options.speed });
      if (p.options.autostart) await request('play');
      resolveReady();
    });
  });

  function wire() {
    ui.play.onclick = () => request(P().running ? 'pause' : 'play');
    ui.step.onclick = () => request('step', { n: 1, phase: 'both' });
    ui.stepD.onclick = () => request('step', { n: 1, phase: 'd' });
    ui.stepG.onclick = () => request('step', { n: 1, phase: 'g' });
    ui.speed.onchange = () => {
      store.update('planeOptions', { changes: { speed: Number(ui.speed.value) } });
      syncUrl();
      request('options', { speed: P().options.speed });
    };
    ui.dataset.onchange = () => reconfigure({ dataset: ui.dataset.value });
    ui.clear.onclick = () => { store.update('planePoints', { clear: true }); syncUrl(); };
    ui.undo.onclick = () => { store.update('planePoints', { undo: true }); syncUrl(); if (P().config.points.length) build(); };
    for (const l of LAYERS) ui.layerBoxes[l].onchange = () => store.update('planeLayer', { layer: l, on: ui.layerBoxes[l].checked });
    for (const [key, input] of Object.entries(ui.net)) {
      input.onchange = () => reconfigure({ [key]: ['activation', 'latent_dist'].includes(key) ? input.value : Number(input.value) });
    }
    ui.addLane.onclick = () => P().lanes.length < 4 && reconfigure({ lanes: [...P().config.lanes, 'wgan-gp'] });
    ui.drawTools.hidden = P().config.dataset !== 'drawn';
  }

  window.ganPlayground = {
    ready,
    status: () => {
      const p = P();
      return {
        mode: '2d', ready: p.phase === 'ready' && cards.length > 0, running: p.running, backend: 'cpu', fps: frames.length,
        dataset: p.config.dataset, points: p.config.points.length,
        lanes: p.lanes.map((l) => ({ objective: l.objective, step: l.step, stepsPerSec: l.stepsPerSec, viewStep: l.view?.step ?? null, kl: l.view?.kl ?? null, js: l.view?.js ?? null, swd: l.view?.swd ?? null, error: l.error, diverged: l.diverged, config: l.config })),
      };
    },
    play: () => request('play'),
    pause: () => request('pause'),
    step: (n = 1, phase = 'both') => request('step', { n, phase }),
    configure: (changes) => reconfigure(changes),
    view: (i) => P().lanes[i]?.view ?? null,
  };
}
