// Failure behaviour in headless Chromium on the CPU fallback, through the test hooks (?test=1):
// divergence stops the lane and rollback resumes it, a wasm panic becomes a notice with a Restart
// button that restores the lane from its checkpoint, and a (simulated) GPU device loss restores it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, status, waitForStatus, canvasPixels } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

const lane = (s) => s.lanes[0];
const hooks = (page, name, ...args) => page.evaluate(([n, a]) => window.ganPlayground[n](...a), [name, args]);
const notices = (page) => page.locator('#notices').innerText();

async function ready(path) {
  const opened = await open(env, path);
  await waitForStatus(opened.page, (s) => s.ready && s.lanes.length === 1, 60_000, 'ready');
  return opened;
}

test('an absurd learning rate stops the lane at the first bad step; rollback resumes from the snapshot', async () => {
  const { page, errors } = await ready('?backend=cpu&test=1&batch=16&seed=3');
  await hooks(page, 'setSnapshotEvery', 5);
  await hooks(page, 'step', 12);
  await waitForStatus(page, (s) => lane(s).step === 12 && !s.running, 60_000, 'twelve steps');
  await page.waitForTimeout(300);
  const goodGrid = await canvasPixels(page);

  await hooks(page, 'setLearningRatesUnchecked', 1e30, 1e30);
  await hooks(page, 'step', 5);
  // D's update of step 13 is absurd, and G's loss in the same step overflows.
  const s = await waitForStatus(page, (x) => lane(x).diverged !== null, 60_000, 'divergence');
  assert.equal(lane(s).diverged, 13);
  assert.equal(lane(s).step, 13, 'the steps after the bad one are not reported');
  assert.equal(lane(s).snapshotStep, 10);
  assert.equal(s.running, false);
  assert.match(await page.locator('#status').innerText(), /^diverged at step 13/);
  assert.match(await notices(page), /Training diverged at step 13 \(a loss and the weights became NaN or infinite\)/);
  await page.waitForTimeout(500);
  assert.equal(await canvasPixels(page), goodGrid, 'the last good samples must stay on screen');

  // Training is refused until a rollback or reset.
  const refused = await page.evaluate(() => window.ganPlayground.step(1).then(() => 'stepped', (e) => e.message));
  assert.match(refused, /roll back to step 10 or reset before training again/);
  await page.waitForFunction(() => document.getElementById('notices').innerText.includes('roll back to step 10 or reset before training again'));
  assert.equal(lane(await status(page)).step, 13);

  await page.getByRole('button', { name: 'Roll back to step 10' }).click();
  const back = await waitForStatus(page, (x) => lane(x).step === 10 && lane(x).diverged === null, 30_000, 'rollback');
  assert.equal(back.running, false);
  assert.doesNotMatch(await page.locator('#status').innerText(), /diverged/);
  // Same state, same absurd rate: step 11 diverges the same way. The page API rolls back too.
  await hooks(page, 'step', 3);
  await waitForStatus(page, (x) => lane(x).diverged === 11, 60_000, 'divergence again');
  assert.deepEqual(await hooks(page, 'rollback'), { step: 10 });
  await hooks(page, 'setLearningRatesUnchecked', 2e-4, 2e-4);
  await hooks(page, 'step', 5);
  const on = await waitForStatus(page, (x) => lane(x).step === 15, 60_000, 'training after rollback');
  assert.ok(Number.isFinite(lane(on).dLoss) && Number.isFinite(lane(on).gLoss), JSON.stringify(on));
  assert.equal(lane(on).diverged, null);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a wasm panic shows an error with a Restart button that restores the lane from its checkpoint', async () => {
  const { page, errors } = await ready('?backend=cpu&test=1&batch=16&seed=5');
  await hooks(page, 'setSnapshotEvery', 5);
  await hooks(page, 'step', 7);
  await waitForStatus(page, (s) => lane(s).step === 7 && lane(s).checkpointStep === 5, 60_000, 'seven steps and a checkpoint');

  await hooks(page, 'testPanic');
  const dead = await waitForStatus(page, (s) => s.crashed !== null, 30_000, 'the crash to be reported');
  assert.match(dead.crashed, /the training module panicked: .*test panic requested through the page's test hook/s);
  assert.equal(dead.ready, false);
  assert.match(await page.locator('#status').innerText(), /^crashed/);
  assert.match(await notices(page), /Restart starts a new worker and restores the lane from its checkpoint at step 5/);
  assert.equal(await page.locator('#play').isDisabled(), true, 'controls are off while the worker is dead');

  await page.getByRole('button', { name: 'Restart' }).click();
  const back = await waitForStatus(page, (s) => s.ready && s.crashed === null, 60_000, 'restart');
  assert.equal(lane(back).step, 5, 'restored at the checkpoint');
  assert.equal(lane(back).diverged, null);
  await hooks(page, 'step', 3);
  const on = await waitForStatus(page, (s) => lane(s).step === 8, 60_000, 'training after the restart');
  assert.ok(Number.isFinite(lane(on).dLoss), JSON.stringify(on));
  // The only console errors are the panic's own (console_error_panic_hook).
  assert.ok(errors.every((e) => /test panic|unreachable|RuntimeError/.test(e)), JSON.stringify(errors));
  await page.close();
});

test('a GPU device loss (simulated on the CPU backend) restores the lane from its checkpoint and trains on', async () => {
  const { page, errors } = await ready('?backend=cpu&test=1&batch=16&seed=6');
  await hooks(page, 'setSnapshotEvery', 5);
  await hooks(page, 'step', 7);
  await waitForStatus(page, (s) => lane(s).step === 7 && lane(s).checkpointStep === 5, 60_000, 'seven steps and a checkpoint');

  await hooks(page, 'forceDeviceLoss');
  const back = await waitForStatus(page, (s) => s.deviceLosses === 1 && s.ready, 60_000, 'recovery');
  assert.equal(lane(back).step, 5);
  assert.equal(back.backend, 'cpu');
  assert.match(await notices(page), /Simulated GPU device loss \(test hook on the CPU backend.*\)\. The lane is restored from its checkpoint at step 5 on the CPU backend/);
  await hooks(page, 'play');
  const on = await waitForStatus(page, (s) => lane(s).step >= 12, 60_000, 'training after recovery');
  assert.ok(Number.isFinite(lane(on).dLoss) && Number.isFinite(lane(on).gLoss), JSON.stringify(on));
  await hooks(page, 'pause');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the test hooks exist only with ?test=1', async () => {
  const { page } = await ready('?backend=cpu');
  const names = await page.evaluate(() => Object.keys(window.ganPlayground).sort());
  assert.deepEqual(names, ['addLane', 'configure', 'loadCheckpoint', 'pause', 'play', 'ready', 'removeLane', 'reset', 'rollback', 'saveCheckpoint', 'select', 'setAutosave', 'status', 'step']);
  assert.doesNotMatch(await notices(page), /Unknown URL parameter/);
  await page.close();
  const withHooks = await ready('?backend=cpu&test=1');
  assert.doesNotMatch(await notices(withHooks.page), /Unknown URL parameter "test"/);
  await withHooks.page.close();
});

test('a restarted worker keeps the page options (slow motion)', async () => {
  const { page, errors } = await ready('?backend=cpu&test=1&batch=16&speed=2');
  await hooks(page, 'forceDeviceLoss');
  await waitForStatus(page, (s) => s.deviceLosses === 1 && s.ready, 60_000, 'recovery');
  await hooks(page, 'play');
  const t0 = Date.now();
  const s = await waitForStatus(page, (x) => lane(x).step >= 6, 60_000, 'slow steps after the restart');
  const rate = lane(s).step / ((Date.now() - t0) / 1000);
  assert.ok(rate < 4, `after the restart the lane ran at ${rate.toFixed(1)} steps/s instead of 2`);
  await hooks(page, 'pause');
  assert.deepEqual(errors, []);
  await page.close();
});
