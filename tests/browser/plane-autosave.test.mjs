// Autosave and resume in the 2-D mode (as in the image mode, tests/browser/autosave.test.mjs): a reload
// offers the run and Resume brings back its step, curves and drawn points and goes on exactly; a damaged
// stored record is listed as damaged, never loaded, kept until deleted; autosave=0 stores nothing and
// setAutosave turns it on; the image mode does not offer a 2-D run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, status, waitForStatus } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

const PAGE = '?dataset=drawn&points=0.50,0.50;-0.50,0.20;0.10,-0.60;0.40,-0.10&lanes=lsgan&batch=16&seed=3&test=1&autosave=3600';
const api = (page, name, ...args) => page.evaluate(([n, a]) => window.ganPlayground[n](...a), [name, args]);
const saveNow = (page) => page.evaluate(() => window.ganPlaygroundTest.autosaveNow());
const curves = (page) => page.evaluate(() => JSON.stringify(window.ganPlaygroundTest.state().plane.lanes[0].curves));
const fakes = (page) => page.evaluate(() => Array.from(window.ganPlayground.view(0).fake));
const offerText = (page) => page.evaluate(() => document.getElementById('autosave').innerText);
const ready = (page) => waitForStatus(page, (s) => s.ready && s.lanes[0].viewStep !== null && s.autosave.status !== 'starting', 60_000, 'ready');
const listRuns = (page) => page.evaluate(async () => {
  const rs = await import('./js/runstore.js');
  const store = await rs.open(indexedDB);
  const runs = await store.listRuns();
  store.close();
  return runs.map((r) => ({ runId: r.runId, status: r.status, dataset: r.dataset, lanes: r.lanes.map((l) => [l.objective, l.step]) }));
});

test('train a 2-D lane, autosave, reload, resume: the step, curves and points are back and it goes on exactly', { timeout: 300_000 }, async () => {
  // The uninterrupted run, in a page of its own that saves nothing: its fakes at step 40. (Training on in
  // the saving tab would make the reload's pagehide save a race: best effort, it may or may not land.)
  const { page: uninterrupted } = await open(env, PAGE.replace('autosave=3600', 'autosave=0'));
  await ready(uninterrupted);
  await api(uninterrupted, 'step', 40);
  const reference = await fakes(uninterrupted);
  await uninterrupted.close();

  const { page, errors } = await open(env, PAGE);
  let s = await ready(page);
  assert.deepEqual([s.autosave.status, s.autosave.every], ['on', 3600]);
  await api(page, 'step', 30);
  const saved = await saveNow(page);
  assert.deepEqual([saved.saved, saved.step], [true, [30]], JSON.stringify(saved));
  const upTo30 = await curves(page);
  const runId = (await status(page)).autosave.runId;
  assert.match(await page.locator('#autosave-line').innerText(), /Autosaved step 30 less than a minute ago \(every 3600 s, [\d.]+ MB\)/);

  await page.reload();
  s = await ready(page);
  assert.deepEqual(s.lanes.map((l) => l.step), [0], 'the reloaded page starts afresh…');
  assert.notEqual(s.autosave.runId, runId, '…under a new run id');
  assert.match(await offerText(page), /Resume the run from step 30 of lane 1 \(lsgan\) \(saved less than a minute ago\)\./);
  await page.click('.resume-go');
  s = await waitForStatus(page, (x) => x.ready && x.lanes[0].step === 30, 30_000, 'resumed at step 30');
  await page.waitForFunction(() => !document.querySelector('.resume-offer'), null, { timeout: 10_000 }); // closes once the run is claimed
  s = await status(page);
  assert.equal(await curves(page), upTo30, 'the curves up to step 30 are back');
  assert.deepEqual([s.points, s.dataset, s.autosave.runId], [4, 'drawn', runId], 'the drawn points are back; this tab continues the run');
  await api(page, 'step', 10);
  assert.deepEqual(await fakes(page), reference, 'the resumed lane at step 40 is the uninterrupted one');
  assert.equal((await saveNow(page)).saved, true);

  // A damaged stored record: listed as damaged with Delete only; the page trains; it stays until deleted.
  await page.evaluate(async (id) => {
    const db = await new Promise((resolve) => { const r = indexedDB.open('gan-playground-runs'); r.onsuccess = () => resolve(r.result); });
    const tx = db.transaction('payloads', 'readwrite');
    const store = tx.objectStore('payloads');
    const rec = await new Promise((resolve) => { store.get(id).onsuccess = (e) => resolve(e.target.result); });
    rec.chunks[0][100] ^= 0x10;
    store.put(rec);
    await new Promise((resolve) => { tx.oncomplete = resolve; });
    db.close();
  }, runId);
  await page.reload();
  await ready(page);
  const damaged = page.locator(`.resume-run[data-run="${runId}"]`);
  assert.match(await damaged.innerText(), /This saved run is damaged \(checksum mismatch\) and cannot be loaded; delete it\./);
  assert.equal(await damaged.locator('.resume-go').count(), 0, 'no Resume for a damaged run');
  await api(page, 'step', 5);
  assert.equal((await status(page)).lanes[0].step, 5, 'training is not affected');
  assert.equal((await listRuns(page)).find((r) => r.runId === runId).status, 'damaged', 'kept, not overwritten');
  await damaged.locator('.resume-delete').click();
  await page.waitForFunction((id) => !document.querySelector(`.resume-run[data-run="${id}"]`), runId);
  assert.equal((await listRuns(page)).some((r) => r.runId === runId), false, 'deleted');
  assert.equal((await saveNow(page)).saved, true, 'this tab saves its own run');
  assert.deepEqual(errors, []);
  await page.close();
});

test('autosave=0 stores nothing, setAutosave(true) saves; the image mode does not offer a 2-D run', { timeout: 300_000 }, async () => {
  const { page, errors } = await open(env, PAGE.replace('autosave=3600', 'autosave=0'));
  let s = await ready(page);
  assert.equal(s.autosave.status, 'off');
  assert.match(page.url(), /autosave=0/, 'the link keeps autosave=0');
  const before = (await listRuns(page)).length;
  await api(page, 'step', 10);
  assert.equal((await saveNow(page)).saved, false);
  assert.equal((await listRuns(page)).length, before, 'nothing stored');
  s = await api(page, 'setAutosave', true);
  assert.deepEqual([s.status, s.every], ['on', 30]);
  assert.equal((await saveNow(page)).saved, true);
  const runs = await listRuns(page);
  assert.equal(runs.length, before + 1);
  assert.ok(runs.every((r) => r.dataset === 'drawn'));
  assert.equal((await api(page, 'setAutosave', false)).status, 'off');
  await assert.rejects(api(page, 'setAutosave', 'yes'), /setAutosave expects true or false/);

  // The image mode lists only its own runs: no offer of these 2-D runs there.
  await page.goto(`${env.url}?backend=cpu&autosave=3600`);
  s = await waitForStatus(page, (x) => x.ready && x.autosave?.status === 'on', 60_000, 'the image mode ready');
  assert.equal(s.autosave.runs, 0, JSON.stringify(s.autosave));
  assert.equal(await page.locator('.resume-offer').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});
