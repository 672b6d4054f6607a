// Lanes in workers of their own (issue 16, worker-pool.js): a lane's numbers are bit-identical whether it
// trains in a pool of workers at its own pace or in one worker with the others in step; each lane of a
// pool has its own worker, and step, lanes in step, checkpoints and adding or removing lanes still work.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, status, waitForStatus } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

const STEPS = 40;
const LANES = 'backend=cpu&lanes=nonsaturating,lsgan&seed=11&eval_every=10&test=1';
const api = (page, fn, ...args) => page.evaluate(([f, a]) => window.ganPlayground[f](...a), [fn, args]);

/** Plays until every lane has `STEPS` steps, pauses, and returns each lane's first `STEPS` generator steps. */
async function run(query) {
  const { page, errors } = await open(env, `?${query}`);
  await waitForStatus(page, (s) => s.ready && s.lanes.length === 2, 120_000, 'two lanes ready');
  await api(page, 'play');
  await waitForStatus(page, (s) => s.lanes.every((l) => l.step >= STEPS), 300_000, `${STEPS} steps each`);
  await api(page, 'pause');
  const s = await status(page);
  const lanes = [];
  for (const i of [0, 1]) lanes.push((await api(page, 'laneStats', i)).filter((x) => x.step <= STEPS));
  return { page, errors, s, lanes };
}

test('a lane in its own worker at its own pace gives the same numbers, bit for bit, as in one worker in step', async () => {
  const pool = await run(`${LANES}&workers=2`);
  assert.equal(pool.s.workers, 2, 'two workers');
  assert.deepEqual(pool.s.lanes.map((l) => l.worker), [0, 1], 'a worker per lane');
  assert.equal(pool.s.lockstep, false);
  const one = await run(`${LANES}&workers=1&lockstep=1`);
  assert.equal(one.s.workers, 1);
  assert.deepEqual(one.s.lanes.map((l) => l.worker), [0, 0]);
  assert.equal(one.s.lockstep, true);
  for (const i of [0, 1]) {
    assert.equal(pool.lanes[i].length, STEPS, `lane ${i + 1} has a point per step`);
    assert.deepEqual(pool.lanes[i].map((x) => x.step), one.lanes[i].map((x) => x.step));
    // Object.is: NaN and -0 count too; every loss is compared exactly.
    for (let k = 0; k < STEPS; k++) {
      const [a, b] = [pool.lanes[i][k], one.lanes[i][k]];
      assert.ok(Object.is(a.d, b.d) && Object.is(a.g, b.g), `lane ${i + 1} step ${a.step}: pool ${a.d}/${a.g}, one worker ${b.d}/${b.g}`);
    }
  }
  assert.notDeepEqual(pool.lanes[0].map((x) => x.d), pool.lanes[1].map((x) => x.d), 'the two objectives differ');
  // Both were measured (FID) in their own workers.
  assert.ok(pool.s.lanes.every((l) => l.quality && Number.isFinite(l.quality.fid)), JSON.stringify(pool.s.lanes.map((l) => l.quality)));
  assert.deepEqual([...pool.errors, ...one.errors], []);
  await pool.page.close();
  await one.page.close();
});

