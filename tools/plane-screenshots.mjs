// Screenshots of the 2-D mode (needs `make dist`): four objectives on the ring, and the WGAN lesson
// (two Gaussians, non-saturating D vs WGAN-GP critic), after some training on the CPU backend.
// `node tools/plane-screenshots.mjs [outDir]`; STEPS (default 1500) generator steps on the ring, a fifth of
// them for the lesson (while the fakes still lie between the two Gaussians).
import { mkdirSync } from 'node:fs';
import { launch, waitForStatus } from '../tests/browser/harness.mjs';

const out = process.argv[2] ?? 'docs/screenshots';
const STEPS = Number(process.env.STEPS ?? 1500);
const SHOTS = {
  'plane-ring-four-objectives': ['dataset=ring&lanes=nonsaturating,lsgan,wgan-gp,ebgan', STEPS],
  'plane-wgan-lesson': ['dataset=gaussians&lanes=nonsaturating,wgan-gp', Math.round(STEPS / 5)],
};
mkdirSync(out, { recursive: true });
const env = await launch();
try {
  for (const [name, [query, steps]] of Object.entries(SHOTS)) {
    const page = await env.context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.setViewportSize({ width: 1560, height: 1000 });
    await page.goto(`${env.url}?${query}`);
    await waitForStatus(page, (s) => s.ready, 60_000, 'ready');
    await page.evaluate(() => window.ganPlayground.play());
    const t0 = Date.now();
    const s = await waitForStatus(page, (st) => st.lanes.every((l) => l.step >= steps), 600_000, `${steps} steps`);
    const fps = s.fps;
    await page.evaluate(() => window.ganPlayground.pause());
    await page.waitForTimeout(300); // the last view's frame
    await page.screenshot({ path: `${out}/${name}.png`, fullPage: true });
    const secs = (Date.now() - t0) / 1000;
    console.log(`${out}/${name}.png: ${s.lanes.map((l) => `${l.objective} ${Math.round(l.stepsPerSec)} steps/s`).join(', ')}; ${Math.round(steps / secs)} steps/s per lane overall, ${fps} frames/s`);
    await page.close();
  }
} finally {
  await env.close();
}
