// The page's state and the only code that writes it: every worker event and every command becomes one
// named update (UPDATES below); views subscribe and render from the state. DOM-free (node unit tests).
import { TimeLapse } from './timelapse.js';
import { LESSON_UPDATES } from './lesson-state.js';
import { AUTOSAVE_UPDATES, initialAutosave } from './store-autosave.js';
import { preparedPaths } from './prepared.js';

/** Lane colours, in the order lanes take them. */
export const LANE_COLORS = ['#d9534f', '#2a7ae2', '#2e9e44', '#9b59b6'];
/** Global notices shown at once; older ones are dropped (errors last). */
export const MAX_NOTICES = 4;
/** Time-lapse frames kept per lane. */
export const TIMELAPSE_FRAMES = 120;

/** A lane as the page knows it. */
export function newLane(id, color, raw = {}) {
  return {
    id, color, raw, config: null, step: 0, dLoss: null, gLoss: null, stepsPerSec: 0, diverged: null, snapshotStep: 0,
    checkpoint: null, // {step, bytes}: the last healthy snapshot the worker sent (restores a restarted worker)
    quality: null, // the last measurement: {step, fid, classesCovered, histogram, n, dReal, dFake}
    codes: [0, 0], restoring: true, samples: null, // {step, pixels} of the fixed-z grid shown
    curves: { stats: [], quality: [] }, // what a saved checkpoint carries
    prepared: null, // {path, step}: the prepared checkpoint (prepared.js) this run started from
  };
}

export function initialState(query) {
  return {
    phase: 'loading', // loading → ready; crashed (worker dead, restart offered) or failed (gave up)
    loading: { stage: 'module', loaded: 0, total: 0, done: [] },
    backend: null, adapter: '', backendReason: '', running: false, stepping: 0, crashed: null, deviceLosses: 0, memoryBytes: 0,
    workers: { count: 0, lanes: {} }, // how many workers train the lanes, and each lane's (worker-pool.js)
    objectives: [], limits: null, metrics: null, page: { ...query.page },
    lanes: [], selected: null, nextId: 1,
    notices: [], nextNotice: 1, fieldErrors: {},
    views: { codeGrid: null, interpolation: null },
    lesson: null, // lesson-state.js
    pulse: null, // {phase, at}: the last manual step, so the page can show what it changed
    timelapse: new TimeLapse({ maxFrames: TIMELAPSE_FRAMES }),
    autosave: initialAutosave(query.page),
  };
}

export const laneById = (state, id) => state.lanes.find((l) => l.id === id) ?? null;
export const laneIndex = (state, id) => state.lanes.findIndex((l) => l.id === id);
export const selectedLane = (state) => laneById(state, state.selected) ?? state.lanes[0] ?? null;
export const objectiveInfo = (state, id) => state.objectives.find((o) => o.id === id) ?? null;
/** Every lane is built and none is being restored. */
export const allBuilt = (state) => state.lanes.length > 0 && state.lanes.every((l) => l.config && !l.restoring);

/** `page.checkpoints` from the lanes: a link names the prepared checkpoints the lanes still run from. */
function syncPrepared(state) {
  state.page.checkpoints = preparedPaths(state.lanes);
}

function thinStats(lane, max) {
  if (lane.curves.stats.length > max) lane.curves.stats = lane.curves.stats.filter((_, i) => i % 2 === 0);
}

function pushNotice(state, { text, level = 'info', key = null, actions = [] }) {
  if (key !== null) state.notices = state.notices.filter((n) => n.key !== key);
  state.notices.push({ id: state.nextNotice++, text, level, key, actions });
  // Keep a handful: drop the oldest information first, then the oldest of any kind.
  while (state.notices.length > MAX_NOTICES) {
    const i = state.notices.findIndex((n) => n.level !== 'error');
    state.notices.splice(i >= 0 ? i : 0, 1);
  }
}