test('in a pool: step, lanes in step or at their own pace, a checkpoint round trip, adding and removing lanes', async () => {
  // WGAN-GP's steps cost several times the non-saturating GAN's.
  const { page, errors } = await open(env, '?backend=cpu&lanes=nonsaturating,wgan-gp&seed=11&eval_every=1000&test=1&workers=3');
  await waitForStatus(page, (s) => s.ready && s.lanes.length === 2, 120_000, 'two lanes ready');
  await api(page, 'step', 3);
  await waitForStatus(page, (s) => s.lanes.every((l) => l.step === 3) && s.stepping === 0, 60_000, 'three steps each');
  // Lanes in step through the page API: the fast lane waits for the slow one, round by round.
  await api(page, 'configure', { lockstep: true });
  assert.equal((await status(page)).lockstep, true);
  assert.equal(await page.locator('#lockstep').isChecked(), true, 'the checkbox follows');
  await api(page, 'play');
  await waitForStatus(page, (s) => s.lanes.every((l) => l.step >= 15), 120_000, 'in step');
  await api(page, 'pause');
  const inStep = await status(page);
  assert.ok(Math.abs(inStep.lanes[0].step - inStep.lanes[1].step) <= 3, `in step: steps ${inStep.lanes.map((l) => l.step)}`);
  // Unchecked: each lane at its own pace, the fast one pulls ahead.
  await page.locator('#lockstep').uncheck();
  await waitForStatus(page, (s) => s.lockstep === false, 10_000, 'the checkbox turns it off');
  await api(page, 'play');
  await waitForStatus(page, (s) => s.lanes[0].step >= s.lanes[1].step + 30, 120_000, 'the fast lane ahead');
  await api(page, 'pause');
  const own = await status(page);
  // A third lane gets the third worker; a checkpoint of lane 2 loads into a fourth lane that shares one.
  await api(page, 'addLane', { objective: 'wgan' });
  const three = await waitForStatus(page, (s) => s.ready && s.lanes.length === 3, 60_000, 'three lanes');
  assert.equal(three.workers, 3);
  assert.deepEqual(three.lanes.map((l) => l.worker), [0, 1, 2]);
  // Saved by lane 2's worker, loaded into another (the bytes stay in the page).
  const loaded = await page.evaluate(async () => window.ganPlayground.loadCheckpoint(await window.ganPlayground.saveCheckpoint(1)));
  assert.equal(loaded.step, own.lanes[1].step);
  const four = await waitForStatus(page, (s) => s.ready && s.lanes.length === 4, 60_000, 'four lanes');
  assert.equal(four.workers, 3, 'beyond workers=3 lanes share');
  assert.equal(four.lanes[3].step, own.lanes[1].step);
  await api(page, 'step', 2);
  const stepped = await waitForStatus(page, (s) => s.stepping === 0 && s.lanes[3].step === own.lanes[1].step + 2, 60_000, 'the loaded lane steps');
  assert.equal(stepped.lanes[2].step, 2);
  await api(page, 'removeLane', 2);
  const after3 = await waitForStatus(page, (s) => s.lanes.length === 3, 30_000, 'lane removed');
  assert.equal(after3.workers, 2, 'the worker of the removed lane is closed');
  assert.deepEqual(errors, []);
  await page.close();
});

test('after a (simulated) device loss every lane is restored into a pool again and replays its steps exactly', async () => {
  const { page, errors } = await open(env, `?${LANES}&workers=2&eval_every=1000`);
  await waitForStatus(page, (s) => s.ready && s.lanes.length === 2, 120_000, 'two lanes ready');
  await api(page, 'setSnapshotEvery', 5);
  await api(page, 'step', 7);
  await waitForStatus(page, (s) => s.stepping === 0 && s.lanes.every((l) => l.step === 7 && l.checkpointStep === 5), 60_000, 'seven steps, checkpoints at 5');
  const before = [await api(page, 'laneStats', 0), await api(page, 'laneStats', 1)];
  await api(page, 'forceDeviceLoss');
  const back = await waitForStatus(page, (s) => s.deviceLosses === 1 && s.ready && s.workers === 2, 60_000, 'recovery');
  assert.deepEqual(back.lanes.map((l) => [l.step, l.worker]), [[5, 0], [5, 1]]);
  await api(page, 'step', 2);
  await waitForStatus(page, (s) => s.stepping === 0 && s.lanes.every((l) => l.step === 7), 60_000, 'steps 6 and 7 again');
  for (const i of [0, 1]) assert.deepEqual(await api(page, 'laneStats', i), before[i], `lane ${i + 1} replays steps 6 and 7 bit for bit`);
  assert.deepEqual(errors, []);
  await page.close();
});
