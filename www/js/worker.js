// Training worker: loads the wasm module, picks WebGPU or the CPU fallback, loads the dataset and the
// quality classifier, and answers the page's requests (protocol.js) against the lanes (worker-lanes.js)
// so the page never blocks: exactly one reply per request, and events for everything it pushes. It
// reports panics and GPU device loss; every read-back from the GPU is asynchronous.
import {
  Dataset, objectives, explainers, validateConfig, limits as wasmLimits, onPanic, testPanic, destroyGpuDevice,
} from '../pkg/gan_playground.js';
import { checkRequest, event, reply, failure } from './protocol.js';
import { Lanes, refusalFields } from './worker-lanes.js';
import { fetchBytes, loadMeter, loadModule, pickBackend, startThreads, validate } from './worker-setup.js';

let backend = 'cpu';
let lanes = null;
let running = false;
let loopActive = false;
let pending = { steps: 0, phase: 'both' };
// "Lanes in step": every lane trains the same steps per round; in a pool of workers (worker-pool.js)
// each round also waits at a gate the page opens once every worker is ready for it.
let lockstep = false;
let gate = null; // {n, round, open(n)} while the loop waits for the page's `advance` of round `round`
let rounds = 0;
let wasm = null; // the module's exports (its memory size goes to the page with the statistics)
let limits = null; // page::limits() of the module
let panicMessage = null; // set by the panic hook just before the module traps
let deviceLost = false; // once lost, results are dropped and failures are not reported: the page restarts us

const post = (msg, transfer) => self.postMessage(msg, transfer ?? []);
const emit = (type, payload, transfer) => post(event(type, payload), transfer);

// A macrotask boundary so queued messages (pause, configure) are handled between training rounds.
const channel = new MessageChannel();
const waiters = [];
channel.port1.onmessage = () => waiters.shift()?.();
const nextTask = () => new Promise((resolve) => { waiters.push(resolve); channel.port2.postMessage(0); });

/** Stops a loop that waits at the gate (pause, a rebuild, device loss): the round is not trained. */
function closeGate() {
  gate?.open(0);
}

/**
 * The steps of the next round: `proposal` without lockstep; in lockstep the page's answer to a
 * `roundReady` event (the least any worker proposed, so every lane takes the same steps), or 0 when
 * training stopped meanwhile.
 */
function passGate(proposal) {
  if (!lockstep) return proposal;
  return new Promise((resolve) => {
    gate = { n: proposal, round: ++rounds, open: (n) => { gate = null; resolve(n); } };
    emit('roundReady', { n: proposal, round: gate.round });
  });
}

function setRunning(value) {
  running = value;
  if (!running) closeGate();
  emit('running', { running });
  // The page forgets a waiting worker when it reports running again (a new loop): say it again.
  if (gate) emit('roundReady', { n: gate.n, round: gate.round });
  if (running || pending.steps > 0) runLoop();
}

async function runLoop() {
  if (loopActive) return;
  loopActive = true;
  try {
    // Views asked for while training held the lanes are drawn when it stops; a request that arrives
    // meanwhile is seen by the loop conditions (no macrotask runs between the last check and the end).
    const stepping = !running && pending.steps > 0;
    if (stepping) emit('running', { running: false, stepping: pending.steps });
    do {
      while ((running || pending.steps > 0) && lanes) {
        const phase = running ? 'both' : pending.phase;
        if (lanes.trainable().length === 0) break; // every lane has diverged (or there is none)
        // Step requests and lockstep train every lane the same steps; otherwise each lane its own share of time.
        const equal = lockstep || !running;
        const want = running ? Infinity : pending.steps;
        const n = await passGate(equal ? lanes.roundSize(want) : want);
        if (n === 0) continue; // stopped at the gate: the loop conditions decide
        const took = await lanes.round(n, phase, equal);
        if (took === 0) break;
        if (!running) pending.steps = Math.max(0, pending.steps - took);
        if (!running && pending.steps === 0) {
          await lanes.sendAllSamples();
          await lanes.settle();
        }
        await nextTask();
      }
    } while (await lanes?.sendDirtyViews());
    if (running && lanes.trainable().length === 0) {
      running = false;
      emit('running', { running: false });
    } else if (stepping && !running) {
      emit('running', { running: false, stepping: 0 });
    }
  } catch (e) {
    running = false;
    pending.steps = 0;
    emit('running', { running: false });
    reportFailure(e);
  } finally {
    loopActive = false;
  }
}

/**
 * A failure: the answer to request `id` when one is given (`fatal` start-up failures carry `fallback`),
 * else an event. A wasm trap (a Rust panic) leaves the module unusable: the page offers a restart.
 */
