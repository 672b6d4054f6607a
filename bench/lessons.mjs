#!/usr/bin/env node
// Checks every lesson's observations against full-length runs (issue 15): opens `?lesson=<id>` on the
// CPU fallback without the test hook that shortens step counts, presses play, and for each step waits
// until its observation ticks (or `--cap` seconds pass), then moves on. Prints a markdown table: the
// step's check, whether it ticked, at which generator step of each lane and after how many seconds.
//
//   node bench/lessons.mjs [--lesson saturation,wgan] [--cap 240]      (after `make dist`)
import { launch, open, status } from '../tests/browser/harness.mjs';
import { LESSONS } from '../www/js/lessons.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const only = arg('lesson', null)?.split(',');
const capMs = Number(arg('cap', '240')) * 1000;

const env = await launch();
const rows = [];
try {
  for (const lesson of LESSONS.filter((l) => !only || only.includes(l.id))) {
    const { page } = await open(env, `?lesson=${lesson.id}&backend=cpu`);
    for (const [i, step] of lesson.steps.entries()) {
      if (i > 0) await page.click('#lesson-next');
      await page.waitForSelector(`#lesson[data-step="${i}"][data-applying="false"]`, { timeout: 120_000 });
      await page.waitForFunction(() => window.ganPlayground?.status()?.ready, null, { timeout: 120_000 });
      await page.evaluate(() => window.ganPlayground.play());
      const t0 = Date.now();
      const current = `#lesson[data-step="${i}"] .lesson-step[data-state="current"] .lesson-check[data-done="true"]`;
      const ticked = await page.waitForSelector(current, { timeout: capMs }).then(() => true, () => false);
      const s = await status(page);
      const steps = s.lanes.map((l) => l.step).join(' / ');
      rows.push({ lesson: lesson.id, n: i + 1, check: step.check.text, ticked, steps, secs: (Date.now() - t0) / 1000 });
      process.stderr.write(`${lesson.id} ${i + 1}: ${ticked ? 'ticked' : 'NOT ticked'} at steps ${steps} after ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
    }
    await page.close();
  }
} finally {
  await env.close();
}
console.log(`Lessons at full length on the CPU fallback (headless Chromium, --disable-gpu), each step capped at ${capMs / 1000} s.\n`);
console.log('| lesson | step | observation | ticked | G steps per lane then | seconds |');
console.log('| --- | ---: | --- | --- | --- | ---: |');
for (const r of rows) console.log(`| ${r.lesson} | ${r.n} | ${r.check} | ${r.ticked ? 'yes' : '**no**'} | ${r.steps} | ${r.secs.toFixed(0)} |`);
