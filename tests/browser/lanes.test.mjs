// Four lanes in one page (issue 4's "done when"): driven through the URL and the page API, all lanes
// advance, their charts and live metrics update, step modes, a lesson link with hide= and embed=1, a
// checkpoint round-trip (and a corrupt one refused), the time-lapse GIF export, and the example course page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, open, status, waitForStatus } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

const FOUR = 'lanes=nonsaturating,lsgan,wgan-gp,ebgan';
const finite = (x) => typeof x === 'number' && Number.isFinite(x);
const visible = (page, selector) => page.locator(selector).first().isVisible();

test('four lanes from the URL train side by side; charts, FID and histograms update per lane', async () => {
  const { page, errors } = await open(env, `?backend=cpu&${FOUR}&lane2.arch=mlp&lane3.lr_d=0.0002&eval_every=10&autostart=1&lockstep=1`);
  const s = await waitForStatus(page, (x) => x.lanes.length === 4 && x.lanes.every((l) => l.quality && l.step >= 12), 180_000, 'four lanes measured');
  assert.deepEqual(s.lanes.map((l) => l.objective), ['nonsaturating', 'lsgan', 'wgan-gp', 'ebgan']);
  assert.equal(new Set(s.lanes.map((l) => l.color)).size, 4, 'each lane has its own colour');
  for (const lane of s.lanes) {
    assert.ok(finite(lane.dLoss) && finite(lane.gLoss) && lane.stepsPerSec > 0, JSON.stringify(lane));
    assert.ok(finite(lane.quality.fid) && lane.quality.fid > 0, JSON.stringify(lane.quality));
    assert.ok(lane.quality.classesCovered >= 1 && lane.quality.classesCovered <= 10);
    assert.equal(lane.quality.histogram.reduce((a, b) => a + b, 0), 256);
    assert.ok(lane.chartPoints >= 10, `lane ${lane.index} has ${lane.chartPoints} chart points`);
  }
  // Lanes in step (lockstep=1): equal generator steps per lane per round.
  const steps = s.lanes.map((l) => l.step);
  assert.ok(Math.max(...steps) - Math.min(...steps) <= 50, `steps ${steps}`);
  // Every lane's panel, and a legend entry per lane in each shared chart.
  assert.equal(await page.locator('.lane').count(), 4);
  for (const chart of ['#d-loss-chart', '#g-loss-chart', '#fid-chart', '#rate-chart']) {
    const legend = await page.locator(`${chart} .u-legend`).innerText();
    for (const n of [1, 2, 3, 4]) assert.match(legend, new RegExp(`lane ${n}`), `${chart} legend`);
  }
  assert.match(await page.locator('.lane').nth(2).locator('.lane-quality').innerText(), /^FID \d+\.\d · \d+\/10 classes/);
  assert.equal(await page.locator('.lane .class-hist canvas').count(), 4);
  assert.equal(await page.locator('.lane .d-hist canvas').count(), 4);
  assert.match(page.url(), /lanes=nonsaturating%2Clsgan%2Cwgan-gp%2Cebgan|lanes=nonsaturating,lsgan,wgan-gp,ebgan/);
  assert.match(page.url(), /eval_every=10/);
  const later = await waitForStatus(page, (x) => x.lanes.every((l, i) => l.step > s.lanes[i].step + 2), 60_000, 'all four advance');
  assert.ok(later.lanes.every((l, i) => l.quality.step >= s.lanes[i].quality.step));
  assert.deepEqual(errors, []);
  await page.close();
});

