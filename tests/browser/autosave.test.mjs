// Autosave and resume (issue 19) in headless Chromium: a reload resumes the run exactly, tabs save
// apart, damaged checkpoints and stored records are refused with a notice, storage failures (a sandboxed
// frame, a full quota) never stop training, and autosave=0 stores nothing. Few page loads: one browser
// profile carries the runs from tab to tab.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, launch, open, status, waitForStatus } from './harness.mjs';
import { startServer } from '../../tools/static-server.mjs';

const lane = (s, i = 0) => s.lanes[i];
// Snapshots every 10 steps (the test hook); saves only when the test asks (autosave every hour).
const PAGE = '?backend=cpu&test=1&batch=16&seed=7&autosave=3600';

async function ready(env, path, page = null) {
  const opened = page ? { page, errors: [] } : await open(env, path);
  if (page) await page.goto(env.url + path);
  await waitForStatus(opened.page, (s) => s.ready && s.lanes.length >= 1 && s.autosave?.status !== 'starting', 60_000, 'ready');
  await opened.page.evaluate(() => window.ganPlayground.setSnapshotEvery(10));
  return opened;
}

async function train(page, n) {
  const before = lane(await status(page)).step;
  await page.evaluate((k) => window.ganPlayground.step(k), n);
  // The checkpoint of the last snapshot reaches the page too (at most one per 2 s per lane).
  return waitForStatus(page, (s) => lane(s).step === before + n && !s.stepping && lane(s).checkpointStep === before + n, 60_000, `${n} steps`);
}

const curves = (page, from = 0, to = Infinity) => page.evaluate(([a, b]) => window.ganPlaygroundTest.state().lanes[0].curves.stats
  .filter((s) => s.step > a && s.step <= b).map((s) => [s.step, s.d_loss, s.g_loss]), [from, to]);
const saveNow = (page) => page.evaluate(() => window.ganPlaygroundTest.autosaveNow());
const offerText = (page) => page.evaluate(() => document.getElementById('autosave').innerText);
const lineText = (page) => page.evaluate(() => document.getElementById('autosave-line').innerText);
/** The saved runs as the store lists them (CRC checked), from inside the page. */
const listRuns = (page) => page.evaluate(async () => {
  const rs = await import('./js/runstore.js');
  const store = await rs.open(indexedDB);
  const runs = await store.listRuns();
  store.close();
  return runs.map((r) => ({ runId: r.runId, status: r.status, lanes: r.lanes.map((l) => [l.objective, l.step]) }));
});

