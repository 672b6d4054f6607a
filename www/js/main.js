// Page bootstrap: starts the training worker, connects it to the controls, charts, sample grid,
// URL state and page API, and keeps the status line current. It keeps the lane's last checkpoint
// (bytes) so a crashed worker or a lost GPU device can be replaced without losing the run.
import { parseQuery, syncUrl, toQuery, DATASETS } from './state.js';
import { setupControls, showNotice } from './controls.js';
import { LineChart, lossSeries, diagnosticSeries } from './charts.js';
import { drawGrid } from './samples.js';
import { installApi, emitStatus } from './api.js';
import { setupCodeExplorer } from './codes.js';
import { MAX_STEP_REQUEST } from './protocol.js';

const $ = (id) => document.getElementById(id);
// `test=1` enables the test hooks (README, "Test hooks"); it is not part of the configuration.
const search = new URLSearchParams(window.location.search);
const testMode = search.get('test') === '1';
search.delete('test');
const query = parseQuery(search.toString());
for (const text of query.notices) showNotice(text, 'warn');

const state = {
  backend: null, adapter: '', running: false, config: null, ready: false,
  step: 0, dLoss: null, gLoss: null, stepsPerSec: 0, diverged: null, snapshotStep: 0,
  checkpoint: null, // {step, bytes}: the last healthy snapshot the worker sent
  crashed: null, // message while the worker is dead and a restart is offered
  deviceLosses: 0, memoryBytes: 0, backendPreference: query.page.backend,
};
let worker = null;
let controls = null;
let codeExplorer = null;
let chart = null;
let diagChart = null;
let objectives = [];
let diagObjective = null;
let pendingConfig = []; // resolvers waiting for the worker's validated config
let pendingRollback = []; // resolvers waiting for a rollback to finish
let divergedNotice = null;
let resumeAfterRestore = false;
let lastEmit = 0;
let emitTimer = null;

/** Validator errors shown one by one; the rest are counted in one last notice. */
const MAX_ERROR_NOTICES = 8;

function showErrors(errors, consequence) {
  const shown = errors.length > MAX_ERROR_NOTICES ? errors.slice(0, MAX_ERROR_NOTICES - 1) : errors;
  for (const err of shown) showNotice(`${err.field}: ${err.message} — ${consequence}.`, 'warn');
  if (shown.length < errors.length) showNotice(`… and ${errors.length - shown.length} more invalid settings not shown.`, 'warn');
}

