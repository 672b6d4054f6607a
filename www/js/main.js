// Page bootstrap: starts the training worker and routes its messages to the lanes, charts, controls,
// time-lapse and URL; keeps every lane's last checkpoint so a crashed worker or a lost GPU device is
// replaced without losing the runs. The page API lives in controller.js.
import { parseQuery, syncUrl, MAX_LANES } from './state.js';
import { setupControls, showNotice } from './controls.js';
import { LaneChart, DiagnosticChart, LANE_COLORS } from './charts.js';
import { LaneView, newLaneState, recordStats } from './lanes.js';
import { installApi, emitStatus, emitLane } from './api.js';
import { setupCodeExplorer } from './codes.js';
import { setupInterpolation } from './interp.js';
import { applyLayout } from './layout.js';
import { TimeLapse, setupTimelapse } from './timelapse.js';
import { makeController } from './controller.js';

const $ = (id) => document.getElementById(id);
// `test=1` enables the test hooks (README, "Test hooks"); it is not part of the configuration.
const search = new URLSearchParams(window.location.search);
const testMode = search.get('test') === '1';
search.delete('test');
const query = parseQuery(search.toString());
applyLayout(query.page);
for (const text of query.notices) showNotice(text, 'warn');

const state = {
  backend: null, adapter: '', running: false, ready: false, page: query.page,
  crashed: null, // message while the worker is dead and a restart is offered
  deviceLosses: 0, memoryBytes: 0, backendPreference: query.page.backend, snapshotEvery: undefined,
  lanes: [], selected: null, nextId: 1, objectives: [], metrics: null,
};
const ui = { controls: null, codeExplorer: null, interp: null, timelapse: null, charts: null, diag: null, views: new Map() };
const timelapse = new TimeLapse({ maxFrames: 120 });
let worker = null;
let resumeAfterRestore = false;
let divergedNotices = new Map();

const laneById = (id) => state.lanes.find((l) => l.id === id);
const laneIndex = (id) => state.lanes.findIndex((l) => l.id === id);
const objectiveInfo = (id) => state.objectives.find((o) => o.id === id);
const selectedLane = () => laneById(state.selected) ?? state.lanes[0];

/** A new lane's state and its colour (the first colour no other lane uses). */
function newLane() {
  const used = new Set(state.lanes.map((l) => l.color));
  const lane = newLaneState(state.nextId++, LANE_COLORS.find((c) => !used.has(c)) ?? LANE_COLORS[0]);
  state.lanes.push(lane);
  return lane;
}

function createWorker() {
  const url = new URL('./worker.js', import.meta.url);
  try {
    return new Worker(url, { type: 'module' });
  } catch (e) {
    // A sandboxed iframe has an opaque origin, so the worker's URL is cross-origin and refused: start a
    // module worker from a data: URL that imports it (the server must then allow CORS, as for the
    // modules). Chromium refuses module workers from blob: URLs of an opaque origin.
    if (e?.name !== 'SecurityError') throw e;
    const boot = `import ${JSON.stringify(url.href)};`;
    return new Worker(`data:text/javascript,${encodeURIComponent(boot)}`, { type: 'module' });
  }
}

/** Starts a worker (terminating any other) for the current lanes; each restores from its checkpoint if it has one. */
function startWorker(backendPreference) {
  worker?.terminate();
  Object.assign(state, { ready: false, crashed: null, backendPreference });
  for (const lane of state.lanes) lane.restoring = true;
  worker = createWorker();
  worker.onmessage = (event) => onWorkerMessage(event.data);
  worker.onerror = (event) => {
    event.preventDefault?.();
    crashed(`the training worker failed: ${event.message || 'unknown error'}`);
  };
  const dataset = query.page.dataset;
  worker.postMessage({
    type: 'init', backend: backendPreference,
    dataUrl: new URL(`../data/${dataset}.bin`, import.meta.url).href,
    classifierUrl: new URL(`../data/${dataset === 'mnist' ? 'classifier' : `classifier-${dataset}`}.bin`, import.meta.url).href,
    lanes: state.lanes.map((l) => ({ id: l.id, config: l.config ?? l.raw ?? {}, checkpoint: l.checkpoint?.bytes ?? null })),
    snapshotEvery: state.snapshotEvery, options: { speed: query.page.speed, evalEvery: query.page.evalEvery },
  });
}

