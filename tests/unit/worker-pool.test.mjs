// Unit tests of the page's worker pool (www/js/worker-pool.js) over stand-in workers: lanes dealt to
// workers, requests routed to a lane's worker or sent to all with one reply, merged running state,
// the lockstep gate, WebGPU's single worker, and a worker closed with its last lane.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { workerPool, deal, defaultWorkers } from '../../www/js/worker-pool.js';
import { event, reply, failure } from '../../www/js/protocol.js';

/** Stand-in workers: `answer(worker, msg)` replies (default: laneBuilt events and a reply for each request). */
function fakes({ backend = 'cpu', refusePlay = () => false, module = null } = {}) {
  const workers = [];
  const answer = (w, msg) => {
    const send = (data) => w.onmessage?.({ data });
    if (msg.type === 'init') {
      if (module && !msg.module) send(event('module', { module })); // a worker that compiled it
      for (const l of msg.lanes) send(event('laneBuilt', { lane: l.id }));
      return send(reply(msg.id, { backend: w.index === 0 ? backend : 'cpu' }));
    }
    if (msg.type === 'addLane') {
      send(event('laneBuilt', { lane: msg.lane }));
      return send(reply(msg.id, { lane: msg.lane }));
    }
    if (msg.type === 'play') {
      if (refusePlay(w)) return send(failure(msg.id, 'every lane diverged'));
      send(event('running', { running: true }));
    }
    if (msg.type === 'pause') send(event('running', { running: false }));
    return send(reply(msg.id, null));
  };
  const create = () => {
    const w = {
      index: workers.length, sent: [], terminated: false, onmessage: null, onerror: null,
      postMessage(msg) { this.sent.push(msg); queueMicrotask(() => answer(this, msg)); },
      terminate() { this.terminated = true; },
      push(type, payload) { this.onmessage({ data: event(type, payload) }); },
    };
    workers.push(w);
    return w;
  };
  return { workers, create };
}

function pool(max, opts) {
  const f = fakes(opts);
  const events = [];
  const p = workerPool({ onEvent: (m) => events.push(m), onDeath: () => {}, maxWorkers: () => max, create: f.create });
  p.start();
  return { ...f, events, p };
}

const types = (w) => w.sent.map((m) => m.type);
const lanes = (ids) => ids.map((id) => ({ id, config: {} }));

test('the default is one worker per core but one, at least one; lanes are dealt round-robin', () => {
  assert.equal(defaultWorkers(2), 1);
  assert.equal(defaultWorkers(8), 7);
  assert.equal(defaultWorkers(1), 1);
  assert.equal(defaultWorkers(undefined), 1);
  assert.deepEqual(deal([1, 2, 3], 2), [[1, 3], [2]]);
  assert.deepEqual(deal([], 3), [[], [], []]);
});

test('on the CPU each lane gets a worker up to the cap; lane requests go to its worker, play to all with one reply', async () => {
  const { p, workers, events } = pool(2);
  const info = await p.request('init', { backend: 'cpu', dataUrl: 'x', lanes: lanes([1, 2, 3]) });
  assert.equal(info.backend, 'cpu');
  assert.equal(workers.length, 2);
  assert.deepEqual(workers[0].sent[0].lanes.map((l) => l.id), [1, 3]);
  assert.deepEqual(workers[1].sent[0].lanes.map((l) => l.id), [2]);
  assert.deepEqual(events.filter((e) => e.type === 'workers').at(-1), { kind: 'event', type: 'workers', count: 2, lanes: { 1: 0, 3: 0, 2: 1 } });
  await p.request('configure', { lane: 2, config: {} });
  assert.ok(types(workers[1]).includes('configure') && !types(workers[0]).includes('configure'));
  assert.equal(await p.request('play'), null);
  assert.ok(types(workers[0]).includes('play') && types(workers[1]).includes('play'));
  await p.request('validate', { configs: [] });
  assert.ok(types(workers[0]).includes('validate') && !types(workers[1]).includes('validate'), 'validate: the first worker only');
  // Running while any worker runs; stopped when all have stopped.
  workers[0].push('running', { running: false });
  assert.equal(events.filter((e) => e.type === 'running').at(-1).running, true);
  workers[1].push('running', { running: false });
  assert.deepEqual(events.filter((e) => e.type === 'running').at(-1), { kind: 'event', type: 'running', running: false, stepping: 0 });
  // Memory is the sum of the workers'; loading progress is the first worker's only.
  workers[0].push('stats', { lane: 1, stats: [], memoryBytes: 10 });
  workers[1].push('stats', { lane: 2, stats: [], memoryBytes: 5 });
  assert.equal(events.filter((e) => e.type === 'stats').at(-1).memoryBytes, 15);
  workers[1].push('loading', { stage: 'module', loaded: 1, total: 2 });
  assert.equal(events.filter((e) => e.type === 'loading').length, 0);
});

