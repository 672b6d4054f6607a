// Unit tests of prepared checkpoints (www/js/prepared.js): only relative .ganlane paths of the site are
// fetched, with a size limit and plain-words errors; `checkpoint=` in the URL (url.js) reads one path
// per lane and refuses the rest with a notice; the store keeps `page.checkpoints` equal to the lanes'
// prepared files (a rebuilt lane drops its own); lesson step counts run from the prepared step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkpointParam, fetchPrepared, preparedPathProblem } from '../../www/js/prepared.js';
import { parseQuery, toQuery } from '../../www/js/url.js';
import { allBuilt, createStore } from '../../www/js/store.js';
import { checkHelpers } from '../../www/js/lessons.js';

test('a prepared checkpoint is a relative .ganlane path of the site', () => {
  for (const ok of ['checkpoints/infogan-mlp.ganlane', 'a.ganlane', 'x/y_z-1.ganlane']) assert.equal(preparedPathProblem(ok), null, ok);
  const refused = {
    '': /no file/, 'https://evil.example/a.ganlane': /letters, digits/, '//evil.example/a.ganlane': /relative/,
    '/checkpoints/a.ganlane': /relative/, '../secret.ganlane': /step out/, 'checkpoints/../a.ganlane': /step out/,
    './a.ganlane': /step out/, 'checkpoints/a.bin': /ends in .ganlane/, 'a b.ganlane': /letters/, 'a%2e.ganlane': /letters/,
    [`${'a'.repeat(200)}.ganlane`]: /characters long/,
  };
  for (const [path, why] of Object.entries(refused)) assert.match(preparedPathProblem(path) ?? '', why, path);
  assert.match(preparedPathProblem(null), /no file/);
});

const base = 'http://127.0.0.1:8080/index.html?lesson=infogan';
const reply = (status, body = new Uint8Array(0), headers = {}) => ({
  ok: status >= 200 && status < 300, status, headers: { get: (k) => headers[k.toLowerCase()] ?? null }, arrayBuffer: async () => body.buffer,
});

test('fetchPrepared resolves against the page, limits the size and says what went wrong', async () => {
  let asked = null;
  const bytes = await fetchPrepared('checkpoints/a.ganlane', { base, maxBytes: 10, fetchFn: async (url) => { asked = url; return reply(200, new Uint8Array([1, 2, 3])); } });
  assert.equal(asked, 'http://127.0.0.1:8080/checkpoints/a.ganlane');
  assert.deepEqual([...bytes], [1, 2, 3]);
  const fails = async (path, fetchFn, why) => assert.rejects(fetchPrepared(path, { base, maxBytes: 10, fetchFn }), why);
  const never = async () => assert.fail('fetched a refused path');
  await fails('../a.ganlane', never, /step out/);
  await fails('https://x.org/a.ganlane', never, /letters/);
  await fails('a.ganlane', async () => reply(404), /no such file/);
  await fails('a.ganlane', async () => reply(500), /server answered 500/);
  await fails('a.ganlane', async () => { throw new TypeError('Failed to fetch'); }, /could not be fetched \(Failed to fetch\)/);
  await fails('a.ganlane', async () => reply(200, new Uint8Array(0), { 'content-length': '11000000' }), /11\.0 MB; a checkpoint is at most/);
  await fails('a.ganlane', async () => reply(200, new Uint8Array(11)), /at most/);
});

