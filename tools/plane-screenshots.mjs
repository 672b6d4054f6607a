// Screenshots of the 2-D mode (needs `make dist`): four objectives on the ring, and the WGAN lesson
// (two Gaussians, non-saturating D vs WGAN-GP critic), after some training on the CPU backend.
// `node tools/plane-screenshots.mjs [outDir]`; STEPS (default 1500) generator steps on the ring, a fifth of
// them for the lesson (while the fakes still lie between the two Gaussians). Then two lanes on the moons at
// the image mode's sizes (390×844, 1280×720, 1920×1080), light and dark: plane-<size>-<scheme>.png.
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
  for (const [name, [query, steps]] of Object.entries(process.env.SIZES_ONLY ? {} : SHOTS)) {
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
  // The image mode's sizes and schemes (tools/screenshots.mjs), from one run.
  const page = await env.context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${env.url}?dataset=moons&lanes=nonsaturating,wgan-gp`);
  await waitForStatus(page, (s) => s.ready, 60_000, 'ready');
  const steps = Math.round(STEPS / 3);
  for (let i = 0; i < steps / 50; i++) await page.evaluate(() => window.ganPlayground.step(50)); // time-lapse frames on the way
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [name, [width, height]] of Object.entries({ phone: [390, 844], laptop: [1280, 720], desktop: [1920, 1080] })) {
      await page.setViewportSize({ width, height });
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      await page.screenshot({ path: `${out}/plane-${name}-${scheme}.png` });
      console.log(`${out}/plane-${name}-${scheme}.png`);
    }
  }
  await page.close();
} finally {
  await env.close();
}
