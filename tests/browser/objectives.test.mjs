// Objective-specific page features on the CPU fallback: LSGAN's preset buttons and InfoGAN's code
// explorer (a category × continuous-sweep grid over a fixed z, redrawn when a slider moves).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, waitForStatus } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

test('LSGAN preset buttons set a, b, c and the URL', async () => {
  const { page, errors } = await open(env, '?backend=cpu&objective=lsgan&batch=16');
  await waitForStatus(page, (s) => s.ready && s.lanes[0]?.objective === 'lsgan', 60_000, 'lsgan ready');
  assert.equal(await page.getAttribute('[data-preset="0-1 coding"]', 'aria-pressed'), 'true', 'defaults are the 0-1 coding');
  await page.click('[data-preset="χ²"]');
  await page.waitForFunction(() => document.querySelector('[data-preset="χ²"]')?.getAttribute('aria-pressed') === 'true');
  assert.equal(await page.inputValue('#objective-params input[name="a"]'), '-1');
  assert.equal(await page.inputValue('#objective-params input[name="b"]'), '1');
  assert.equal(await page.inputValue('#objective-params input[name="c"]'), '0');
  assert.match(page.url(), /p\.a=-1/);
  assert.match(page.url(), /p\.c=0/);
  // Custom values still work and no preset is marked.
  await page.fill('#objective-params input[name="c"]', '0.5');
  await page.dispatchEvent('#objective-params input[name="c"]', 'change');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-preset]')].every((b) => b.getAttribute('aria-pressed') === 'false'));
  assert.match(page.url(), /p\.c=0\.5/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('InfoGAN code explorer draws a 10-row grid and redraws it when a slider moves', async () => {
  const { page, errors } = await open(env, '?backend=cpu&objective=infogan&batch=16');
  await waitForStatus(page, (s) => s.ready && s.lanes[0]?.objective === 'infogan', 60_000, 'infogan ready');
  await page.waitForFunction(() => !document.getElementById('code-explorer').hidden);
  await page.evaluate(() => window.ganPlayground.step(3));
  await page.waitForFunction(() => /^step 3:/.test(document.getElementById('code-caption').textContent), null, { timeout: 60_000 });
  const size = await page.evaluate(() => [document.getElementById('code-grid').width, document.getElementById('code-grid').height]);
  assert.deepEqual(size, [8 * 28, 10 * 28], 'rows = 10 categories, columns = 8 sweep values');
  const grid = () => page.evaluate(() => document.getElementById('code-grid').toDataURL());
  const before = await grid();
  await page.fill('#code-z', '17');
  await page.dispatchEvent('#code-z', 'input');
  await page.waitForFunction((b) => document.getElementById('code-grid').toDataURL() !== b, before, { timeout: 20_000 });
  const afterZ = await grid();
  await page.selectOption('#code-sweep', '1');
  await page.waitForFunction((b) => document.getElementById('code-grid').toDataURL() !== b, afterZ, { timeout: 20_000 });
  assert.match(await page.locator('#code-caption').innerText(), /columns = c2 from −1 to 1/);
  // Other objectives hide the explorer.
  await page.selectOption('#objective', 'nonsaturating');
  await page.waitForFunction(() => document.getElementById('code-explorer').hidden);
  await page.evaluate(() => window.ganPlayground.step(1));
  await waitForStatus(page, (s) => s.lanes[0].objective === 'nonsaturating' && s.lanes[0].step === 1, 60_000, 'a step after leaving InfoGAN');
  assert.equal(await page.locator('#notices .notice.error').count(), 0, await page.locator('#notices').innerText());
  assert.deepEqual(errors, []);
  await page.close();
});