/** The Rust validator (src/config.rs) on this thread, loaded on first use, so a bad configure() never reaches the lane. */
let validatorLoad = null;
function validator() {
  validatorLoad ??= import('../pkg/gan_playground.js').then(async (wasm) => {
    await wasm.default();
    return (config) => JSON.parse(wasm.validateConfig(JSON.stringify(config)));
  });
  return validatorLoad;
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

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

/** Starts a worker (terminating any other); with `checkpoint`, the lane is restored from it. */
function startWorker(backendPreference, config, checkpoint = null) {
  worker?.terminate();
  state.ready = false;
  state.restoring = Boolean(checkpoint); // until the restored lane's config arrives
  state.crashed = null;
  state.backendPreference = backendPreference;
  worker = createWorker();
  worker.onmessage = (event) => onWorkerMessage(event.data);
  worker.onerror = (event) => {
    event.preventDefault?.();
    crashed(`the training worker failed: ${event.message || 'unknown error'}`);
  };
  worker.postMessage({
    type: 'init', backend: backendPreference, dataUrl: new URL(`../data/${query.page.dataset}.bin`, import.meta.url).href, config,
    checkpoint: checkpoint?.bytes ?? null, snapshotEvery: state.snapshotEvery,
  });
}

/** The worker is dead (a panic or an uncaught error): say so and offer a restart that restores the lane. */
function crashed(message) {
  worker?.terminate();
  state.ready = false;
  state.running = false;
  state.crashed = message;
  controls?.setRunning(false);
  controls?.setEnabled(false);
  const from = state.checkpoint ? `its checkpoint at step ${state.checkpoint.step}` : 'step 0 (no checkpoint yet)';
  showNotice(`${message}. Training stopped; Restart starts a new worker and restores the lane from ${from}.`, 'error', [
    { label: 'Restart', run: () => startWorker(state.backendPreference, state.config ?? query.config, state.checkpoint) },
  ]);
  renderStatus();
}

/** The GPU device was lost: restore the lane from its checkpoint on a new device, or on the CPU after a second loss. */
function deviceLost(msg) {
  state.deviceLosses += 1;
  resumeAfterRestore = state.running;
  state.running = false;
  const retryGpu = msg.backend === 'webgpu' && state.deviceLosses === 1;
  const target = retryGpu ? state.backendPreference : 'cpu';
  const what = msg.simulated ? `Simulated GPU device loss (${msg.message})` : `The GPU device was lost (${msg.reason}${msg.message ? `: ${msg.message}` : ''})`;
  const from = state.checkpoint ? `its checkpoint at step ${state.checkpoint.step}` : 'step 0 (no checkpoint yet)';
  showNotice(`${what}. The lane is restored from ${from} on ${retryGpu ? 'a new WebGPU device' : 'the CPU backend'}.`, 'warn');
  startWorker(target, state.config ?? query.config, state.checkpoint);
}

function showDiverged(msg) {
  divergedNotice?.remove();
  const what = [msg.losses && 'a loss', msg.weights && 'the weights'].filter(Boolean).join(' and ') + ' became NaN or infinite';
  divergedNotice = showNotice(
    `Training diverged at step ${msg.step} (${what}). The last good samples are kept. Roll back to the snapshot of step ${msg.snapshotStep} (the same steps then repeat exactly, so unchanged settings diverge again) or reset with lower learning rates.`,
    'error',
    [{ label: `Roll back to step ${msg.snapshotStep}`, run: () => controller.rollback() }, { label: 'Reset', run: () => controller.reset() }],
  );
}

function send(msg) {
  if (!state.ready) throw new Error('the playground is still starting');
  worker.postMessage(msg);
}

function onWorkerMessage(msg) {
  switch (msg.type) {
    case 'ready':
      state.ready = true;
      state.backend = msg.backend;
      state.adapter = msg.adapter;
      if (msg.notice) showNotice(msg.notice, msg.backend === 'cpu' && query.page.backend !== 'cpu' ? 'warn' : 'info');
      if (!controls) {
        objectives = msg.objectives;
        controls = setupControls(objectives, controller, query.page.dataset);
        codeExplorer = setupCodeExplorer((view) => state.ready && worker.postMessage({ type: 'codes', view }));
        chart = new LineChart($('loss-chart'), 'loss', lossSeries());
        diagChart = new LineChart($('diag-chart'), 'value', []);
      }
      controls.setEnabled(true);
      break;
    case 'config': {
      const restored = msg.restoredStep !== undefined;
      state.restoring = false;
      state.config = msg.config;
      state.step = restored ? msg.restoredStep : 0;
      state.snapshotStep = state.step;
      state.dLoss = state.gLoss = null;
      state.diverged = null;
      divergedNotice?.remove();
      if (!restored) state.checkpoint = null; // a new run: the old checkpoint belongs to another one
      if (diagObjective !== msg.config.objective) {
        diagObjective = msg.config.objective;
        diagChart.setSeries(diagnosticSeries(objectives.find((o) => o.id === diagObjective)));
      } else if (restored) {
        diagChart.truncate(state.step);
      } else {
        diagChart.clear();
      }
      // A restored lane keeps the curves up to its checkpoint; the steps after it are replayed.
      if (restored) chart.truncate(state.step);
      else chart.clear();
      controls.showConfig(msg.config);
      codeExplorer.show(msg.codes);
      syncUrl(msg.config, query.page);
      showErrors(msg.errors, 'using the default instead');
      pendingConfig.splice(0).forEach((resolve) => resolve({ config: msg.config, errors: msg.errors }));
      if (query.page.autostart && !state.autostarted) {
        state.autostarted = true;
        controller.play();
      } else if (resumeAfterRestore) {
        resumeAfterRestore = false;
        controller.play();
      }
      break;
    }
    case 'stats': {
      const last = msg.stats[msg.stats.length - 1];
      state.step = last.step;
      state.dLoss = last.d_loss;
      state.gLoss = last.g_loss;
      state.stepsPerSec = msg.stepsPerSec;
      state.memoryBytes = msg.memoryBytes ?? state.memoryBytes;
      chart.push(msg.stats);
      diagChart.push(msg.stats);
      break;
    }
    case 'samples':
      drawGrid($('samples'), msg.pixels);
      $('samples-caption').textContent = `fixed-z samples at step ${msg.step}`;
      break;
    case 'codeGrid':
      codeExplorer?.draw(msg);
      break;
    case 'running':
      state.running = msg.running;
      controls?.setRunning(msg.running);
      break;
    case 'diverged':
      state.diverged = msg.step;
      state.snapshotStep = msg.snapshotStep;
      showDiverged(msg);
      break;
    case 'rolledBack':
      state.diverged = null;
      state.step = msg.step;
      state.dLoss = state.gLoss = null;
      divergedNotice?.remove();
      chart.truncate(msg.step);
      diagChart.truncate(msg.step);
      pendingRollback.splice(0).forEach((resolve) => resolve({ step: msg.step }));
      break;
    case 'checkpoint':
      state.checkpoint = { step: msg.step, bytes: msg.bytes };
      state.snapshotStep = msg.step;
      break;
    case 'deviceLost':
      deviceLost(msg);
      break;
    case 'crashed':
      crashed(msg.message);
      break;
    case 'error':
      showNotice(msg.message, 'error');
      break;
    case 'fatal':
      fatal(msg.message, msg.fallback);
      break;
  }
  renderStatus();
}

const MAX_RESTARTS = 3;
let restarts = 0;

function fatal(message, fallback) {
  state.running = false;
  controls?.setRunning(false);
  if (++restarts > MAX_RESTARTS) {
    worker?.terminate();
    state.ready = false;
    controls?.setEnabled(false);
    showNotice(`${message} — the training worker failed ${MAX_RESTARTS} times; reload the page to try again.`, 'error');
    return;
  }
  showNotice(`${message} — restarting the training worker${fallback === 'cpu' ? ' on the CPU backend' : ''}.`, 'error');
  startWorker(fallback === 'cpu' ? 'cpu' : state.backendPreference, state.config ?? query.config, state.checkpoint);
}

function backendLabel() {
  if (!state.backend) return 'starting…';
  return state.backend === 'webgpu' ? `WebGPU — ${state.adapter}` : 'CPU (wasm)';
}

function renderStatus() {
  const fmt = (v) => (v === null || v === undefined ? '—' : Number(v).toFixed(4));
  const parts = [
    backendLabel(),
    `step ${state.step}`,
    `${state.stepsPerSec.toFixed(1)} steps/s`,
    `d loss ${fmt(state.dLoss)}`,
    `g loss ${fmt(state.gLoss)}`,
    state.crashed ? 'crashed' : state.diverged !== null ? `diverged at step ${state.diverged}` : state.running ? 'training' : 'paused',
  ];
  $('status').textContent = parts.join(' · ');
  scheduleStatusEvent();
}

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

const controller = {
  play: () => send({ type: 'play' }),
  pause: () => send({ type: 'pause' }),
  step(n = 1) {
    if (!Number.isInteger(n) || n < 1 || n > MAX_STEP_REQUEST) {
      throw new Error(`step: n must be a whole number from 1 to ${MAX_STEP_REQUEST}; got ${quoteValue(n)}`);
    }
    send({ type: 'step', n });
  },
  reset: () => send({ type: 'reset' }),
  /** Switches the dataset by reloading the page with the same configuration (training restarts). */
  setDataset(id) {
    if (!Object.hasOwn(DATASETS, id)) throw new Error(`dataset must be ${Object.keys(DATASETS).join(' or ')}`);
    if (id !== query.page.dataset) window.location.search = toQuery(state.config ?? query.config, { ...query.page, dataset: id });
  },
  /** Returns the lane to its last healthy snapshot; resolves to `{step}` once done. */
  rollback() {
    const done = new Promise((resolve) => pendingRollback.push(resolve));
    send({ type: 'rollback', lane: 0 });
    return done;
  },
  /**
   * Merges `partial` into the current config and restarts the lane; resolves to `{config, errors}`.
   * If any field is invalid nothing changes (the lane keeps training) and `errors` names each field.
   */
  async configure(partial) {
    if (!isObject(partial)) throw new Error('configure expects an object, e.g. {batch: 32}');
    if (!state.ready) throw new Error('the playground is still starting');
    const base = state.config ?? {};
    const switching = partial.objective !== undefined && partial.objective !== base.objective;
    const keep = switching ? {} : base.params;
    // A `params` that is not an object goes to the validator as it is, which names it.
    const params = partial.params === undefined ? { ...keep } : isObject(partial.params) ? { ...keep, ...partial.params } : partial.params;
    const merged = { ...base, ...partial, params };
    // A new objective brings its own parameter and learning-rate defaults unless given explicitly.
    if (switching) for (const key of ['lr_g', 'lr_d']) if (!(key in partial)) delete merged[key];
    const validate = await validator().catch((e) => {
      validatorLoad = null;
      throw new Error(`configure: the validator could not be loaded (${e?.message ?? e})`);
    });
    let result;
    try {
      result = validate(merged);
    } catch (e) {
      throw new Error(`configure: the config must be plain JSON data (${e?.message ?? e})`);
    }
    if (result.errors) {
      showErrors(result.errors, 'nothing was changed');
      controls?.showConfig(state.config);
      return { config: state.config, errors: result.errors };
    }
    const done = new Promise((resolve) => pendingConfig.push(resolve));
    send({ type: 'configure', config: result.config });
    return done;
  },
  status: () => ({
    backend: state.backend,
    adapter: state.adapter,
    running: state.running,
    ready: state.ready && !state.restoring,
    dataset: query.page.dataset,
    crashed: state.crashed,
    deviceLosses: state.deviceLosses,
    wasmMemoryBytes: state.memoryBytes,
    lanes: state.config
      ? [{
          objective: state.config.objective, arch: state.config.arch, step: state.step,
          dLoss: state.dLoss, gLoss: state.gLoss, stepsPerSec: state.stepsPerSec, diverged: state.diverged,
          snapshotStep: state.snapshotStep, checkpointStep: state.checkpoint?.step ?? null,
        }]
      : [],
  }),
};

function quoteValue(v) {
  let text;
  try {
    text = typeof v === 'string' ? JSON.stringify(v) : String(JSON.stringify(v) ?? v);
  } catch {
    text = typeof v;
  }
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

// Test hooks (README, "Test hooks"): only with ?test=1.
if (testMode) {
  controller.testHooks = {
    testPanic: () => send({ type: 'testPanic' }),
    forceDeviceLoss: () => send({ type: 'testDeviceLoss' }),
    setLearningRatesUnchecked: (lrG, lrD) => send({ type: 'testLearningRates', lr_g: lrG, lr_d: lrD }),
    setSnapshotEvery: (n) => {
      state.snapshotEvery = n; // also for workers started later
      send({ type: 'snapshotEvery', n });
    },
  };
}

installApi(controller);
renderStatus();
startWorker(query.page.backend, query.config);
