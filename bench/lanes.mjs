// Lanes benchmark: steps/s per lane and in all with 1, 2 and 4 lanes in one page, timed over a window
// after a warm-up, in headless Chromium (CPU fallback by default, or SwiftShader's WebGPU). Each count
// runs in the modes named by --modes: `pool` (a worker per lane, `workers=<lanes>`, each lane at its own
// pace: the default page on a machine with more cores than lanes), `shared` (one worker, each lane its
// share of time) and `single` (one worker, lanes in step: the page before issue 16).
// Usage: node bench/lanes.mjs [--objective nonsaturating] [--arch mlp] [--seconds 20] [--warmup 20]
//        [--counts 1,2,4] [--modes pool,single] [--backend cpu|webgpu] [--eval-every 200]
//        [--lanes nonsaturating,wgan-gp,…] (mixed objectives instead of --objective; cut to each count)
// Needs `make dist` first. Prints a markdown table; figures, not pass/fail.
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { launch, open, waitForStatus, status } from '../tests/browser/harness.mjs';
import { flagsFor } from './tfjs/measure.mjs';

const { values } = parseArgs({
  options: {
    objective: { type: 'string', default: 'nonsaturating' },
    lanes: { type: 'string', default: '' },
    arch: { type: 'string', default: 'mlp' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '20' },
    counts: { type: 'string', default: '1,2,4' },
    modes: { type: 'string', default: 'pool,single' },
    backend: { type: 'string', default: 'cpu' },
    'eval-every': { type: 'string', default: '200' },
  },
});
const MODES = {
  pool: (count) => `workers=${count}`, // a worker per lane, each at its own pace
  shared: () => 'workers=1', // one worker, each lane its share of time (the default on a 2-core machine)
  single: () => 'workers=1&lockstep=1', // one worker, lanes in step (the page before issue 16)
};
const flags = flagsFor(values.backend);
const env = await launch({ flags });
const rows = [];
let cores = null;
for (const count of values.counts.split(',').map(Number)) {
  const objectives = values.lanes ? values.lanes.split(',') : [];
  const lanes = Array.from({ length: count }, (_, i) => objectives[i % (objectives.length || 1)] ?? values.objective).join(',');
  for (const mode of values.modes.split(',')) {
    if (!MODES[mode]) throw new Error(`unknown mode ${mode} (pool, shared, single)`);
    if (mode !== 'pool' && count === 1 && values.modes.includes('pool')) continue; // the same page
    const { page } = await open(env, `?backend=${values.backend}&lanes=${lanes}&arch=${values.arch}&eval_every=${values['eval-every']}&${MODES[mode](count)}`);
    cores ??= await page.evaluate(() => navigator.hardwareConcurrency);
    await waitForStatus(page, (s) => s.ready && s.lanes.length === count, 180_000, `${count} lanes ready`);
    await page.evaluate(() => window.ganPlayground.play());
    const warm = Number(values.warmup);
    await waitForStatus(page, (s) => s.lanes.every((l) => l.step >= warm), 900_000, 'warm-up');
    const a = await status(page);
    const t0 = Date.now();
    await page.waitForTimeout(Number(values.seconds) * 1000);
    const b = await status(page);
    const secs = (Date.now() - t0) / 1000;
    const perLane = b.lanes.map((l, i) => (l.step - a.lanes[i].step) / secs);
    const total = perLane.reduce((x, y) => x + y, 0);
    rows.push({ count, mode, workers: b.workers, lanes, backend: b.backend, perLane, total, memory: b.wasmMemoryBytes / 1e6 });
    console.error(`${count} lane(s), ${mode} (${b.workers} workers): ${perLane.map((v) => v.toFixed(2)).join(' / ')} steps/s per lane, ${total.toFixed(2)} in all`);
    await page.close();
  }
}
await env.close();
const what = values.lanes || values.objective;
console.log(`\n${what} · ${values.arch} · ${rows[0]?.backend} · eval_every ${values['eval-every']} · ${values.seconds} s after ${values.warmup} warm-up steps · navigator.hardwareConcurrency ${cores} (${cpus().length} CPUs)\n`);
console.log('| lanes | mode | workers | steps/s per lane | all lanes | wasm memory (all workers) |');
console.log('| ---: | --- | ---: | --- | ---: | ---: |');
for (const r of rows) console.log(`| ${r.count} | ${r.mode} | ${r.workers} | ${r.perLane.map((v) => v.toFixed(2)).join(' / ')} | ${r.total.toFixed(2)} | ${r.memory.toFixed(0)} MB |`);
