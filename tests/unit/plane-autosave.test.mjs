// The 2-D mode's divergence, rollback and autosave on the page: the store updates (plane/updates.js),
// the record a save writes and its restore (plane/autosave.js over ../autosave-core.js and runstore.js
// on fake-indexeddb, with a stand-in worker), autosave= in the link, and the new requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IDBFactory } from 'fake-indexeddb';
import { parsePlaneQuery, toPlaneQuery, planeAutosave } from '../../www/js/plane/url.js';
import { createStore } from '../../www/js/store.js';
import { PLANE_UPDATES } from '../../www/js/plane/updates.js';
import { checkPlaneRequest } from '../../www/js/plane/protocol.js';
import { buildPlaneRecord, createPlaneAutosave } from '../../www/js/plane/autosave.js';
import { open } from '../../www/js/runstore.js';

const COLORS = ['#a', '#b', '#c', '#d'];
const LIMITS = { autosaveEvery: { min: 5, max: 3600, default: 30 }, maxLanes: 4 };

/** A 2-D page's store with `query`'s lanes built by the worker and trained to `step` (loss and distance points per step). */
function trained(query, step) {
  const store = createStore({ page: {} }, PLANE_UPDATES);
  store.update('planeInit', parsePlaneQuery(query));
  store.update('planeReady', { limits: LIMITS, objectives: [] });
  store.update('planeAutosaveEvery', { seconds: 30 });
  store.update('planeRebuild', { colors: COLORS });
  for (const l of store.state.plane.lanes) {
    store.update('planeBuilt', { lane: l.id, config: { objective: l.objective, dataset: store.state.plane.config.dataset, seed: 1 }, error: null });
    const stats = Array.from({ length: step }, (_, i) => ({ step: i + 1, phase: 'both', d_loss: 1 / (i + 1), g_loss: i, diagnostics: {}, finite: true }));
    store.update('planeStats', { lane: l.id, stats, stepsPerSec: 100 });
    for (let s = 0; s <= step; s += 10) store.update('planeView', { lane: l.id, view: view(s) });
    store.update('planeCheckpoint', { lane: l.id, step, seq: 1, bytes: new Uint8Array([l.id, step, 7]) });
  }
  return store;
}

const view = (step) => ({ step, meshRows: 1, meshCols: 2, fake: new Float32Array([step, 1, 2, 3]), arrows: new Float32Array(4), heat: new Float32Array(4), manifold: new Float32Array(4), categories: new Uint8Array(0), real: new Float32Array(4), kl: step, js: 0, swd: 0 });

test('divergence and rollback: the lane stops at its step, rolls back to its snapshot, later points go', () => {
  const store = trained('dataset=ring&lanes=nonsaturating', 30);
  const id = store.state.plane.lanes[0].id;
  store.update('planeDiverged', { lane: id, step: 31, snapshotStep: 20 });
  const lane = store.state.plane.lanes[0];
  assert.deepEqual([lane.diverged, lane.snapshotStep, lane.stepsPerSec], [31, 20, 0]);
  store.update('planeRolledBack', { lane: id, step: 20 });
  assert.deepEqual([lane.diverged, lane.step, lane.stats], [null, 20, null]);
  assert.equal(lane.curves.loss.at(-1).step, 20, 'loss points after the snapshot go');
  assert.equal(lane.curves.dist.at(-1).step, 20, 'distance points after the snapshot go');
  assert.equal(store.update('planeDiverged', { lane: 999, step: 1, snapshotStep: 0 }), null, 'a lane that is gone changes nothing');
});