async function reportFailure(e, id) {
  if (deviceLost) return; // expected after a loss; the page is already restarting the worker
  const message = e?.message ?? String(e);
  const answer = (extra = {}) => (id === undefined ? emit('error', { message }) : post(failure(id, message, extra)));
  if (e?.fallback) {
    answer({ fallback: e.fallback });
  } else if (e instanceof WebAssembly.RuntimeError || panicMessage) {
    // A read-back in flight when the GPU device is lost can fail before the loss itself is
    // reported: give the loss a moment to arrive, since it is recoverable without the user.
    if (backend === 'webgpu') await new Promise((resolve) => setTimeout(resolve, 500));
    if (deviceLost) return;
    const text = panicMessage ? `the training module panicked: ${panicMessage}` : `the training module crashed: ${message}`;
    if (id !== undefined) post(failure(id, text, { code: 'crashed' }));
    emit('crashed', { message: text });
  } else {
    answer(refusalFields(e));
  }
}

/** The WebGPU device is gone (or a test simulates it): stop, and let the page restart and restore. */
function onDeviceLost(reason, message, simulated = false) {
  if (deviceLost) return;
  deviceLost = true;
  running = false;
  pending.steps = 0;
  closeGate();
  emit('deviceLost', { reason: String(reason), message: String(message ?? ''), backend, simulated });
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

/** Throws when every lane has diverged: training needs a rollback or a reset first. */
function refuseIfDiverged() {
  const stuck = lanes.all().filter((s) => s.diverged);
  if (stuck.length === 0 || lanes.trainable().length > 0) return;
  const s = stuck[0];
  throw new Error(`Training diverged at step ${s.lane.divergedAt}: roll back to step ${s.lane.snapshotStep} or reset before training again.`);
}

function wholeNumber(value, lo, hi, what) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < lo || n > hi) throw new Error(`${what}: a whole number from ${lo} to ${hi}`);
  return n;
}

/** Runs request `msg`; its result is the reply. */
async function handle(msg) {
  switch (msg.type) {
    case 'init': {
      emit('loading', { stage: 'module', loaded: 0, total: 0 });
      const loaded = await loadModule(emit, msg.module);
      wasm = loaded.exports;
      // The page hands the compiled module to the CPU workers it starts next (a copy of its code, not
      // of its memory); where a Module cannot be posted, they compile their own.
      if (!msg.module) {
        try {
          emit('module', { module: loaded.module });
        } catch { /* DataCloneError: nothing shared */ }
      }
      onPanic((message) => { panicMessage = message; });
      limits = JSON.parse(wasmLimits());
      emit('loading', { stage: 'adapter', loaded: 0, total: 0 });
      const picked = await pickBackend(msg.backend, onDeviceLost);
      backend = picked.backend;
      // The threads build splits each lane's work over as many threads as the machine has cores.
      const threads = backend === 'cpu' ? await startThreads(navigator.hardwareConcurrency || 1) : 1;
      if (threads > 1) picked.reason += `; ${threads} threads per lane`;
      const dataBytes = await fetchBytes(msg.dataUrl, emit, 'dataset');
      const dataset = Dataset.parse(dataBytes);
      emit('loading', { stage: 'classifier', loaded: 0, total: 0 });
      const meter = msg.classifierUrl ? await loadMeter(msg.classifierUrl, dataBytes, emit) : null;
      lanes = new Lanes(post, { backend, dataset, datasetId: msg.dataset, meter, validate, limits, memoryBytes: () => wasm.memory.buffer.byteLength });
      if (Number.isInteger(msg.snapshotEvery) && msg.snapshotEvery > 0) lanes.snapshotEvery = msg.snapshotEvery;
      setOptions(msg.options ?? {});
      const info = {
        backend, adapter: picked.adapter, backendReason: picked.reason, notice: picked.notice, objectives: JSON.parse(objectives()), limits,
        teaching: JSON.parse(explainers()),
        dataset: { size: dataset.size, classCounts: Array.from(dataset.classCounts()), realImages: dataset.firstImages(16) },
        metrics: meter ? { accuracy: meter.accuracy, samples: limits.evalSamples, realFid: meter.realFid } : null,
      };
      for (const spec of msg.lanes) lanes.build(spec.id, spec.config ?? {}, spec.checkpoint ?? null);
      await lanes.sendAllSamples();
      return info;
    }
    case 'validate':
      return msg.configs.map((c) => JSON.parse(validateConfig(JSON.stringify(c))));
    case 'addLane': {
      // A restart's checkpoint (`restart`) that cannot be restored starts again from step 0; a file's is refused.
      const slot = lanes.build(msg.lane, msg.config ?? {}, msg.checkpoint ?? null, Boolean(msg.checkpoint) && !msg.restart);
      await lanes.sendSamples(slot);
      await lanes.evaluateStale();
      return { lane: msg.lane, config: slot.config, step: slot.lane.steps };
    }
    case 'removeLane':
      lanes.remove(msg.lane);
      return null;
    case 'configure': {
      const slot = lanes.build(msg.lane, msg.config ?? {});
      await lanes.sendSamples(slot);
      return { lane: msg.lane, config: slot.config };
    }
    case 'reset':
      for (const slot of msg.lane === undefined ? lanes.all() : [lanes.get(msg.lane)]) {
        await lanes.sendSamples(lanes.build(slot.id, slot.config));
      }
      return null;
    case 'rollback': {
      const slot = lanes.get(msg.lane);
      const step = lanes.rollback(slot);
      await lanes.sendSamples(slot);
      return { lane: slot.id, step };
    }
    case 'save': {
      const saved = await lanes.save(lanes.get(msg.lane), msg.curves);
      return { lane: msg.lane, ...saved };
    }
    case 'options':
      setOptions(msg);
      return null;
    case 'snapshotEvery':
      lanes.setSnapshotEvery(wholeNumber(msg.n, 1, 1e6, 'snapshot interval'));
      return null;
    case 'testPanic':
      testPanic();
      return null;
    case 'testDeviceLoss':
      // On WebGPU the device is destroyed for real; the CPU backend has none, so the loss is simulated.
      if (backend !== 'webgpu' || !destroyGpuDevice()) onDeviceLost('simulated', 'test hook on the CPU backend (no GPU device to destroy)', true);
      return null;
    case 'testLearningRates':
      lanes.get(msg.lane).lane.setLearningRatesUnchecked(Number(msg.lr_g), Number(msg.lr_d));
      return null;
    case 'advance':
      // The page opens the gate of a lockstep round (a late answer after a pause finds none).
      if (gate?.round === msg.round) gate.open(wholeNumber(msg.n, 0, 50, 'advance: n'));
      return null;
    case 'play':
      refuseIfDiverged();
      setRunning(true);
      return null;
    case 'pause':
      setRunning(false);
      // The round in flight still holds the lanes; measuring before it ends would overlap it ("lane is busy").
      while (loopActive) await nextTask();
      await lanes.settle();
      return null;
    case 'step': {
      wholeNumber(msg.n, 1, limits.maxStepRequest, 'step: n');
      refuseIfDiverged();
      // A request in another phase replaces the one pending; the same phase adds to it.
      pending = { steps: (pending.phase === msg.phase ? pending.steps : 0) + msg.n, phase: msg.phase };
      runLoop();
      return null;
    }
    case 'codes': {
      const slot = lanes.get(msg.lane);
      slot.codeView = parseCodeView(msg.view);
      // While training holds the lane, the loop draws it (with the next samples, or when it stops).
      if (loopActive) slot.viewsDirty = true;
      else await lanes.sendCodeGrid(slot);
      return null;
    }
    case 'interpolate': {
      for (const slot of lanes.all()) if (slot.id !== msg.lane) slot.interpView = null;
      const slot = msg.lane === null ? null : lanes.get(msg.lane);
      if (!slot) return null;
      slot.interpView = parseInterpView(msg.view);
      if (loopActive) slot.viewsDirty = true;
      else await lanes.sendInterpolation(slot);
      return null;
    }
    default:
      throw new Error(`unknown request ${JSON.stringify(String(msg.type)).slice(0, 60)}`);
  }
}

