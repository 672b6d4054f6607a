// Unit tests of the 2-D mode's URL codec (www/js/plane/url.js), its store updates (plane/updates.js),
// configure() (plane/configure.js), time-lapse frames (plane/frames.js) and requests (plane/protocol.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePlaneQuery, toPlaneQuery, laneConfig, isPlaneDataset } from '../../www/js/plane/url.js';
import { createStore } from '../../www/js/store.js';
import { PLANE_UPDATES } from '../../www/js/plane/updates.js';
import { checkPlaneRequest } from '../../www/js/plane/protocol.js';
import { packView, unpackView } from '../../www/js/plane/frames.js';
import { configureChanges } from '../../www/js/plane/configure.js';

test('a 2-D link round-trips; bad values take defaults with a notice', () => {
  const q = 'dataset=drawn&lanes=nonsaturating,wgan-gp&g_layers=3&activation=tanh&points=0.10,0.20;-0.30,0.40';
  const { config, options, notices } = parsePlaneQuery(q);
  assert.deepEqual(notices, []);
  assert.deepEqual(config.lanes, ['nonsaturating', 'wgan-gp']);
  assert.deepEqual(config.points, [[0.1, 0.2], [-0.3, 0.4]]);
  assert.deepEqual(parsePlaneQuery(toPlaneQuery(config, options)).config, config);
  assert.deepEqual(laneConfig(config, 'lsgan').points, config.points);
  assert.equal(laneConfig({ ...config, dataset: 'ring' }, 'lsgan').points, undefined);
  const bad = parsePlaneQuery('dataset=ring&g_layers=x&points=1,2,3');
  assert.equal(bad.config.g_layers, 2);
  assert.equal(bad.notices.length, 2);
  assert.ok(isPlaneDataset('ring') && !isPlaneDataset('mnist'));
  // backend= is the image mode's: cpu (or auto) is what the 2-D mode does anyway; anything else is named.
  assert.deepEqual(parsePlaneQuery('dataset=ring&backend=cpu').notices, []);
  assert.match(parsePlaneQuery('dataset=ring&backend=webgpu').notices.join(), /"backend": "webgpu" ignored; the 2-D mode trains on the CPU backend/);
});

test('drawing updates: strokes are undo steps, clear empties, the cap holds', () => {
  const store = createStore({ page: {} }, PLANE_UPDATES);
  store.update('planeInit', parsePlaneQuery('dataset=drawn'));
  const pts = () => store.state.plane.config.points;
  store.update('planePoints', { add: [[0, 0]], start: true });
  store.update('planePoints', { add: [[0.1, 0]], start: false });
  store.update('planePoints', { add: [[0.5, 0.5]], start: true });
  assert.equal(pts().length, 3);
  store.update('planePoints', { undo: true });
  assert.deepEqual(pts(), [[0, 0], [0.1, 0]]);
  store.update('planePoints', { add: [[1, 1], [1, 1]], start: true, max: 3 });
  assert.equal(pts().length, 3);
  store.update('planePoints', { clear: true });
  assert.deepEqual(pts(), []);
});

test('2-D requests are checked', () => {
  assert.equal(checkPlaneRequest({ kind: 'request', id: 1, type: 'step', n: 1, phase: 'd' }), null);
  assert.match(checkPlaneRequest({ kind: 'request', id: 1, type: 'step', n: 0, phase: 'd' }), /whole number/);
  assert.match(checkPlaneRequest({ kind: 'request', id: 1, type: 'nope' }), /unknown request/);
});

test('embed= and hide= as in the image mode: known names kept, an unknown one named in a notice', () => {
  const { options, notices } = parsePlaneQuery('dataset=ring&embed=1&hide=controls,charts,bogus');
  assert.equal(options.embed, true);
  assert.deepEqual(options.hide, ['controls', 'charts']);
  assert.equal(notices.length, 1);
  assert.match(notices[0], /"bogus"/);
  const back = parsePlaneQuery(toPlaneQuery(parsePlaneQuery('dataset=ring').config, options)).options;
  assert.equal(back.embed, true);
  assert.deepEqual(back.hide, ['controls', 'charts']);
});

