// The first minute of a new user: the default page in a fresh profile, Play pressed as soon as it is
// enabled, then the seconds from navigation until the in-page FID (the project's classifier, as the page
// shows it) first falls below 300, 150 and 100, with the step and the classes covered at that point.
// Usage: node bench/first-minute.mjs [--backend cpu|webgpu] [--seconds 120] [--path '?arch=mlp']
// --backend picks the browser flags (cpu: --disable-gpu, so the page falls back to its CPU backend;
// webgpu: SwiftShader, or the real GPU with BENCH_GPU=1); the page itself keeps its defaults unless
// --path adds URL parameters. Needs `make dist`. Prints a markdown table on stdout.
import { parseArgs } from 'node:util';
import { launch, open, status } from '../tests/browser/harness.mjs';
import { flagsFor, load1 } from './tfjs/measure.mjs';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'cpu' },
    seconds: { type: 'string', default: '120' },
    path: { type: 'string', default: '' },
  },
});
const THRESHOLDS = [300, 150, 100];
const limitMs = Number(values.seconds) * 1000;
const log = (...a) => console.error(`[${new Date().toISOString().slice(11, 19)} first-minute ${load1()}]`, ...a);

const env = await launch({ flags: flagsFor(values.backend) });
const hits = new Map();
const seen = [];
let ready = null;
let playAt = null;
const loadBefore = load1();
try {
  const { page, errors } = await open(env, values.path);
  const now = () => page.evaluate(() => performance.now());
  await page.locator('#play:not([disabled])').waitFor({ timeout: 120_000 });
  playAt = await now();
  await page.locator('#play').click();
  ready = await status(page);
  log(`Play pressed at ${(playAt / 1000).toFixed(1)} s on ${ready.backend}${ready.adapter ? ` (${ready.adapter})` : ''}`);
  for (;;) {
    const t = await now();
    if (t > limitMs) break;
    if (errors.length) throw new Error(`console errors: ${errors.join(' | ').slice(0, 300)}`);
    const lane = (await status(page))?.lanes?.[0];
    const q = lane?.quality;
    if (q && seen.at(-1)?.step !== q.step) {
      seen.push({ t, step: q.step, fid: q.fid, classes: q.classesCovered });
      log(`${(t / 1000).toFixed(1)} s: step ${q.step}, FID ${q.fid.toFixed(1)}, ${q.classesCovered} classes`);
      for (const th of THRESHOLDS) if (!hits.has(th) && q.fid < th) hits.set(th, seen.at(-1));
      if (hits.size === THRESHOLDS.length) break;
    }
    await page.waitForTimeout(200);
  }
  ready = { ...ready, last: (await status(page))?.lanes?.[0] };
} finally {
  await env.close();
}

const cfg = ready?.last ? `${ready.last.objective}, ${ready.last.arch}` : '?';
const where = ready?.backend === 'webgpu' ? `WebGPU (${ready.adapter})` : 'the CPU backend';
const lines = [
  `First minute on the default page (${cfg}${values.path ? `, ${values.path}` : ''}) on ${where}; Play at ${(playAt / 1000).toFixed(1)} s; load ${loadBefore} → ${load1()}:`,
  '',
  '| in-page FID below | seconds from navigation | step | FID then | classes covered |',
  '| ---: | ---: | ---: | ---: | ---: |',
  ...THRESHOLDS.map((th) => {
    const h = hits.get(th);
    return h ? `| ${th} | ${(h.t / 1000).toFixed(1)} | ${h.step} | ${h.fid.toFixed(1)} | ${h.classes} |` : `| ${th} | not within ${values.seconds} s | | | |`;
  }),
];
const last = seen.at(-1);
if (last) lines.push('', `Last evaluation: ${(last.t / 1000).toFixed(1)} s, step ${last.step}, FID ${last.fid.toFixed(1)}, ${last.classes} classes.`);
console.log(lines.join('\n'));
