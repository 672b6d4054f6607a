// The page ↔ worker protocol: one table of requests (each with its validator), one of events, and the
// constructors of the three message shapes. DOM-free: the worker, the page and the node tests import it.
//
//   request (page → worker)  {kind: 'request', id, type, ...args}     every request gets exactly one reply
//   reply   (worker → page)  {kind: 'reply', id, ok: true, result} | {kind: 'reply', id, ok: false, error, code?, fallback?}
//   event   (worker → page)  {kind: 'event', type, ...payload}         pushes: statistics, samples, …
//
// Payload fields are camelCase. A lane is named by its id (`lane`); the page numbers lanes for people.

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isLane = (v) => Number.isInteger(v) && v > 0;
const optional = (check) => (v) => v === undefined || check(v);
const bytes = (v) => v instanceof Uint8Array;

/** Requests and the check of their arguments: a function returning an error message or null. */
export const REQUESTS = {
  // {backend, dataset?, dataUrl, classifierUrl, lanes: [{id, config, checkpoint?}], snapshotEvery?, module?}
  // module: the WebAssembly.Module the page's first worker compiled (its `module` event).
  init: (a) => (['auto', 'webgpu', 'cpu'].includes(a.backend) ? null : 'init: backend must be auto, webgpu or cpu')
    ?? (optional((m) => m instanceof WebAssembly.Module)(a.module) ? null : 'init: module must be a compiled WebAssembly.Module')
    ?? (typeof a.dataUrl === 'string' ? null : 'init: dataUrl must be a URL')
    ?? (optional((d) => typeof d === 'string')(a.dataset) ? null : 'init: dataset must be a name')
    ?? (Array.isArray(a.lanes) && a.lanes.every((l) => isLane(l.id)) ? null : 'init: lanes must be [{id, config}]'),
  validate: (a) => (Array.isArray(a.configs) ? null : 'validate: configs must be an array'),
  // restart: the checkpoint is a restarted worker's (one that cannot be restored starts from step 0), not a file.
  addLane: (a) => (isLane(a.lane) ? null : 'addLane: lane must be a lane id') ?? (optional(bytes)(a.checkpoint) ? null : 'addLane: checkpoint must be bytes')
    ?? (optional((r) => typeof r === 'boolean')(a.restart) ? null : 'addLane: restart must be true or false'),
  removeLane: (a) => (isLane(a.lane) ? null : 'removeLane: lane must be a lane id'),
  configure: (a) => (isLane(a.lane) && isObject(a.config) ? null : 'configure: needs a lane id and a config object'),
  reset: (a) => (optional(isLane)(a.lane) ? null : 'reset: lane must be a lane id or absent'),
  play: () => null,
  pause: () => null,
  step: (a) => (Number.isInteger(a.n) && a.n >= 1 ? null : 'step: n must be a whole number of at least 1')
    ?? (['both', 'd', 'g'].includes(a.phase) ? null : 'step: phase must be "both", "d" or "g"'),
  options: (a) => (optional(Number.isFinite)(a.speed) && optional(Number.isInteger)(a.evalEvery) ? null : 'options: speed and evalEvery must be numbers')
    ?? (optional((v) => typeof v === 'boolean')(a.lockstep) ? null : 'options: lockstep must be true or false'),
  // Lanes in step across workers (worker-pool.js): opens the gate of the round a `roundReady` event announced.
  advance: (a) => (Number.isInteger(a.n) && a.n >= 0 && Number.isInteger(a.round) ? null : 'advance: n and round must be whole numbers'),
  rollback: (a) => (isLane(a.lane) ? null : 'rollback: lane must be a lane id'),
  save: (a) => (isLane(a.lane) && typeof a.curves === 'string' ? null : 'save: needs a lane id and the curves as JSON text'),
  codes: (a) => (isLane(a.lane) && (a.view === null || isObject(a.view)) ? null : 'codes: needs a lane id and a view or null'),
  interpolate: (a) => ((a.lane === null || isLane(a.lane)) && (a.view === null || isObject(a.view)) ? null : 'interpolate: needs a lane id (or null) and a view or null'),
  // Test hooks (the page loaded with ?test=1).
  snapshotEvery: (a) => (Number.isInteger(a.n) && a.n > 0 ? null : 'snapshotEvery: n must be a positive whole number'),
  testPanic: () => null,
  testDeviceLoss: () => null,
  testLearningRates: (a) => (isLane(a.lane) ? null : 'testLearningRates: lane must be a lane id'),
};