/** Where each lane restarts: its checkpoint, or step 0 when it has none yet. */
function restoreFrom() {
  const from = (l) => (l.checkpoint ? `from its checkpoint at step ${l.checkpoint.step}` : 'from step 0 (no checkpoint yet)');
  if (state.lanes.length === 1) return `the lane ${from(state.lanes[0])}`;
  return state.lanes.map((l, i) => `lane ${i + 1} ${from(l)}`).join(', ');
}

/** The worker is dead (a panic or an uncaught error): say so and offer a restart that restores the lanes. */
function crashed(message) {
  worker?.terminate();
  Object.assign(state, { ready: false, running: false, crashed: message });
  ui.controls?.setRunning(false);
  ui.controls?.setEnabled(false);
  showNotice(`${message}. Training stopped; Restart starts a new worker and restores ${restoreFrom()}.`, 'error', [
    { label: 'Restart', run: () => startWorker(state.backendPreference) },
  ]);
  renderStatus();
}

/** The GPU device was lost: restore the lanes from their checkpoints on a new device, or on the CPU after a second loss. */
function deviceLost(msg) {
  state.deviceLosses += 1;
  resumeAfterRestore = state.running;
  state.running = false;
  const retryGpu = msg.backend === 'webgpu' && state.deviceLosses === 1;
  const what = msg.simulated ? `Simulated GPU device loss (${msg.message})` : `The GPU device was lost (${msg.reason}${msg.message ? `: ${msg.message}` : ''})`;
  const restored = state.lanes.length === 1 ? `The lane is restored ${restoreFrom().slice('the lane '.length)}` : `The lanes are restored (${restoreFrom()})`;
  showNotice(`${what}. ${restored} on ${retryGpu ? 'a new WebGPU device' : 'the CPU backend'}.`, 'warn');
  startWorker(retryGpu ? state.backendPreference : 'cpu');
}

const MAX_RESTARTS = 3;
let restarts = 0;

function fatal(message, fallback) {
  state.running = false;
  ui.controls?.setRunning(false);
  if (++restarts > MAX_RESTARTS) {
    worker?.terminate();
    state.ready = false;
    ui.controls?.setEnabled(false);
    showNotice(`${message} — the training worker failed ${MAX_RESTARTS} times; reload the page to try again.`, 'error');
    return;
  }
  showNotice(`${message} — restarting the training worker${fallback === 'cpu' ? ' on the CPU backend' : ''}.`, 'error');
  startWorker(fallback === 'cpu' ? 'cpu' : state.backendPreference);
}

function showDiverged(lane, msg) {
  divergedNotices.get(lane.id)?.remove();
  const what = [msg.losses && 'a loss', msg.weights && 'the weights'].filter(Boolean).join(' and ') + ' became NaN or infinite';
  const n = laneIndex(lane.id) + 1;
  divergedNotices.set(lane.id, showNotice(
    `${state.lanes.length > 1 ? `Lane ${n}: t` : 'T'}raining diverged at step ${msg.step} (${what}). The last good samples are kept${state.lanes.length > 1 ? '; the other lanes go on' : ''}. Roll back to the snapshot of step ${msg.snapshotStep} (the same steps then repeat exactly, so unchanged settings diverge again) or reset with lower learning rates.`,
    'error',
    [{ label: `Roll back ${state.lanes.length > 1 ? `lane ${n} ` : ''}to step ${msg.snapshotStep}`, run: () => controller.rollback(laneIndex(lane.id)) }, { label: 'Reset', run: () => controller.reset(laneIndex(lane.id)) }],
  ));
}

/** Everything the lane panels, charts and controls show for the set of lanes (after adds, removes, reconfigures). */
function layoutLanes() {
  const lanes = state.lanes;
  const entries = lanes.map((l, i) => ({ id: l.id, label: `lane ${i + 1}`, color: l.color }));
  for (const chart of Object.values(ui.charts)) chart.setLanes(entries);
  for (const [id, view] of ui.views) {
    if (!laneById(id)) {
      view.remove();
      ui.views.delete(id);
    }
  }
  lanes.forEach((lane, i) => {
    let view = ui.views.get(lane.id);
    if (!view) {
      view = new LaneView($('lanes'), lane, laneActions, query.page.dataset);
      ui.views.set(lane.id, view);
    }
    $('lanes').append(view.root); // keeps display order
    if (lane.config) view.showConfig(lane, objectiveInfo(lane.config.objective), i, lane.id === selectedLane()?.id);
  });
  $('lanes').dataset.count = String(lanes.length);
  ui.controls.setLaneCount(lanes.length, MAX_LANES);
  showSelected();
}

