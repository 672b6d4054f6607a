// The page's training workers: on the CPU backend the lanes train in workers of their own (one per lane,
// up to `maxWorkers()`; beyond that lanes share the least busy one), on WebGPU in one (one device). To
// the session it is one worker (worker-client.js's interface): start(), request(type, args, transfer)
// with exactly one reply per request, every event to one listener, stop(). Requests about a lane go to
// the worker that trains it; play, pause, step and the options go to every worker and their replies
// become one. With the lanes in step, each worker waits before a round (`roundReady`) until every
// training worker is waiting, then all take the same steps (`advance`).
import { workerClient } from './worker-client.js';
import { event } from './protocol.js';

/** CPU workers by default: one per core but one (the page's own thread), at least one. */
export function defaultWorkers(cores) {
  return Math.max(1, (Number.isInteger(cores) ? cores : 1) - 1);
}

/** Requests about one lane (`lane`), answered by the worker that trains it. */
const BY_LANE = ['removeLane', 'configure', 'rollback', 'save', 'codes', 'testLearningRates'];
/** Requests every worker answers; all must accept, except those in ANY_ACCEPTS. */
const TO_ALL = ['play', 'pause', 'step', 'options', 'snapshotEvery'];
/** Refused only by a worker whose every lane has diverged: accepted when any worker accepts. */
const ANY_ACCEPTS = ['play', 'step'];

/** `lanes` dealt round-robin into `count` shares (lane i to share i mod count). */
export function deal(lanes, count) {
  const shares = Array.from({ length: Math.max(1, count) }, () => []);
  lanes.forEach((lane, i) => shares[i % shares.length].push(lane));
  return shares;
}

/**
 * `onEvent(msg)`, `onDeath(message)` as for workerClient; `maxWorkers()`: the CPU workers allowed now;
 * `create()`: makes a worker (tests pass a stand-in).
 */
