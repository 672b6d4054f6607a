// Unit tests of the 2-D mode's URL codec (www/js/plane/url.js) and its store updates (plane/updates.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePlaneQuery, toPlaneQuery, laneConfig, isPlaneDataset } from '../../www/js/plane/url.js';
import { createStore } from '../../www/js/store.js';
import { checkPlaneRequest } from '../../www/js/plane/protocol.js';

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
});

test('drawing updates: strokes are undo steps, clear empties, the cap holds', () => {
  const store = createStore({ page: {} });
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