/** Named updates: `(state, payload) => void`; each may change only `state`. */
export const UPDATES = {
  addLane(state, { raw = {} } = {}) {
    const used = new Set(state.lanes.map((l) => l.color));
    const lane = newLane(state.nextId++, LANE_COLORS.find((c) => !used.has(c)) ?? LANE_COLORS[0], raw);
    state.lanes.push(lane);
    return { lane: lane.id };
  },
  removeLane(state, { lane }) {
    const i = laneIndex(state, lane);
    if (i < 0) return null;
    state.lanes.splice(i, 1);
    state.timelapse.removeLane(lane);
    state.notices = state.notices.filter((n) => n.key !== `diverged-${lane}`);
    if (state.selected === lane) state.selected = state.lanes[0]?.id ?? null;
    syncPrepared(state);
    return { lane };
  },
  /**
   * Lane `lane` now runs from the prepared checkpoint `path`, restored at `step`: what the page
   * recorded of the fresh run it replaced (steps and measurements before `step`) goes.
   */
  /** Lane `lane`'s prepared checkpoint is being fetched and loaded (`on`), or that failed (`!on`): meanwhile it is not built. */
  preparing(state, { lane, on }) {
    const l = laneById(state, lane);
    if (!l) return null;
    l.restoring = Boolean(on);
    return { lane };
  },
  prepared(state, { lane, path, step }) {
    const l = laneById(state, lane);
    if (!l) return null;
    l.prepared = { path, step };
    l.curves.stats = l.curves.stats.filter((s) => s.step > step);
    l.curves.quality = l.curves.quality.filter((q) => q.step >= step);
    if (l.quality && l.quality.step < step) l.quality = null;
    syncPrepared(state);
    return { lane };
  },
  select(state, { lane }) {
    if (!laneById(state, lane)) return null;
    state.selected = lane;
    state.fieldErrors = {};
    return { lane };
  },
  workerStarting(state, { backend }) {
    Object.assign(state, { phase: state.backend ? 'restarting' : 'loading', crashed: null, running: false });
    state.page.backend = backend;
    for (const lane of state.lanes) lane.restoring = true;
  },
  loading(state, { stage, loaded, total }) {
    const l = state.loading;
    if (stage !== l.stage && !l.done.includes(l.stage)) l.done.push(l.stage);
    Object.assign(l, { stage, loaded, total });
  },
  ready(state, info) {
    Object.assign(state, {
      phase: 'ready', backend: info.backend, adapter: info.adapter, backendReason: info.backendReason ?? '',
      objectives: info.objectives, limits: info.limits, metrics: info.metrics,
      teaching: info.teaching ?? null, realImages: info.dataset?.realImages ?? null, // the teaching layer's (src/explain, overview)
    });
    state.loading.done = ['module', 'adapter', 'dataset', 'classifier'];
  },
  laneBuilt(state, msg) {
    const lane = laneById(state, msg.lane);
    if (!lane) return null;
    const restored = msg.restoredStep !== undefined && msg.restoredStep !== null;
    Object.assign(lane, { config: msg.config, codes: msg.codes ?? [0, 0], restoring: false, dLoss: null, gLoss: null, diverged: null, stepsPerSec: 0 });
    lane.step = lane.snapshotStep = restored ? msg.restoredStep : 0;
    state.notices = state.notices.filter((n) => n.key !== `diverged-${lane.id}`);
    if (!restored) {
      lane.checkpoint = null; // a new run: the old checkpoint belongs to another one
      lane.prepared = null;
      syncPrepared(state);
    }
    const curves = msg.curves && Array.isArray(msg.curves.stats) ? msg.curves : null;
    if (curves) {
      lane.curves = {
        stats: curves.stats.filter((s) => s && Number.isFinite(s.step)),
        quality: Array.isArray(curves.quality) ? curves.quality.map(fromStoredQuality) : [],
      };
      lane.quality = lane.curves.quality.at(-1) ?? null;
    } else if (restored) {
      // A restarted worker replays the steps after the checkpoint.
      lane.curves.stats = lane.curves.stats.filter((s) => s.step <= lane.step);
      lane.curves.quality = lane.curves.quality.filter((q) => q.step <= lane.step);
    } else {
      lane.curves = { stats: [], quality: [] };
      lane.quality = null;
      lane.samples = null;
      state.timelapse.clearLane(lane.id);
    }
    const n = laneIndex(state, lane.id) + 1;
    const errors = msg.errors ?? [];
    // One notice per lane, a line per refused field.
    if (errors.length) pushNotice(state, { key: `config-${lane.id}`, level: 'warn', text: errors.map((e) => `${e.field}: ${e.message} — lane ${n}: using the default instead.`).join('\n') });
    return { lane: lane.id, fresh: !restored && !curves };
  },
  stats(state, msg) {
    const lane = laneById(state, msg.lane);
    if (!lane || msg.stats.length === 0) return null;
    const last = msg.stats[msg.stats.length - 1];
    lane.step = last.step;
    if (last.phase !== 'g') lane.dLoss = last.d_loss;
    if (last.phase !== 'd') lane.gLoss = last.g_loss;
    lane.stepsPerSec = msg.stepsPerSec;
    state.memoryBytes = msg.memoryBytes ?? state.memoryBytes;
    for (const s of msg.stats) lane.curves.stats.push({ step: s.step, phase: s.phase, d_loss: s.d_loss, g_loss: s.g_loss, diagnostics: s.diagnostics });
    thinStats(lane, state.limits?.maxCurvePoints ?? 4000);
    return { lane: lane.id };
  },
  samples(state, msg) {
    const lane = laneById(state, msg.lane);
    if (!lane) return null;
    lane.samples = { step: msg.step, pixels: msg.pixels };
    state.timelapse.record(lane.id, msg.step, msg.pixels);
    return { lane: lane.id };
  },
  quality(state, msg) {
    const lane = laneById(state, msg.lane);
    if (!lane) return null;
    lane.quality = { step: msg.step, fid: msg.fid, classesCovered: msg.classesCovered, histogram: msg.histogram, n: msg.n, dReal: msg.dReal, dFake: msg.dFake };
    lane.curves.quality.push({ step: msg.step, fid: msg.fid, classesCovered: msg.classesCovered, histogram: msg.histogram });
    return { lane: lane.id };
  },
  view(state, { kind, msg }) {
    if (msg.lane !== state.selected) return null;
    state.views[kind] = msg;
    return { lane: msg.lane, kind };
  },
  running(state, { running, stepping = 0 }) {
    state.running = running;
    state.stepping = running ? 0 : stepping;
    if (!running) for (const lane of state.lanes) lane.stepsPerSec = 0;
  },
  pulse(state, { phase }) {
    state.pulse = { phase, at: Date.now() };
  },
  diverged(state, msg) {
    const lane = laneById(state, msg.lane);
    if (!lane) return null;
    lane.diverged = msg.step;
    lane.snapshotStep = msg.snapshotStep;
    lane.stepsPerSec = 0;
    return { lane: lane.id };
  },
  rolledBack(state, { lane: id, step }) {
    const lane = laneById(state, id);
    if (!lane) return null;
    Object.assign(lane, { diverged: null, step, dLoss: null, gLoss: null });
    lane.curves.stats = lane.curves.stats.filter((s) => s.step <= step);
    lane.curves.quality = lane.curves.quality.filter((q) => q.step <= step);
    state.notices = state.notices.filter((n) => n.key !== `diverged-${id}`);
    return { lane: id };
  },
  checkpoint(state, msg) {
    const lane = laneById(state, msg.lane);
    if (!lane) return null;
    lane.checkpoint = { step: msg.step, bytes: msg.bytes };
    lane.snapshotStep = msg.step;
    return { lane: lane.id };
  },
  options(state, opts) {
    Object.assign(state.page, opts);
  },
  workers(state, { count, lanes }) {
    state.workers = { count, lanes };
  },
  notice(state, notice) {
    pushNotice(state, notice);
  },
  dismissNotice(state, { id }) {
    state.notices = state.notices.filter((n) => n.id !== id);
  },
  dismissAll(state) {
    state.notices = [];
  },
  fieldErrors(state, { errors }) {
    state.fieldErrors = { ...state.fieldErrors, ...errors };
  },
  clearFieldErrors(state, { fields }) {
    const next = { ...state.fieldErrors };
    for (const f of fields ?? Object.keys(next)) delete next[f];
    state.fieldErrors = next;
  },
  crashed(state, { message }) {
    Object.assign(state, { phase: 'crashed', running: false, crashed: message });
  },
  failed(state, { message }) {
    Object.assign(state, { phase: 'failed', running: false, crashed: message });
    state.loading.failed = state.loading.stage;
  },
  deviceLost(state) {
    state.deviceLosses += 1;
    state.running = false;
  },
  ...LESSON_UPDATES, // lesson progress (lesson-state.js)
  ...AUTOSAVE_UPDATES,
};

/** Quality entries in checkpoint files use snake_case (src/curves.rs); the page uses camelCase. */
function fromStoredQuality(q) {
  return { step: q.step, fid: q.fid, classesCovered: q.classesCovered ?? q.classes_covered, histogram: q.histogram };
}

/**
 * The store: `update(name, payload)` is the only way to change the state; subscribers hear `(state, change)`.
 * `modeUpdates` adds a mode's own named updates (the 2-D mode passes plane/updates.js's), so this module
 * imports no mode.
 */
export function createStore(query, modeUpdates = {}) {
  const state = initialState(query);
  const updates = { ...UPDATES, ...modeUpdates };
  const listeners = new Set();
  return {
    get state() {
      return state;
    },
    update(name, payload = {}) {
      const run = updates[name];
      if (!run) throw new Error(`unknown update ${name}`);
      const detail = run(state, payload);
      if (detail === null) return null; // about a lane that is gone: nothing changed
      const change = { type: name, ...(detail ?? {}) };
      for (const listener of listeners) listener(state, change);
      return change;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
