// Threads inside one lane: one lane on the CPU fallback, trained by the ordinary module (one thread) and
// by the `threads` build (dist-threads/, made by bench/threads.sh: rayon's pool on Web Workers sharing
// the module's memory, served cross-origin isolated), in headless Chromium; steps/s of each, timed over a
// window after a warm-up. Prints a markdown table; figures, not pass/fail.
// Usage: node bench/threads.mjs [--archs mlp,dcgan] [--objective nonsaturating] [--seconds 30]
//        [--warmup 20] [--eval-every 100000]
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { launch, open, waitForStatus, status } from '../tests/browser/harness.mjs';

const { values } = parseArgs({
  options: {
    archs: { type: 'string', default: 'mlp,dcgan' },
    objective: { type: 'string', default: 'nonsaturating' },
    seconds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '20' },
    'eval-every': { type: 'string', default: '100000' },
  },
});

/** The two builds: the ordinary site, and the threads build, which only runs cross-origin isolated. */
const BUILDS = [
  { name: 'one thread', site: 'dist', headers: {} },
  { name: 'threads', site: 'dist-threads', headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
];

/** Steps/s of one lane of `arch` on `env`'s site, with what the page said about its backend. */
async function measure(env, arch) {
  const { page, errors } = await open(env, `?backend=cpu&lanes=${values.objective}&arch=${arch}&workers=1&eval_every=${values['eval-every']}`);
  await waitForStatus(page, (s) => s.ready && s.lanes.length === 1, 180_000, `${arch} ready`);
  const isolated = await page.evaluate(() => self.crossOriginIsolated);
  await page.evaluate(() => window.ganPlayground.play());
  const warm = Number(values.warmup);
  await waitForStatus(page, (s) => s.lanes[0].step >= warm, 900_000, 'warm-up');
  const a = await status(page);
  const t0 = Date.now();
  await page.waitForTimeout(Number(values.seconds) * 1000);
  const b = await status(page);
  const secs = (Date.now() - t0) / 1000;
  await page.close();
  if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
  return { stepsPerSec: (b.lanes[0].step - a.lanes[0].step) / secs, reason: b.backendReason, isolated, memory: b.wasmMemoryBytes / 1e6 };
}

const rows = [];
for (const build of BUILDS) {
  const env = await launch({ flags: ['--disable-gpu'], headers: build.headers, site: build.site });
  try {
    for (const arch of values.archs.split(',')) {
      const r = await measure(env, arch);
      if (build.site !== 'dist' && !/threads per lane/.test(r.reason)) throw new Error(`the threads build did not start its pool: ${r.reason}`);
      rows.push({ arch, build: build.name, ...r });
      console.error(`${arch}, ${build.name}: ${r.stepsPerSec.toFixed(2)} steps/s (${r.reason}; isolated ${r.isolated})`);
    }
  } finally {
    await env.close();
  }
}
const hc = cpus().length;
console.log(`\n${values.objective}, one lane, CPU fallback, ${values.seconds} s after ${values.warmup} warm-up steps, eval_every ${values['eval-every']}, ${hc} CPUs\n`);
console.log('| arch | one thread (steps/s) | threads build (steps/s) | threads per lane | speed-up | wasm memory (one thread / threads) |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const arch of values.archs.split(',')) {
  const [one, many] = BUILDS.map((b) => rows.find((r) => r.arch === arch && r.build === b.name));
  const n = /(\d+) threads per lane/.exec(many.reason)?.[1] ?? '?';
  console.log(`| ${arch} | ${one.stepsPerSec.toFixed(2)} | ${many.stepsPerSec.toFixed(2)} | ${n} | ${(many.stepsPerSec / one.stepsPerSec).toFixed(2)}× | ${one.memory.toFixed(0)} MB / ${many.memory.toFixed(0)} MB |`);
}
