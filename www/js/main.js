// Page bootstrap: starts the training worker, connects it to the controls, charts, sample grid,
// URL state and page API, and keeps the status line current.
import { parseQuery, syncUrl, toQuery, DATASETS } from './state.js';
import { setupControls, showNotice } from './controls.js';
import { LineChart, lossSeries, diagnosticSeries } from './charts.js';
import { drawGrid } from './samples.js';
import { installApi, emitStatus } from './api.js';
import { setupCodeExplorer } from './codes.js';
import { MAX_STEP_REQUEST } from './protocol.js';

const $ = (id) => document.getElementById(id);
const query = parseQuery(window.location.search);
for (const text of query.notices) showNotice(text, 'warn');

const state = {
  backend: null, adapter: '', running: false, config: null, ready: false,
  step: 0, dLoss: null, gLoss: null, stepsPerSec: 0, diverged: null,
};
let worker = null;
let controls = null;
let codeExplorer = null;
let chart = null;
let diagChart = null;
let objectives = [];
let diagObjective = null;
let pendingConfig = []; // resolvers waiting for the worker's validated config
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

function startWorker(backendPreference, config) {
  worker?.terminate();
  state.ready = false;
  worker = createWorker();
  worker.onmessage = (event) => onWorkerMessage(event.data);
  worker.onerror = (event) => {
    event.preventDefault?.();
    fatal(`the training worker failed to start: ${event.message || 'unknown error'}`, backendPreference);
  };
  worker.postMessage({ type: 'init', backend: backendPreference, dataUrl: new URL(`../data/${query.page.dataset}.bin`, import.meta.url).href, config });
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
      state.config = msg.config;
      state.step = 0;
      state.dLoss = state.gLoss = null;
      state.diverged = null;
      chart.clear();
      if (diagObjective !== msg.config.objective) {
        diagObjective = msg.config.objective;
        diagChart.setSeries(diagnosticSeries(objectives.find((o) => o.id === diagObjective)));
      } else {
        diagChart.clear();
      }
      controls.showConfig(msg.config);
      codeExplorer.show(msg.codes);
      syncUrl(msg.config, query.page);
      showErrors(msg.errors, 'using the default instead');
      pendingConfig.splice(0).forEach((resolve) => resolve({ config: msg.config, errors: msg.errors }));
      if (query.page.autostart && !state.autostarted) {
        state.autostarted = true;
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
      showNotice(`Training diverged at step ${msg.step} (a loss became NaN or infinite). The last samples are kept; press reset or lower the learning rates.`, 'error');
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
  startWorker(fallback === 'cpu' ? 'cpu' : query.page.backend, state.config ?? query.config);
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
    state.diverged !== null ? `diverged at step ${state.diverged}` : state.running ? 'training' : 'paused',
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
    ready: state.ready,
    dataset: query.page.dataset,
    lanes: state.config
      ? [{
          objective: state.config.objective, arch: state.config.arch, step: state.step,
          dLoss: state.dLoss, gLoss: state.gLoss, stepsPerSec: state.stepsPerSec, diverged: state.diverged,
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

installApi(controller);
renderStatus();
startWorker(query.page.backend, query.config);