function setOptions({ speed, evalEvery, lockstep: inStep }) {
  if (inStep !== undefined) {
    lockstep = Boolean(inStep);
    if (!lockstep) closeGate();
  }
  if (speed !== undefined) {
    const v = Number(speed);
    const { min, max } = limits.speed;
    if (!(v === 0 || (v >= min && v <= max))) throw new Error(`speed: 0 (full speed) or ${min} to ${max} steps/s`);
    lanes.speed = v;
  }
  if (evalEvery !== undefined) lanes.evalEvery = wholeNumber(evalEvery, limits.evalEvery.min, limits.evalEvery.max, 'eval_every');
}

/** Results that carry bytes transfer them instead of copying. */
const transferOf = (result) => (result?.bytes instanceof Uint8Array ? [result.bytes.buffer] : []);

// Requests that rebuild or replace lanes wait for the training round in flight, so they never overlap it.
const EXCLUSIVE = ['init', 'addLane', 'removeLane', 'configure', 'reset', 'rollback', 'snapshotEvery', 'testLearningRates', 'save'];
let queue = Promise.resolve();
self.onmessage = (e) => {
  const msg = e.data ?? {};
  if (deviceLost) return;
  const invalid = checkRequest(msg);
  if (invalid) {
    if (Number.isInteger(msg?.id)) post(failure(msg.id, invalid));
    return;
  }
  const answer = async () => {
    const result = await handle(msg);
    post(reply(msg.id, result), transferOf(result));
  };
  const fail = (err) => reportFailure(err, msg.id);
  if (EXCLUSIVE.includes(msg.type)) {
    queue = queue.then(async () => {
      const wasRunning = running;
      running = false;
      pending.steps = 0;
      closeGate();
      while (loopActive) await nextTask();
      try {
        await answer();
      } finally {
        if (wasRunning && msg.type !== 'init' && lanes?.trainable().length > 0) setRunning(true);
        else if (wasRunning) emit('running', { running: false });
      }
    }).catch(fail);
  } else {
    queue = queue.then(answer).catch(fail);
  }
};
// Failures nothing awaited (e.g. a panic inside a WebGPU callback) are reported the same way;
// preventDefault keeps them from reaching the page's Worker.onerror, which would end the worker.
self.addEventListener('unhandledrejection', (e) => {
  e.preventDefault();
  reportFailure(e.reason);
});
self.addEventListener('error', (e) => {
  e.preventDefault();
  reportFailure(e.error ?? new Error(e.message));
});
