// The playground in headless Chromium on the CPU fallback (--disable-gpu): trains, draws, obeys the
// controls, the page API, the URL and postMessage, and reports bad input without breaking.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, status, waitForStatus, canvasPixels } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

const lane = (s) => s.lanes[0];
const finite = (x) => typeof x === 'number' && Number.isFinite(x);

test('trains for a few seconds: steps rise, losses finite, samples change, no console error', async () => {
  const { page, errors } = await open(env, '?backend=cpu&autostart=1&arch=mlp');
  const first = await waitForStatus(page, (s) => s.running && lane(s).step >= 5, 60_000, 'training to start');
  assert.equal(first.backend, 'cpu');
  const pixelsEarly = await canvasPixels(page);
  await page.waitForTimeout(3000);
  const later = await status(page);
  assert.ok(lane(later).step > lane(first).step + 5, `step ${lane(first).step} → ${lane(later).step}`);
  assert.ok(finite(lane(later).dLoss) && finite(lane(later).gLoss), JSON.stringify(later));
  assert.ok(lane(later).stepsPerSec > 0);
  await page.waitForTimeout(600);
  assert.notEqual(await canvasPixels(page), pixelsEarly, 'sample grid was not redrawn');
  assert.match(await page.locator('#status').innerText(), /^training · step \d+ · d loss [-\d.]+ · g loss [-\d.]+/);
  assert.match(await page.locator('#rate').innerText(), /^[\d.]+ steps\/s$/);
  assert.equal(await page.locator('#backend-badge').innerText(), 'CPU');
  assert.match(await page.getAttribute('#backend-badge', 'title'), /Training on the CPU \(requested with backend=cpu\)/);
  assert.ok(await page.locator('#d-loss-chart canvas').count() > 0, 'loss chart drawn');
  assert.deepEqual(errors, []);
  await page.close();
});

