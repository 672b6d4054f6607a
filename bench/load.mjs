// Load benchmark: wasm size, navigation → first sample grid, peak JS heap, wasm and WebGPU memory during N steps,
// and on WebGPU the GPU work per step (dispatches, submits, buffer writes, read-backs).
// Usage: node bench/load.mjs [--backend cpu|webgpu] [--arch mlp,dcgan] [--steps N] [--runs 3]
// Needs `make dist`. Steps default to 1,000 for MLP and 100 for DCGAN on the CPU, 20 / 5 on WebGPU (on
// SwiftShader, a software adapter, 1,000 steps would take about an hour; BENCH_GPU=1 for the real GPU).
// Prints a markdown table.
import { readFileSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { parseArgs } from 'node:util';
import { launch, open, status } from '../tests/browser/harness.mjs';
import { flagsFor, load1, median, REPO } from './tfjs/measure.mjs';
import { installProbe, readProbe } from './gpu-probe.mjs';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'cpu' },
    arch: { type: 'string', default: 'mlp,dcgan' },
    steps: { type: 'string' },
    runs: { type: 'string', default: '3' },
  },
});
const backend = values.backend;
const flags = [...flagsFor(backend), '--enable-precise-memory-info'];
const MB = (b) => `${(b / 1e6).toFixed(2)} MB`;
const log = (...a) => console.error(`[${new Date().toISOString().slice(11, 19)} load ${load1()}]`, ...a);
const defaultSteps = (arch) => (backend === 'cpu' ? (arch === 'mlp' ? 1000 : 100) : arch === 'mlp' ? 20 : 5);
const rows = [];

