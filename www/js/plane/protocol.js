// The 2-D mode's page ↔ worker protocol: its requests (each with a validator) and events, with the
// message shapes of ../protocol.js (ids; exactly one reply per request). DOM-free.
import { reply, failure, requestMaker } from '../protocol.js';

export { reply, failure, requestMaker };

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const lanesArg = (a) => (Array.isArray(a.lanes) && a.lanes.every((l) => Number.isInteger(l.id) && isObject(l.config)) ? null : 'lanes must be [{id, config}]');

export const PLANE_REQUESTS = {
  build: lanesArg, // replaces every lane
  play: () => null,
  pause: () => null,
  step: (a) => (Number.isInteger(a.n) && a.n >= 1 && a.n <= 10000 ? null : 'step: n must be a whole number from 1 to 10000')
    ?? (['both', 'd', 'g'].includes(a.phase) ? null : 'step: phase must be "both", "d" or "g"'),
  options: (a) => (Number.isFinite(a.speed) && a.speed >= 0 ? null : 'options: speed must be a number ≥ 0'),
  validate: (a) => (Array.isArray(a.configs) && a.configs.every(isObject) ? null : 'validate: configs must be an array of objects'),
  save: (a) => (Number.isInteger(a.lane) && typeof a.curves === 'string' ? null : 'save: needs a lane id and the curves as JSON text'),
  load: (a) => (Number.isInteger(a.lane) && a.bytes instanceof Uint8Array ? null : 'load: needs a lane id and the file as a Uint8Array'),
  rollback: (a) => (Number.isInteger(a.lane) ? null : 'rollback: needs a lane id'),
  // Test hooks (the page offers them with ?test=1).
  snapshotEvery: (a) => (Number.isInteger(a.n) && a.n >= 1 ? null : 'snapshotEvery: n must be a whole number ≥ 1'),
  testLearningRates: (a) => (Number.isInteger(a.lane) && typeof a.lr_g === 'number' && typeof a.lr_d === 'number' ? null : 'testLearningRates: needs a lane id and two numbers'),
};

export const PLANE_EVENTS = {
  ready: ['limits', 'objectives'],
  failed: ['message'],
  built: ['lane', 'config', 'error'],
  stats: ['lane', 'stats', 'stepsPerSec'],
  view: ['lane', 'view'],
  running: ['running', 'stepping'],
  diverged: ['lane', 'step', 'snapshotStep'],
  checkpoint: ['lane', 'step', 'seq', 'bytes'],
};

export function checkPlaneRequest(msg) {
  if (!isObject(msg) || msg.kind !== 'request' || !Number.isInteger(msg.id)) return 'not a request with an id';
  const check = Object.hasOwn(PLANE_REQUESTS, msg.type) ? PLANE_REQUESTS[msg.type] : null;
  return check ? check(msg) : `unknown request ${JSON.stringify(String(msg.type)).slice(0, 60)}`;
}

export function planeEvent(type, payload = {}) {
  if (!Object.hasOwn(PLANE_EVENTS, type)) throw new Error(`unknown event ${type}`);
  return { ...payload, kind: 'event', type };
}