/** Events the worker pushes, with the fields each carries. */
export const EVENTS = {
  loading: ['stage', 'loaded', 'total'], // stage: module, dataset, classifier, adapter
  module: ['module'], // the compiled WebAssembly.Module, for the pool's later workers (not passed on)
  laneBuilt: ['lane', 'config', 'errors', 'codes', 'restoredStep', 'curves'],
  stats: ['lane', 'stats', 'stepsPerSec', 'msPerStep', 'memoryBytes'],
  samples: ['lane', 'step', 'pixels'],
  quality: ['lane', 'step', 'fid', 'classesCovered', 'histogram', 'n', 'dReal', 'dFake', 'ms'],
  codeGrid: ['lane', 'step', 'rows', 'cols', 'sweep', 'pixels'],
  interpolation: ['lane', 'step', 'a', 'b', 'frames', 'pixels'],
  running: ['running', 'stepping'], // stepping: generator steps a step request still has to run
  diverged: ['lane', 'step', 'snapshotStep', 'losses', 'weights'],
  checkpoint: ['lane', 'step', 'bytes'],
  notice: ['message', 'level'],
  error: ['message'],
  deviceLost: ['reason', 'message', 'backend', 'simulated'],
  crashed: ['message'],
  roundReady: ['n', 'round'], // lanes in step: the worker waits for `advance` before its round `round` of (at most) n steps
  // Made by the page's worker pool, not a worker: how many workers train the lanes, and whose each lane is.
  workers: ['count', 'lanes'],
};

/** Checks a request's shape and arguments; returns an error message or null. */
export function checkRequest(msg) {
  if (!isObject(msg) || msg.kind !== 'request') return 'not a request';
  if (!Number.isInteger(msg.id)) return 'a request needs a whole-number id';
  const check = Object.hasOwn(REQUESTS, msg.type) ? REQUESTS[msg.type] : null;
  if (!check) return `unknown request ${JSON.stringify(String(msg.type)).slice(0, 60)}`;
  return check(msg);
}

/** Numbers request ids; one per page (or test). */
export function requestMaker() {
  let next = 1;
  return (type, args = {}) => ({ ...args, kind: 'request', id: next++, type });
}

export const reply = (id, result = null) => ({ kind: 'reply', id, ok: true, result });
/** A refused request. `extra`: e.g. `{code: 'dataset-mismatch'}` or `{fallback: 'cpu'}`. */
export const failure = (id, error, extra = {}) => ({ kind: 'reply', id, ok: false, error: String(error), ...extra });

/** An event; throws on a type the table does not list (a typo in the worker fails its tests). */
export function event(type, payload = {}) {
  if (!Object.hasOwn(EVENTS, type)) throw new Error(`unknown event ${type}`);
  return { ...payload, kind: 'event', type };
}

/** Checks a message from the worker; returns an error message or null. */
export function checkWorkerMessage(msg) {
  if (!isObject(msg)) return 'not an object';
  if (msg.kind === 'reply') return Number.isInteger(msg.id) && typeof msg.ok === 'boolean' ? null : 'a reply needs an id and ok';
  if (msg.kind === 'event') return Object.hasOwn(EVENTS, msg.type) ? null : `unknown event ${JSON.stringify(String(msg.type)).slice(0, 60)}`;
  return 'neither a reply nor an event';
}
