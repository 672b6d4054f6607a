// The 2-D mode keeps its runs: a lane saved (API and the card's "save") and loaded back (API and the
// file input) goes on exactly where it stopped; a damaged or foreign file is refused with a notice; the
// time-lapse records plane views, scrubs them and exports them as a GIF of every lane.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, open, waitForStatus } from './harness.mjs';
import { parseGif } from '../unit/gif.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

const fakes = (page, i) => page.evaluate((j) => Array.from(window.ganPlayground.view(j).fake), i);

test('save a lane, load it back: it resumes exactly; a damaged or image-mode file is refused with a notice', async () => {
  const { page, errors } = await open(env, '?dataset=moons&lanes=lsgan&batch=16&seed=3');
  await waitForStatus(page, (s) => s.ready && s.lanes[0].viewStep === 0, 60_000, 'ready');
  await page.evaluate(() => window.ganPlayground.step(20));
  const bytes = await page.evaluate(async () => Array.from(await window.ganPlayground.saveCheckpoint(0)));
  await page.evaluate(() => window.ganPlayground.step(10));
  const at30 = await fakes(page, 0);
  // The API: a new lane from the bytes, at step 20; 10 more steps give lane 0's fakes at step 30.
  const loaded = await page.evaluate((b) => window.ganPlayground.loadCheckpoint(new Uint8Array(b)), bytes);
  assert.deepEqual([loaded.lane, loaded.step, loaded.config.objective, loaded.config.dataset], [1, 20, 'lsgan', 'moons']);
  let s = await page.evaluate(() => window.ganPlayground.status());
  assert.deepEqual(s.lanes.map((l) => [l.objective, l.step, l.loadedStep]), [['lsgan', 30, null], ['lsgan', 20, 20]]);
  await page.evaluate(() => window.ganPlayground.step(10));
  assert.deepEqual(await fakes(page, 1), at30, 'the loaded lane at step 30 is the saved one trained on');
  assert.match(page.url(), /lanes=lsgan%2Clsgan/);

  // The card's save button downloads the file; the file input loads it (and refuses a damaged copy).
  const download = page.waitForEvent('download');
  await page.locator('.plane-save').first().click();
  const file = await download;
  assert.match(file.suggestedFilename(), /^gan2d-lsgan-moons-step40\.gan2d$/);
  const saved = readFileSync(await file.path());
  const damaged = Buffer.from(saved);
  damaged[damaged.length >> 1] ^= 0x40;
  await page.setInputFiles('#plane-load', { name: 'damaged.gan2d', mimeType: 'application/octet-stream', buffer: damaged });
  await page.waitForSelector('#plane-notices .notice.error');
  assert.match(await page.locator('#plane-notices .notice.error').innerText(), /damaged\.gan2d was not loaded: this checkpoint is damaged \(checksum mismatch/);
  const image = Buffer.concat([Buffer.from('GANWTS01'), Buffer.alloc(4)]);
  const header = Buffer.from(JSON.stringify({ format: 1, kind: 'gan-lane-checkpoint', meta: {}, tensors: [] }));
  image.writeUInt32LE(header.length, 8);
  await page.setInputFiles('#plane-load', { name: 'mnist.ganlane', mimeType: 'application/octet-stream', buffer: Buffer.concat([image, header]) });
  await page.waitForFunction(() => /mnist\.ganlane was not loaded: .*image mode/.test(document.getElementById('plane-notices').innerText));
  s = await page.evaluate(() => window.ganPlayground.status());
  assert.equal(s.lanes.length, 2, 'refused files add no lane');
  await page.setInputFiles('#plane-load', { name: 'good.gan2d', mimeType: 'application/octet-stream', buffer: saved });
  s = await waitForStatus(page, (x) => x.lanes.length === 3 && x.ready, 10_000, 'the file loaded as lane 3');
  assert.equal(s.lanes[2].step, 40);
  assert.match(await page.locator('#plane-notices').innerText(), /Loaded good\.gan2d as lane 3 \(lsgan on moons\) at step 40/);
  assert.equal(await page.locator('.plane-lane').count(), 3);
  assert.equal(s.lanes[2].chartPoints, 40, "the file carries the lane's curves: a loss point per step");
  await assert.rejects(page.evaluate(() => window.ganPlayground.loadCheckpoint(new Uint8Array([1, 2, 3]))), /not a playground checkpoint/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the time-lapse records plane views, scrubs back to them and exports every lane as a GIF', async () => {
  const { page, errors } = await open(env, '?dataset=ring&lanes=nonsaturating,wgan-gp&batch=16');
  await waitForStatus(page, (s) => s.ready && s.lanes.every((l) => l.viewStep === 0), 60_000, 'ready');
  for (let i = 0; i < 4; i++) await page.evaluate(() => window.ganPlayground.step(20));
  const s = await page.evaluate(() => window.ganPlayground.status());
  assert.equal(s.timelapse.frames, 5, 'frames at steps 0, 20, 40, 60, 80');
  const live = await page.evaluate(() => document.querySelector('.plane-canvas').toDataURL());
  await page.locator('#timelapse-scrub').fill('0');
  await page.waitForFunction((p) => document.querySelector('.plane-canvas').toDataURL() !== p, live);
  assert.match(await page.locator('.plane-figures').first().innerText(), /^time-lapse: step 0 · step 80/);
  assert.equal((await page.evaluate(() => window.ganPlayground.status())).timelapse.scrubbing, true);
  await page.click('#timelapse-live');
  await page.waitForFunction((p) => document.querySelector('.plane-canvas').toDataURL() === p, live);

  const download = page.waitForEvent('download');
  await page.click('#timelapse-gif');
  const file = await download;
  assert.match(file.suggestedFilename(), /\.gif$/);
  const gif = parseGif(new Uint8Array(readFileSync(await file.path())));
  assert.equal(gif.version, 'GIF89a');
  assert.equal(gif.frames.length, 5);
  assert.deepEqual([gif.width, gif.height], [2 * 200 + 8, 200 + 18], 'two planes side by side under a label band');
  const first = gif.frames[0].indices;
  const last = gif.frames.at(-1).indices;
  assert.ok(first.some((v, i) => gif.frames[0].palette[v].join() !== gif.frames.at(-1).palette[last[i]].join()), 'the planes change between the first and the last frame');
  assert.deepEqual(errors, []);
  await page.close();
});
