// The resume offer's words (autosave-offer.js), the autosave store updates (store-autosave.js) and the
// record a save writes (autosave.js buildRecord).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { age, describeRun, describeDifference, megabytes } from '../../www/js/autosave-offer.js';
import { createStore } from '../../www/js/store.js';
import { buildRecord } from '../../www/js/autosave.js';

const page = { dataset: 'mnist', autosave: 30 };
const now = 1_000_000_000;
const run = (lanes, extra = {}) => ({ runId: 'r', savedAt: now - 3 * 60_000, dataset: 'mnist', lanes, bytes: 12.8e6, status: 'ok', ...extra });
const cfg = (objective, more = {}) => ({ objective, arch: 'mlp', batch: 64, seed: 1, lr_g: 0.0002, lr_d: 0.0002, latent: 64, params: {}, ...more });

test('describeRun names the steps, the lanes and the age', () => {
  assert.equal(describeRun(run([{ objective: 'lsgan', step: 30, config: cfg('lsgan') }]), now), 'Resume the run from step 30 of lane 1 (lsgan, mlp) (saved 3 min ago)');
  assert.equal(
    describeRun(run([{ step: 30, config: cfg('lsgan') }, { step: 20, config: cfg('wgan', { arch: 'dcgan' }) }]), now),
    'Resume the run from steps 30 and 20 of lanes 1 (lsgan, mlp) and 2 (wgan, dcgan) (saved 3 min ago)',
  );
  assert.equal(age(10_000), 'less than a minute ago');
  assert.equal(age(3 * 3600e3), '3 h ago');
  assert.equal(megabytes(12.8e6), '12.8 MB');
});

test('describeDifference says what the link asks for that the run does not have, and which wins', () => {
  const saved = run([{ step: 30, config: cfg('nonsaturating') }]);
  assert.equal(describeDifference(saved, [cfg('nonsaturating')], 'mnist'), '');
  const text = describeDifference(saved, [cfg('lsgan', { batch: 32 })], 'fashion');
  assert.match(text, /trained on MNIST digits, the link asks for Fashion-MNIST/);
  assert.match(text, /lane 1: objective nonsaturating in the run, lsgan in the link; batch 64 in the run, 32 in the link/);
  assert.match(text, /Resume continues the saved run with its own settings; Start fresh keeps the link's/);
  assert.match(describeDifference(saved, [cfg('nonsaturating'), cfg('lsgan')], 'mnist'), /the run has 1 lane, the link 2/);
});

test('savedRuns opens the offer only for runs of other tabs; autosaved and runDeleted keep the usage', () => {
  const store = createStore({ page });
  store.update('autosaveStatus', { status: 'on', runId: 'mine' });
  store.update('savedRuns', { runs: [{ ...run([]), runId: 'mine' }], offer: true });
  assert.equal(store.state.autosave.offer, false, 'this tab\'s own save is not offered');
  store.update('savedRuns', { runs: [run([]), { ...run([]), runId: 'mine', bytes: 1e6 }], offer: true });
  assert.equal(store.state.autosave.offer, true);
  assert.equal(store.state.autosave.usage, 13.8e6);
  store.update('autosaved', { summary: { runId: 'mine', savedAt: now, lanes: [{ step: 40 }], bytes: 2e6 }, ms: 5 });
  assert.equal(store.state.autosave.usage, 14.8e6);
  assert.deepEqual(store.state.autosave.last, { at: now, bytes: 2e6, ms: 5, steps: [40] });
  store.update('runDeleted', { runId: 'r' });
  assert.equal(store.state.autosave.offer, false, 'no other run left to offer');
  store.update('runDeleted', { runId: null });
  assert.deepEqual([store.state.autosave.runs, store.state.autosave.usage, store.state.autosave.last], [[], 0, null]);
  assert.equal(createStore({ page: { ...page, autosave: 0 } }).state.autosave.status, 'off');
});

test('a save holds each lane up to its checkpoint; restoreLane brings curves, quality and frames back', () => {
  const store = createStore({ page });
  const { lane } = store.update('addLane', {});
  store.update('laneBuilt', { lane, config: cfg('lsgan') });
  for (const step of [10, 20, 30]) {
    store.update('stats', { lane, stats: [{ step, phase: 'both', d_loss: step, g_loss: -step, diagnostics: {} }], stepsPerSec: 1 });
    store.update('samples', { lane, step, pixels: new Uint8Array(784).fill(step) });
  }
  store.update('quality', { lane, step: 30, fid: 5, classesCovered: 9, histogram: [], n: 1, dReal: new Float32Array(1), dFake: new Float32Array(1) });
  store.update('checkpoint', { lane, step: 20, bytes: new Uint8Array([1, 2, 3]) });
  const record = buildRecord(store.state);
  assert.equal(record.lanes[0].step, 20);
  assert.deepEqual(record.lanes[0].curves.stats.map((s) => s.step), [10, 20], 'nothing after the checkpoint');
  assert.equal(record.lanes[0].quality, null, 'the step-30 measurement is after the checkpoint');
  assert.deepEqual(record.options, { dataset: 'mnist', backend: undefined, speed: undefined, evalEvery: undefined });

  const fresh = createStore({ page });
  const { lane: id } = fresh.update('addLane', {});
  fresh.update('restoreLane', { lane: id, saved: { ...record.lanes[0], curves: { stats: [...record.lanes[0].curves.stats, { step: 99 }], quality: [] } }, frames: record.frames[0] });
  const l = fresh.state.lanes[0];
  assert.deepEqual(l.curves.stats.map((s) => s.step), [10, 20]);
  assert.equal(l.checkpoint.step, 20);
  assert.ok(fresh.state.timelapse.frames(id).length >= 1);
  fresh.update('laneBuilt', { lane: id, config: cfg('lsgan'), restoredStep: 20 });
  assert.equal(l.step, 20);
  assert.deepEqual(l.curves.stats.map((s) => s.step), [10, 20], 'laneBuilt keeps the restored curves');
});
