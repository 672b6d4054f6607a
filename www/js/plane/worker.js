// The 2-D mode's worker: loads the wasm module, keeps one PlaneLane per lane on the CPU backend and
// trains them in interleaved rounds; pushes statistics and views (at most one per lane per frame),
// divergence (a diverged lane stops until it rolls back to its snapshot) and the lanes' checkpoints
// (for autosave: at most every 2 s per lane while training, and when training stops), and answers
// every request exactly once.
import init, { PlaneLane, objectives, limits as wasmLimits, validatePlaneConfig } from '../../pkg/gan_playground.js';
import { checkPlaneRequest, planeEvent, reply, failure } from './protocol.js';

/** Wall time one lane trains per round at full speed before the worker looks at its messages again. */
const ROUND_MS = 12;
/** Views are sent at most this often while training, a little faster than a 60 Hz display refreshes so
 * that every frame the page draws has a new one, and at most `VIEW_SHARE` of the time goes to computing
 * them; a training round ends when the next view is due. */
const VIEW_MS = 15;
const VIEW_SHARE = 0.3;
let viewCost = 0; // ms a round of views takes: a moving average, so one slow round (a GC) does not halve the rate
const viewInterval = () => Math.max(VIEW_MS, viewCost / VIEW_SHARE);

let lanes = []; // [{id, lane, seq, sentSeq, sentAt}]: seq counts the lane's changes, sentSeq the last sent
let snapshotEvery = null; // the test hook's snapshot interval (null: the module's)
/** A lane's checkpoint is sent at most this often while it trains. */
const CHECKPOINT_MS = 2000;
let running = false;
let speed = 0; // generator steps per second per lane; 0 = full speed
let stepping = null; // {n, phase, done: () => void}
let loop = null;
let lastView = 0;

const post = (msg, transfer) => self.postMessage(msg, transfer ?? []);
const emit = (type, payload, transfer) => post(planeEvent(type, payload), transfer);

const channel = new MessageChannel();
const waiters = [];
channel.port1.onmessage = () => waiters.shift()?.();
const nextTask = () => new Promise((resolve) => { waiters.push(resolve); channel.port2.postMessage(0); });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** KL, JS and SWD (several milliseconds per lane) are computed at most this often, and with at most
 * `METRICS_SHARE` of the time. */
const METRICS_MS = 250;
const METRICS_SHARE = 0.1;
let lastMetrics = 0;
let metricsCost = 0;

function sendView(l, metrics) {
  const v = l.lane.view(metrics);
  const transfer = ['real', 'fake', 'arrows', 'heat', 'manifold', 'categories'].map((k) => v[k].buffer);
  const view = { step: v.step, real: v.real, fake: v.fake, arrows: v.arrows, heat: v.heat, manifold: v.manifold, categories: v.categories, meshRows: v.meshRows, meshCols: v.meshCols, kl: v.kl, js: v.js, swd: v.swd };
  emit('view', { lane: l.id, view }, transfer);
}

const diverged = (l) => l.lane.divergedAt !== undefined;

/** A lane as the worker keeps it; `fresh`: built at step 0 (nothing to save yet). */
function slot(id, lane, fresh) {
  if (snapshotEvery) lane.setSnapshotEvery(snapshotEvery);
  return { id, lane, seq: fresh ? 0 : 1, sentSeq: 0, sentAt: -Infinity };
}

/** Trains `n` steps of `phase` on every healthy lane; a lane that diverges stops and says so. */
function trainRound(n, phase) {
  for (const l of lanes) {
    if (diverged(l)) continue;
    const t0 = performance.now();
    const stats = JSON.parse(l.lane.train(n, phase));
    const ms = performance.now() - t0;
    l.seq += 1;
    l.msPerStep = ms / Math.max(1, stats.length);
    emit('stats', { lane: l.id, stats, stepsPerSec: phase === 'd' ? undefined : 1000 / l.msPerStep });
    if (diverged(l)) emit('diverged', { lane: l.id, step: l.lane.divergedAt, snapshotStep: l.lane.snapshotStep });
  }
}

/** The lane's checkpoint now (its snapshot while diverged), for the page to autosave. */
function sendCheckpoint(l) {
  const bytes = l.lane.save('');
  Object.assign(l, { sentSeq: l.seq, sentAt: performance.now() });
  emit('checkpoint', { lane: l.id, step: diverged(l) ? l.lane.snapshotStep : l.lane.steps, seq: l.seq, bytes }, [bytes.buffer]);
}

/** Sends the checkpoints of the lanes that changed since theirs was sent, at most every 2 s a lane unless `force`. */
function checkpointsIfDue(force = false) {
  const now = performance.now();
  for (const l of lanes) if (l.seq !== l.sentSeq && (force || now - l.sentAt >= CHECKPOINT_MS)) sendCheckpoint(l);
}

/** Refuses to train when every lane has diverged (with the lane's own words: roll back or reset). */
function refuseIfAllDiverged() {
  if (lanes.length > 0 && lanes.every(diverged)) lanes[0].lane.train(1, 'both'); // throws why
}

function viewsIfDue(force = false) {
  const now = performance.now();
  if (!force && now - lastView < viewInterval()) return;
  lastView = now;
  const metrics = force || now - lastMetrics >= Math.max(METRICS_MS, metricsCost / METRICS_SHARE);
  if (metrics) lastMetrics = now;
  for (const l of lanes) if (!diverged(l)) sendView(l, metrics); // a diverged lane keeps its last good view
  if (metrics) metricsCost = performance.now() - now;
  else viewCost = viewCost === 0 ? performance.now() - now : 0.8 * viewCost + 0.2 * (performance.now() - now);
}

