// The page a student opens and a lecturer embeds: layout at a phone, laptop and desktop size, zero axe-core
// accessibility violations (light and dark), keyboard shortcuts, commands sent before the playground is
// ready, the ready promise and message, the compact embed, and invalid values marked at their field.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import AxeBuilder from '@axe-core/playwright';
import { launch, open, status, waitForStatus } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

const FOUR = '?backend=cpu&lanes=minimax,nonsaturating,lsgan,wgan-gp';

/** Boxes of the transport bar, the sample grids and the d-loss chart, and the page's horizontal overflow. */
const measure = (page) => page.evaluate(() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; };
  return {
    viewport: { w: window.innerWidth, h: window.innerHeight },
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    transport: box(document.getElementById('transport')),
    grids: [...document.querySelectorAll('.lane-samples')].map(box),
    loss: box(document.querySelector('#d-loss-chart canvas') ?? document.getElementById('d-loss-chart')),
  };
});
const inside = (b, v) => b.x >= -1 && b.y >= -1 && b.x + b.w <= v.w + 1 && b.y + b.h <= v.h + 1;

test('layout: the transport and the sample grids are on the first screen at phone, laptop and desktop sizes', async () => {
  const { page, errors } = await open(env, FOUR);
  await waitForStatus(page, (s) => s.ready && s.lanes.length === 4, 90_000, 'four lanes');
  await page.evaluate(() => window.ganPlayground.step(1));
  await waitForStatus(page, (s) => s.lanes.every((l) => l.step >= 1), 60_000, 'a step');
  for (const [width, height, grids] of [[1280, 720, 4], [1920, 1080, 4], [390, 844, 1]]) {
    await page.setViewportSize({ width, height });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const m = await measure(page);
    assert.ok(m.overflow <= 0, `${width}×${height}: the page scrolls sideways by ${m.overflow} px`);
    assert.ok(inside(m.transport, m.viewport), `${width}×${height}: transport ${JSON.stringify(m.transport)}`);
    for (const g of m.grids.slice(0, grids)) assert.ok(inside(g, m.viewport), `${width}×${height}: grid ${JSON.stringify(g)} outside the first screen`);
    if (width >= 1280) {
      for (const g of m.grids) assert.ok(g.w >= 224, `${width}×${height}: a grid is ${g.w.toFixed(0)} px wide`);
      assert.ok(inside(m.loss, m.viewport), `${width}×${height}: the loss chart ${JSON.stringify(m.loss)} is below the fold`);
    }
  }
  // Legends name every visible curve (the faint raw curves have no row), and lane titles are shown whole.
  const legend = await page.$$eval('#charts .u-legend .u-series', (rows) => rows.filter((r) => r.offsetParent !== null).map((r) => r.textContent));
  assert.ok(legend.length > 0 && legend.every((t) => !t.includes('Value')), `legend rows: ${legend.join(' | ')}`);
  for (const [width, height] of [[390, 844], [1280, 720]]) {
    await page.setViewportSize({ width, height });
    const cut = await page.$$eval('.lane-title', (ts) => ts.filter((t) => t.scrollHeight > t.clientHeight + 1).map((t) => t.textContent));
    assert.deepEqual(cut, [], `${width}×${height}: lane titles cut off`);
  }
  for (const width of [320, 600, 900]) {
    await page.setViewportSize({ width, height: 800 });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const m = await measure(page);
    assert.ok(m.overflow <= 0, `${width} px wide: the page scrolls sideways by ${m.overflow} px`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('accessibility: axe-core finds no violations, in light and in dark', async () => {
  const { page } = await open(env, '?backend=cpu&lanes=nonsaturating,infogan');
  await waitForStatus(page, (s) => s.ready && s.lanes.length === 2, 90_000, 'ready');
  await page.evaluate(() => window.ganPlayground.step(2));
  await waitForStatus(page, (s) => s.lanes.every((l) => l.step >= 2), 60_000, 'steps');
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    const result = await new AxeBuilder({ page }).analyze();
    const summary = result.violations.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
    assert.deepEqual(summary, [], `${scheme}: ${summary.join('\n')}`);
  }
  await page.close();
});

test('commands sent before the playground is ready wait for it; ready resolves and an embedding page hears it', async () => {
  const { page, errors } = await open(env, '?backend=cpu&lanes=minimax,nonsaturating');
  await page.waitForFunction(() => window.ganPlayground);
  // Straight away, before the module and the data have loaded.
  const early = await page.evaluate(() => {
    const s = window.ganPlayground.status();
    window.__played = window.ganPlayground.play().then(() => 'ok', (e) => e.message);
    window.__configured = window.ganPlayground.configure({}).then((r) => r.configs.map((c) => c.objective), (e) => e.message);
    return s.ready;
  });
  assert.equal(early, false, 'the page was not ready yet');
  const ready = await page.evaluate(() => window.ganPlayground.ready);
  assert.equal(ready.ready, true);
  assert.equal(ready.lanes.length, 2);
  assert.equal(await page.evaluate(() => window.__played), 'ok');
  assert.deepEqual(await page.evaluate(() => window.__configured), ['minimax', 'nonsaturating'], 'configure({}) keeps the URL\'s lanes');
  await waitForStatus(page, (s) => s.running && s.lanes.every((l) => l.step > 0), 60_000, 'training started by the early play()');
  await page.evaluate(() => window.ganPlayground.pause());
  assert.deepEqual(errors, []);
  await page.close();
});

test('keyboard: space plays and pauses, → steps, D and G step one network', async () => {
  const { page, errors } = await open(env, '?backend=cpu');
  const first = await waitForStatus(page, (s) => s.ready, 90_000, 'ready');
  // An address without lane settings starts with the module's first lane (page::first_lane).
  assert.deepEqual([first.lanes[0].objective, first.lanes[0].arch], ['nonsaturating', 'dcgan']);
  assert.deepEqual([await page.inputValue('#field-lr_g'), await page.inputValue('#field-lr_d')], ['0.001', '0.001']);
  await page.locator('body').click({ position: { x: 5, y: 400 } });
  await page.keyboard.press('ArrowRight');
  await waitForStatus(page, (s) => s.lanes[0].step === 1, 30_000, '→ stepped');
  await page.keyboard.press('d');
  await page.locator('#pulse', { hasText: 'only the discriminator changed' }).waitFor();
  await page.keyboard.press('g');
  await page.locator('#pulse', { hasText: 'only the generator changed' }).waitFor();
  const s = await waitForStatus(page, (x) => x.lanes[0].step === 2, 30_000, 'G step counted');
  assert.equal(s.running, false);
  await page.keyboard.press(' ');
  await waitForStatus(page, (x) => x.running, 30_000, 'space plays');
  await page.keyboard.press(' ');
  await waitForStatus(page, (x) => !x.running, 30_000, 'space pauses');
  assert.equal(await page.locator('#rate').innerText(), '— steps/s', 'no stale rate after pause');
  // Typing in a field does not trigger shortcuts.
  await page.locator('#field-batch').focus();
  await page.keyboard.press('d');
  assert.equal((await status(page)).lanes[0].step, (await status(page)).lanes[0].step);
  assert.deepEqual(errors, []);
  await page.close();
});

test('an invalid value is marked at its field with the range, and nothing changes until it is valid', async () => {
  const { page, errors } = await open(env, '?backend=cpu&batch=16');
  await waitForStatus(page, (s) => s.ready, 90_000, 'ready');
  const notices = await page.locator('#notices .notice').count();
  await page.fill('#field-batch', '0');
  await page.locator('#field-batch').dispatchEvent('change');
  await page.locator('#error-batch', { hasText: 'expected a whole number from 1 to 512' }).waitFor();
  assert.equal(await page.getAttribute('#field-batch', 'aria-invalid'), 'true');
  assert.equal(await page.inputValue('#field-batch'), '0', 'the bad value stays for the user to correct');
  assert.equal((await status(page)).lanes[0].step, 0);
  assert.equal(await page.locator('#notices .notice').count(), notices, 'no global notice for a field problem');
  assert.match(await page.locator('#field-batch + .range').innerText(), /1 – 512/);
  await page.fill('#field-batch', '32');
  await page.locator('#field-batch').dispatchEvent('change');
  await page.waitForFunction(() => !document.getElementById('field-batch').hasAttribute('aria-invalid'));
  const s = await status(page);
  assert.equal(s.lanes[0].step, 0);
  assert.equal(await page.evaluate(() => window.ganPlayground.status().lanes.length), 1);
  // The quality interval behaves like every other field.
  for (const bad of ['5', '']) {
    await page.fill('#eval-every', bad);
    await page.locator('#eval-every').dispatchEvent('change');
    await page.locator('#eval-error', { hasText: 'a whole number from 10 to 100000' }).waitFor();
  }
  assert.equal((await status(page)).evalEvery, 200, 'the bad interval was not applied');
  // The interpolation indices too.
  await page.fill('#interp-a', '99');
  await page.check('#interp-on');
  await page.locator('#interp-error', { hasText: 'from 0 to 63' }).waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('embed=1 in an 800×600 iframe: the transport and the lanes fit, and the page posts its height', async () => {
  const page = await env.context.newPage();
  await page.setViewportSize({ width: 820, height: 640 });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setContent(`<!doctype html><iframe id="f" style="width:800px;height:600px;border:0" src="${env.url}?backend=cpu&embed=1&lanes=minimax,nonsaturating"></iframe>
    <script>window.heights = []; window.readies = 0; addEventListener('message', (e) => { if (e.data?.type === 'gan-playground:resize') heights.push(e.data.height); if (e.data?.type === 'gan-playground:ready') readies++; });</script>`);
  await page.waitForFunction(() => window.readies === 1, null, { timeout: 90_000 });
  const frame = page.frame({ url: /embed=1/ });
  const boxes = await frame.evaluate(() => [document.getElementById('transport'), ...document.querySelectorAll('.lane-samples')].map((el) => {
    const r = el.getBoundingClientRect();
    return { bottom: r.bottom, right: r.right };
  }));
  for (const b of boxes) assert.ok(b.bottom <= 600 && b.right <= 800, `embed: ${JSON.stringify(b)} outside the 800×600 frame`);
  const heights = await page.evaluate(() => window.heights);
  assert.ok(heights.length > 0 && heights.at(-1) > 300, `resize messages: ${JSON.stringify(heights)}`);
  assert.deepEqual(errors, []);
  await page.close();
});
