// Unit tests of the URL codec (www/js/url.js): parsing against the module's limits, and the round trip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuery, toQuery } from '../../www/js/url.js';

const LIMITS = { maxLanes: 4, speed: { min: 0.1, max: 1000 }, evalEvery: { min: 10, max: 100000, default: 200 } };

test('without limits only the start-up options are read, silently for the rest', () => {
  const q = parseQuery('dataset=fashion&backend=cpu&embed=1&hide=charts&speed=5&lanes=a,b,c,d,e');
  assert.equal(q.page.dataset, 'fashion');
  assert.equal(q.page.backend, 'cpu');
  assert.equal(q.page.embed, true);
  assert.deepEqual(q.page.hide, ['charts']);
  assert.equal(q.page.evalEvery, null, 'the default comes from the module');
  assert.equal(q.lanes.length, 5, 'the lane limit is not known yet');
});

test('with limits: ranges checked, defaults from the limits, notices name the parameter', () => {
  const q = parseQuery('speed=5000&eval_every=5&lanes=a,b,c,d,e', LIMITS);
  assert.equal(q.page.speed, 0);
  assert.equal(q.page.evalEvery, 200);
  assert.equal(q.lanes.length, 4);
  assert.ok(q.notices.some((n) => /"speed" must be max or 0.1 to 1000/.test(n)));
  assert.ok(q.notices.some((n) => /"eval_every" must be a whole number from 10 to 100000; using 200/.test(n)));
  assert.ok(q.notices.some((n) => /takes 1 to 4 objective ids/.test(n)));
  assert.equal(parseQuery('eval_every=', LIMITS).page.evalEvery, 200, 'an empty value is not 0');
  assert.equal(parseQuery('eval_every=50', LIMITS).page.evalEvery, 50);
});

test('an address without configuration starts with the module\'s first lane; any configuration field replaces it', () => {
  const firstLane = { objective: 'nonsaturating', arch: 'dcgan', lr_g: 0.001, lr_d: 0.001 };
  const limits = { ...LIMITS, firstLane };
  for (const search of ['', 'backend=cpu&autostart=1', 'lesson=saturation', 'lane2.lr_g=1']) {
    const q = parseQuery(search, limits);
    assert.deepEqual(q.lanes, [firstLane], search);
    assert.notEqual(q.lanes[0], firstLane, 'a copy: the limits stay as they are');
  }
  assert.ok(parseQuery('lane2.lr_g=1', limits).notices.some((n) => /needs lanes=/.test(n)));
  assert.deepEqual(parseQuery('objective=lsgan', limits).lanes, [{ objective: 'lsgan' }]);
  assert.deepEqual(parseQuery('seed=3', limits).lanes, [{ seed: '3' }]);
  assert.deepEqual(parseQuery('lanes=lsgan,wgan', limits).lanes.map((l) => l.objective), ['lsgan', 'wgan']);
  assert.deepEqual(parseQuery('', LIMITS).lanes, [{}], 'a module without one: the plain defaults');
  assert.deepEqual(parseQuery('').lanes, [{}], 'before the limits are known');
});

test('toQuery ∘ parseQuery keeps lanes, per-lane overrides, parameters and page options', () => {
  const configs = [
    { objective: 'nonsaturating', arch: 'mlp', lr_g: 0.0002, lr_d: 0.0002, batch: 64, latent: 64, seed: 7, params: { label_smoothing: 0.1 } },
    { objective: 'wgan_gp', arch: 'dcgan', lr_g: 0.0001, lr_d: 0.0002, batch: 64, latent: 64, seed: 7, params: { lambda: 10 } },
  ];
  const page = { autostart: false, backend: 'auto', dataset: 'mnist', embed: true, hide: ['charts'], speed: 5, evalEvery: 100 };
  const text = toQuery(configs, page, LIMITS);
  const back = parseQuery(text, LIMITS);
  assert.deepEqual(back.notices, []);
  assert.equal(back.lanes.length, 2);
  assert.equal(back.lanes[1].objective, 'wgan_gp');
  assert.equal(back.lanes[1].arch, 'dcgan');
  assert.equal(back.lanes[0].arch, 'mlp');
  assert.equal(back.lanes[1].params.lambda, '10');
  assert.equal(back.lanes[0].seed, '7');
  assert.equal(back.page.speed, 5);
  assert.equal(back.page.evalEvery, 100);
  assert.equal(back.page.embed, true);
  assert.ok(!toQuery(configs, { ...page, evalEvery: 200 }, LIMITS).includes('eval_every'), 'the default is not written');
});

test('garbled input becomes notices, never an exception', () => {
  const q = parseQuery(`seed=1&seed=2&foo=bar&${'x'.repeat(50)}=1&lane7.arch=dcgan&lanes=a,b&hide=bogus`, LIMITS);
  for (const pattern of [/"seed" is repeated/, /Unknown URL parameter "foo"/, /name is 50 characters/, /"lane7\.…" name a lane/, /"hide": unknown name "bogus"/]) {
    assert.ok(q.notices.some((n) => pattern.test(n)), `${pattern}: ${JSON.stringify(q.notices)}`);
  }
  const proto = parseQuery('p.__proto__=1', LIMITS);
  assert.equal(Object.getPrototypeOf(proto.lanes[0].params), null);
});

test('autosave: 0 is off, 1 the default interval, seconds in range; bad values keep the default with a notice', () => {
  const L = { ...LIMITS, autosaveEvery: { min: 5, max: 3600, default: 30 } };
  assert.equal(parseQuery('', L).page.autosave, 30);
  assert.equal(parseQuery('autosave=0').page.autosave, 0, 'off is known before the module loads');
  assert.equal(parseQuery('autosave=0', L).page.autosave, 0);
  assert.equal(parseQuery('autosave=1', L).page.autosave, 30);
  assert.equal(parseQuery('autosave=120', L).page.autosave, 120);
  const bad = parseQuery('autosave=2', L);
  assert.equal(bad.page.autosave, 30);
  assert.match(bad.notices[0], /autosave.*0 \(off\)/);
  assert.match(toQuery([{ objective: 'lsgan' }], { ...parseQuery('', L).page, autosave: 0 }, L), /autosave=0/);
  assert.ok(!toQuery([{ objective: 'lsgan' }], parseQuery('', L).page, L).includes('autosave'));
});

test('lockstep and workers: lanes in step as a flag, the CPU workers within the lane limit; both round-trip', () => {
  const d = parseQuery('', LIMITS).page;
  assert.equal(d.lockstep, false, 'each lane at its own pace by default');
  assert.equal(d.workers, null, 'one worker per core but one by default');
  const { page, notices } = parseQuery('lockstep=1&workers=2', LIMITS);
  assert.deepEqual([page.lockstep, page.workers, notices], [true, 2, []]);
  assert.match(toQuery([{ objective: 'lsgan' }], page, LIMITS), /lockstep=1&workers=2/);
  assert.doesNotMatch(toQuery([{ objective: 'lsgan' }], d, LIMITS), /lockstep|workers/);
  const bad = parseQuery('lockstep=yes&workers=9', LIMITS);
  assert.deepEqual([bad.page.lockstep, bad.page.workers], [false, null]);
  assert.match(bad.notices[0], /"lockstep" must be 1 or 0; each lane trains at its own pace/);
  assert.match(bad.notices[1], /"workers" must be a whole number from 1 to 4/);
});