test('page API: pause stops, step(n) advances exactly n, reset returns to 0, configure rebuilds', async () => {
  const { page, errors } = await open(env, '?backend=cpu&arch=mlp&batch=32&seed=9');
  await waitForStatus(page, (s) => s.ready && s.lanes.length === 1, 60_000, 'ready');
  await page.evaluate(() => window.ganPlayground.step(7));
  const s7 = await waitForStatus(page, (s) => lane(s).step === 7, 60_000, 'step(7)');
  assert.equal(s7.running, false);
  await page.evaluate(() => window.ganPlayground.play());
  await waitForStatus(page, (s) => s.running && lane(s).step > 12, 60_000, 'play');
  await page.evaluate(() => window.ganPlayground.pause());
  const paused = await waitForStatus(page, (s) => !s.running, 10_000, 'pause');
  await page.waitForTimeout(1000);
  assert.equal(lane(await status(page)).step, lane(paused).step, 'steps kept rising after pause');
  await page.evaluate(() => window.ganPlayground.reset());
  await waitForStatus(page, (s) => lane(s).step === 0, 10_000, 'reset');

  const result = await page.evaluate(() => window.ganPlayground.configure({ arch: 'dcgan', lr_g: 0.001 }));
  assert.equal(result.config.arch, 'dcgan');
  assert.equal(result.config.lr_g, 0.001);
  assert.deepEqual(result.errors, []);
  assert.equal(lane(await status(page)).arch, 'dcgan');
  assert.match(page.url(), /arch=dcgan/);
  assert.match(page.url(), /lr_g=0\.001/);
  await page.evaluate(() => window.ganPlayground.step(2));
  const dc = await waitForStatus(page, (s) => lane(s).step === 2, 120_000, 'two DCGAN steps');
  assert.ok(finite(lane(dc).dLoss) && finite(lane(dc).gLoss));

  await page.selectOption('#objective', 'minimax');
  await waitForStatus(page, (s) => lane(s).objective === 'minimax', 10_000, 'objective from the selector');
  assert.match(page.url(), /objective=minimax/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('URL sets the initial configuration, and a garbled URL gives notices and defaults', async () => {
  const { page, errors } = await open(env, '?backend=cpu&objective=minimax&arch=dcgan&lr_d=0.0005&batch=16&seed=4');
  const s = await waitForStatus(page, (x) => x.ready && x.lanes.length === 1, 60_000, 'ready');
  assert.equal(lane(s).objective, 'minimax');
  assert.equal(lane(s).arch, 'dcgan');
  assert.equal(await page.inputValue('#field-batch'), '16');
  assert.equal(await page.inputValue('#field-lr_d'), '0.0005');
  await page.close();

  const hostile = encodeURIComponent('<img src=x onerror="window.__pwned=1">');
  const bad = await open(env, `?backend=cpu&objective=gan9000&batch=100000&lr_g=NaN&foo=${hostile}&seed=1&seed=2`);
  const sb = await waitForStatus(bad.page, (x) => x.ready && x.lanes.length === 1, 60_000, 'ready');
  assert.equal(lane(sb).objective, 'nonsaturating', 'unknown objective replaced by the default');
  const notices = await bad.page.locator('#notices').innerText();
  assert.match(notices, /objective: unknown objective "gan9000"/);
  assert.match(notices, /batch: got "100000"; expected a whole number from 1 to 512/);
  assert.match(notices, /lr_g: got "NaN"/);
  assert.match(notices, /Unknown URL parameter "foo"/);
  assert.match(notices, /"seed" is repeated/);
  assert.equal(await bad.page.evaluate(() => window.__pwned), undefined, 'URL text was executed');
  assert.equal(await bad.page.locator('#notices img').count(), 0, 'URL text was inserted as markup');
  assert.equal(await bad.page.inputValue('#field-batch'), '64');
  // Still trains.
  await bad.page.evaluate(() => window.ganPlayground.step(3));
  await waitForStatus(bad.page, (x) => lane(x).step === 3, 60_000, 'training after bad URL');
  // An invalid configure() keeps running and reports the field.
  const res = await bad.page.evaluate(() => window.ganPlayground.configure({ latent: 0 }));
  assert.equal(res.errors[0].field, 'latent');
  assert.equal(res.config.latent, 64);
  assert.deepEqual(errors.concat(bad.errors), []);
  await bad.page.close();
});

test('postMessage API drives the playground inside an iframe and emits status events', async () => {
  const page = await env.context.newPage();
  await page.goto(env.url + 'data/');
  const result = await page.evaluate(async (src) => {
    const frame = Object.assign(document.createElement('iframe'), { src, width: 900, height: 700 });
    const events = [];
    const replies = {};
    window.addEventListener('message', (e) => {
      if (e.data?.type === 'gan-playground:status') events.push(e.data.status);
      if (e.data?.type === 'gan-playground:reply') replies[e.data.id] = e.data;
    });
    document.body.append(frame);
    const until = async (pred, ms) => {
      const t0 = Date.now();
      while (!pred()) {
        if (Date.now() - t0 > ms) throw new Error('timeout; events: ' + JSON.stringify(events.slice(-2)));
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const call = async (id, command, args = []) => {
      frame.contentWindow.postMessage({ type: 'gan-playground', command, args, id }, '*');
      await until(() => replies[id], 30_000);
      return replies[id];
    };
    await until(() => events.some((s) => s.ready), 60_000);
    frame.contentWindow.postMessage({ type: 'something-else', command: 'play' }, '*');
    frame.contentWindow.postMessage('play', '*');
    await new Promise((r) => setTimeout(r, 500));
    const ignored = events.every((s) => !s.running);
    await call(1, 'step', [4]);
    await until(() => events.some((s) => s.lanes[0]?.step === 4), 60_000);
    const st = await call(2, 'status');
    const bad = await call(3, 'step', ['many']);
    return { ignored, step: st.result.lanes[0].step, badOk: bad.ok, events: events.length };
  }, env.url + '?backend=cpu');
  assert.equal(result.ignored, true, 'messages of other shapes must be ignored');
  assert.equal(result.step, 4);
  assert.ok(result.events > 0);
  await page.close();
});

test('every objective in the selector trains in the browser and plots its diagnostics', async () => {
  const { page, errors } = await open(env, '?backend=cpu&batch=16');
  await waitForStatus(page, (s) => s.ready && s.lanes.length === 1, 60_000, 'ready');
  const ids = await page.$$eval('#objective option', (opts) => opts.map((o) => o.value));
  assert.ok(ids.length >= 4, `objectives offered: ${ids}`);
  for (const id of ids) {
    await page.selectOption('#objective', id);
    await waitForStatus(page, (s) => s.lanes[0].objective === id && s.lanes[0].step === 0, 20_000, `switch to ${id}`);
    await page.evaluate(() => window.ganPlayground.step(2));
    const s = await waitForStatus(page, (x) => x.lanes[0].step === 2, 60_000, `two ${id} steps`);
    assert.ok(finite(lane(s).dLoss) && finite(lane(s).gLoss), `${id}: ${JSON.stringify(s)}`);
    const legend = await page.locator('#diag-chart .u-legend').innerText();
    assert.ok(legend.trim().length > 0, `${id}: no diagnostics legend`);
  }
  // The objective's own parameters appear only for it (WGAN's clip value, LSGAN's targets).
  await page.selectOption('#objective', 'wgan');
  await waitForStatus(page, (s) => s.lanes[0].objective === 'wgan', 20_000, 'wgan');
  assert.equal(await page.locator('#objective-params input[name="clip"]').count(), 1);
  assert.equal(await page.inputValue('#field-lr_d'), '0.00005', 'WGAN brings its own learning rate');
  assert.deepEqual(errors, []);
  await page.close();
});

test('latent interpolation: hidden until "show", then 12 frames between two fixed z, redrawn for new endpoints', async () => {
  const { page, errors } = await open(env, '?backend=cpu&arch=mlp&batch=16&seed=3');
  await waitForStatus(page, (s) => s.ready && s.lanes.length === 1, 60_000, 'ready');
  const hidden = () => page.evaluate(() => ['interp-strip', 'interp-frame'].map((id) => document.getElementById(id).offsetParent === null));
  assert.deepEqual(await hidden(), [true, true], 'nothing shown before "show" is ticked');
  await page.evaluate(() => window.ganPlayground.step(3));
  await waitForStatus(page, (s) => lane(s).step === 3, 60_000, 'step(3)');
  const strip = () => page.evaluate(() => document.getElementById('interp-strip').toDataURL());
  const blank = await strip();
  await page.check('#interp-on');
  assert.deepEqual(await hidden(), [false, false]);
  await page.waitForFunction((b) => document.getElementById('interp-strip').toDataURL() !== b, blank, { timeout: 20_000 });
  // 12 frames of 28 px: the first (z #0) and the last (z #1) differ, so the strip really interpolates.
  const frames = await page.evaluate(() => {
    const ctx = document.getElementById('interp-strip').getContext('2d');
    const frame = (i) => Array.from(ctx.getImageData(i * 28, 0, 28, 28).data);
    return { width: ctx.canvas.width, first: frame(0), last: frame(11) };
  });
  assert.equal(frames.width, 12 * 28);
  assert.notDeepEqual(frames.first, frames.last);
  const before = await strip();
  await page.fill('#interp-b', '40');
  await page.dispatchEvent('#interp-b', 'change');
  await page.waitForFunction((b) => document.getElementById('interp-strip').toDataURL() !== b, before, { timeout: 20_000 });
  await page.uncheck('#interp-on');
  assert.deepEqual(await hidden(), [true, true]);
  assert.deepEqual(errors, []);
  await page.close();
});
