// Browser benchmark: steps/s of the playground in headless Chromium, per backend and architecture.
// Usage: node bench/browser.mjs [--backend cpu|webgpu] [--arch mlp,dcgan] [--batch 64] [--seconds 20]
// Needs `make dist` first. Prints one line per architecture; figures, not pass/fail.
import { parseArgs } from 'node:util';
import { launch, open, waitForStatus, status } from '../tests/browser/harness.mjs';
import { flagsFor } from './tfjs/measure.mjs';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'cpu' },
    arch: { type: 'string', default: 'mlp,dcgan' },
    batch: { type: 'string', default: '64' },
    seconds: { type: 'string', default: '20' },
    objective: { type: 'string', default: 'nonsaturating' },
  },
});
const flags = flagsFor(values.backend);
const env = await launch({ flags });
const chromium = env.context.browser()?.version() ?? 'chromium';
try {
  for (const arch of values.arch.split(',')) {
    const t0 = Date.now();
    const { page } = await open(env, `?backend=${values.backend}&arch=${arch}&batch=${values.batch}&objective=${values.objective}`);
    const ready = await waitForStatus(page, (s) => s.ready && s.lanes.length === 1, 120_000, 'ready');
    const firstGrid = Date.now() - t0;
    await page.evaluate(() => window.ganPlayground.play());
    // Warm-up: shader compilation and allocator growth are not part of the steady rate.
    const warm = await waitForStatus(page, (s) => s.lanes[0].step >= 3, 600_000, 'warm-up');
    const start = { t: Date.now(), step: warm.lanes[0].step };
    await page.waitForTimeout(Number(values.seconds) * 1000);
    const end = await status(page);
    const rate = (end.lanes[0].step - start.step) / ((Date.now() - start.t) / 1000);
    console.log(`${values.backend === 'webgpu' ? `webgpu (${ready.adapter})` : 'cpu (wasm)'}  ${arch}  batch ${values.batch}  ` +
      `${rate.toFixed(2)} steps/s over ${end.lanes[0].step - start.step} steps  (page ready in ${firstGrid} ms, ${chromium})`);
    await page.close();
  }
} finally {
  await env.close();
}