test('reload → resume: same step and curves, the next 20 steps equal the uninterrupted run; tabs save apart; damaged, full and off storage', { timeout: 600_000 }, async () => {
  const env = await launch();
  try {
    // Tab 1 trains 30 steps, saves, trains 20 more: the uninterrupted reference.
    const { page, errors } = await ready(env, PAGE);
    await train(page, 30);
    const saved = await saveNow(page);
    assert.equal(saved.saved, true, JSON.stringify(saved));
    assert.deepEqual(saved.step, [30]);
    const upTo30 = await curves(page, 0, 30);
    await train(page, 20);
    const reference = await curves(page, 30, 50);
    assert.equal(reference.length, 20);

    // Reload: the offer names the step, the lane and the age; Resume restores the lane exactly.
    await ready(env, PAGE, page);
    assert.match(await offerText(page), /Resume the run from step 30 of lane 1 \(nonsaturating, mlp\) \(saved less than a minute ago\)/);
    await page.click('.resume-go');
    await waitForStatus(page, (s) => s.ready && lane(s).step === 30 && lane(s).checkpointStep === 30, 60_000, 'resumed at step 30');
    await page.waitForFunction(() => !document.querySelector('.resume-offer'), null, { timeout: 10_000 }); // the offer closes
    assert.deepEqual(await curves(page, 0, 30), upTo30, 'the curves up to step 30 are back');
    await train(page, 20);
    assert.deepEqual(await curves(page, 30, 50), reference, 'the next 20 steps equal those of the uninterrupted run');
    assert.match(page.url(), /seed=7/, 'the link keeps the seed');
    const tab1 = (await status(page)).autosave.runId;

    // Tab 2: its own run id; the offer lists tab 1's run and says how the link differs.
    const { page: page2, errors: errors2 } = await ready(env, '?backend=cpu&test=1&batch=16&seed=7&autosave=3600&objective=lsgan');
    assert.notEqual((await status(page2)).autosave.runId, tab1);
    assert.match(await offerText(page2), /objective nonsaturating in the run, lsgan in the link/);
    await page2.click('.resume-fresh');
    await train(page2, 10);
    assert.equal((await saveNow(page2)).saved, true);
    assert.equal((await saveNow(page)).saved, true, 'tab 1 saves its step 50');
    const runs = await listRuns(page2);
    assert.deepEqual(runs.map((r) => r.lanes).sort(), [[['lsgan', 10]], [['nonsaturating', 50]]], 'two runs, one per tab');
    assert.match(await lineText(page2), /Autosaved step 10 less than a minute ago \(every 3600 s, [\d.]+ MB\)\. Saved runs use [\d.]+ MB\. Delete saved runs/);

    // Quota exceeded (simulated): a notice, the older save kept, training goes on.
    await page2.evaluate(() => {
      window.realPut = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = () => { throw new DOMException('full', 'QuotaExceededError'); };
    });
    await train(page2, 10);
    const full = await saveNow(page2);
    assert.equal(full.code, 'quota-exceeded');
    assert.match(await page2.locator('#notices').innerText(), /storage is full: this save was not written; the older saves are kept/);
    await page2.evaluate(() => { IDBObjectStore.prototype.put = window.realPut; });
    assert.deepEqual((await listRuns(page2)).find((r) => r.runId !== tab1).lanes, [['lsgan', 10]], 'the older save is kept');
    await train(page2, 10);

    // A damaged stored record (one byte of tab 1's checkpoint flipped) is listed as damaged, never loaded, and can be deleted.
    await page2.evaluate(async (id) => {
      const db = await new Promise((resolve) => { const r = indexedDB.open('gan-playground-runs'); r.onsuccess = () => resolve(r.result); });
      const tx = db.transaction('payloads', 'readwrite');
      const store = tx.objectStore('payloads');
      const rec = await new Promise((resolve) => { store.get(id).onsuccess = (e) => resolve(e.target.result); });
      rec.chunks[0][1000] ^= 0x10;
      store.put(rec);
      await new Promise((resolve) => { tx.oncomplete = resolve; });
      db.close();
    }, tab1);
    await page.close();
    await ready(env, '?backend=cpu&test=1&autosave=3600', page2);
    const damaged = page2.locator(`.resume-run[data-run="${tab1}"]`);
    assert.match(await damaged.innerText(), /damaged \(checksum mismatch\) and cannot be loaded/);
    assert.equal(await damaged.locator('.resume-go').count(), 0, 'no Resume for a damaged run');
    await damaged.locator('.resume-delete').click();
    await page2.waitForFunction((id) => !document.querySelector(`.resume-run[data-run="${id}"]`), tab1);
    assert.equal((await listRuns(page2)).some((r) => r.runId === tab1), false, 'deleted');

    // A checkpoint with one flipped byte is refused in plain words.
    const refused = await page2.evaluate(async () => {
      const bytes = await window.ganPlayground.saveCheckpoint(0);
      bytes[bytes.length >> 1] ^= 1;
      return window.ganPlayground.loadCheckpoint(bytes).then(() => 'loaded', (e) => e.message);
    });
    assert.match(refused, /this checkpoint is damaged \(checksum mismatch/);
    // The same checkpoint in format 1 (no format key, no checksum) loads, with a notice that says so.
    const oldFormat = await page2.evaluate(async () => {
      const bytes = await window.ganPlayground.saveCheckpoint(0);
      const h = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
      const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + h)));
      delete header.format;
      const text = new TextEncoder().encode(JSON.stringify(header));
      const out = new Uint8Array(12 + text.length + bytes.length - 16 - h);
      out.set(bytes.subarray(0, 8));
      new DataView(out.buffer).setUint32(8, text.length, true);
      out.set(text, 12);
      out.set(bytes.subarray(12 + h, bytes.length - 4), 12 + text.length);
      return window.ganPlayground.loadCheckpoint(out).then((r) => r.step, (e) => e.message);
    });
    assert.equal(oldFormat, 0, "the reloaded tab's lane is at step 0");
    assert.match(await page2.locator('#notices').innerText(), /Lane \d+: this checkpoint was saved by an older version of the playground, without a checksum: it loaded, but damage to it could not be detected/);

    // autosave=0 (Fashion-MNIST): nothing is stored; its checkpoint on an MNIST page offers the switch.
    const before = await listRuns(page2);
    const { page: page3, errors: errors3 } = await ready(env, '?backend=cpu&test=1&batch=16&dataset=fashion&autosave=0');
    await train(page3, 10);
    assert.equal((await saveNow(page3)).saved, false);
    assert.equal((await status(page3)).autosave.status, 'off');
    assert.equal(await page3.locator('#autosave-line').isHidden(), true);
    await page3.evaluate(async () => {
      const bytes = await window.ganPlayground.saveCheckpoint(0);
      const db = await new Promise((resolve) => { const r = indexedDB.open('test-transfer'); r.onupgradeneeded = () => r.result.createObjectStore('x'); r.onsuccess = () => resolve(r.result); });
      const tx = db.transaction('x', 'readwrite');
      tx.objectStore('x').put(bytes, 'fashion');
      await new Promise((resolve) => { tx.oncomplete = resolve; });
    });
    assert.deepEqual(await listRuns(page2), before, 'autosave=0 stored nothing');
    const mismatch = await page2.evaluate(async () => {
      const db = await new Promise((resolve) => { const r = indexedDB.open('test-transfer'); r.onsuccess = () => resolve(r.result); });
      const bytes = await new Promise((resolve) => { db.transaction('x').objectStore('x').get('fashion').onsuccess = (e) => resolve(e.target.result); });
      return window.ganPlayground.loadCheckpoint(bytes).then(() => 'loaded', (e) => e.message);
    });
    assert.match(mismatch, /this checkpoint was trained on Fashion-MNIST; this page uses MNIST: switch the dataset to Fashion-MNIST to continue it/);
    assert.equal(await page2.locator('#notices button', { hasText: 'Switch to Fashion-MNIST' }).count(), 1, 'the notice offers the switch');
    assert.deepEqual([...errors, ...errors2, ...errors3], []);
  } finally {
    await env.close();
  }
});