/** The controls, diagnostics chart and explorers follow the selected lane. */
function showSelected() {
  const lane = selectedLane();
  if (!lane) return;
  state.selected = lane.id;
  const n = laneIndex(lane.id) + 1;
  for (const [id, view] of ui.views) view.setSelected(id === lane.id);
  $('editing').textContent = `lane ${n} settings`;
  $('diag-lane').textContent = `lane ${n}`;
  if (!lane.config) return;
  ui.controls.showConfig(lane.config);
  ui.diag.setObjective(objectiveInfo(lane.config.objective));
  ui.diag.load(lane.curves.stats);
  ui.codeExplorer.show(lane.id, lane.codes);
  ui.interp.show(lane.id, n);
}

/** Writes every lane's config (once all are known) and the page options into the address bar. */
function syncAll() {
  const configs = state.lanes.map((l) => l.config).filter(Boolean);
  if (configs.length === state.lanes.length) syncUrl(configs, query.page);
}

function onConfig(lane, msg) {
  const restored = msg.restoredStep !== undefined;
  Object.assign(lane, { config: msg.config, codes: msg.codes, restoring: false, dLoss: null, gLoss: null, diverged: null });
  lane.step = lane.snapshotStep = restored ? msg.restoredStep : 0;
  divergedNotices.get(lane.id)?.remove();
  if (!restored) lane.checkpoint = null; // a new run: the old checkpoint belongs to another one
  const fromFile = Boolean(msg.curves && Array.isArray(msg.curves.stats));
  if (fromFile) {
    // Loaded from a checkpoint file: its curves replace the lane's.
    lane.curves = { stats: msg.curves.stats.filter((s) => s && Number.isFinite(s.step)), quality: Array.isArray(msg.curves.quality) ? msg.curves.quality : [] };
    lane.quality = lane.curves.quality.at(-1) ?? null;
  } else if (restored) {
    // A restarted worker replays the steps after the checkpoint.
    lane.curves.stats = lane.curves.stats.filter((s) => s.step <= lane.step);
  } else {
    lane.curves = { stats: [], quality: [] };
    lane.quality = null;
    timelapse.clearLane(lane.id);
  }
  layoutLanes(); // the charts know every lane; the selected lane's controls and diagnostics show its curves
  for (const chart of Object.values(ui.charts)) chart.truncate(lane.id, restored && !fromFile ? lane.step : -1);
  if (fromFile) {
    pushLosses(lane, lane.curves.stats);
    ui.charts.fid.add(lane.id, lane.curves.quality.map((q) => [q.step, q.fid]));
  } else if (!restored) {
    ui.views.get(lane.id).clearQuality();
  }
  syncAll();
  showErrors(msg.errors, `lane ${laneIndex(lane.id) + 1}: using the default instead`);
  controller.settle(lane.id, { config: msg.config, errors: msg.errors, step: lane.step });
}

/** The d and g loss curves; a D-only step has no g loss and a G-only step no d loss. */
function pushLosses(lane, stats) {
  const pick = (key) => stats.filter((s) => s.phase !== (key === 'd_loss' ? 'g' : 'd')).map((s) => [s.step, s[key]]);
  ui.charts.dLoss.add(lane.id, pick('d_loss'));
  ui.charts.gLoss.add(lane.id, pick('g_loss'));
}

function pushCurves(lane, stats) {
  pushLosses(lane, stats);
  if (lane.id === state.selected) ui.diag.push(stats);
}

