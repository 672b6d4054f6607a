// The WebGPU path in headless Chromium, on SwiftShader's software adapter when the browser offers one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, waitForStatus, canvasPixels, WEBGPU_FLAGS } from './harness.mjs';

let env;
before(async () => { env = await launch({ flags: [...WEBGPU_FLAGS, '--disable-gpu'] }); });
after(async () => { await env?.close(); });

test('trains on WebGPU when an adapter is offered, else falls back to CPU with a notice', async (t) => {
  const { page, errors } = await open(env, '');
  const adapter = await page.evaluate(async () => Boolean(await navigator.gpu?.requestAdapter()));
  const ready = await waitForStatus(page, (s) => s.ready && s.lanes.length === 1, 120_000, 'ready');
  if (!adapter) {
    assert.equal(ready.backend, 'cpu');
    assert.match(await page.locator('#notices').innerText(), /CPU \(WebGPU unavailable: /);
    t.skip('this Chromium offers no WebGPU adapter here; the CPU fallback was checked instead');
    return;
  }
  assert.equal(ready.backend, 'webgpu');
  assert.match(await page.locator('#status').innerText(), /^WebGPU — \S/);
  const before = await canvasPixels(page);
  await page.evaluate(() => window.ganPlayground.step(3));
  const s = await waitForStatus(page, (x) => x.lanes[0].step === 3, 240_000, 'three WebGPU steps');
  assert.ok(Number.isFinite(s.lanes[0].dLoss) && Number.isFinite(s.lanes[0].gLoss), JSON.stringify(s));
  await page.waitForTimeout(1000);
  assert.notEqual(await canvasPixels(page), before, 'samples not redrawn after WebGPU steps');
  assert.deepEqual(errors, []);
  await page.close();
});