test('page API: lanes are added, configured, stepped by phase and removed without touching the others', async () => {
  const { page, errors } = await open(env, '?backend=cpu&lanes=nonsaturating,lsgan&seed=3&eval_every=1000');
  await waitForStatus(page, (x) => x.ready && x.lanes.length === 2, 60_000, 'two lanes');
  const api = (fn, ...args) => page.evaluate(([f, a]) => window.ganPlayground[f](...a), [fn, args]);
  await api('step', 3);
  const three = await waitForStatus(page, (x) => x.lanes.every((l) => l.step === 3), 60_000, 'three steps each');
  // D only: the generator step stays, the discriminator's loss moves; G only: the same for G.
  await api('step', 1, 'd');
  const d = await waitForStatus(page, (x) => x.lanes[0].dLoss !== three.lanes[0].dLoss, 30_000, 'a D-only step');
  assert.equal(d.lanes[0].step, 3);
  assert.equal(d.lanes[0].gLoss, three.lanes[0].gLoss);
  await api('step', 1, 'g');
  const g = await waitForStatus(page, (x) => x.lanes[0].gLoss !== d.lanes[0].gLoss, 30_000, 'a G-only step');
  assert.equal(g.lanes[0].dLoss, d.lanes[0].dLoss);
  assert.equal(g.lanes[0].step, 4, 'a G-only step is a generator step');

  const added = await api('addLane', { objective: 'wgan-gp', arch: 'mlp' });
  assert.equal(added.lane, 2);
  assert.equal(added.config.objective, 'wgan-gp');
  assert.equal(added.config.seed, 3, 'a new lane shares the seed');
  const result = await api('configure', { lane: 1, lr_g: 0.0001 });
  assert.deepEqual(result.errors, []);
  const s = await status(page);
  assert.equal(s.lanes.length, 3);
  assert.equal(s.lanes[0].step, 4, 'configuring lane 2 left lane 1 alone');
  assert.equal(s.lanes[1].step, 0, 'the configured lane restarts');
  assert.match(page.url(), /lane2\.lr_g=0\.0001/);
  // Invalid settings change nothing.
  const bad = await api('configure', { lane: 0, batch: 0 });
  assert.equal(bad.errors[0].field, 'batch');
  assert.equal((await status(page)).lanes[0].step, 4);
  await assert.rejects(api('addLane', []), /addLane expects an object/);
  await page.evaluate(() => window.ganPlayground.removeLane(0));
  const two = await waitForStatus(page, (x) => x.lanes.length === 2, 10_000, 'lane removed');
  assert.deepEqual(two.lanes.map((l) => l.objective), ['lsgan', 'wgan-gp']);
  await assert.rejects(page.evaluate(() => window.ganPlayground.removeLane(5)), /lane must be a whole number from 0 to 1/);
  // Four is the limit.
  await api('configure', { lanes: ['minimax', 'lsgan', 'wgan', 'ebgan'] });
  await waitForStatus(page, (x) => x.ready && x.lanes.length === 4, 60_000, 'four lanes by configure');
  await assert.rejects(api('addLane', { objective: 'lsgan' }), /at most 4 lanes/);
  assert.ok(await page.locator('#add-lane').isDisabled());
  assert.deepEqual(errors, []);
  await page.close();
});

