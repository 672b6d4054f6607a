// Training worker: loads the wasm module, picks WebGPU or the CPU fallback, loads the dataset and the
// quality classifier, and runs the page's commands against the lanes (worker-lanes.js) so the page
// never blocks. It reports panics and GPU device loss; every read-back from the GPU is asynchronous.
import init, {
  Dataset, QualityMeter, initWebGpu, objectives, validateConfig, onPanic, testPanic, destroyGpuDevice,
} from '../pkg/gan_playground.js';
import { MAX_STEP_REQUEST } from './protocol.js';
import { Lanes } from './worker-lanes.js';

const PHASES = ['both', 'd', 'g'];

let backend = 'cpu';
let lanes = null;
let running = false;
let loopActive = false;
let pending = { steps: 0, phase: 'both' };
let wasm = null; // the module's exports (its memory size goes to the page with the statistics)
let panicMessage = null; // set by the panic hook just before the module traps
let deviceLost = false; // once lost, results are dropped and failures are not reported: the page restarts us

const post = (msg, transfer) => self.postMessage(msg, transfer ?? []);

// A macrotask boundary so queued messages (pause, configure) are handled between training rounds.
const channel = new MessageChannel();
const waiters = [];
channel.port1.onmessage = () => waiters.shift()?.();
const nextTask = () => new Promise((resolve) => { waiters.push(resolve); channel.port2.postMessage(0); });

/** Wait before the second (last) adapter request when the first one got none. */
const ADAPTER_RETRY_MS = 500;

async function pickBackend(preference) {
  if (preference === 'cpu') return { backend: 'cpu', adapter: '', notice: 'CPU backend (requested with backend=cpu)' };
  const fallback = (reason) => ({ backend: 'cpu', adapter: '', notice: `CPU (WebGPU unavailable: ${reason})` });
  if (!('gpu' in navigator)) return fallback('this browser does not expose navigator.gpu');
  let adapter = null;
  try {
    adapter = await navigator.gpu.requestAdapter();
    // A GPU process that is restarting (Chromium restarts a crashed one) answers null once: ask again.
    if (!adapter) adapter = await new Promise((r) => setTimeout(r, ADAPTER_RETRY_MS)).then(() => navigator.gpu.requestAdapter());
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

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** The dataset's classifier for the live metrics; without it training still works, with a notice. */
async function loadMeter(classifierUrl, dataBytes) {
  try {
    return new QualityMeter(await fetchBytes(classifierUrl), dataBytes);
  } catch (e) {
    post({ type: 'error', message: `Live quality metrics are off: the classifier could not be loaded (${e.message ?? e}).` });
    return null;
  }
}

function setRunning(value) {
  running = value;
  post({ type: 'running', running });
  if (running || pending.steps > 0) runLoop();
}

async function runLoop() {
  if (loopActive) return;
  loopActive = true;
  try {
    // Views asked for while training held the lanes are drawn when it stops; a request that arrives
    // meanwhile is seen by the loop conditions (no macrotask runs between the last check and the end).
    do {
      while ((running || pending.steps > 0) && lanes) {
        const phase = running ? 'both' : pending.phase;
        const took = await lanes.round(running ? Infinity : pending.steps, phase);
        if (took === 0) break; // every lane has diverged (or there is none)
        if (!running) pending.steps = Math.max(0, pending.steps - took);
        if (!running && pending.steps === 0) {
          await lanes.sendAllSamples();
          await lanes.evaluateStale();
        }
        await nextTask();
      }
    } while (await lanes?.sendDirtyViews());
    if (running && lanes.trainable().length === 0) {
      running = false;
      post({ type: 'running', running: false });
    }
  } catch (e) {
    running = false;
    pending.steps = 0;
    post({ type: 'running', running: false });
    reportFailure(e);
  } finally {
    loopActive = false;
  }
}

async function reportFailure(e, requestId) {
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
    post({ type: 'error', message, requestId });
  }
}

/** The WebGPU device is gone (or a test simulates it): stop, and let the page restart and restore. */
function onDeviceLost(reason, message, simulated = false) {
  if (deviceLost) return;
  deviceLost = true;
  running = false;
  pending.steps = 0;
  post({ type: 'deviceLost', reason: String(reason), message: String(message ?? ''), backend, simulated });
}

/** Accepts only the documented view shapes; anything else closes the view. */
function parseCodeView(view) {
  if (!view || typeof view !== 'object') return null;
  const { zIndex, sweep, other, cols } = view;
  const ok = [zIndex, sweep, cols].every(Number.isInteger) && Number.isFinite(other);
  return ok ? { zIndex, sweep, other, cols } : null;
}

function parseInterpView(view) {
  if (!view || typeof view !== 'object') return null;
  const { a, b, frames } = view;
  return [a, b, frames].every(Number.isInteger) ? { a, b, frames } : null;
}

function refuseIfDiverged() {
  const stuck = lanes.all().filter((s) => s.diverged);
  if (stuck.length === 0 || lanes.trainable().length > 0) return false;
  const s = stuck[0];
  post({ type: 'error', message: `Training diverged at step ${s.lane.divergedAt}: roll back to step ${s.lane.snapshotStep} or reset before training again.` });
  return true;
}

function wholeNumber(value, lo, hi, what) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < lo || n > hi) throw new Error(`${what}: a whole number from ${lo} to ${hi}`);
  return n;
}

