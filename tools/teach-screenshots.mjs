// Screenshots of the teaching layer (needs `make dist`): `node tools/teach-screenshots.mjs [outDir]`.
// Opens the first lesson on the CPU fallback, trains a little, then writes <outDir>/lesson-<size>.png
// (the page at a phone, a laptop and a desktop size), <outDir>/overview.png (the model overview and the
// explainer after a D step) and <outDir>/lesson-panel.png. The README's teaching pictures come from here.
import { mkdirSync } from 'node:fs';
import { launch, waitForStatus } from '../tests/browser/harness.mjs';
import { lessonById } from '../www/js/lessons.js';

const out = process.argv[2] ?? 'docs/screenshots';
const lesson = process.argv[3] ?? 'saturation';
const steps = Number(process.env.STEPS ?? 60);
const SIZES = { phone: [390, 844], laptop: [1280, 720], desktop: [1920, 1080] };
mkdirSync(out, { recursive: true });
const env = await launch();
try {
  const page = await env.context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${env.url}?lesson=${lesson}&backend=cpu&eval_every=50`);
  await page.waitForSelector('#lesson[data-applying="false"]', { timeout: 120_000 });
  // A lane of a prepared checkpoint is ready once it runs from the file.
  const prepared = (lessonById(lesson)?.steps[0].configure?.lanes ?? []).map((e) => e?.checkpoint ?? null);
  await waitForStatus(page, (s) => s.ready && prepared.every((p, i) => !p || s.lanes[i]?.prepared === p), 120_000, 'the lesson\'s lanes');
  // Lanes of a prepared checkpoint start at its step: `steps` more from wherever each lane is.
  const start = (await page.evaluate(() => window.ganPlayground.status())).lanes.map((l) => l.step);
  await page.evaluate((n) => window.ganPlayground.step(n), steps);
  await waitForStatus(page, (s) => s.lanes.every((l, i) => l.step >= start[i] + steps && l.quality && !s.stepping), 600_000, `${steps} steps and a measurement`);
  for (const [name, [width, height]] of Object.entries(SIZES)) {
    await page.setViewportSize({ width, height });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await page.screenshot({ path: `${out}/lesson-${name}.png` });
    console.log(`${out}/lesson-${name}.png`);
  }
  // Tall enough that the sticky transport bar does not cross the element shots.
  await page.setViewportSize({ width: 1280, height: 2400 });
  await page.locator('#lesson').screenshot({ path: `${out}/lesson-panel.png` });
  await page.click('#step-d');
  await page.waitForFunction(() => document.querySelector('#overview svg')?.dataset.phase === 'd');
  await page.locator('#teach').screenshot({ path: `${out}/overview.png` });
  console.log(`${out}/lesson-panel.png\n${out}/overview.png`);
} finally {
  await env.close();
}
