// The 2-D mode's page: the store (plane updates), the worker (plane/worker.js), the controls, the lane
// cards with their plane views (redrawn on animation frames) and divergence notices, the charts, the
// time-lapse, checkpoints, autosave and resume (plane/autosave.js), the URL (with the image mode's
// embed= and hide=) and the page API (plane/api.js).
import { createStore, LANE_COLORS } from '../store.js';
import { PLANE_UPDATES } from './updates.js';
import { applyLayout } from '../layout.js';
import { createWorker } from '../worker-client.js';
import { parsePlaneQuery, toPlaneQuery, laneConfig, planeAutosave } from './url.js';
import { requestMaker } from './protocol.js';
import { createPlaneView } from './view.js';
import { attachDrawing } from './draw.js';
import { Plot } from '../plot.js';
import { buildPlanePage, buildLaneCard, showDivergence, el, CHARTS } from './ui.js';
import { LAYERS } from './updates.js';
import { planeCheckpoints } from './checkpoints.js';
import { setupPlaneTimelapse } from './timelapse.js';
import { installPlaneApi, planeStatusEvents } from './api.js';
import { configureChanges } from './configure.js';
import { createPlaneAutosave, PLANE_PAGE } from './autosave.js';
import { mountResume } from '../views/resume.js';

const CANVAS = 360;