async function handle(msg) {
  switch (msg.type) {
    case 'init': {
      wasm = await init();
      onPanic((message) => { panicMessage = message; });
      const picked = await pickBackend(msg.backend);
      backend = picked.backend;
      const dataBytes = await fetchBytes(msg.dataUrl);
      const dataset = Dataset.parse(dataBytes);
      const meter = msg.classifierUrl ? await loadMeter(msg.classifierUrl, dataBytes) : null;
      lanes = new Lanes(post, { backend, dataset, meter, validate, memoryBytes: () => wasm.memory.buffer.byteLength });
      if (Number.isInteger(msg.snapshotEvery) && msg.snapshotEvery > 0) lanes.snapshotEvery = msg.snapshotEvery;
      setOptions(msg.options ?? {});
      post({
        type: 'ready', backend, adapter: picked.adapter, notice: picked.notice, objectives: JSON.parse(objectives()),
        dataset: { size: dataset.size, classCounts: Array.from(dataset.classCounts()) },
        metrics: meter ? { accuracy: meter.accuracy, samples: 256 } : null,
      });
      for (const spec of msg.lanes ?? []) lanes.build(spec.id, spec.config ?? {}, spec.checkpoint ?? null);
      await lanes.sendAllSamples();
      return;
    }
    case 'addLane': {
      const slot = lanes.build(msg.lane, msg.config ?? {}, msg.checkpoint ?? null, Boolean(msg.checkpoint));
      await lanes.sendSamples(slot);
      await lanes.evaluateStale();
      return;
    }
    case 'removeLane':
      lanes.remove(msg.lane);
      return;
    case 'configure':
      await lanes.sendSamples(lanes.build(msg.lane, msg.config ?? {}));
      return;
    case 'reset':
      for (const slot of msg.lane === undefined ? lanes.all() : [lanes.get(msg.lane)]) {
        await lanes.sendSamples(lanes.build(slot.id, slot.config));
      }
      return;
    case 'rollback': {
      const slot = lanes.get(msg.lane);
      const step = lanes.rollback(slot);
      post({ type: 'rolledBack', lane: slot.id, step });
      await lanes.sendSamples(slot);
      return;
    }
    case 'save': {
      const saved = await lanes.save(lanes.get(msg.lane), typeof msg.curves === 'string' ? msg.curves : '');
      post({ type: 'saved', lane: msg.lane, requestId: msg.requestId, ...saved }, [saved.bytes.buffer]);
      return;
    }
    case 'options':
      setOptions(msg);
      return;
    case 'snapshotEvery':
      lanes.setSnapshotEvery(wholeNumber(msg.n, 1, 1e6, 'snapshot interval'));
      return;
    case 'testPanic':
      testPanic();
      return;
    case 'testDeviceLoss':
      // On WebGPU the device is destroyed for real; the CPU backend has none, so the loss is simulated.
      if (backend !== 'webgpu' || !destroyGpuDevice()) onDeviceLost('simulated', 'test hook on the CPU backend (no GPU device to destroy)', true);
      return;
    case 'testLearningRates':
      lanes.get(msg.lane ?? lanes.all()[0]?.id).lane.setLearningRatesUnchecked(Number(msg.lr_g), Number(msg.lr_d));
      return;
    case 'play':
      if (!refuseIfDiverged()) setRunning(true);
      return;
    case 'pause':
      setRunning(false);
      await lanes.evaluateStale();
      return;
    case 'step': {
      const n = Number(msg.n ?? 1);
      const phase = msg.phase ?? 'both';
      if (!Number.isInteger(n) || n < 1 || n > MAX_STEP_REQUEST) throw new Error(`step: n must be a whole number from 1 to ${MAX_STEP_REQUEST}`);
      if (!PHASES.includes(phase)) throw new Error(`step: phase must be ${PHASES.join(', ')}`);
      if (refuseIfDiverged()) return;
      // A request in another phase replaces the one pending; the same phase adds to it.
      pending = { steps: (pending.phase === phase ? pending.steps : 0) + n, phase };
      runLoop();
      return;
    }
    case 'codes': {
      const slot = lanes.get(msg.lane);
      slot.codeView = parseCodeView(msg.view);
      // While training holds the lane, the loop draws it (with the next samples, or when it stops).
      if (loopActive) slot.viewsDirty = true;
      else await lanes.sendCodeGrid(slot);
      return;
    }
    case 'interpolate': {
      for (const slot of lanes.all()) if (slot.id !== msg.lane) slot.interpView = null;
      const slot = msg.lane === null || msg.lane === undefined ? null : lanes.get(msg.lane);
      if (!slot) return;
      slot.interpView = parseInterpView(msg.view);
      if (loopActive) slot.viewsDirty = true;
      else await lanes.sendInterpolation(slot);
      return;
    }
    default:
      throw new Error(`unknown command ${JSON.stringify(String(msg.type)).slice(0, 60)}`);
  }
}