function onWorkerMessage(msg) {
  const lane = msg.lane === undefined ? null : laneById(msg.lane);
  if (msg.lane !== undefined && !lane && msg.type !== 'removed') return; // a lane removed meanwhile
  switch (msg.type) {
    case 'ready':
      Object.assign(state, { ready: true, backend: msg.backend, adapter: msg.adapter, metrics: msg.metrics });
      if (msg.notice) showNotice(msg.notice, msg.backend === 'cpu' && query.page.backend !== 'cpu' ? 'warn' : 'info');
      if (!ui.controls) setupUi(msg.objectives);
      ui.controls.setEnabled(true);
      break;
    case 'config':
      onConfig(lane, msg);
      if (query.page.autostart && !state.autostarted && state.lanes.every((l) => !l.restoring)) {
        state.autostarted = true;
        controller.play();
      } else if (resumeAfterRestore && state.lanes.every((l) => !l.restoring)) {
        resumeAfterRestore = false;
        controller.play();
      }
      break;
    case 'stats': {
      const last = msg.stats[msg.stats.length - 1];
      lane.step = last.step;
      if (last.phase !== 'g') lane.dLoss = last.d_loss;
      if (last.phase !== 'd') lane.gLoss = last.g_loss;
      lane.stepsPerSec = msg.stepsPerSec;
      state.memoryBytes = msg.memoryBytes ?? state.memoryBytes;
      recordStats(lane, msg.stats);
      pushCurves(lane, msg.stats);
      ui.charts.rate.add(lane.id, [[last.step, msg.stepsPerSec]]);
      ui.views.get(lane.id)?.render(lane);
      emitLane(laneStatus(lane, laneIndex(lane.id)));
      break;
    }
    case 'samples':
      timelapse.record(lane.id, msg.step, msg.pixels);
      ui.timelapse.refresh();
      if (!ui.timelapse.scrubbing()) ui.views.get(lane.id)?.drawSamples(msg);
      break;
    case 'quality':
      lane.quality = { step: msg.step, fid: msg.fid, classesCovered: msg.classesCovered, histogram: msg.histogram };
      lane.curves.quality.push(lane.quality);
      ui.charts.fid.add(lane.id, [[msg.step, msg.fid]]);
      ui.views.get(lane.id)?.showQuality(msg);
      break;
    case 'codeGrid':
      if (lane.id === state.selected) ui.codeExplorer.draw(msg);
      break;
    case 'interpolation':
      if (lane.id === state.selected) ui.interp.draw(msg);
      break;
    case 'running':
      state.running = msg.running;
      ui.controls?.setRunning(msg.running);
      break;
    case 'diverged':
      lane.diverged = msg.step;
      lane.snapshotStep = msg.snapshotStep;
      ui.views.get(lane.id)?.render(lane);
      showDiverged(lane, msg);
      break;
    case 'rolledBack':
      Object.assign(lane, { diverged: null, step: msg.step, dLoss: null, gLoss: null });
      divergedNotices.get(lane.id)?.remove();
      for (const chart of Object.values(ui.charts)) chart.truncate(lane.id, msg.step);
      lane.curves.stats = lane.curves.stats.filter((s) => s.step <= msg.step);
      if (lane.id === state.selected) ui.diag.load(lane.curves.stats);
      ui.views.get(lane.id)?.render(lane);
      controller.settle(lane.id, { step: msg.step }, 'rollback');
      break;
    case 'checkpoint':
      lane.checkpoint = { step: msg.step, bytes: msg.bytes };
      lane.snapshotStep = msg.step;
      break;
    case 'saved':
      controller.settle(lane.id, { step: msg.step, bytes: msg.bytes }, 'save', msg.requestId);
      break;
    case 'deviceLost':
      deviceLost(msg);
      break;
    case 'crashed':
      crashed(msg.message);
      break;
    case 'error':
      if (!controller.fail(msg.requestId, msg.message)) showNotice(msg.message, 'error');
      break;
    case 'fatal':
      fatal(msg.message, msg.fallback);
      break;
  }
  renderStatus();
}

/** Validator errors shown one by one; the rest are counted in one last notice. */
const MAX_ERROR_NOTICES = 8;
function showErrors(errors, consequence) {
  const shown = errors.length > MAX_ERROR_NOTICES ? errors.slice(0, MAX_ERROR_NOTICES - 1) : errors;
  for (const err of shown) showNotice(`${err.field}: ${err.message} — ${consequence}.`, 'warn');
  if (shown.length < errors.length) showNotice(`… and ${errors.length - shown.length} more invalid settings not shown.`, 'warn');
}

const laneActions = {
  select: (id) => {
    state.selected = id;
    showSelected();
  },
  save: (id) => controller.downloadCheckpoint(laneIndex(id)).catch((e) => showNotice(e.message, 'error')),
  remove: (id) => {
    try {
      controller.removeLane(laneIndex(id));
    } catch (e) {
      showNotice(e.message, 'warn');
    }
  },
  rollback: (id) => controller.rollback(laneIndex(id)).catch((e) => showNotice(e.message, 'error')),
};

