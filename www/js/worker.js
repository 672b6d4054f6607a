// Training worker: loads the wasm module, picks WebGPU or the CPU fallback, and runs the lane so the
// page never blocks. Every read-back from the GPU is asynchronous.
import init, { Dataset, TrainingLane, initWebGpu, objectives, validateConfig } from '../pkg/gan_playground.js';
import { MAX_STEP_REQUEST } from './protocol.js';

const SAMPLE_EVERY_MS = 400;
const TARGET_CALL_MS = 120;

let dataset = null;
let backend = 'cpu';
let lane = null;
let config = null;
let running = false;
let loopActive = false;
let pendingSteps = 0;
let msPerStep = 50;
let lastSamples = 0;
let rate = { steps: 0, since: performance.now(), value: 0 };
let generation = 0; // bumped when the lane is replaced, so stale results are dropped
let codeView = null; // the code explorer's current view, redrawn with the samples

const post = (msg, transfer) => self.postMessage(msg, transfer ?? []);

// A macrotask boundary so queued messages (pause, configure) are handled between training calls.
const channel = new MessageChannel();
const waiters = [];
channel.port1.onmessage = () => waiters.shift()?.();
const nextTask = () => new Promise((resolve) => { waiters.push(resolve); channel.port2.postMessage(0); });

async function pickBackend(preference) {
  if (preference === 'cpu') return { backend: 'cpu', adapter: '', notice: 'CPU backend (requested with backend=cpu)' };
  const fallback = (reason) => ({ backend: 'cpu', adapter: '', notice: `CPU (WebGPU unavailable: ${reason})` });
  if (!('gpu' in navigator)) return fallback('this browser does not expose navigator.gpu');
  let adapter = null;
  try {
    adapter = await navigator.gpu.requestAdapter();
  } catch (e) {
    return fallback(`requestAdapter failed: ${e.message}`);
  }
  if (!adapter) return fallback('no WebGPU adapter was offered');
  const info = adapter.info ?? {};
  const described = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ');
  try {
    const name = await initWebGpu();
    return { backend: 'webgpu', adapter: name || described || 'default adapter', notice: '' };
  } catch (e) {
    // A failure inside the runtime may leave the module unusable: ask the page to restart us on CPU.
    throw Object.assign(new Error(`WebGPU start-up failed: ${e.message ?? e}`), { fallback: 'cpu' });
  }
}

/** Validates `raw`; invalid fields are dropped (so they take defaults) and reported. */
function validate(raw) {
  let candidate = { ...raw };
  const reported = [];
  for (let attempt = 0; attempt < 20; attempt++) {
    const result = JSON.parse(validateConfig(JSON.stringify(candidate)));
    if (result.config) return { config: result.config, errors: reported };
    for (const err of result.errors) {
      reported.push(err);
      const [top, sub] = err.field.split('.');
      if (top === 'params' && sub && candidate.params) {
        candidate.params = { ...candidate.params };
        delete candidate.params[sub];
      } else if (top === 'config') {
        candidate = {};
      } else {
        delete candidate[top];
      }
    }
  }
  return { config: JSON.parse(validateConfig('{}')).config, errors: reported };
}

function buildLane(raw) {
  const { config: cfg, errors } = validate(raw);
  const next = new TrainingLane(backend, JSON.stringify(cfg), dataset);
  lane?.free();
  lane = next;
  config = cfg;
  generation++;
  rate = { steps: 0, since: performance.now(), value: 0 };
  const codes = Array.from(next.codes);
  // A lane without latent codes has nothing to explore: close the explorer before the next redraw.
  if (codes[0] === 0) codeView = null;
  post({ type: 'config', config: cfg, errors, codes });
  return errors;
}

async function sendSamples() {
  const gen = generation;
  const pixels = await lane.samples();
  if (gen !== generation) return;
  lastSamples = performance.now();
  post({ type: 'samples', step: lane.steps, pixels }, [pixels.buffer]);
  await sendCodeGrid();
}

async function sendCodeGrid() {
  const view = codeView;
  if (!view || !lane) return;
  const gen = generation;
  const [rows] = lane.codes;
  const pixels = await lane.codeGrid(view.zIndex, view.sweep, view.other, view.cols);
  if (gen !== generation) return;
  post({ type: 'codeGrid', step: lane.steps, rows, cols: view.cols, sweep: view.sweep, pixels }, [pixels.buffer]);
}

/** Accepts only the documented view shape; anything else closes the explorer. */
function parseView(view) {
  if (!view || typeof view !== 'object') return null;
  const { zIndex, sweep, other, cols } = view;
  const ok = [zIndex, sweep, cols].every(Number.isInteger) && Number.isFinite(other);
  return ok ? { zIndex, sweep, other, cols } : null;
}

