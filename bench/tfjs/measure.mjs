// Node-side helpers of the browser benchmarks: browser flags per backend, steps/s of our page and of the TF.js page.
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { open, status, waitForStatus, WEBGPU_FLAGS } from '../../tests/browser/harness.mjs';
import { startServer } from '../../tools/static-server.mjs';

/** The repository root: served for the TF.js page (bench/tfjs/ plus node_modules/@tensorflow). */
export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Chromium flags for a group of backends (`cpu` or `webgpu`, the page's backend names), as in tests/browser: `--disable-gpu` for the CPU paths; for the
 * GPU paths (WebGPU, WebGL) the harness's WEBGPU_FLAGS on SwiftShader, or with BENCH_GPU=1 the machine's
 * real GPU through Vulkan (no --disable-gpu, no forced SwiftShader; ANGLE on Vulkan without a window
 * surface, which headless Linux needs). BENCH_GPU_FLAGS="..." replaces that real-GPU flag set.
 */
export function flagsFor(group) {
  if (group === 'cpu') return ['--disable-gpu'];
  if (group !== 'webgpu') throw new Error(`unknown backend ${JSON.stringify(group)} (cpu, webgpu)`);
  if (process.env.BENCH_GPU) {
    return process.env.BENCH_GPU_FLAGS?.split(/\s+/).filter(Boolean) ?? [
      '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=vulkan', '--disable-vulkan-surface', '--ignore-gpu-blocklist',
    ];
  }
  return [...WEBGPU_FLAGS, '--disable-gpu'];
}

export const load1 = () => Number(loadavg()[0].toFixed(2));

/** Serves the repository root on loopback; resolves to `{server, url}`. */
export const startRepoServer = () => startServer(REPO);

/** Polls `status()` until the step count passes `after`; returns that step and the time it was seen. */
async function nextStep(page, after, timeoutMs) {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    const s = await status(page);
    if (s?.lanes?.[0]?.step > after) return { step: s.lanes[0].step, t: Date.now() };
    if (s?.lanes?.[0]?.diverged != null) throw new Error(`diverged at step ${s.lanes[0].diverged}`);
    await page.waitForTimeout(25);
  }
  throw new Error(`no training step after ${after} within ${timeoutMs} ms`);
}

/**
 * Our playground (dist/, served by the harness) on `backend` (cpu | webgpu): ready, play, `warmup` steps,
 * then generator steps per second between two step boundaries at least `seconds` apart (the page's
 * worker reads statistics back once per training call, so status changes only at call boundaries).
 */
export async function measureOurs(env, { backend, arch, batch = 64, seconds = 20, warmup = 3, timeoutMs = 900_000 }) {
  const loadBefore = load1();
  const t0 = Date.now();
  const { page, errors } = await open(env, `?backend=${backend}&arch=${arch}&batch=${batch}&objective=nonsaturating`);
  try {
    // Fail fast on a console error (a panic in the worker is reported there, then the page restarts it).
    const ready = await waitForStatus(page, (s) => {
      if (errors.length) throw new Error(`console errors: ${errors.join(' | ').slice(0, 300)}`);
      return s.ready && s.lanes.length === 1;
    }, 120_000, 'ready');
    if (ready.backend !== backend) throw new Error(`asked for ${backend}, the page runs on ${ready.backend}`);
    const readyMs = Date.now() - t0;
    await page.evaluate(() => window.ganPlayground.play());
    const warm = await waitForStatus(page, (s) => s.lanes[0].step >= warmup, timeoutMs, 'warm-up');
    const a = await nextStep(page, warm.lanes[0].step, timeoutMs);
    await page.waitForTimeout(seconds * 1000);
    const b = await nextStep(page, (await status(page)).lanes[0].step, timeoutMs);
    await page.evaluate(() => window.ganPlayground.pause());
    if (errors.length) throw new Error(`console errors: ${errors.join(' | ')}`);
    return {
      impl: 'ours', backend, arch, batch, adapter: backend === 'webgpu' ? ready.adapter : 'wasm (single thread)',
      steps: b.step - a.step, seconds: (b.t - a.t) / 1000, stepsPerSec: (b.step - a.step) / ((b.t - a.t) / 1000),
      readyMs, load: [loadBefore, load1()],
    };
  } finally {
    await page.close();
  }
}

/** The TF.js page (bench/tfjs/index.html on `repoUrl`) in `context`; resolves to its window.benchResult. */
export async function measureTfjs(context, repoUrl, { backend, arch, batch = 64, seconds = 20, warmup = 3, timeoutMs = 900_000 }) {
  const loadBefore = load1();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // WebGPU validation errors (a rejected pipeline drops its whole command buffer) only reach the console.
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text().split('\n')[0]); });
  try {
    await page.goto(`${repoUrl}bench/tfjs/?backend=${backend}&arch=${arch}&batch=${batch}&seconds=${seconds}&warmup=${warmup}`, { waitUntil: 'load', timeout: 120_000 });
    const start = Date.now();
    for (;;) {
      const r = await page.evaluate(() => ({ result: window.benchResult, error: window.benchError, progress: window.benchProgress }));
      if (r.error) throw new Error(`TF.js ${backend}: ${r.error.split('\n')[0]}`);
      if (errors.length) throw new Error(`TF.js ${backend}: page errors: ${errors.join(' | ')}`);
      if (r.result) {
        return { ...r.result, impl: 'tfjs', backend, load: [loadBefore, load1()] };
      }
      if (Date.now() - start > timeoutMs) throw new Error(`TF.js ${backend}: timed out, ${JSON.stringify(r.progress)}`);
      await page.waitForTimeout(500);
    }
  } finally {
    await page.close();
  }
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