// 1. Size of the wasm module as shipped in dist/.
const wasm = readFileSync(`${REPO}dist/pkg/gan_playground_bg.wasm`);
const glue = readFileSync(`${REPO}dist/pkg/gan_playground.js`);
rows.push(['wasm module (dist/pkg/gan_playground_bg.wasm), raw', MB(wasm.length)]);
rows.push(['wasm module, gzip -9', MB(gzipSync(wasm, { level: 9 }).length)]);
rows.push(['wasm module, brotli (quality 11)', MB(brotliCompressSync(wasm, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length)]);
rows.push(['JS glue (dist/pkg/gan_playground.js), raw / gzip -9', `${(glue.length / 1e3).toFixed(1)} kB / ${(gzipSync(glue, { level: 9 }).length / 1e3).toFixed(1)} kB`]);

// Records, in the page, when the sample caption first says a grid was drawn (ms since navigation start)
// and the peak of performance.memory.usedJSHeapSize (precise with --enable-precise-memory-info).
const PAGE_PROBE = `(() => {
  window.__peakHeap = 0;
  setInterval(() => { window.__peakHeap = Math.max(window.__peakHeap, performance.memory?.usedJSHeapSize ?? 0); }, 50);
  addEventListener('DOMContentLoaded', () => {
    // Each lane's caption under its grid says 'fixed-z samples at step N' once the grid is drawn.
    const seen = () => {
      const drawn = [...document.querySelectorAll('.lane-caption')].some((c) => c.textContent.startsWith('fixed-z samples'));
      if (!window.__firstGridMs && drawn) window.__firstGridMs = performance.now();
    };
    new MutationObserver(seen).observe(document.body, { childList: true, characterData: true, subtree: true });
  });
})();`;

/** Polls `probe` in the page until it returns a truthy value; fails at once on a console error. */
async function until(page, errors, probe, timeoutMs, what) {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (errors.length) throw new Error(`console errors while waiting for ${what}: ${errors.join(' | ').slice(0, 300)}`);
    const value = await page.evaluate(probe);
    if (value) return value;
    await page.waitForTimeout(50);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Navigation → first grid in a fresh profile (cold), then again in the same profile (second visit). */
async function firstGrid(arch) {
  const cold = [];
  const warm = [];
  let bytes = 0;
  let requests = 0;
  for (let r = 0; r < Number(values.runs); r++) {
    const env = await launch({ flags });
    try {
      await env.context.addInitScript(PAGE_PROBE);
      for (const list of [cold, warm]) {
        const seen = [];
        const onFinished = async (req) => seen.push((await req.sizes().catch(() => null))?.responseBodySize ?? 0);
        env.context.on('requestfinished', onFinished);
        const { page, errors } = await open(env, `?backend=${backend}&arch=${arch}`);
        list.push(await until(page, errors, () => window.__firstGridMs, 300_000, 'the first sample grid'));
        env.context.off('requestfinished', onFinished);
        if (list === cold) [bytes, requests] = [seen.reduce((a, b) => a + b, 0), seen.length];
        await page.close();
      }
    } finally {
      await env.close();
    }
    log(`${arch}: first grid ${cold.at(-1).toFixed(0)} ms cold, ${warm.at(-1).toFixed(0)} ms second visit`);
  }
  const show = (xs) => `${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)} … ${Math.max(...xs).toFixed(0)})`;
  rows.push([`navigation → first sample grid, ${arch}, fresh profile, median of ${cold.length}`, show(cold)]);
  rows.push([`navigation → first sample grid, ${arch}, second visit`, show(warm)]);
  rows.push([`fetched before the first grid, ${arch} (response bodies as sent: .br/.gz where dist/ has them)`, `${MB(bytes)} in ${requests} requests`]);
}

/** Worker JS heap through the DevTools protocol (the worker has no performance.memory). */
async function workerHeapProbe(env, page) {
  const cdp = await env.context.newCDPSession(page);
  let session = null;
  let id = 0;
  const replies = new Map();
  cdp.on('Target.attachedToTarget', (e) => { if (e.targetInfo.type === 'worker') session = e.sessionId; });
  cdp.on('Target.receivedMessageFromTarget', (e) => { const m = JSON.parse(e.message); replies.get(m.id)?.(m.result); });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  return async () => {
    if (!session) return null;
    const i = ++id;
    const reply = new Promise((done) => replies.set(i, done));
    await cdp.send('Target.sendMessageToTarget', { sessionId: session, message: JSON.stringify({ id: i, method: 'Runtime.getHeapUsage' }) });
    return (await reply)?.usedSize ?? null;
  };
}

/** Peak memory figures while the page trains `steps` generator steps. */
async function memory(arch) {
  const steps = Number(values.steps ?? defaultSteps(arch));
  const env = await launch({ flags });
  try {
    await env.context.addInitScript(PAGE_PROBE);
    await installProbe(env.context);
    const { page, errors } = await open(env, `?backend=${backend}&arch=${arch}`);
    const ready = await until(page, errors, () => { const s = window.ganPlayground?.status(); return s?.ready && s.lanes.length === 1 && s; }, 120_000, 'ready');
    const workerHeap = await workerHeapProbe(env, page);
    let peakWorker = 0;
    const t0 = Date.now();
    const loadStart = load1();
    const counted = () => readProbe(page);
    const before = await counted();
    await page.evaluate((n) => window.ganPlayground.step(n), steps);
    for (;;) {
      peakWorker = Math.max(peakWorker, (await workerHeap()) ?? 0);
      const s = await status(page);
      if (errors.length) throw new Error(`console errors: ${errors.join(' | ').slice(0, 300)}`);
      if (s.lanes[0].step >= steps) break;
      if (Date.now() - t0 > 3_600_000) throw new Error(`only ${s.lanes[0].step} of ${steps} steps after an hour`);
      await page.waitForTimeout(250);
    }
    const seconds = (Date.now() - t0) / 1000;
    await page.waitForTimeout(200);
    const m = await counted();
    const heap = await page.evaluate(() => window.__peakHeap);
    if (errors.length) throw new Error(`console errors: ${errors.join(' | ')}`);
    const where = `${arch}, ${steps} steps on ${ready.backend === 'webgpu' ? `WebGPU (${ready.adapter})` : 'the CPU'}`;
    rows.push([`peak page JS heap (performance.memory), ${where}`, MB(heap)]);
    rows.push([`peak worker JS heap (DevTools Runtime.getHeapUsage, sampled every 250 ms), ${where}`, MB(peakWorker)]);
    rows.push([`wasm linear memory at its peak, ${where}`, MB(m.wasmPeak)]);
    rows.push([`WebGPU buffers, peak live bytes (createBuffer − destroy), ${where}`, m.gpuBuffers ? `${MB(m.gpuPeak)} (${m.gpuBuffers} buffers created)` : 'none (CPU backend)']);
    if (m.gpuBuffers) {
      const per = (key) => ((m[key] - before[key]) / steps).toFixed(1);
      rows.push([`GPU work per generator step (compute dispatches / queue submits / buffer writes / read-backs), ${where}`,
        `${per('dispatches')} / ${per('submits')} / ${per('writes')} / ${per('reads')}`]);
    }
    rows.push([`steps/s during the memory run, ${where}`, `${(steps / seconds).toFixed(2)} (load ${loadStart} → ${load1()})`]);
  } finally {
    await env.close();
  }
}

for (const arch of values.arch.split(',')) {
  for (const [what, run] of [['first grid', firstGrid], ['memory', memory]]) {
    log(`${what}, ${arch}, backend ${backend}`);
    try {
      await run(arch);
    } catch (e) {
      log(`  failed: ${e.message}`);
      rows.push([`${what}, ${arch}, backend ${backend}`, `failed: ${e.message.replace(/\s+/g, ' ').replace(/\|/g, '/').slice(0, 160)}`]);
      process.exitCode = 1;
    }
  }
}
console.log(['| what | figure |', '| --- | --- |', ...rows.map(([a, b]) => `| ${a} | ${b} |`)].join('\n'));
