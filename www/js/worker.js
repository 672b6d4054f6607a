// Training worker: loads the wasm module, picks WebGPU or the CPU fallback, and runs the lane so the
// page never blocks. Every read-back from the GPU is asynchronous. It stops a diverged lane, sends
// the page checkpoints of the last healthy snapshot, and reports panics and GPU device loss.
import init, {
  Dataset, TrainingLane, initWebGpu, objectives, validateConfig, onPanic, testPanic, destroyGpuDevice,
} from '../pkg/gan_playground.js';
import { MAX_STEP_REQUEST } from './protocol.js';

const SAMPLE_EVERY_MS = 400;
const TARGET_CALL_MS = 120;
/** At most one checkpoint (a read-back of the whole snapshot) per this many milliseconds. */
const CHECKPOINT_MIN_MS = 2000;

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
let wasm = null; // the module's exports (its memory size goes to the page with the statistics)
let panicMessage = null; // set by the panic hook just before the module traps
let deviceLost = false; // once lost, results are dropped and failures are not reported: the page restarts us
let snapshotEvery = 200;
let checkpointSent = { step: -1, at: 0 };
/** Id of the one lane this worker trains, in the messages about a lane's recovery (several lanes: issue 4). */
const LANE = 0;

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
    const name = await initWebGpu(onDeviceLost);
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

/** Rebuilds the lane from `raw`, or from `checkpoint` bytes (a restart) if they can be restored. */
function buildLane(raw, checkpoint) {
  let next = null;
  let cfg = null;
  let errors = [];
  if (checkpoint) {
    try {
      next = TrainingLane.fromCheckpoint(backend, checkpoint, dataset);
      cfg = JSON.parse(next.configJson());
    } catch (e) {
      post({ type: 'error', message: `The checkpoint could not be restored (${e.message ?? e}); starting again from step 0.` });
    }
  }
  if (!next) {
    ({ config: cfg, errors } = validate(raw));
    next = new TrainingLane(backend, JSON.stringify(cfg), dataset);
  }
  next.setSnapshotEvery(snapshotEvery);
  lane?.free();
  lane = next;
  config = cfg;
  generation++;
  rate = { steps: 0, since: performance.now(), value: 0 };
  checkpointSent = { step: next.steps, at: -Infinity }; // the first snapshot goes out at once
  const codes = Array.from(next.codes);
  // A lane without latent codes has nothing to explore: close the explorer before the next redraw.
  if (codes[0] === 0) codeView = null;
  post({ type: 'config', config: cfg, errors, codes, restoredStep: checkpoint && next.steps > 0 ? next.steps : undefined });
  return errors;
}

/** Sends the last snapshot as bytes, so the page can restore it into a new worker. */
async function sendCheckpoint() {
  const gen = generation;
  const step = lane.snapshotStep;
  checkpointSent = { step, at: performance.now() };
  const bytes = await lane.checkpoint();
  if (gen !== generation) return;
  post({ type: 'checkpoint', lane: LANE, step, bytes }, [bytes.buffer]);
}

async function sendSamples() {
  // A diverged lane's generator is garbage: the page keeps the last good samples.
  if (lane.divergedAt !== undefined) return;
  const gen = generation;
  const pixels = await lane.samples();
  if (gen !== generation) return;
  lastSamples = performance.now();
  post({ type: 'samples', step: lane.steps, pixels }, [pixels.buffer]);
  await sendCodeGrid();
}

