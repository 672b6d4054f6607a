// The second dataset: Fashion-MNIST chosen from the selector (the page reloads with `dataset=fashion`,
// keeping the configuration) trains on the CPU fallback; an unknown dataset in the URL gets a notice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, waitForStatus } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

test('the dataset selector reloads the page on Fashion-MNIST with the same configuration, and it trains', async () => {
  const { page, errors } = await open(env, '?backend=cpu&batch=16&objective=lsgan');
  await waitForStatus(page, (s) => s.ready && s.lanes.length === 1, 60_000, 'ready on MNIST');
  const fetched = [];
  page.context().on('request', (r) => fetched.push(new URL(r.url()).pathname));
  await page.selectOption('#dataset', 'fashion');
  // A destructive change asks first.
  await page.locator('#confirm-text', { hasText: 'every lane starts again from step 0' }).waitFor();
  await page.click('#confirm-ok');
  await page.waitForURL(/dataset=fashion/);
  const ready = await waitForStatus(page, (s) => s.ready && s.dataset === 'fashion' && s.lanes.length === 1, 60_000, 'ready on Fashion-MNIST');
  assert.equal(ready.lanes[0].objective, 'lsgan', 'the configuration survives the switch');
  assert.match(page.url(), /batch=16/);
  assert.ok(fetched.some((p) => p.endsWith('/data/fashion.bin')), `fetched: ${fetched.join(', ')}`);
  assert.equal(await page.inputValue('#dataset'), 'fashion');
  await page.evaluate(() => window.ganPlayground.step(2));
  const s = await waitForStatus(page, (st) => st.lanes[0].step === 2, 60_000, 'two steps on Fashion-MNIST');
  assert.ok(Number.isFinite(s.lanes[0].dLoss) && Number.isFinite(s.lanes[0].gLoss));
  assert.deepEqual(errors, []);
  await page.close();
});

test('an unknown dataset in the URL is reported and MNIST is used', async () => {
  const { page } = await open(env, '?backend=cpu&batch=16&dataset=cifar');
  const s = await waitForStatus(page, (st) => st.ready && st.lanes.length === 1, 60_000, 'ready');
  assert.equal(s.dataset, 'mnist');
  assert.match(await page.locator('#notices').innerText(), /"dataset" must be mnist or fashion/);
  await page.close();
});