test('checkpoint= in the URL: one path per lane, bad entries refused with a notice, written back by toQuery', () => {
  const limits = { maxLanes: 4, speed: { min: 1, max: 60 }, evalEvery: { min: 1, max: 10, default: 5 } };
  const q = parseQuery('lanes=infogan,nonsaturating&checkpoint=,checkpoints/b.ganlane', limits);
  assert.deepEqual(q.page.checkpoints, ['', 'checkpoints/b.ganlane']);
  assert.deepEqual(q.notices, []);
  assert.deepEqual(parseQuery('', limits).page.checkpoints, []);
  const bad = parseQuery('checkpoint=../etc/passwd.ganlane', limits);
  assert.deepEqual(bad.page.checkpoints, ['']);
  assert.match(bad.notices[0], /entry 1 .* step out .* starts from step 0/);
  const many = parseQuery('checkpoint=a.ganlane,b.ganlane,c.ganlane,d.ganlane,e.ganlane', limits);
  assert.equal(many.page.checkpoints.length, 4);
  assert.match(many.notices[0], /5 files for at most 4 lanes/);
  assert.equal(checkpointParam(['', 'b.ganlane', '', '']), ',b.ganlane');
  assert.equal(checkpointParam(['', null]), '');
  const link = toQuery([{ objective: 'infogan' }, { objective: 'nonsaturating' }], { ...q.page });
  assert.match(link, /checkpoint=%2Ccheckpoints%2Fb.ganlane/);
  assert.deepEqual(parseQuery(link, limits).page.checkpoints, ['', 'checkpoints/b.ganlane']);
  assert.doesNotMatch(toQuery([{ objective: 'infogan' }], { ...q.page, checkpoints: ['', ''] }), /checkpoint/);
});

test('the store keeps page.checkpoints to the lanes that still run from a prepared file', () => {
  const store = createStore(parseQuery('checkpoint=checkpoints/a.ganlane'));
  const { state } = store;
  const a = store.update('addLane', {}).lane;
  const b = store.update('addLane', {}).lane;
  const built = (lane, extra = {}) => store.update('laneBuilt', { lane, config: { objective: 'infogan' }, errors: [], codes: [0, 0], ...extra });
  built(a);
  built(b);
  assert.deepEqual(state.page.checkpoints, ['', '']);
  // While the file is fetched the lane is not built (nothing may step it); a failed fetch builds it again.
  store.update('preparing', { lane: a, on: true });
  assert.equal(allBuilt(state), false);
  store.update('preparing', { lane: a, on: false });
  assert.equal(allBuilt(state), true);
  store.update('preparing', { lane: a, on: true });
  // The prepared file arrives: the lane is rebuilt from it at step 2000, then the controller records it.
  state.lanes[0].curves.quality.push({ step: 0, fid: 300 });
  state.lanes[0].quality = { step: 0, fid: 300 };
  built(a, { restoredStep: 2000 });
  state.lanes[0].curves.quality.push({ step: 2000, fid: 90 }); // measured once restored, before the reply
  store.update('prepared', { lane: a, path: 'checkpoints/a.ganlane', step: 2000 });
  assert.equal(allBuilt(state), true, 'built from the file');
  assert.deepEqual(state.lanes[0].curves.quality, [{ step: 2000, fid: 90 }], 'the fresh lane\'s measurements do not belong to the prepared run');
  assert.equal(state.lanes[0].quality, null);
  assert.deepEqual(state.page.checkpoints, ['checkpoints/a.ganlane', '']);
  assert.match(toQuery(state.lanes.map((l) => l.config), state.page), /checkpoint=checkpoints%2Fa.ganlane/);
  // A restarted worker restores it: still the prepared run.
  built(a, { restoredStep: 2100 });
  assert.equal(state.lanes[0].prepared.path, 'checkpoints/a.ganlane');
  // Lesson step counts run from the prepared step.
  state.lanes[0].step = 2100;
  state.lanes[1].step = 150;
  const h = checkHelpers(state);
  assert.equal(h.step(0), 100);
  assert.equal(h.reached(100), true);
  assert.equal(h.reached(101), false);
  // Removing lane 1 shifts the list; rebuilding the prepared lane from a config drops its file.
  store.update('removeLane', { lane: b });
  assert.deepEqual(state.page.checkpoints, ['checkpoints/a.ganlane']);
  built(a);
  assert.deepEqual(state.page.checkpoints, ['']);
  assert.equal(state.lanes[0].prepared, null);
});