async function sendCodeGrid() {
  const view = codeView;
  if (!view || !lane || lane.divergedAt !== undefined) return;
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
  post({ type: 'stats', stats, stepsPerSec: rate.value, running, memoryBytes: wasm.memory.buffer.byteLength });
  if (lane.divergedAt !== undefined) {
    running = false;
    pendingSteps = 0;
    const last = stats[stats.length - 1];
    const losses = [last.d_loss, last.g_loss, ...Object.values(last.diagnostics)].some((v) => v === null); // non-finite travel as null
    post({ type: 'diverged', lane: LANE, step: lane.divergedAt, snapshotStep: lane.snapshotStep, losses, weights: !last.weights_finite });
    post({ type: 'running', running: false });
    return;
  }
  if (lane.snapshotStep > checkpointSent.step && performance.now() - checkpointSent.at > CHECKPOINT_MIN_MS) await sendCheckpoint();
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

async function reportFailure(e) {
  if (deviceLost) return; // expected after a loss; the page is already restarting the worker
  const message = e?.message ?? String(e);
  if (e?.fallback) {
    post({ type: 'fatal', message, fallback: e.fallback });
  } else if (e instanceof WebAssembly.RuntimeError || panicMessage) {
    // A read-back in flight when the GPU device is lost can fail before the loss itself is
    // reported: give the loss a moment to arrive, since it is recoverable without the user.
    if (backend === 'webgpu') await new Promise((resolve) => setTimeout(resolve, 500));
    if (deviceLost) return;
    // A wasm trap (a Rust panic) leaves the module unusable: the page offers to restart the worker.
    post({ type: 'crashed', message: panicMessage ? `the training module panicked: ${panicMessage}` : `the training module crashed: ${message}` });
  } else {
    post({ type: 'error', message });
  }
}

/** The WebGPU device is gone (or a test simulates it): stop, and let the page restart and restore. */
function onDeviceLost(reason, message, simulated = false) {
  if (deviceLost) return;
  deviceLost = true;
  generation++;
  running = false;
  pendingSteps = 0;
  post({ type: 'deviceLost', reason: String(reason), message: String(message ?? ''), backend, simulated });
}

function refuseIfDiverged() {
  if (lane?.divergedAt === undefined) return false;
  post({ type: 'error', message: `Training diverged at step ${lane.divergedAt}: roll back to step ${lane.snapshotStep} or reset before training again.` });
  return true;
}

async function handle(msg) {
  switch (msg.type) {
    case 'init': {
      wasm = await init();
      onPanic((message) => { panicMessage = message; });
      if (Number.isInteger(msg.snapshotEvery) && msg.snapshotEvery > 0) snapshotEvery = msg.snapshotEvery;
      const picked = await pickBackend(msg.backend);
      backend = picked.backend;
      const response = await fetch(msg.dataUrl);
      if (!response.ok) throw new Error(`could not load ${msg.dataUrl}: HTTP ${response.status}`);
      dataset = Dataset.parse(new Uint8Array(await response.arrayBuffer()));
      post({
        type: 'ready', backend, adapter: picked.adapter, notice: picked.notice,
        objectives: JSON.parse(objectives()), dataset: { size: dataset.size, classCounts: Array.from(dataset.classCounts()) },
      });
      buildLane(msg.config ?? {}, msg.checkpoint);
      await sendSamples();
      return;
    }
    case 'rollback': {
      if ((msg.lane ?? LANE) !== LANE) throw new Error(`rollback: there is no lane ${JSON.stringify(msg.lane)}`);
      const step = lane.rollback();
      generation++;
      post({ type: 'rolledBack', lane: LANE, step });
      await sendSamples();
      return;
    }
    case 'snapshotEvery': {
      const n = Number(msg.n);
      if (!Number.isInteger(n) || n < 1 || n > 1e6) throw new Error('snapshot interval: a whole number from 1 to 1000000');
      snapshotEvery = n;
      lane.setSnapshotEvery(n);
      return;
    }
    case 'testPanic':
      testPanic();
      return;
    case 'testDeviceLoss':
      // On WebGPU the device is destroyed for real; the CPU backend has none, so the loss is simulated.
      if (backend !== 'webgpu' || !destroyGpuDevice()) onDeviceLost('simulated', 'test hook on the CPU backend (no GPU device to destroy)', true);
      return;
    case 'testLearningRates':
      lane.setLearningRatesUnchecked(Number(msg.lr_g), Number(msg.lr_d));
      return;
    case 'configure':
      buildLane(msg.config ?? {});
      await sendSamples();
      return;
    case 'reset':
      buildLane(config ?? {});
      await sendSamples();
      return;
    case 'play':
      if (!refuseIfDiverged()) setRunning(true);
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
      if (refuseIfDiverged()) return;
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
  if (deviceLost) return;
  const exclusive = ['init', 'configure', 'reset', 'rollback', 'snapshotEvery', 'testLearningRates'].includes(msg.type);
  if (exclusive) {
    generation++;
    queue = queue.then(async () => {
      const wasRunning = running;
      running = false;
      pendingSteps = 0;
      while (loopActive) await nextTask();
      await handle(msg);
      if (wasRunning && msg.type !== 'init' && lane.divergedAt === undefined) setRunning(true);
    }).catch(reportFailure);
  } else {
    queue = queue.then(() => handle(msg)).catch(reportFailure);
  }
};
// Failures nothing awaited (e.g. a panic inside a WebGPU callback) are reported the same way;
// preventDefault keeps them from reaching the page's Worker.onerror, which would end the worker.
self.addEventListener('unhandledrejection', (event) => {
  event.preventDefault();
  reportFailure(event.reason);
});
self.addEventListener('error', (event) => {
  event.preventDefault();
  reportFailure(event.error ?? new Error(event.message));
});
