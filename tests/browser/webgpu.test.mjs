// The WebGPU path in headless Chromium, on SwiftShader's software adapter when the browser offers one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, status, waitForStatus, canvasPixels, WEBGPU_FLAGS } from './harness.mjs';

let env;
before(async () => { env = await launch({ flags: [...WEBGPU_FLAGS, '--disable-gpu'] }); });
after(async () => { await env?.close(); });

test('auto picks the CPU over a software WebGPU adapter and says why', async () => {
  const { page, errors } = await open(env, '');
  const info = await page.evaluate(async () => (await navigator.gpu?.requestAdapter())?.info?.architecture ?? null);
  const ready = await waitForStatus(page, (s) => s.ready && s.lanes.length === 1, 120_000, 'ready');
  assert.equal(ready.backend, 'cpu', `adapter ${info}`);
  const notices = await page.locator('#notices').innerText();
  if (info !== null) assert.match(notices, /Training runs on the CPU: the WebGPU adapter .* is a software renderer/);
  else assert.match(notices, /WebGPU is not available here/);
  assert.match(ready.backendReason, /software renderer|WebGPU unavailable/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('backend=webgpu trains on WebGPU when an adapter is offered, else falls back to CPU with a notice', async (t) => {
  const { page, errors } = await open(env, '?backend=webgpu&arch=mlp');
  const adapter = await page.evaluate(async () => Boolean(await navigator.gpu?.requestAdapter()));
  const ready = await waitForStatus(page, (s) => s.ready && s.lanes.length === 1, 120_000, 'ready');
  if (!adapter) {
    assert.equal(ready.backend, 'cpu');
    assert.match(await page.locator('#notices').innerText(), /WebGPU is not available here \(.+\), so training runs on the CPU/);
    t.skip('this Chromium offers no WebGPU adapter here; the CPU fallback was checked instead');
    return;
  }
  assert.equal(ready.backend, 'webgpu');
  assert.match(await page.locator('#backend-badge').innerText(), /^WebGPU · \S/);
  const before = await canvasPixels(page);
  await page.evaluate(() => window.ganPlayground.step(3));
  const s = await waitForStatus(page, (x) => x.lanes[0].step === 3, 240_000, 'three WebGPU steps');
  assert.ok(Number.isFinite(s.lanes[0].dLoss) && Number.isFinite(s.lanes[0].gLoss), JSON.stringify(s));
  await page.waitForTimeout(1000);
  assert.notEqual(await canvasPixels(page), before, 'samples not redrawn after WebGPU steps');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a real WebGPU device loss (GPUDevice.destroy) restores the lane on a new device, a second one on the CPU', async (t) => {
  const { page, errors } = await open(env, '?test=1&backend=webgpu&batch=8&seed=2');
  const adapter = await page.evaluate(async () => Boolean(await navigator.gpu?.requestAdapter()));
  await waitForStatus(page, (s) => s.ready && s.lanes.length === 1, 120_000, 'ready');
  if (!adapter) {
    t.skip('this Chromium offers no WebGPU adapter here (the simulated loss is tested on the CPU backend)');
    return;
  }
  const hook = (name, ...args) => page.evaluate(([n, a]) => window.ganPlayground[n](...a), [name, args]);
  await hook('setSnapshotEvery', 1);
  await hook('play');
  const trained = await waitForStatus(page, (s) => s.lanes[0].step >= 2 && s.lanes[0].checkpointStep >= 1, 240_000, 'steps and a checkpoint');
  assert.equal(trained.backend, 'webgpu');

  // Lost while training: the loss is reported by wgpu's device-lost callback (GPUDevice.lost).
  await hook('forceDeviceLoss');
  const first = await waitForStatus(page, (s) => s.deviceLosses === 1 && s.ready, 120_000, 'recovery on a new device');
  assert.equal(first.backend, 'webgpu');
  const checkpoint = first.lanes[0].checkpointStep;
  assert.ok(first.lanes[0].step >= checkpoint, JSON.stringify(first));
  const notices = () => page.locator('#notices').innerText();
  assert.match(await notices(), new RegExp(`The GPU device was lost \\(destroyed.*\\)\\. The lane is restored from its checkpoint at step ${checkpoint} on a new WebGPU device`));
  // Training resumes by itself on the new device.
  await waitForStatus(page, (s) => s.running && s.lanes[0].step > checkpoint, 240_000, 'training on the new device');
  await hook('pause');
  await waitForStatus(page, (s) => !s.running, 60_000, 'pause');

  // A second loss falls back to the CPU backend.
  await hook('forceDeviceLoss');
  const second = await waitForStatus(page, (s) => s.deviceLosses === 2 && s.ready, 120_000, 'recovery on the CPU');
  assert.equal(second.backend, 'cpu');
  assert.match(await notices(), /on the CPU backend/);
  const from = second.lanes[0].step;
  await hook('step', 2);
  const s = await waitForStatus(page, (x) => x.lanes[0].step === from + 2, 120_000, 'CPU steps after the second loss');
  assert.ok(Number.isFinite(s.lanes[0].dLoss) && Number.isFinite(s.lanes[0].gLoss), JSON.stringify(s));
  assert.equal((await status(page)).crashed, null);
  // The lost device's read-backs in flight fail inside burn (a panic, logged by the panic hook).
  assert.ok(errors.every((e) => /Failed to map buffer/.test(e)), JSON.stringify(errors).slice(0, 2000));
  await page.close();
});
