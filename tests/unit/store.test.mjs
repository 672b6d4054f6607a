// Unit tests of the page store (www/js/store.js): every change goes through a named update, and the
// updates keep lanes, curves, notices and field errors consistent. Needs the vendored gifenc (make dist).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStore, UPDATES, MAX_NOTICES, allBuilt } from '../../www/js/store.js';

const LIMITS = { maxLanes: 4, maxCurvePoints: 8, evalEvery: { default: 200 } };
const fresh = () => {
  const store = createStore({ page: { dataset: 'mnist', backend: 'auto', speed: 0, evalEvery: null, embed: false, hide: [] } });
  store.update('ready', { backend: 'cpu', adapter: '', backendReason: 'requested', objectives: [], limits: LIMITS, metrics: null });
  return store;
};
const stat = (step, phase = 'both') => ({ step, phase, d_loss: 1, g_loss: 2, diagnostics: { g_grad_norm: 0.5 } });

test('subscribers hear each named update once; unknown names are refused', () => {
  const store = fresh();
  const heard = [];
  store.subscribe((_, change) => heard.push(change.type));
  const { lane } = store.update('addLane', {});
  store.update('select', { lane });
  assert.deepEqual(heard, ['addLane', 'select']);
  assert.throws(() => store.update('nonsense'), /unknown update/);
  assert.equal(store.update('stats', { lane: 999, stats: [stat(1)] }), null, 'a lane that is gone changes nothing');
  assert.equal(heard.length, 2);
});

test('lanes take the first free colour; removing the selected lane selects the first', () => {
  const store = fresh();
  const a = store.update('addLane', {}).lane;
  const b = store.update('addLane', {}).lane;
  store.update('select', { lane: b });
  store.update('removeLane', { lane: a });
  const c = store.update('addLane', {}).lane;
  const { lanes } = store.state;
  assert.equal(lanes.find((l) => l.id === c).color, '#d9534f', 'the removed lane\'s colour is reused');
  store.update('removeLane', { lane: b });
  assert.equal(store.state.selected, c);
});

test('laneBuilt: a fresh build clears curves; a restore keeps curves up to its step; a file brings its own', () => {
  const store = fresh();
  const id = store.update('addLane', {}).lane;
  store.update('laneBuilt', { lane: id, config: { objective: 'x' }, errors: [], codes: [0, 0] });
  assert.ok(allBuilt(store.state));
  store.update('stats', { lane: id, stats: [stat(1), stat(2), stat(3)], stepsPerSec: 5 });
  store.update('quality', { lane: id, step: 3, fid: 10, classesCovered: 9, histogram: [], n: 256 });
  store.update('workerStarting', { backend: 'auto' });
  assert.ok(!allBuilt(store.state), 'restoring');
  store.update('laneBuilt', { lane: id, config: { objective: 'x' }, errors: [], codes: [0, 0], restoredStep: 2 });
  assert.deepEqual(store.state.lanes[0].curves.stats.map((s) => s.step), [1, 2]);
  assert.equal(store.state.lanes[0].curves.quality.length, 0, 'the measurement at step 3 is after the checkpoint');
  const built = store.update('laneBuilt', { lane: id, config: { objective: 'x' }, errors: [], codes: [0, 0] });
  assert.equal(built.fresh, true);
  assert.equal(store.state.lanes[0].curves.stats.length, 0);
  store.update('laneBuilt', { lane: id, config: { objective: 'x' }, errors: [], codes: [0, 0], restoredStep: 50, curves: { stats: [stat(50), { bogus: 1 }], quality: [{ step: 50, fid: 3, classes_covered: 10, histogram: [] }] } });
  assert.deepEqual(store.state.lanes[0].curves.stats.map((s) => s.step), [50]);
  assert.equal(store.state.lanes[0].quality.classesCovered, 10, 'snake_case from the CLI becomes camelCase');
});

test('stats: losses by phase, curves thinned past the limit, pause zeroes steps/s', () => {
  const store = fresh();
  const id = store.update('addLane', {}).lane;
  store.update('laneBuilt', { lane: id, config: {}, errors: [], codes: [0, 0] });
  store.update('stats', { lane: id, stats: [stat(1)], stepsPerSec: 3 });
  store.update('stats', { lane: id, stats: [{ ...stat(2, 'd'), d_loss: 7, g_loss: null }], stepsPerSec: 3 });
  const lane = store.state.lanes[0];
  assert.equal(lane.dLoss, 7);
  assert.equal(lane.gLoss, 2, 'a D-only step keeps the last g loss');
  store.update('stats', { lane: id, stats: Array.from({ length: 10 }, (_, i) => stat(3 + i)), stepsPerSec: 3 });
  assert.ok(lane.curves.stats.length <= LIMITS.maxCurvePoints);
  store.update('running', { running: false });
  assert.equal(lane.stepsPerSec, 0, 'the old rate does not linger after pause');
});

test('notices: a handful at most, errors kept longest, keyed ones replaced, dismiss all', () => {
  const store = fresh();
  store.update('notice', { text: 'bad', level: 'error' });
  for (let i = 0; i < 10; i++) store.update('notice', { text: `info ${i}`, level: 'info' });
  assert.equal(store.state.notices.length, MAX_NOTICES);
  assert.ok(store.state.notices.some((n) => n.text === 'bad'));
  store.update('notice', { key: 'backend', text: 'one' });
  store.update('notice', { key: 'backend', text: 'two' });
  assert.equal(store.state.notices.filter((n) => n.key === 'backend').length, 1);
  store.update('dismissAll');
  assert.equal(store.state.notices.length, 0);
});

test('field errors are set, cleared by field, and cleared when another lane is selected', () => {
  const store = fresh();
  const a = store.update('addLane', {}).lane;
  const b = store.update('addLane', {}).lane;
  store.update('fieldErrors', { errors: { batch: 'expected 1 to 512', 'params.k': 'expected 1 to 10' } });
  store.update('clearFieldErrors', { fields: ['batch'] });
  assert.deepEqual(Object.keys(store.state.fieldErrors), ['params.k']);
  store.update('select', { lane: b });
  assert.deepEqual(store.state.fieldErrors, {});
  assert.ok(a !== b);
});

test('every update is a function of (state, payload)', () => {
  for (const [name, fn] of Object.entries(UPDATES)) assert.equal(typeof fn, 'function', name);
});