function setRunning(value) {
  running = value;
  post({ type: 'running', running });
  if (running || pendingSteps > 0) runLoop();
}

async function trainOnce() {
  const gen = generation;
  const budget = running ? Infinity : pendingSteps;
  const n = Math.max(1, Math.min(budget, Math.round(TARGET_CALL_MS / Math.max(msPerStep, 0.1)), 50));
  const t0 = performance.now();
  const stats = await lane.train(n);
  if (gen !== generation) return;
  const elapsed = performance.now() - t0;
  msPerStep = 0.7 * msPerStep + 0.3 * (elapsed / stats.length);
  if (!running) pendingSteps = Math.max(0, pendingSteps - stats.length);
  rate.steps += stats.length;
  const window = performance.now() - rate.since;
  if (window > 1000 || rate.value === 0) {
    rate.value = (rate.steps * 1000) / window;
    if (window > 1000) rate = { steps: 0, since: performance.now(), value: rate.value };
  }
  post({ type: 'stats', stats, stepsPerSec: rate.value, running });
  const last = stats[stats.length - 1];
  if (!last.finite) {
    running = false;
    pendingSteps = 0;
    post({ type: 'diverged', step: last.step });
    post({ type: 'running', running: false });
    await sendSamples();
    return;
  }
  if (!running && pendingSteps === 0) await sendSamples();
  else if (performance.now() - lastSamples > SAMPLE_EVERY_MS) await sendSamples();
}

async function runLoop() {
  if (loopActive) return;
  loopActive = true;
  try {
    while ((running || pendingSteps > 0) && lane) {
      await trainOnce();
      await nextTask();
    }
  } catch (e) {
    running = false;
    pendingSteps = 0;
    post({ type: 'running', running: false });
    reportFailure(e);
  } finally {
    loopActive = false;
  }
}

function reportFailure(e) {
  const message = e?.message ?? String(e);
  // A wasm trap (e.g. a Rust panic) leaves the module in an unknown state: the page restarts the worker.
  if (e instanceof WebAssembly.RuntimeError || e?.fallback) {
    post({ type: 'fatal', message, fallback: e?.fallback ?? backend });
  } else {
    post({ type: 'error', message });
  }
}

async function handle(msg) {
  switch (msg.type) {
    case 'init': {
      await init();
      const picked = await pickBackend(msg.backend);
      backend = picked.backend;
      const response = await fetch(msg.dataUrl);
      if (!response.ok) throw new Error(`could not load ${msg.dataUrl}: HTTP ${response.status}`);
      dataset = Dataset.parse(new Uint8Array(await response.arrayBuffer()));
      post({
        type: 'ready', backend, adapter: picked.adapter, notice: picked.notice,
        objectives: JSON.parse(objectives()), dataset: { size: dataset.size, classCounts: Array.from(dataset.classCounts()) },
      });
      buildLane(msg.config ?? {});
      await sendSamples();
      return;
    }
    case 'configure':
      buildLane(msg.config ?? {});
      await sendSamples();
      return;
    case 'reset':
      buildLane(config ?? {});
      await sendSamples();
      return;
    case 'play':
      setRunning(true);
      return;
    case 'codes':
      codeView = parseView(msg.view);
      // While training, the loop redraws it with the next samples; otherwise draw it now.
      if (!loopActive) await sendCodeGrid();
      return;
    case 'pause':
      setRunning(false);
      return;
    case 'step': {
      const n = Number(msg.n ?? 1);
      if (!Number.isInteger(n) || n < 1 || n > MAX_STEP_REQUEST) {
        post({ type: 'error', message: `step: n must be a whole number from 1 to ${MAX_STEP_REQUEST}` });
        return;
      }
      pendingSteps += n;
      runLoop();
      return;
    }
    default:
      post({ type: 'error', message: `unknown command ${JSON.stringify(String(msg.type)).slice(0, 60)}` });
  }
}

// Commands that rebuild the lane wait for the training call in flight, so they never overlap it.
let queue = Promise.resolve();
self.onmessage = (event) => {
  const msg = event.data ?? {};
  const exclusive = msg.type === 'init' || msg.type === 'configure' || msg.type === 'reset';
  if (exclusive) {
    generation++;
    queue = queue.then(async () => {
      const wasRunning = running;
      running = false;
      pendingSteps = 0;
      while (loopActive) await nextTask();
      await handle(msg);
      if (wasRunning && msg.type !== 'init') setRunning(true);
    }).catch(reportFailure);
  } else {
    queue = queue.then(() => handle(msg)).catch(reportFailure);
  }
};
