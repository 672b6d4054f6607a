// Soak benchmark: a long run in headless Chromium (CPU fallback by default), checking that memory stays
// flat: the page's and the worker's JS heaps (after a forced GC) and the worker's wasm memory.
// Usage: node bench/soak.mjs [--steps 10000] [--warmup 300] [--arch mlp] [--batch 64] [--backend cpu|webgpu]
// Needs `make dist` first. Prints a table and the start/end figures; figures, not pass/fail.
import { parseArgs } from 'node:util';
import { launch, open, waitForStatus, status } from '../tests/browser/harness.mjs';
import { flagsFor } from './tfjs/measure.mjs';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '10000' },
    warmup: { type: 'string', default: '300' },
    arch: { type: 'string', default: 'mlp' },
    batch: { type: 'string', default: '64' },
    backend: { type: 'string', default: 'cpu' },
    points: { type: 'string', default: '10' },
  },
});
const steps = Number(values.steps);
const warmup = Number(values.warmup);
const flags = ['--enable-precise-memory-info', ...flagsFor(values.backend)];
const env = await launch({ flags });
const MB = (bytes) => (bytes / 2 ** 20).toFixed(2);

/** A CDP session on the training worker (attached through the page's session; not flattened). */
async function workerSession(cdp) {
  const { targetInfos } = await cdp.send('Target.getTargets');
  const worker = targetInfos.find((t) => t.type === 'worker' && t.url.endsWith('/js/worker.js'));
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: worker.targetId, flatten: false });
  const waiting = new Map();
  let id = 0;
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const msg = JSON.parse(e.message);
    waiting.get(msg.id)?.(msg.result);
  });
  return (method, params = {}) => new Promise((resolve) => {
    waiting.set(++id, resolve);
    cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) });
  });
}

try {
  const { page } = await open(env, `?backend=${values.backend}&arch=${values.arch}&batch=${values.batch}`);
  const ready = await waitForStatus(page, (s) => s.ready && s.lanes.length === 1, 120_000, 'ready');
  const cdp = await env.context.newCDPSession(page);
  const inWorker = await workerSession(cdp);
  const measure = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    await inWorker('HeapProfiler.collectGarbage');
    const s = await status(page);
    return {
      step: s.lanes[0].step,
      pageHeap: await page.evaluate(() => performance.memory.usedJSHeapSize),
      workerHeap: (await inWorker('Runtime.getHeapUsage')).usedSize,
      wasm: s.wasmMemoryBytes,
      time: Date.now(),
    };
  };

  await page.evaluate((n) => window.ganPlayground.step(n), warmup);
  await waitForStatus(page, (s) => s.lanes[0].step === warmup && !s.running, 600_000, 'warm-up');
  const rows = [await measure()];
  await page.evaluate(() => window.ganPlayground.play());
  const every = Math.max(1, Math.round(steps / Number(values.points)));
  for (let next = warmup + every; next <= warmup + steps; next += every) {
    await waitForStatus(page, (s) => s.lanes[0].step >= next, 3_600_000, `step ${next}`);
    if (next + every > warmup + steps) await page.evaluate(() => window.ganPlayground.pause());
    rows.push(await measure());
  }
  const end = await waitForStatus(page, (s) => !s.running, 60_000, 'pause');
  rows.push(await measure());

  console.log(`soak: ${values.backend === 'webgpu' ? `webgpu (${ready.adapter})` : 'cpu (wasm)'} ${values.arch} batch ${values.batch}, ` +
    `${steps} steps after a ${warmup}-step warm-up, ${env.context.browser()?.version() ?? 'chromium'}`);
  console.log('   step   page JS heap MB   worker JS heap MB   wasm memory MB');
  for (const r of rows) console.log(`${String(r.step).padStart(7)}   ${MB(r.pageHeap).padStart(15)}   ${MB(r.workerHeap).padStart(17)}   ${MB(r.wasm).padStart(14)}`);
  const [first, last] = [rows[0], rows[rows.length - 1]];
  const secs = (last.time - first.time) / 1000;
  console.log(`start → end (steps ${first.step} → ${last.step}, ${secs.toFixed(0)} s, ${((last.step - first.step) / secs).toFixed(1)} steps/s): ` +
    `page heap ${MB(first.pageHeap)} → ${MB(last.pageHeap)} MB, worker heap ${MB(first.workerHeap)} → ${MB(last.workerHeap)} MB, ` +
    `wasm memory ${MB(first.wasm)} → ${MB(last.wasm)} MB; GPU memory: ${values.backend === 'cpu' ? 'none (CPU backend)' : 'not exposed by WebGPU'}`);
  console.log(`final losses: d ${end.lanes[0].dLoss?.toFixed(4)} g ${end.lanes[0].gLoss?.toFixed(4)}; diverged: ${end.lanes[0].diverged}`);
} finally {
  await env.close();
}