function setOptions({ speed, evalEvery }) {
  if (speed !== undefined) {
    const v = Number(speed);
    if (!(v === 0 || (v >= 0.1 && v <= 1000))) throw new Error('speed: 0 (full speed) or 0.1 to 1000 steps/s');
    lanes.speed = v;
  }
  if (evalEvery !== undefined) lanes.evalEvery = wholeNumber(evalEvery, 10, 100000, 'eval_every');
}

// Commands that rebuild or replace lanes wait for the training round in flight, so they never overlap it.
const EXCLUSIVE = ['init', 'addLane', 'removeLane', 'configure', 'reset', 'rollback', 'snapshotEvery', 'testLearningRates', 'save'];
let queue = Promise.resolve();
self.onmessage = (event) => {
  const msg = event.data ?? {};
  if (deviceLost) return;
  const fail = (e) => reportFailure(e, msg.requestId);
  if (EXCLUSIVE.includes(msg.type)) {
    queue = queue.then(async () => {
      const wasRunning = running;
      running = false;
      pending.steps = 0;
      while (loopActive) await nextTask();
      try {
        await handle(msg);
      } finally {
        if (wasRunning && msg.type !== 'init' && lanes?.trainable().length > 0) setRunning(true);
        else if (wasRunning) post({ type: 'running', running: false });
      }
    }).catch(fail);
  } else {
    queue = queue.then(() => handle(msg)).catch(fail);
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