test('a checkpoint round-trips through the page API; a corrupt one is refused and the lanes go on', async () => {
  const { page, errors } = await open(env, '?backend=cpu&lanes=lsgan,nonsaturating&seed=5&eval_every=10');
  await waitForStatus(page, (x) => x.ready && x.lanes.length === 2, 60_000, 'ready');
  await page.evaluate(() => window.ganPlayground.step(12));
  const trained = await waitForStatus(page, (x) => x.lanes.every((l) => l.step === 12 && l.quality?.step === 12), 60_000, '12 steps');
  // The bytes stay in the page (13 MB would be slow to ship through the test protocol).
  const header = await page.evaluate(async () => {
    window.saved = await window.ganPlayground.saveCheckpoint(0);
    return String.fromCharCode(...window.saved.slice(0, 8));
  });
  assert.equal(header, 'GANWTS01');
  await page.evaluate(() => window.ganPlayground.removeLane(0));
  await waitForStatus(page, (x) => x.lanes.length === 1, 10_000, 'removed');
  const loaded = await page.evaluate(() => window.ganPlayground.loadCheckpoint(window.saved));
  assert.equal(loaded.step, 12);
  assert.equal(loaded.config.objective, 'lsgan');
  const back = await waitForStatus(page, (x) => x.lanes.length === 2 && x.ready, 30_000, 'loaded lane');
  const restored = back.lanes[1];
  assert.equal(restored.step, 12);
  assert.equal(restored.chartPoints, trained.lanes[0].chartPoints, 'the curves came back with the weights');
  assert.equal(restored.quality?.step, 12, 'and the last quality measurement');
  await page.evaluate(() => window.ganPlayground.step(1));
  const after = await waitForStatus(page, (x) => x.lanes[1].step === 13, 30_000, 'a step after loading');
  assert.ok(finite(after.lanes[1].dLoss));

  await page.evaluate(() => window.ganPlayground.play());
  await waitForStatus(page, (x) => x.running, 10_000, 'running');
  const refused = await page.evaluate(() => window.ganPlayground.loadCheckpoint(window.saved.slice(0, window.saved.length - 100)).then(() => 'loaded', (e) => e.message));
  assert.match(refused, /the checkpoint was refused: /);
  const garbage = await page.evaluate(() => window.ganPlayground.loadCheckpoint(new TextEncoder().encode('not a checkpoint')).then(() => 'loaded', (e) => e.message));
  assert.match(garbage, /the checkpoint was refused/);
  const still = await waitForStatus(page, (x) => x.running && x.lanes[0].step > after.lanes[0].step + 2, 30_000, 'lanes still training');
  assert.equal(still.lanes.length, 2);
  assert.match(await page.locator('#notices').innerText(), /the checkpoint was refused/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a lesson link: hide= hides what it names, embed=1 drops the header, a garbled URL gives notices', async () => {
  const { page } = await open(env, '?backend=cpu&lanes=nonsaturating,lsgan&embed=1&hide=step-modes,histograms,lanes,dataset,bogus&lane7.arch=dcgan&lanes=x&batch=%3Cb%3E');
  await waitForStatus(page, (x) => x.ready && x.lanes.length === 2, 60_000, 'ready');
  for (const hidden of ['#step-modes', '.lane .histograms', '#lane-controls', '.lane-remove', '#dataset-field', '.brand']) {
    assert.equal(await visible(page, hidden), false, `${hidden} should be hidden`);
  }
  for (const shown of ['#play', '#objective', '.lane-samples', '#d-loss-chart']) assert.equal(await visible(page, shown), true, `${shown} should show`);
  const notices = await page.locator('#notices').innerText();
  assert.match(notices, /"hide": unknown name "bogus"/);
  assert.match(notices, /"lane7\.…" name a lane that "lanes" does not have/);
  assert.match(notices, /"lanes" is repeated/);
  assert.match(notices, /batch: .* — lane 1: using the default instead/);
  const s = await status(page);
  assert.deepEqual(s.hidden, ['step-modes', 'histograms', 'lanes', 'dataset']);
  assert.equal(s.embed, true);
  // The notices can be dismissed.
  const before = await page.locator('#notices .notice').count();
  await page.locator('#notices .notice button[title=dismiss]').first().click();
  assert.equal(await page.locator('#notices .notice').count(), before - 1);
  await page.close();
});

test('the time-lapse keeps frames and exports a GIF; slow motion paces the lanes', async () => {
  const { page, errors } = await open(env, '?backend=cpu&lanes=nonsaturating,lsgan&speed=4');
  await waitForStatus(page, (x) => x.ready && x.lanes.length === 2, 60_000, 'ready');
  assert.equal(await page.inputValue('#speed'), '4');
  await page.evaluate(() => window.ganPlayground.play());
  const t0 = Date.now();
  const s = await waitForStatus(page, (x) => x.lanes.every((l) => l.step >= 8), 60_000, 'slow steps');
  const rate = s.lanes[0].step / ((Date.now() - t0) / 1000);
  assert.ok(rate < 6, `slow motion ran at ${rate.toFixed(1)} steps/s`);
  await page.evaluate(() => window.ganPlayground.pause());
  const download = page.waitForEvent('download');
  await page.click('#timelapse-gif');
  const file = await download;
  assert.match(file.suggestedFilename(), /\.gif$/);
  const gif = readFileSync(await file.path());
  assert.equal(gif.subarray(0, 6).toString('latin1'), 'GIF89a');
  assert.equal(gif[gif.length - 1], 0x3b);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the example course page embeds the playground and drives it with postMessage', async () => {
  const { page, errors } = await open(env, 'examples/embed.html?backend=cpu');
  await page.waitForFunction(() => !document.getElementById('run').disabled, null, { timeout: 60_000 });
  await page.click('#run');
  await page.waitForFunction(() => /lane 2 nonsaturating: step ([2-9]\d|\d{3})/.test(document.getElementById('lane-list').innerText), null, { timeout: 120_000 });
  const list = await page.locator('#lane-list').innerText();
  assert.match(list, /lane 1 minimax: step \d+/);
  const frame = page.frameLocator('#playground');
  assert.equal(await frame.locator('#lane-controls').isVisible(), false, 'the lesson hides the lane controls');
  await page.click('#lsgan');
  await page.waitForFunction(() => /lane 3 lsgan/.test(document.getElementById('lane-list').innerText), null, { timeout: 60_000 });
  assert.deepEqual(errors, []);
  await page.close();
});