export function workerPool({ onEvent, onDeath, maxWorkers = () => 1, create }) {
  let members = [];
  let backend = null;
  let base = null; // the init arguments a worker started later gets (without lanes)
  let options = {}; // the options every worker has, for workers started later
  let snapshotEvery;
  let opening = 0; // play and step requests still going out: no gate opens meanwhile
  let notices = new Set(); // the texts of notices shown since the start
  let moduleShared = () => {}; // resolves the wait of `init` for the first worker's compiled module

  const isMember = (m) => members.includes(m);
  const owner = (lane) => members.find((m) => m.lanes.has(lane)) ?? null;
  const anyRunning = () => members.some((m) => m.running);

  function member(primary) {
    const m = { primary, lanes: new Set(), running: false, stepping: 0, waiting: null, memory: 0 };
    m.client = workerClient({
      onEvent: (msg) => isMember(m) && fromWorker(m, msg),
      onDeath: (message) => isMember(m) && onDeath(message),
      ...(create ? { create } : {}),
    });
    m.client.start();
    members.push(m);
    return m;
  }

  function retire(m) {
    members = members.filter((x) => x !== m);
    m.client.stop('the lane\'s worker was closed');
    publish();
    openGate();
  }

  /** Tells the page how many workers train and which one trains each lane. */
  function publish() {
    const lanes = {};
    members.forEach((m, i) => { for (const id of m.lanes) lanes[id] = i; });
    onEvent(event('workers', { count: members.length, lanes }));
  }

  function fromWorker(m, msg) {
    switch (msg.type) {
      case 'loading':
        return m.primary ? onEvent(msg) : undefined; // the page shows the first worker's progress
      case 'module':
        // The first worker's compiled module: the workers started later instantiate it, not compile again.
        if (m.primary && base) base = { ...base, module: msg.module };
        return moduleShared();
      case 'running':
        // A new loop (or its end): a gate the worker waited at before is gone, it announces a new one.
        Object.assign(m, { running: msg.running, stepping: msg.running ? 0 : (msg.stepping ?? 0), waiting: null });
        onEvent(event('running', anyRunning() ? { running: true } : { running: false, stepping: Math.max(...members.map((x) => x.stepping)) }));
        return openGate();
      case 'roundReady':
        m.waiting = { n: msg.n, round: msg.round };
        return openGate();
      case 'stats':
        m.memory = msg.memoryBytes ?? 0;
        return onEvent({ ...msg, memoryBytes: members.reduce((sum, x) => sum + x.memory, 0) });
      case 'notice':
        // What every worker says (e.g. the classifier is missing) is shown once.
        if (!m.primary && notices.has(msg.message)) return undefined;
        notices.add(msg.message);
        return onEvent(msg);
      default:
        return onEvent(msg);
    }
  }

  /** Lanes in step: once every training worker waits at its gate, all take the least steps proposed. */
  function openGate() {
    if (opening > 0) return;
    const training = members.filter((m) => m.running || m.stepping > 0 || m.waiting);
    if (training.length === 0 || training.some((m) => !m.waiting)) return;
    const n = Math.min(...training.map((m) => m.waiting.n));
    for (const m of training) {
      const { round } = m.waiting;
      m.waiting = null;
      m.client.request('advance', { n, round }).catch(() => {});
    }
  }

  /** Sends to every worker in `targets`; one result, or the first refusal (see ANY_ACCEPTS). */
  async function toAll(type, args, targets = members) {
    const gated = ANY_ACCEPTS.includes(type);
    if (gated) opening++;
    let settled;
    try {
      settled = await Promise.allSettled(targets.map((m) => m.client.request(type, typeof args === 'function' ? args(m) : args)));
    } finally {
      if (gated) opening--;
      openGate();
    }
    const refused = settled.filter((r) => r.status === 'rejected');
    if (refused.length > 0 && (!gated || refused.length === settled.length)) throw refused[0].reason;
    return settled.find((r) => r.status === 'fulfilled')?.value ?? null;
  }

  /** Starts worker `m` (not the first): the CPU backend, the page's options, `lanes` to build. */
  async function boot(m, lanes) {
    try {
      await m.client.request('init', { ...base, backend: 'cpu', lanes, options, snapshotEvery });
    } catch (e) {
      if (isMember(m)) retire(m);
      throw e;
    }
  }

  /** A worker started after the first, with `lanes` (its own at once, so lanes added meanwhile go elsewhere). */
  function spawn(lanes) {
    const m = member(false);
    for (const l of lanes) m.lanes.add(l.id);
    return boot(m, lanes);
  }

  async function init(args) {
    const { lanes, ...rest } = args;
    base = rest;
    options = { ...(args.options ?? {}) };
    snapshotEvery = args.snapshotEvery;
    const [first, ...others] = deal(lanes, args.backend === 'webgpu' ? 1 : Math.min(maxWorkers(), lanes.length));
    const primary = members[0];
    for (const l of first) primary.lanes.add(l.id);
    const compiled = new Promise((resolve) => { moduleShared = resolve; });
    const answered = primary.client.request('init', { ...args, lanes: first });
    // Known to be the CPU backend: the other workers start once the first has compiled the module (its
    // `module` event; or its answer, if it sends none); otherwise the first says which backend it got.
    const early = args.backend === 'cpu' && others.length > 0
      ? Promise.race([compiled, answered.catch(() => {})]).then(() => Promise.all(others.map((share) => spawn(share))))
      : null;
    early?.catch(() => {}); // awaited below, after the first worker's answer
    const info = await answered;
    backend = info.backend;
    if (early) await early;
    else if (backend === 'webgpu') {
      for (const l of others.flat()) {
        primary.lanes.add(l.id);
        await primary.client.request('addLane', { lane: l.id, config: l.config, ...(l.checkpoint ? { checkpoint: l.checkpoint, restart: true } : {}) });
      }
    } else await Promise.all(others.map((share) => spawn(share)));
    publish();
    return info;
  }

  /** A new lane goes to an idle worker, a new one while the cap allows, else the least busy. */
  async function addLane(args, transfer) {
    let m = owner(args.lane);
    let fresh = false;
    if (!m) {
      const cap = backend === 'webgpu' ? 1 : maxWorkers();
      m = members.find((x) => x.lanes.size === 0) ?? null;
      if (!m && members.length < cap) {
        m = member(false);
        fresh = true;
      }
      m ??= members.reduce((a, b) => (b.lanes.size < a.lanes.size ? b : a));
    }
    const wasRunning = anyRunning();
    // Taken at once, so a lane added meanwhile (the page adds its lanes together) goes to another worker.
    m.lanes.add(args.lane);
    try {
      if (fresh) await boot(m, []);
      const result = await m.client.request('addLane', args, transfer);
      publish();
      // The other workers go on training: so does the new lane (a worker resumes its own lanes itself).
      if (fresh && wasRunning && isMember(m)) await toAll('play', {}, [m]).catch(() => {});
      return result;
    } catch (e) {
      m.lanes.delete(args.lane);
      if (!m.primary && m.lanes.size === 0 && isMember(m)) retire(m);
      throw e;
    }
  }

  async function removeLane(args) {
    const m = owner(args.lane) ?? members[0];
    const result = await m.client.request('removeLane', args);
    m.lanes.delete(args.lane);
    if (!m.primary && m.lanes.size === 0 && isMember(m)) retire(m);
    else publish();
    return result;
  }

  async function request(type, args = {}, transfer = []) {
    if (members.length === 0) throw new Error('the training worker is not running');
    switch (type) {
      case 'init': return init(args);
      case 'addLane': return addLane(args, transfer);
      case 'removeLane': return removeLane(args);
      case 'reset':
        if (args.lane === undefined) return toAll('reset', args);
        return (owner(args.lane) ?? members[0]).client.request(type, args, transfer);
      case 'interpolate':
        // One lane draws the strip; every other worker closes its own.
        return toAll('interpolate', (m) => (m.lanes.has(args.lane) ? args : { lane: null, view: null }));
      default:
        break;
    }
    if (BY_LANE.includes(type)) return (owner(args.lane) ?? members[0]).client.request(type, args, transfer);
    if (TO_ALL.includes(type)) {
      const result = await toAll(type, args);
      if (type === 'options') options = { ...options, ...args };
      // Out of step the workers stopped waiting at their gates: forget those waits.
      if (type === 'options' && args.lockstep === false) for (const m of members) m.waiting = null;
      if (type === 'snapshotEvery') snapshotEvery = args.n;
      return result;
    }
    return members[0].client.request(type, args, transfer); // validate and the test hooks
  }

  function stop(message) {
    const old = members;
    members = [];
    for (const m of old) m.client.stop(message);
  }

  return {
    /** Replaces every worker by one new one (the first); `init` starts the others. */
    start() {
      stop('the training worker was restarted');
      backend = null;
      notices = new Set();
      opening = 0;
      member(true);
    },
    request,
    stop,
  };
}