function setupUi(objectives) {
  state.objectives = objectives;
  ui.controls = setupControls(objectives, controller, query.page);
  ui.codeExplorer = setupCodeExplorer((lane, view) => state.ready && worker.postMessage({ type: 'codes', lane, view }));
  ui.interp = setupInterpolation((lane, view) => state.ready && worker.postMessage({ type: 'interpolate', lane, view }));
  ui.charts = {
    dLoss: new LaneChart($('d-loss-chart'), 'd loss'),
    gLoss: new LaneChart($('g-loss-chart'), 'g loss'),
    fid: new LaneChart($('fid-chart'), 'FID', { log: true }),
    rate: new LaneChart($('rate-chart'), 'steps/s'),
  };
  ui.diag = new DiagnosticChart($('diag-chart'), 'value');
  ui.timelapse = setupTimelapse($('timelapse'), timelapse, {
    draw: (step) => {
      for (const lane of state.lanes) {
        const frame = timelapse.frameAt(lane.id, step);
        if (frame) ui.views.get(lane.id)?.drawSamples(frame);
      }
    },
    lanesInfo: () => state.lanes.map((l, i) => ({ id: l.id, label: `lane ${i + 1}: ${l.config?.objective ?? ''}` })),
    onLive: () => {
      for (const lane of state.lanes) {
        const frame = timelapse.latest(lane.id);
        if (frame) ui.views.get(lane.id)?.drawSamples(frame);
      }
    },
  });
  layoutLanes();
}

function backendLabel() {
  if (!state.backend) return 'starting…';
  return state.backend === 'webgpu' ? `WebGPU — ${state.adapter}` : 'CPU (wasm)';
}

function renderStatus() {
  const fmt = (v) => (v === null || v === undefined ? '—' : Number(v).toFixed(4));
  const lanes = state.lanes;
  const first = lanes[0] ?? newLaneState(0, '');
  const diverged = lanes.filter((l) => l.diverged !== null);
  const parts = [backendLabel()];
  if (lanes.length <= 1) {
    parts.push(`step ${first.step}`, `${first.stepsPerSec.toFixed(1)} steps/s`, `d loss ${fmt(first.dLoss)}`, `g loss ${fmt(first.gLoss)}`);
  } else {
    parts.push(`${lanes.length} lanes`, `steps ${lanes.map((l) => l.step).join(' / ')}`, `${lanes.map((l) => l.stepsPerSec.toFixed(1)).join(' / ')} steps/s`);
  }
  parts.push(state.crashed ? 'crashed' : diverged.length ? `diverged at step ${diverged[0].diverged}` : state.running ? 'training' : 'paused');
  $('status').textContent = parts.join(' · ');
  scheduleStatusEvent();
}

let lastEmit = 0;
let emitTimer = null;
/** Status events to an embedding page: at most one per 250 ms, and always one after the last change. */
function scheduleStatusEvent() {
  if (emitTimer !== null) return;
  const wait = Math.max(0, lastEmit + 250 - performance.now());
  emitTimer = setTimeout(() => {
    emitTimer = null;
    lastEmit = performance.now();
    emitStatus(controller.status());
  }, wait);
}

/** What the page API reports about a lane. */
function laneStatus(lane, index) {
  return {
    index, id: lane.id, color: lane.color, objective: lane.config?.objective ?? null, arch: lane.config?.arch ?? null,
    step: lane.step, dLoss: lane.dLoss, gLoss: lane.gLoss, stepsPerSec: lane.stepsPerSec, diverged: lane.diverged,
    snapshotStep: lane.snapshotStep, checkpointStep: lane.checkpoint?.step ?? null,
    quality: lane.quality, chartPoints: ui.charts ? ui.charts.dLoss.curve(lane.id)?.points.length ?? 0 : 0,
  };
}

const controller = makeController({
  state, query, timelapse, showNotice, showErrors, renderStatus, layoutLanes, showSelected, laneStatus, newLane, laneById, syncAll,
  send(msg) {
    if (!state.ready) throw new Error('the playground is still starting');
    worker.postMessage(msg);
  },
  ui: () => ui,
  testMode,
});

installApi(controller);
for (const raw of query.lanes) newLane().raw = raw;
state.selected = state.lanes[0].id;
renderStatus();
startWorker(query.page.backend);