test('a save holds each lane up to its checkpoint, the config and drawn points; planeRestore brings them back', () => {
  const store = trained('dataset=drawn&lanes=lsgan,wgan-gp&points=0.10,0.20;-0.30,0.40&speed=30', 40);
  const [a] = store.state.plane.lanes;
  // Steps after the last checkpoint the worker sent are not in the record (they resume from the checkpoint).
  store.update('planeStats', { lane: a.id, stats: [{ step: 41, phase: 'both', d_loss: 0, g_loss: 0, diagnostics: {}, finite: true }], stepsPerSec: 1 });
  const record = buildPlaneRecord(store.state);
  assert.equal(record.options.mode, '2d');
  assert.equal(record.options.dataset, 'drawn');
  assert.deepEqual(record.options.config.points, [[0.1, 0.2], [-0.3, 0.4]]);
  assert.deepEqual(record.options.config.lanes, ['lsgan', 'wgan-gp']);
  assert.equal(record.options.speed, 30);
  assert.deepEqual(record.lanes.map((l) => [l.config.objective, l.step, l.curves.loss.length, l.checkpointBytes.length]), [['lsgan', 40, 40, 3], ['wgan-gp', 40, 40, 3]]);
  assert.deepEqual(record.frames[0].map((f) => f.step), [0, 20, 40]);

  const fresh = createStore({ page: {} }, PLANE_UPDATES);
  fresh.update('planeInit', parsePlaneQuery('dataset=ring&lanes=nonsaturating'));
  const { lanes } = fresh.update('planeRestore', { record, colors: COLORS });
  const p = fresh.state.plane;
  assert.equal(lanes.length, 2);
  assert.deepEqual([p.config.dataset, p.config.points, p.config.lanes, p.strokes, p.options.speed], ['drawn', [[0.1, 0.2], [-0.3, 0.4]], ['lsgan', 'wgan-gp'], [2], 30]);
  assert.deepEqual(p.lanes.map((l) => [l.objective, l.step, l.loading, l.curves.loss.length, l.curves.dist.length]), [['lsgan', 40, true, 40, 5], ['wgan-gp', 40, true, 40, 5]]);
  assert.deepEqual(fresh.state.timelapse.frames(lanes[0]).map((f) => f.step), [0, 20, 40]);
  fresh.update('planeLoaded', { lane: lanes[0], config: record.lanes[0].config, step: 40, curves: null, restored: true });
  assert.equal(p.lanes[0].curves.loss.length, 40, 'a resumed lane keeps the saved curves');
  assert.equal(p.lanes[0].loadedStep, undefined, 'a resumed lane is not marked as loaded from a file');
});

/** A stand-in for the 2-D worker: `load` answers with the bytes' lane config unless `refuse(bytes)`. */
function fakeWorker(configs, refuse = () => false) {
  const calls = [];
  const request = async (type, args = {}) => {
    calls.push(type);
    if (type === 'load') {
      if (refuse(args.bytes)) throw new Error('this checkpoint is damaged (checksum mismatch: some bytes changed after it was saved) and was not loaded');
      return { step: args.bytes[1], config: configs.shift(), curves: '' };
    }
    return null;
  };
  return { request, calls };
}

const env = (factory, session = new Map()) => ({
  indexedDB: () => factory,
  sessionStorage: () => ({ getItem: (k) => session.get(k) ?? null, setItem: (k, v) => session.set(k, v), removeItem: (k) => session.delete(k) }),
  locks: () => null,
  on: () => {},
});

test('a saved 2-D run is offered after a reload and resumes its lanes from their checkpoints; image runs are not offered', async () => {
  const factory = new IDBFactory();
  // An image-mode run in the same database: the 2-D page does not list it.
  const runs = await open(factory);
  await runs.saveRun('image-run', { savedAt: 1, options: { dataset: 'mnist' }, lanes: [{ config: { objective: 'lsgan' }, step: 5, checkpointBytes: new Uint8Array(3) }], frames: [] });
  runs.close();
  const session = new Map();
  const tab = trained('dataset=moons&lanes=lsgan,nonsaturating', 30);
  const saver = createPlaneAutosave({ store: tab, request: fakeWorker([]).request, colors: COLORS, rebuild: async () => {}, afterRestore: () => {}, env: env(factory, session) });
  await saver.start();
  assert.equal(tab.state.autosave.status, 'on');
  assert.deepEqual(tab.state.autosave.runs.map((r) => r.runId), [], 'the image run is not listed');
  const saved = await saver.save();
  assert.deepEqual([saved.saved, saved.step], [true, [30, 30]]);
  assert.equal((await saver.save()).saved, false, 'nothing changed: no second save');

  // The reload: the same tab (session), a fresh page.
  const page = createStore({ page: {} }, PLANE_UPDATES);
  page.update('planeInit', parsePlaneQuery('dataset=ring&lanes=nonsaturating'));
  page.update('planeReady', { limits: LIMITS, objectives: [] });
  page.update('planeAutosaveEvery', { seconds: 30 });
  const configs = tab.state.plane.lanes.map((l) => l.config);
  const worker = fakeWorker([...configs]);
  let restored = 0;
  const resumer = createPlaneAutosave({ store: page, request: worker.request, colors: COLORS, rebuild: async () => {}, afterRestore: () => { restored += 1; }, env: env(factory, session) });
  await resumer.start();
  const a = page.state.autosave;
  assert.equal(a.offer, true, 'the earlier save of this tab is offered');
  assert.notEqual(a.runId, tab.state.autosave.runId, 'the fresh run takes a new id');
  await resumer.resume(tab.state.autosave.runId);
  assert.deepEqual(worker.calls, ['pause', 'options', 'build', 'load', 'load']);
  assert.equal(restored, 1);
  const p = page.state.plane;
  assert.deepEqual(p.lanes.map((l) => [l.objective, l.step, l.loading, l.curves.loss.length]), [['lsgan', 30, false, 30], ['nonsaturating', 30, false, 30]]);
  assert.equal(p.config.dataset, 'moons');
  assert.deepEqual([a.offer, a.runId], [false, tab.state.autosave.runId], 'resumed: the offer closes, this tab continues the run');
  for (const s of [saver, resumer]) await s.setEnabled(false); // their timers stop
  assert.equal(page.state.plane.options.autosave, 0);
});