test('a sandboxed iframe (opaque origin, no storage): a notice says autosave is off, training goes on', { timeout: 180_000 }, async () => {
  const env = await launch({ headers: { 'Access-Control-Allow-Origin': '*' } });
  try {
    const page = await env.context.newPage();
    await page.evaluate((src) => {
      const frame = Object.assign(document.createElement('iframe'), { src, width: 900, height: 700 });
      frame.setAttribute('sandbox', 'allow-scripts');
      document.body.append(frame);
    }, `${env.url}?backend=cpu&batch=16&test=1`);
    await page.waitForFunction(() => document.querySelector('iframe').contentWindow && window.frames.length === 1);
    const frame = page.frames()[1];
    await frame.waitForFunction(() => window.ganPlayground?.status().autosave?.status === 'unavailable', null, { timeout: 60_000 });
    assert.match(await frame.locator('#notices').innerText(), /Autosave is off: .*runs are not saved\. Training is not affected/);
    await frame.evaluate(() => window.ganPlayground.step(5));
    await frame.waitForFunction(() => window.ganPlayground.status().lanes[0].step === 5, null, { timeout: 60_000 });
  } finally {
    await env.close();
  }
});

test('the browser closes while two lanes train: reopened with the same profile, both resume with curves and time-lapse', { timeout: 300_000 }, async () => {
  const { server, url } = await startServer(new URL('../../dist/', import.meta.url).pathname, 0, '127.0.0.1');
  const profile = mkdtempSync(join(tmpdir(), 'gan-playground-autosave-'));
  const browser = () => chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ['--headless=new', '--no-sandbox', '--disable-gpu'] });
  try {
    let context = await browser();
    const env = { context, url };
    // Two lanes; the timer saves (every 5 s, the shortest interval); the context closes while they train on.
    const path = '?backend=cpu&test=1&batch=16&autosave=5&lanes=nonsaturating,lsgan';
    const { page } = await ready(env, path);
    await page.evaluate(() => window.ganPlayground.play());
    const saved = await waitForStatus(page, (s) => s.autosave.lastSavedAt !== null && s.running, 60_000, 'a timed save');
    assert.ok(saved.autosave.bytes > 2e6);
    await context.close();
    context = await browser();
    const again = await ready({ context, url }, path);
    const offer = /Resume the run from steps? (\d+)(?: and (\d+))? of lanes 1 \(nonsaturating, mlp\) and 2 \(lsgan, mlp\)/.exec(await offerText(again.page));
    assert.ok(offer, await offerText(again.page));
    const steps = [Number(offer[1]), Number(offer[2] ?? offer[1])];
    assert.ok(steps.every((n) => n > 0), 'the offer names the saved steps');
    await again.page.click('.resume-go');
    const back = await waitForStatus(again.page, (s) => s.ready && s.lanes.length === 2 && s.lanes.every((l, i) => l.step === steps[i] && l.checkpointStep === steps[i]), 60_000, `resumed at steps ${steps}`);
    assert.ok(back.lanes.every((l) => l.chartPoints >= l.step), 'with their curves');
    const frames = await again.page.evaluate(() => { const st = window.ganPlaygroundTest.state(); return st.lanes.map((l) => st.timelapse.frames(l.id).map((f) => f.step)); });
    assert.ok(frames.every((f, i) => f.some((step) => step < steps[i])), `the time-lapse frames before the saved step are back: ${JSON.stringify(frames)}`);
    await context.close();
  } finally {
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