async function run() {
  await nextTask(); // `loop` is set before the loop body runs (a step at full speed never awaits)
  while (running || stepping) {
    if (stepping) {
      const { n, phase } = stepping;
      if (speed > 0) {
        for (let i = 0; i < n && stepping; i++) {
          trainRound(1, phase);
          viewsIfDue(true);
          await sleep(1000 / speed);
        }
      } else {
        trainRound(n, phase);
        viewsIfDue(true);
      }
      checkpointsIfDue(true); // before the reply: the page has them when step() resolves
      const done = stepping?.done;
      stepping = null;
      emit('running', { running, stepping: 0 });
      done?.();
    } else if (speed > 0 && speed <= 20) {
      // Slow motion: D's update, the view (the surface moves), G's update, the view (the fakes move).
      trainRound(1, 'd');
      viewsIfDue(true);
      await sleep(500 / speed);
      if (!running) break;
      trainRound(1, 'g');
      viewsIfDue(true);
      await sleep(500 / speed);
    } else {
      // At full speed a round lasts ROUND_MS, or until just after the next view is due if that comes sooner.
      const msPerRound = lanes.reduce((sum, l) => sum + (diverged(l) ? 0 : l.msPerStep ?? 5), 0);
      const budget = Math.min(ROUND_MS, lastView + viewInterval() - performance.now());
      const n = speed > 0 ? Math.max(1, Math.round(speed * ROUND_MS / 1000)) : Math.max(1, Math.min(200, Math.ceil(budget / Math.max(msPerRound, 0.05))));
      trainRound(n, 'both');
      viewsIfDue();
      checkpointsIfDue();
      if (speed > 0) await sleep(ROUND_MS);
      else await nextTask();
    }
  }
  viewsIfDue(true);
  checkpointsIfDue(true);
  loop = null;
}

function setRunning(on) {
  running = on;
  emit('running', { running, stepping: stepping?.n ?? 0 });
  if ((running || stepping) && !loop) loop = run();
}

const HANDLERS = {
  build(msg) {
    for (const l of lanes) l.lane.free();
    lanes = [];
    for (const { id, config } of msg.lanes) {
      try {
        const lane = new PlaneLane(JSON.stringify(config));
        lanes.push(slot(id, lane, true));
        emit('built', { lane: id, config: JSON.parse(lane.configJson()), error: null });
      } catch (e) {
        emit('built', { lane: id, config: null, error: e.message ?? String(e) });
      }
    }
    viewsIfDue(true);
    return { lanes: lanes.length };
  },
  play() {
    refuseIfAllDiverged();
    setRunning(true);
    return null;
  },
  pause() {
    setRunning(false);
    return null;
  },
  step(msg) {
    if (stepping) throw new Error('a step request is still running');
    refuseIfAllDiverged();
    return new Promise((resolve) => {
      stepping = { n: msg.n, phase: msg.phase, done: () => resolve({ steps: lanes.map((l) => l.lane.steps) }) };
      setRunning(running);
    });
  },
  options(msg) {
    speed = msg.speed;
    return null;
  },
  /** Each config checked by the module: `[{config} | {errors: [{field, message}]}]`. */
  validate(msg) {
    return msg.configs.map((c) => JSON.parse(validatePlaneConfig(JSON.stringify(c))));
  },
  /** A checkpoint of lane `msg.lane` now, carrying the page's curves (JSON text). */
  save(msg) {
    const l = laneById(msg.lane);
    return { bytes: l.lane.save(msg.curves), step: l.lane.steps };
  },
  /** Adds lane `msg.lane` from checkpoint bytes; a refused file adds nothing and its reply carries the code. */
  load(msg) {
    if (lanes.some((l) => l.id === msg.lane)) throw new Error(`load: lane ${msg.lane} exists already`);
    const lane = PlaneLane.fromCheckpoint(msg.bytes);
    const l = slot(msg.lane, lane, false);
    lanes.push(l);
    const config = JSON.parse(lane.configJson());
    emit('built', { lane: l.id, config, error: null });
    sendView(l, true);
    sendCheckpoint(l);
    return { step: lane.steps, config, curves: lane.checkpointCurves };
  },
  /** Returns lane `msg.lane` to its last healthy snapshot: `{step}`, after its view and checkpoint. */
  rollback(msg) {
    const l = laneById(msg.lane);
    const step = l.lane.rollback();
    l.seq += 1;
    sendView(l, true);
    sendCheckpoint(l);
    return { step };
  },
  // Test hooks (the page offers them with ?test=1).
  snapshotEvery(msg) {
    snapshotEvery = msg.n;
    for (const l of lanes) l.lane.setSnapshotEvery(msg.n);
    return null;
  },
  testLearningRates(msg) {
    laneById(msg.lane).lane.setLearningRatesUnchecked(msg.lr_g, msg.lr_d);
    return null;
  },
};

function laneById(id) {
  const l = lanes.find((x) => x.id === id);
  if (!l) throw new Error(`no lane ${id}`);
  return l;
}

const ready = init().then(() => {
  emit('ready', { limits: JSON.parse(wasmLimits()), objectives: JSON.parse(objectives()) });
}).catch((e) => emit('failed', { message: `the module did not load: ${e.message ?? e}` }));

self.onmessage = async (e) => {
  const msg = e.data;
  const problem = checkPlaneRequest(msg);
  if (problem) {
    post(failure(msg?.id ?? 0, problem));
    return;
  }
  await ready;
  try {
    post(reply(msg.id, await HANDLERS[msg.type](msg)));
  } catch (err) {
    post(failure(msg.id, err.message ?? String(err), typeof err?.code === 'string' ? { code: err.code } : {}));
  }
};