test('a saved run whose checkpoint is refused: a clear message, the lanes start afresh, the run is kept and not claimed', async () => {
  const factory = new IDBFactory();
  const session = new Map();
  const tab = trained('dataset=ring&lanes=lsgan', 20);
  const saver = createPlaneAutosave({ store: tab, request: fakeWorker([]).request, colors: COLORS, rebuild: async () => {}, afterRestore: () => {}, env: env(factory, session) });
  await saver.start();
  await saver.save();
  const runId = tab.state.autosave.runId;

  const page = createStore({ page: {} }, PLANE_UPDATES);
  page.update('planeInit', parsePlaneQuery('dataset=ring&lanes=lsgan'));
  page.update('planeReady', { limits: LIMITS, objectives: [] });
  page.update('planeAutosaveEvery', { seconds: 30 });
  let rebuilt = 0;
  const worker = fakeWorker([], () => true);
  const resumer = createPlaneAutosave({ store: page, request: worker.request, colors: COLORS, rebuild: async () => { rebuilt += 1; }, afterRestore: () => {}, env: env(factory, session) });
  await resumer.start();
  const own = page.state.autosave.runId;
  await resumer.resume(runId);
  assert.match(page.state.autosave.refused[runId], /^lane 1: this checkpoint is damaged \(checksum mismatch.*\(the lanes start again from step 0\)$/);
  assert.equal(rebuilt, 1, 'the lanes start afresh');
  assert.equal(page.state.autosave.runId, own, 'the refused run is not claimed: this tab never overwrites it');
  const store = await open(factory);
  assert.equal((await store.listRuns()).find((r) => r.runId === runId).status, 'ok', 'the saved run is kept');
  store.close();
  for (const s of [saver, resumer]) await s.setEnabled(false); // their timers stop
});

test('autosave= in a 2-D link: 0 off, 1 the default, seconds in range, a bad value named; the link keeps it', () => {
  const range = LIMITS.autosaveEvery;
  const every = (q) => planeAutosave(parsePlaneQuery(q).options.autosave, range);
  assert.deepEqual(every('dataset=ring'), { seconds: 30, notice: null });
  assert.deepEqual(every('dataset=ring&autosave=0'), { seconds: 0, notice: null });
  assert.deepEqual(every('dataset=ring&autosave=1'), { seconds: 30, notice: null });
  assert.deepEqual(every('dataset=ring&autosave=45'), { seconds: 45, notice: null });
  const bad = every('dataset=ring&autosave=2');
  assert.equal(bad.seconds, 30);
  assert.match(bad.notice, /"autosave" must be 0 \(off\), 1 \(on\) or a whole number of seconds from 5 to 3600/);
  const { config, options } = parsePlaneQuery('dataset=ring');
  assert.match(toPlaneQuery(config, { ...options, autosave: 0 }, LIMITS), /autosave=0/);
  assert.match(toPlaneQuery(config, { ...options, autosave: 45 }, LIMITS), /autosave=45/);
  assert.doesNotMatch(toPlaneQuery(config, { ...options, autosave: 30 }, LIMITS), /autosave/);
  const off = createStore({ page: {} }, PLANE_UPDATES);
  off.update('planeInit', parsePlaneQuery('dataset=ring&autosave=0'));
  assert.equal(off.state.autosave.status, 'off');
});

test('rollback and the test hooks are checked requests', () => {
  const req = (type, args) => checkPlaneRequest({ kind: 'request', id: 1, type, ...args });
  assert.equal(req('rollback', { lane: 2 }), null);
  assert.match(req('rollback', {}), /lane id/);
  assert.equal(req('snapshotEvery', { n: 5 }), null);
  assert.match(req('snapshotEvery', { n: 0 }), /whole number/);
  assert.equal(req('testLearningRates', { lane: 1, lr_g: 1e30, lr_d: 1e30 }), null);
  assert.match(req('testLearningRates', { lane: 1, lr_g: '1' }), /two numbers/);
});