export function startPlane(query) {
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = new URL('../../css/plane.css', import.meta.url).href;
  document.head.append(link);
  document.body.classList.add('plane-mode');
  const parsed = parsePlaneQuery(query);
  applyLayout(parsed.options);
  const store = createStore({ page: {} }, PLANE_UPDATES);
  store.update('planeInit', parsed);
  const P = () => store.state.plane;
  // `test=1` enables the test hooks (as in the image mode; not over postMessage).
  const testMode = new URLSearchParams(query).get('test') === '1';

  const worker = createWorker(new URL('./worker.js', import.meta.url));
  const makeRequest = requestMaker();
  const pending = new Map();
  const request = (type, args = {}) => new Promise((resolve, reject) => {
    const msg = makeRequest(type, args);
    pending.set(msg.id, { resolve, reject });
    worker.postMessage(msg);
  });
  let resolveReady;
  let rejectReady;
  const ready = new Promise((resolve, reject) => { resolveReady = resolve; rejectReady = reject; });
  ready.catch(() => {});
  const EVENT_UPDATES = {
    ready: (m) => store.update('planeReady', m),
    failed: (m) => { store.update('planeFailed', m); rejectReady(new Error(m.message)); },
    built: (m) => store.update('planeBuilt', m),
    stats: (m) => store.update('planeStats', m),
    view: (m) => store.update('planeView', m),
    running: (m) => store.update('planeRunning', m),
    diverged: (m) => store.update('planeDiverged', m),
    checkpoint: (m) => store.update('planeCheckpoint', m),
  };
  worker.onmessage = ({ data: msg }) => {
    if (msg.kind === 'reply') {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.ok) p?.resolve(msg.result);
      else p?.reject(Object.assign(new Error(msg.error), msg.code ? { code: msg.code } : {}));
    } else if (msg.kind === 'event') EVENT_UPDATES[msg.type]?.(msg);
  };
  worker.onerror = (e) => {
    store.update('planeFailed', { message: e.message ?? 'the worker failed' });
    rejectReady(new Error(e.message ?? 'the worker failed'));
  };

  let ui = null;
  let cards = [];
  let dirty = true;
  let timelapse = null;
  const checkpoints = planeCheckpoints(store, request);
  /** After a resume: the controls show the run's settings, the link names them. */
  const afterRestore = () => {
    const p = P();
    if (!ui) return;
    ui.dataset.value = p.config.dataset;
    ui.speed.value = String(p.options.speed);
    for (const [key, input] of Object.entries(ui.net)) input.value = String(p.config[key]);
    syncUrl();
  };
  const autosave = createPlaneAutosave({ store, request, colors: LANE_COLORS, rebuild: () => build(), afterRestore });
  /** Returns lane `i` to its last healthy snapshot; resolves to `{step}` once done. */
  async function rollback(i = 0) {
    const lane = P().lanes[laneIndexOk(i, 'rollback')];
    const { step } = await request('rollback', { lane: lane.id });
    store.update('planeRolledBack', { lane: lane.id, step });
    return { step };
  }
  const build = () => {
    store.update('planeRebuild', { colors: LANE_COLORS });
    const c = P().config;
    return request('build', { lanes: P().lanes.map((l) => ({ id: l.id, config: laneConfig(c, l.objective) })) });
  };
  const scoreOf = (objective) => P().objectives.find((o) => o.id === objective)?.d_score ?? null;
  const syncUrl = () => {
    try {
      const url = new URL(window.location.href);
      url.search = toPlaneQuery(P().config, P().options, P().limits) + (testMode ? '&test=1' : ''); // a reload keeps the hooks
      window.history.replaceState(null, '', url);
    } catch { /* an opaque origin may not rewrite its URL */ }
  };
  const report = (e) => store.update('planeNotice', { text: e?.message ?? String(e), level: 'error' });
  /** Checks `changes` (module-validated), then applies them and rebuilds; `{config, errors}`. */
  async function configure(changes) {
    const { config, options, errors } = await configureChanges(P(), changes, (configs) => request('validate', { configs }));
    if (errors.length) return { config: P().config, errors };
    if (options) {
      store.update('planeOptions', { changes: options });
      await request('options', { speed: P().options.speed });
    }
    if (config) {
      autosave.save(); // the run so far is saved before its lanes are replaced (the record is taken now)
      store.update('planeConfig', { changes: config });
      await build();
    }
    syncUrl();
    return { config: P().config, errors: [] };
  }
  const reconfigure = (changes) => configure(changes).then((r) => {
    if (r.errors.length) store.update('planeNotice', { text: r.errors.map((e) => `${e.field}: ${e.message}`).join('\n'), level: 'error' });
  }, report);

  function mountCards() {
    ui.lanesBox.replaceChildren();
    ui.lanesBox.dataset.count = String(P().lanes.length);
    cards = P().lanes.map((lane, i) => {
      if (lane.loading) return null;
      const c = buildLaneCard(lane, i, P().objectives, CANVAS);
      c.view = createPlaneView(c.canvas, P().limits.plane.heatCells);
      c.pick.onchange = () => reconfigure({ lanes: P().lanes.map((l, j) => (j === i ? c.pick.value : l.objective)) });
      c.remove.disabled = P().lanes.length < 2;
      c.remove.onclick = () => P().lanes.length > 1 && reconfigure({ lanes: P().lanes.filter((_, j) => j !== i).map((l) => l.objective) });
      c.save.onclick = () => checkpoints.download(i).catch(report);
      c.rollback.onclick = () => rollback(i).catch(report);
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

  const drawOptions = (lane) => ({ layers: P().layers, score: scoreOf(lane.objective), extra: P().config.dataset === 'drawn' ? P().config.points : [] });
  /** Sets an element's text only when it changes (an unchanged text costs no layout). */
  const setText = (node, text) => { if (node.textContent !== text) node.textContent = text; };
  /** Draws the planes (and their divergence notices) that have a view they did not show on the last
   * frame, or every plane if `all`; returns whether it drew a new view. */
  function drawPlanes(all) {
    let fresh = false;
    for (const [i, lane] of P().lanes.entries()) {
      const c = cards[i];
      if (!c) continue;
      const v = timelapse?.viewAt(lane) ?? lane.view;
      if (v === c.shown && !all) continue;
      fresh ||= v !== c.shown;
      c.shown = v;
      showDivergence(c, lane);
      c.scale = c.view.draw(v, drawOptions(lane));
      panelsDirty = true; // its scale and figures
    }
    return fresh;
  }
  /** The charts' uPlots, made with the first panels (one per `CHARTS` entry). */
  let plots = null;
  /** The texts (scales, figures, status line), the charts and the time-lapse bar: a few times a second
   * while training, at once otherwise. Text and charts that change on every frame would cost the
   * planes their frame rate (layout, paint and raster share the cores with training). */
  function drawPanels() {
    const p = P();
    const f = (x) => (Number.isFinite(x) ? x.toFixed(3) : '—');
    for (const [i, lane] of p.lanes.entries()) {
      const c = cards[i];
      if (!c) continue;
      const scale = c.scale;
      if (scale?.label) {
        setText(c.lo, (scale.lowIsReal ? scale.hi : scale.lo).toPrecision(3));
        setText(c.hi, (scale.lowIsReal ? scale.lo : scale.hi).toPrecision(3));
        setText(c.label, `heatmap: ${scale.label}; left = looks fake, right = looks real`);
      }
      const v = c.shown;
      const past = v && v !== lane.view ? `time-lapse: step ${v.step} · ` : '';
      setText(c.figures, lane.error ? `error: ${lane.error}`
        : `${past}step ${lane.step} · ${Math.round(lane.stepsPerSec)} steps/s · D ${f(lane.stats?.d_loss)} · G ${f(lane.stats?.g_loss)} · KL ${f(lane.view?.kl)} · JS ${f(lane.view?.js)} · SWD ${f(lane.view?.swd)}${lane.diverged !== null ? ` · diverged at ${lane.diverged}` : ''}`);
    }
    setText(ui.status, statusLine());
    plots ??= Object.fromEntries(Object.entries(CHARTS).map(([k, { axis }]) => [k, new Plot(ui.charts[k], { yLabel: axis, empty: 'no points yet: press Play or Step' })]));
    for (const [k, { curve, pick }] of Object.entries(CHARTS)) {
      plots[k].draw(p.lanes.map((l, i) => ({ label: `${i + 1} ${l.objective}`, color: l.color, points: l.curves[curve].map((q) => [q.step, pick(q)]) })));
    }
    timelapse?.refresh();
  }

  // Frames: a plane is redrawn when its view is new, every plane when something else they show changed
  // (`dirty`: layers, size, points, lanes); frames/s counts the frames in the last second that showed a
  // new view.
  const PANELS_MS = 250;
  let frames = [];
  let panelsDirty = true;
  let panelsAt = -Infinity;
  const frame = (now) => {
    if (ui) {
      if (drawPlanes(dirty)) frames.push(now);
      dirty = false;
    }
    frames = frames.filter((t) => now - t < 1000);
    if (panelsDirty && ui && (!P().running || now - panelsAt >= PANELS_MS)) {
      panelsDirty = false;
      panelsAt = now;
      drawPanels();
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);

  const statusLine = () => {
    const p = P();
    if (p.phase === 'failed') return `failed: ${p.error}`;
    if (p.phase !== 'ready') return 'loading the module…';
    const sps = p.lanes.map((l) => Math.round(l.stepsPerSec)).join(' / ');
    const live = p.running ? `training · ${sps} G steps/s · ${frames.length} frames/s` : 'paused';
    return `${live} · CPU backend, the faster one for these small nets`;
  };
  const showNotices = () => ui.notices.replaceChildren(...P().notices.map((n) => {
    const close = el('button', { type: 'button', class: 'notice-close', text: '×', 'aria-label': 'dismiss' });
    close.onclick = () => store.update('planeDismiss', { id: n.id });
    return el('div', { class: `notice ${n.level}` }, [el('span', { text: n.text }), close]);
  }));
  store.subscribe((state, change) => {
    panelsDirty = true;
    if (['planeLayer', 'planePoints', 'planeBuilt', 'planeLoaded', 'planeDiverged', 'planeRolledBack'].includes(change.type)) dirty = true;
    if (['planeRebuild', 'planeLoaded', 'planeDrop', 'planeRestore'].includes(change.type) && ui) mountCards();
    if (['planeNotice', 'planeDismiss'].includes(change.type) && ui) showNotices();
    if (change.type === 'planeLoaded') syncUrl();
    if (ui) {
      ui.play.textContent = P().running ? 'Pause' : 'Play';
      ui.drawTools.hidden = P().config.dataset !== 'drawn';
      ui.addLane.disabled = P().lanes.length >= P().limits.maxLanes;
    }
  });

  const unsub = store.subscribe((state, change) => {
    if (change.type !== 'planeReady') return;
    unsub();
    const p = P();
    ui = buildPlanePage(document.body, { limits: p.limits, config: p.config, options: p.options });
    ui.notices = document.getElementById('plane-notices');
    const every = planeAutosave(p.options.autosave, p.limits.autosaveEvery);
    store.update('planeAutosaveEvery', { seconds: every.seconds });
    if (every.notice) store.update('planeNotice', { text: every.notice, level: 'warn' });
    mountResume(ui.resume, ui.autosaveLine, store, {
      resume: (id) => autosave.resume(id).catch(report), remove: (id) => autosave.delete(id),
      removeAll: () => autosave.deleteAll(), startFresh: () => autosave.startFresh(),
    }, PLANE_PAGE);
    showNotices();
    timelapse = setupPlaneTimelapse(ui.timelapse, store.state.timelapse, {
      lanes: () => P().lanes.filter((l) => !l.loading), drawOptions, redraw: () => { dirty = true; }, cells: p.limits.plane.heatCells,
    });
    ui.status.title = 'The 2-D mode trains on the CPU backend (burn flex): its nets are a few thousand parameters, and a GPU step is bound by the number of its kernel launches, not by arithmetic (measured in docs/plane.md, "Backend").';
    // The planes follow their size and the colour scheme (the charts' uPlots follow their own size).
    new ResizeObserver(() => { dirty = true; }).observe(ui.lanesBox.parentElement.parentElement);
    window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener?.('change', () => { dirty = true; });
    wire();
    build().then(async () => {
      syncUrl();
      await request('options', { speed: p.options.speed });
      if (p.options.autostart) await request('play');
      resolveReady();
      autosave.start().catch(report); // storage never holds up the page: a failure is a notice
    }, rejectReady);
  });

  function wire() {
    // A refusal (every lane diverged: roll back first) is a notice.
    ui.play.onclick = () => request(P().running ? 'pause' : 'play').catch(report);
    ui.step.onclick = () => request('step', { n: 1, phase: 'both' }).catch(report);
    ui.stepD.onclick = () => request('step', { n: 1, phase: 'd' }).catch(report);
    ui.stepG.onclick = () => request('step', { n: 1, phase: 'g' }).catch(report);
    ui.speed.onchange = () => reconfigure({ speed: Number(ui.speed.value) });
    ui.dataset.onchange = () => reconfigure({ dataset: ui.dataset.value });
    ui.clear.onclick = () => { store.update('planePoints', { clear: true }); syncUrl(); };
    ui.undo.onclick = () => { store.update('planePoints', { undo: true }); syncUrl(); if (P().config.points.length) build(); };
    for (const l of LAYERS) ui.layerBoxes[l].onchange = () => store.update('planeLayer', { layer: l, on: ui.layerBoxes[l].checked });
    for (const [key, input] of Object.entries(ui.net)) {
      input.onchange = () => reconfigure({ [key]: ['activation', 'latent_dist'].includes(key) ? input.value : Number(input.value) });
    }
    ui.addLane.onclick = () => P().lanes.length < P().limits.maxLanes && reconfigure({ lanes: [...P().config.lanes, 'wgan-gp'] });
    ui.load.onchange = async () => {
      const file = ui.load.files[0];
      ui.load.value = '';
      if (file) checkpoints.load(new Uint8Array(await file.arrayBuffer()), file.name).catch(() => {}); // the notice says why
    };
    ui.drawTools.hidden = P().config.dataset !== 'drawn';
  }

  const status = () => {
    const p = P();
    return {
      mode: '2d', ready: p.phase === 'ready' && cards.length > 0 && p.lanes.every((l) => !l.loading), running: p.running, stepping: p.stepping,
      backend: 'cpu', fps: frames.length, dataset: p.config.dataset, points: p.config.points.length, speed: p.options.speed,
      embed: p.options.embed, hidden: p.options.hide, limits: p.limits, error: p.error, autosave: autosave.summary(),
      timelapse: { frames: Math.max(0, ...p.lanes.map((l) => store.state.timelapse.frames(l.id).length)), scrubbing: timelapse?.scrubbing() ?? false },
      lanes: p.lanes.map((l, index) => ({
        index, id: l.id, color: l.color, objective: l.objective, step: l.step, stepsPerSec: l.stepsPerSec, viewStep: l.view?.step ?? null,
        dLoss: l.stats?.d_loss ?? null, gLoss: l.stats?.g_loss ?? null, kl: l.view?.kl ?? null, js: l.view?.js ?? null, swd: l.view?.swd ?? null,
        error: l.error, diverged: l.diverged, snapshotStep: l.snapshotStep, checkpointStep: l.checkpoint?.step ?? null,
        loadedStep: l.loadedStep ?? null, chartPoints: l.curves.loss.length, config: l.config,
      })),
    };
  };
  const laneIndexOk = (i, what) => {
    if (!Number.isInteger(i) || i < 0 || i >= P().lanes.length) throw new Error(`${what}: lane must be a whole number from 0 to ${P().lanes.length - 1}; got ${JSON.stringify(i)}`);
    return i;
  };
  installPlaneApi(ready, {
    play: () => request('play'),
    pause: () => request('pause'),
    step: (n = 1, phase = 'both') => request('step', { n, phase }),
    reset: () => build().then(() => status()),
    configure,
    addLane: (objective = 'nonsaturating') => configure({ lanes: [...P().config.lanes, typeof objective === 'object' ? objective?.objective : objective] }),
    removeLane: (i) => {
      laneIndexOk(i, 'removeLane');
      if (P().lanes.length < 2) throw new Error('the last lane cannot be removed');
      return configure({ lanes: P().config.lanes.filter((_, j) => j !== i) });
    },
    saveCheckpoint: (i = 0) => checkpoints.save(i),
    loadCheckpoint: (bytes) => checkpoints.load(bytes),
    view: (i = 0) => P().lanes[laneIndexOk(i, 'view')].view,
    rollback,
    setAutosave: (on) => autosave.setEnabled(on),
    status,
    ...(testMode ? {
      setSnapshotEvery: (n) => request('snapshotEvery', { n }),
      setLearningRatesUnchecked: (lrG, lrD, i = 0) => request('testLearningRates', { lane: P().lanes[laneIndexOk(i, 'test')].id, lr_g: lrG, lr_d: lrD }),
    } : {}),
  });
  if (testMode) window.ganPlaygroundTest = { state: () => store.state, autosaveNow: () => autosave.save({ force: true }) };
  planeStatusEvents(store, status);
}
