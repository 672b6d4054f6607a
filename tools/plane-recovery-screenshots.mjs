// Screenshots of the 2-D mode's recovery (needs `make dist`): a diverged lane with its roll-back notice
// beside a healthy one, and the resume offer after a reload, each at 390×844 and 1280×720 (light):
// docs/screenshots/plane-diverged-{phone,laptop}.png and plane-resume-{phone,laptop}.png.
// `node tools/plane-recovery-screenshots.mjs [outDir]`; divergence is forced through the test hooks (?test=1).
import { mkdirSync } from 'node:fs';
import { launch, waitForStatus } from '../tests/browser/harness.mjs';

const out = process.argv[2] ?? 'docs/screenshots';
const SIZES = { phone: [390, 844], laptop: [1280, 720] };
const api = (page, name, ...args) => page.evaluate(([n, a]) => window.ganPlayground[n](...a), [name, args]);
const frame = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

mkdirSync(out, { recursive: true });
const env = await launch();
try {
  const page = await env.context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(`${env.url}?dataset=ring&lanes=nonsaturating,lsgan&seed=2&test=1&autosave=3600`);
  await waitForStatus(page, (s) => s.ready && s.autosave.status === 'on', 60_000, 'ready');
  for (let i = 0; i < 8; i++) await api(page, 'step', 50);
  await page.evaluate(() => window.ganPlaygroundTest.autosaveNow());
  await api(page, 'setLearningRatesUnchecked', 1e30, 1e30, 0);
  await api(page, 'step', 5);
  await waitForStatus(page, (s) => s.lanes[0].diverged !== null, 10_000, 'divergence');
  for (const [name, [width, height]] of Object.entries(SIZES)) {
    await page.setViewportSize({ width, height });
    await frame(page);
    // The first card 200 px below the top (under the sticky transport bar), its notice in view.
    await page.evaluate(() => window.scrollTo(0, Math.max(0, window.scrollY + document.querySelector('.plane-lane').getBoundingClientRect().top - 200)));
    await page.screenshot({ path: `${out}/plane-diverged-${name}.png` });
    console.log(`${out}/plane-diverged-${name}.png`);
  }
  await page.reload();
  await waitForStatus(page, (s) => s.ready && s.autosave.status === 'on', 60_000, 'ready again');
  await page.waitForSelector('.resume-offer');
  for (const [name, [width, height]] of Object.entries(SIZES)) {
    await page.setViewportSize({ width, height });
    await page.evaluate(() => window.scrollTo(0, 0));
    await frame(page);
    await page.screenshot({ path: `${out}/plane-resume-${name}.png` });
    console.log(`${out}/plane-resume-${name}.png`);
  }
  await page.close();
} finally {
  await env.close();
}
