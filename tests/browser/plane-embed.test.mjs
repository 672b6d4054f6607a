// The 2-D mode embedded as the image mode is: embed=1 and hide= lay the page out for a course page,
// and inside a sandbox="allow-scripts" iframe (opaque origin, no storage) it loads, trains and answers
// the image mode's postMessage commands and events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, waitForStatus } from './harness.mjs';

let env;
before(async () => { env = await launch({ headers: { 'Access-Control-Allow-Origin': '*' } }); });
after(async () => { await env?.close(); });

test('embed=1 and hide= hide the title, the named controls and panels, and keep the rest', async () => {
  const { page, errors } = await open(env, '?dataset=ring&embed=1&hide=controls,charts,checkpoints,step-modes,bogus');
  const s = await waitForStatus(page, (x) => x.ready, 60_000, 'ready');
  assert.equal(s.embed, true);
  assert.deepEqual(s.hidden, ['controls', 'charts', 'checkpoints', 'step-modes']);
  const visible = (sel) => page.locator(sel).first().isVisible();
  for (const sel of ['.plane-settings', '.plane-charts', '.plane-save', '#plane-load-field', '#plane-step-d', '.brand h1']) {
    assert.equal(await visible(sel), false, `${sel} is hidden`);
  }
  for (const sel of ['#plane-play', '#plane-step', '.plane-canvas', '#timelapse', '.plane-objective']) assert.equal(await visible(sel), true, `${sel} is shown`);
  assert.match(await page.locator('#plane-notices').innerText(), /"hide": unknown name "bogus" ignored/);
  assert.match(page.url(), /embed=1&hide=controls%2Ccharts%2Ccheckpoints%2Cstep-modes/);
  const { page: plain } = await open(env, '?dataset=ring&hide=objective');
  await waitForStatus(plain, (x) => x.ready, 60_000, 'ready');
  assert.equal(await plain.locator('.plane-objective').isVisible(), false);
  assert.equal(await plain.locator('.plane-objective-name').innerText(), 'GAN (non-saturating)');
  assert.equal(await plain.locator('.brand h1').isVisible(), true, 'without embed the title shows');
  assert.deepEqual(errors, []);
  await page.close();
  await plain.close();
});

test('inside a sandbox="allow-scripts" iframe the 2-D mode trains and answers postMessage like the image mode', async () => {
  const page = await env.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.evaluate((src) => {
    window.got = { ready: [], reply: [], status: [], lane: [], resize: [] };
    window.addEventListener('message', (e) => {
      const kind = String(e.data?.type).replace('gan-playground:', '');
      window.got[kind]?.push(e.data);
    });
    const frame = Object.assign(document.createElement('iframe'), { src, width: 800, height: 600 });
    frame.setAttribute('sandbox', 'allow-scripts');
    document.body.append(frame);
    window.call = (msg) => frame.contentWindow.postMessage({ type: 'gan-playground', ...msg }, '*');
  }, `${env.url}?dataset=gaussians&lanes=nonsaturating,wgan-gp&embed=1&batch=16`);
  const ready = await page.waitForFunction(() => window.got.ready[0], null, { timeout: 60_000 }).then((h) => h.jsonValue());
  assert.equal(ready.status.mode, '2d');
  assert.deepEqual(ready.status.lanes.map((l) => l.objective), ['nonsaturating', 'wgan-gp']);
  assert.equal(await page.frames()[1].evaluate(() => window.origin), 'null', 'an opaque origin');
  const reply = (id) => page.waitForFunction((i) => window.got.reply.find((r) => r.id === i), id, { timeout: 60_000 }).then((h) => h.jsonValue());

  await page.evaluate(() => window.call({ command: 'step', args: [5], id: 1 }));
  assert.equal((await reply(1)).ok, true);
  await page.waitForFunction(() => window.got.status.some((m) => m.status.lanes.every((l) => l.step === 5)), null, { timeout: 10_000 });
  await page.waitForFunction(() => window.got.lane.some((m) => m.lane.index === 1 && m.lane.step === 5), null, { timeout: 10_000 });
  await page.evaluate(() => window.call({ command: 'configure', args: [{ latent: 3 }], id: 2 }));
  const bad = await reply(2);
  assert.equal(bad.ok, true);
  assert.equal(bad.result.errors[0].field, 'latent');
  await page.evaluate(() => window.call({ command: 'step', args: [0], id: 3 }));
  const refused = await reply(3);
  assert.equal(refused.ok, false);
  assert.match(refused.error, /^step: n must be a whole number from 1 to 10000/);
  await page.evaluate(() => window.call({ command: 'saveCheckpoint', args: [1], id: 4 }));
  await page.waitForFunction(() => window.got.reply.some((r) => r.id === 4), null, { timeout: 60_000 }); // its bytes stay in the host page
  const saved = await page.evaluate(() => { const r = window.got.reply.find((x) => x.id === 4); return { ok: r.ok, bytes: r.result instanceof Uint8Array, length: r.result?.length }; });
  assert.deepEqual([saved.ok, saved.bytes], [true, true]);
  assert.ok(saved.length > 1000);
  await page.evaluate(() => window.call({ command: 'loadCheckpoint', args: [window.got.reply.find((x) => x.id === 4).result], id: 5 }));
  const loaded = await reply(5);
  assert.deepEqual([loaded.ok, loaded.result.lane, loaded.result.step, loaded.result.config.objective], [true, 2, 5, 'wgan-gp']);
  // A command the 2-D mode does not have, and garbage, get no reply; the next valid one does.
  await page.evaluate(() => {
    window.call({ command: 'select', args: [0], id: 6 });
    window.call({ command: 'play', args: [1, 2], id: 7 });
    window.call({ command: 'status', id: 8 });
  });
  const st = await reply(8);
  assert.deepEqual(st.result.lanes.map((l) => l.step), [5, 5, 5], 'the refused configure changed nothing; the file resumed at 5');
  // Rollback and setAutosave work over postMessage too (a healthy lane at step 5 goes back to its snapshot of step 0).
  await page.evaluate(() => window.call({ command: 'rollback', args: [1], id: 9 }));
  assert.deepEqual((await reply(9)).result, { step: 0 });
  await page.evaluate(() => window.call({ command: 'setAutosave', args: [false], id: 10 }));
  assert.equal((await reply(10)).result.status, 'off');
  assert.deepEqual(await page.evaluate(() => window.got.reply.map((r) => r.id)), [1, 2, 3, 4, 5, 8, 9, 10]);
  assert.ok((await page.evaluate(() => window.got.resize.at(-1)?.height)) > 300, 'the frame reports its height');
  assert.deepEqual(errors.filter((e) => !/message ignored/.test(e)), []);
  await page.close();
});
