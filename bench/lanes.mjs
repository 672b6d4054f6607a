// Lanes benchmark: steps/s per lane with 1, 2 and 4 lanes in one page (one worker, one device), timed
// over a window after a warm-up, in headless Chromium (CPU fallback by default, or SwiftShader's WebGPU).
// Usage: node bench/lanes.mjs [--objective nonsaturating] [--arch mlp] [--seconds 20] [--warmup 20]
//        [--counts 1,2,4] [--backend cpu|webgpu] [--eval-every 200]
// Needs `make dist` first. Prints a markdown table; figures, not pass/fail.
import { parseArgs } from 'node:util';
import { launch, open, waitForStatus, status } from '../tests/browser/harness.mjs';
import { flagsFor } from './tfjs/measure.mjs';

const { values } = parseArgs({
  options: {
    objective: { type: 'string', default: 'nonsaturating' },
    arch: { type: 'string', default: 'mlp' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '20' },
    counts: { type: 'string', default: '1,2,4' },
    backend: { type: 'string', default: 'cpu' },
    'eval-every': { type: 'string', default: '200' },
  },
});
const flags = flagsFor(values.backend);
const env = await launch({ flags });
const rows = [];
for (const count of values.counts.split(',').map(Number)) {
  const lanes = Array(count).fill(values.objective).join(',');
  const { page } = await open(env, `?backend=${values.backend}&lanes=${lanes}&arch=${values.arch}&eval_every=${values['eval-every']}`);
  await waitForStatus(page, (s) => s.ready && s.lanes.length === count, 120_000, `${count} lanes ready`);
  await page.evaluate(() => window.ganPlayground.play());
  const warm = Number(values.warmup);
  await waitForStatus(page, (s) => s.lanes.every((l) => l.step >= warm), 600_000, 'warm-up');
  const a = await status(page);
  const t0 = Date.now();
  await page.waitForTimeout(Number(values.seconds) * 1000);
  const b = await status(page);
  const secs = (Date.now() - t0) / 1000;
  const perLane = b.lanes.map((l, i) => (l.step - a.lanes[i].step) / secs);
  const total = perLane.reduce((x, y) => x + y, 0);
  rows.push({ count, backend: b.backend, perLane, total });
  console.error(`${count} lane(s): ${perLane.map((v) => v.toFixed(2)).join(' / ')} steps/s per lane, ${total.toFixed(2)} in all`);
  await page.close();
}
await env.close();
console.log(`\n${values.objective} · ${values.arch} · ${rows[0]?.backend} · eval_every ${values['eval-every']} · ${values.seconds} s after ${values.warmup} warm-up steps\n`);
console.log('| lanes | steps/s per lane | all lanes |');
console.log('| ---: | --- | ---: |');
for (const r of rows) console.log(`| ${r.count} | ${r.perLane.map((v) => v.toFixed(2)).join(' / ')} | ${r.total.toFixed(2)} |`);
