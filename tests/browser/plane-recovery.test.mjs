// A 2-D lane that diverges (an absurd learning rate through the test hooks, ?test=1) stops at its first
// non-finite step with a notice at the lane, the other lanes go on, and rolling back (the lane's button
// or the page API) returns it to its snapshot, from which the same steps repeat exactly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, status, waitForStatus } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

const api = (page, name, ...args) => page.evaluate(([n, a]) => window.ganPlayground[n](...a), [name, args]);
const fakes = (page, i) => page.evaluate((j) => Array.from(window.ganPlayground.view(j).fake), i);

test('a diverged 2-D lane stops with a notice at the lane; rollback returns to its snapshot and replays it exactly', async () => {
  const { page, errors } = await open(env, '?dataset=ring&lanes=nonsaturating,lsgan&batch=16&seed=3&test=1&autosave=0');
  await waitForStatus(page, (s) => s.ready && s.lanes.every((l) => l.viewStep === 0), 60_000, 'ready');
  await api(page, 'setSnapshotEvery', 5);
  await api(page, 'step', 10);
  await api(page, 'step', 3);
  const at13 = await fakes(page, 0); // the reference for the replay: steps 11..13 from the snapshot of step 10
  const { lr_g: lrG, lr_d: lrD } = (await status(page)).lanes[0].config;

  await api(page, 'setLearningRatesUnchecked', 1e30, 1e30, 0);
  await api(page, 'step', 5);
  let s = await status(page);
  const bad = s.lanes[0].diverged;
  assert.ok(Number.isInteger(bad) && bad > 13 && bad <= 18, JSON.stringify(s.lanes[0]));
  assert.deepEqual([s.lanes[0].step, s.lanes[0].snapshotStep], [bad, 10], 'the lane stops at its bad step');
  assert.deepEqual([s.lanes[1].step, s.lanes[1].diverged], [18, null], 'the other lane goes on');
  const card = page.locator('.plane-lane').first();
  const notice = card.locator('.plane-diverged');
  await notice.waitFor({ state: 'visible', timeout: 10_000 }); // drawn on the frame after the status changed
  assert.match(await notice.innerText(), new RegExp(`Diverged at step ${bad}: a loss or the weights became NaN or infinite, so this lane stopped \\(the others go on\\)\\. Roll back to the snapshot of step 10`));
  assert.match(await card.locator('.plane-figures').innerText(), new RegExp(`diverged at ${bad}$`));
  assert.equal(await page.locator('.plane-lane').nth(1).locator('.plane-diverged').isVisible(), false);
  await api(page, 'step', 2);
  s = await status(page);
  assert.deepEqual(s.lanes.map((l) => l.step), [bad, 20], 'a diverged lane does not train; the others do');

  // The lane's button: back to step 10, its points after 10 gone; the same steps repeat bit for bit.
  await card.getByRole('button', { name: 'Roll back to step 10' }).click();
  s = await waitForStatus(page, (x) => x.lanes[0].step === 10 && x.lanes[0].diverged === null, 10_000, 'rollback');
  assert.equal(s.lanes[0].chartPoints, 10, 'the loss points after step 10 are gone');
  await notice.waitFor({ state: 'hidden', timeout: 10_000 }); // the next frame hides it
  await api(page, 'setLearningRatesUnchecked', lrG, lrD, 0);
  await api(page, 'step', 3);
  assert.deepEqual(await fakes(page, 0), at13, 'steps 11..13 after the rollback are the original steps 11..13');

  // The page API rolls back too; a page whose every lane diverged refuses to train until then.
  await api(page, 'setLearningRatesUnchecked', 1e30, 1e30, 0);
  await api(page, 'setLearningRatesUnchecked', 1e30, 1e30, 1);
  await api(page, 'step', 5);
  s = await status(page);
  assert.ok(s.lanes.every((l) => l.diverged !== null), JSON.stringify(s.lanes));
  const refused = await page.evaluate(() => window.ganPlayground.step(1).then(() => 'stepped', (e) => e.message));
  // Lane 0's snapshot is still that of step 10: steps 11..13 were healthy, but no snapshot was due.
  assert.match(refused, /training diverged at step \d+; roll back \(to step 10\) or reset before training again/);
  assert.deepEqual(await api(page, 'rollback', 0), { step: 10 });
  assert.equal((await status(page)).lanes[0].diverged, null);
  await assert.rejects(api(page, 'rollback', 5), /rollback: lane must be a whole number from 0 to 1/);
  assert.deepEqual(errors, []);
  await page.close();
});