test('a plane view packs into bytes for the time-lapse store and comes back the same', () => {
  const f = (n, k) => Float32Array.from({ length: n }, (_, i) => i * k);
  const view = { step: 40, meshRows: 17, meshCols: 17, fake: f(1024, 0.5), arrows: f(1024, -1), heat: f(4096, 0.25), manifold: f(578, 2), categories: Uint8Array.from([1, 2, 3]), real: f(1024, 3) };
  const bytes = packView(view);
  const copy = Uint8Array.from(bytes); // as TimeLapse.record keeps it
  const back = unpackView(copy, view.real);
  for (const k of ['fake', 'arrows', 'heat', 'manifold', 'categories']) assert.deepEqual(Array.from(back[k]), Array.from(view[k]), k);
  assert.equal(back.step, 40);
  assert.equal(back.meshRows, 17);
  assert.equal(back.real, view.real);
});

test('configure: unknown keys, bad lanes and bad speed are refused before the module; the module names bad fields', async () => {
  const store = createStore({ page: {} }, PLANE_UPDATES);
  store.update('planeInit', parsePlaneQuery('dataset=ring'));
  store.update('planeReady', { limits: { maxLanes: 4 }, objectives: [] });
  const p = store.state.plane;
  const never = () => { throw new Error('the module was asked'); };
  let r = await configureChanges(p, { colour: 'red', speed: -1 }, never);
  assert.deepEqual(r.errors.map((e) => e.field), ['colour', 'speed']);
  r = await configureChanges(p, { lanes: [] }, never);
  assert.equal(r.errors[0].field, 'lanes');
  r = await configureChanges(p, { speed: 4 }, never);
  assert.deepEqual(r, { config: null, options: { speed: 4 }, errors: [] });
  const asked = [];
  r = await configureChanges(p, { d_neurons: 999, lanes: ['lsgan', 'wgan'] }, async (configs) => {
    asked.push(...configs);
    return configs.map(() => ({ errors: [{ field: 'd_neurons', message: 'got 999; expected a whole number from 4 to 128' }] }));
  });
  assert.deepEqual(asked.map((c) => c.objective), ['lsgan', 'wgan']);
  assert.equal(asked[0].d_neurons, 999);
  assert.deepEqual(r.errors.map((e) => e.field), ['d_neurons'], 'one error per field');
  r = await configureChanges(p, { dataset: 'drawn' }, async (configs) => configs.map(() => ({ errors: [{ field: 'points', message: 'needs a point' }] })));
  assert.deepEqual(r.errors, [], 'an empty drawn data set waits for points');
});

test('a loaded lane joins the list with its objective; a refused one goes; frames are recorded per view', () => {
  const store = createStore({ page: {} }, PLANE_UPDATES);
  store.update('planeInit', parsePlaneQuery('dataset=ring&lanes=nonsaturating'));
  store.update('planeRebuild', { colors: ['#a', '#b'] });
  const first = store.state.plane.lanes[0].id;
  const { lane } = store.update('planeLoading', { colors: ['#a', '#b'] });
  assert.equal(store.state.plane.lanes[1].color, '#b');
  store.update('planeLoaded', { lane, config: { objective: 'lsgan', dataset: 'moons' }, step: 300, curves: { loss: [{ step: 1, g: 0.5 }], dist: [] } });
  assert.deepEqual(store.state.plane.config.lanes, ['nonsaturating', 'lsgan']);
  assert.equal(store.state.plane.lanes[1].curves.loss.length, 1);
  const { lane: other } = store.update('planeLoading', { colors: ['#a', '#b'] });
  store.update('planeDrop', { lane: other });
  assert.equal(store.state.plane.lanes.length, 2);
  const v = (step) => ({ step, meshRows: 1, meshCols: 2, fake: new Float32Array(4), arrows: new Float32Array(4), heat: new Float32Array(4), manifold: new Float32Array(4), categories: new Uint8Array(0), real: new Float32Array(4), kl: 0, js: 0, swd: 0 });
  for (const s of [0, 5, 20, 25, 41]) store.update('planeView', { lane: first, view: v(s) });
  assert.deepEqual(store.state.timelapse.frames(first).map((f) => f.step), [0, 20, 41], 'a frame every 20 steps');
});

test('the new 2-D requests are checked', () => {
  assert.equal(checkPlaneRequest({ kind: 'request', id: 1, type: 'load', lane: 2, bytes: new Uint8Array(3) }), null);
  assert.match(checkPlaneRequest({ kind: 'request', id: 1, type: 'load', lane: 2, bytes: [1, 2] }), /Uint8Array/);
  assert.match(checkPlaneRequest({ kind: 'request', id: 1, type: 'save', lane: 2 }), /curves/);
  assert.match(checkPlaneRequest({ kind: 'request', id: 1, type: 'validate', configs: [1] }), /array of objects/);
});