test('a new lane takes a new worker while the cap allows; removing its last lane closes that worker', async () => {
  const { p, workers, events } = pool(3);
  await p.request('init', { backend: 'auto', dataUrl: 'x', lanes: [] });
  await Promise.all([p.request('addLane', { lane: 1, config: {} }), p.request('addLane', { lane: 2, config: {} }), p.request('addLane', { lane: 3, config: {} })]);
  assert.equal(workers.length, 3, 'lanes added together get a worker each');
  assert.deepEqual(workers.map((w) => w.sent.filter((m) => m.type === 'addLane').map((m) => m.lane)), [[1], [2], [3]]);
  await p.request('addLane', { lane: 4, config: {} });
  assert.equal(workers.length, 3, 'beyond the cap lanes share a worker');
  await p.request('removeLane', { lane: 2 });
  assert.equal(workers[1].terminated, true);
  assert.deepEqual(events.filter((e) => e.type === 'workers').at(-1).lanes, { 1: 0, 4: 0, 3: 1 });
  await p.request('removeLane', { lane: 1 });
  await p.request('removeLane', { lane: 4 });
  assert.equal(workers[0].terminated, false, 'the first worker stays');
});

test('on WebGPU every lane stays in the first worker (one device); a restart\'s checkpoints are not strict', async () => {
  const { p, workers } = pool(4, { backend: 'webgpu' });
  const bytes = new Uint8Array(4);
  await p.request('init', { backend: 'auto', dataUrl: 'x', lanes: [{ id: 1, config: {} }, { id: 2, config: {}, checkpoint: bytes }] });
  assert.equal(workers.length, 1);
  const added = workers[0].sent.find((m) => m.type === 'addLane');
  assert.equal(added.lane, 2);
  assert.equal(added.restart, true);
  await p.request('addLane', { lane: 3, config: {} });
  assert.equal(workers.length, 1);
});

test('play is refused only when every worker refuses it', async () => {
  const some = pool(2, { refusePlay: (w) => w.index === 0 });
  await some.p.request('init', { backend: 'cpu', dataUrl: 'x', lanes: lanes([1, 2]) });
  assert.equal(await some.p.request('play'), null);
  const all = pool(2, { refusePlay: () => true });
  await all.p.request('init', { backend: 'cpu', dataUrl: 'x', lanes: lanes([1, 2]) });
  await assert.rejects(all.p.request('play'), /every lane diverged/);
});

test('lanes in step: the gate opens once every training worker waits, with the least steps proposed', async () => {
  const { p, workers } = pool(2);
  await p.request('init', { backend: 'cpu', dataUrl: 'x', lanes: lanes([1, 2]) });
  await p.request('play');
  const advances = (w) => w.sent.filter((m) => m.type === 'advance');
  workers[0].push('roundReady', { n: 7, round: 1 });
  assert.equal(advances(workers[0]).length, 0, 'the other worker is still training');
  workers[1].push('roundReady', { n: 3, round: 4 });
  assert.deepEqual(advances(workers[0]).map(({ n, round }) => ({ n, round })), [{ n: 3, round: 1 }]);
  assert.deepEqual(advances(workers[1]).map(({ n, round }) => ({ n, round })), [{ n: 3, round: 4 }]);
  // A worker that stops (all its lanes diverged) no longer holds the others.
  workers[0].push('roundReady', { n: 5, round: 2 });
  workers[1].push('running', { running: false });
  assert.deepEqual(advances(workers[0]).at(-1).n, 5);
});

test('the CPU workers after the first instantiate the module the first compiled; without it they compile their own', async () => {
  const compiled = new WebAssembly.Module(Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0)); // an empty module
  const { p, workers, events } = pool(3, { module: compiled });
  await p.request('init', { backend: 'cpu', dataUrl: 'x', lanes: lanes([1, 2, 3]) });
  assert.equal(workers.length, 3);
  assert.equal(workers[0].sent[0].module, undefined, 'the first worker compiles it');
  assert.ok(workers.slice(1).every((w) => w.sent[0].module === compiled), 'the others are handed its module');
  assert.ok(!events.some((e) => e.type === 'module'), 'the module is not passed on to the page');
  await p.request('removeLane', { lane: 2 });
  await p.request('addLane', { lane: 4, config: {} });
  assert.equal(workers.at(-1).sent[0].module, compiled, 'a worker started later for a new lane gets it too');

  const plain = pool(2);
  await plain.p.request('init', { backend: 'cpu', dataUrl: 'x', lanes: lanes([1, 2]) });
  assert.equal(plain.workers[1].sent[0].module, undefined, 'no module from the first: the second compiles its own');
});
