// Screenshots of the page at a phone, a laptop and a desktop size, light and dark, after some training
// on the CPU fallback: `node tools/screenshots.mjs [outDir] [query]` (needs `make dist`). Writes
// <outDir>/<size>-<scheme>.png; the README's and docs/' pictures come from here.
import { mkdirSync } from 'node:fs';
import { launch, waitForStatus } from '../tests/browser/harness.mjs';

const out = process.argv[2] ?? 'docs/screenshots';
const query = process.argv[3] ?? 'backend=cpu&lanes=minimax,nonsaturating,lsgan,wgan-gp&eval_every=50';
const steps = Number(process.env.STEPS ?? 60);
const SIZES = { phone: [390, 844], laptop: [1280, 720], desktop: [1920, 1080] };
mkdirSync(out, { recursive: true });
const env = await launch();
try {
  const page = await env.context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${env.url}?${query}`);
  await waitForStatus(page, (s) => s.ready, 120_000, 'ready');
  await page.evaluate((n) => window.ganPlayground.step(n), steps);
  await waitForStatus(page, (s) => s.lanes.every((l) => l.step >= steps && l.quality), 600_000, `${steps} steps and a measurement`);
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [name, [width, height]] of Object.entries(SIZES)) {
      await page.setViewportSize({ width, height });
      await page.waitForTimeout(400); // charts follow their container's size on the next frame
      await page.screenshot({ path: `${out}/${name}-${scheme}.png` });
      console.log(`${out}/${name}-${scheme}.png`);
    }
  }
} finally {
  await env.close();
}
