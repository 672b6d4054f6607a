// Frames/s of the 2-D mode (issue 18), measured outside the page's own counter: while the lanes train at full speed,
// an animation-frame callback of the probe's counts the frames that have a new view of lane 1 (a new
// step in `view(0)`), once a second for `--seconds`; prints each second and the median, with steps/s.
// Usage: node bench/plane-fps.mjs ['?dataset=ring&lanes=nonsaturating'] [--seconds 8]. Needs `make dist`.
import { launch, open, waitForStatus } from '../tests/browser/harness.mjs';
const path = process.argv.find((a) => a.startsWith('?')) ?? '?dataset=ring&lanes=nonsaturating';
const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 8;
const env = await launch();
const { page } = await open(env, path);
await waitForStatus(page, (s) => s.ready && s.lanes.every((l) => l.viewStep === 0), 60_000, 'the first views');
await page.evaluate(() => {
  const c = (window.__probe = { frames: 0, fresh: 0 });
  let last = -1;
  const tick = () => {
    c.frames += 1;
    const step = window.ganPlayground.view(0)?.step;
    if (step !== last) { last = step; c.fresh += 1; }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
});
await page.click('#plane-play');
await page.waitForTimeout(1000); // the first second: warm-up
const rows = [];
for (let i = 0; i < seconds; i++) {
  const a = await page.evaluate(() => ({ ...window.__probe, t: performance.now(), steps: window.ganPlayground.status().lanes.map((l) => l.step) }));
  await page.waitForTimeout(1000);
  const b = await page.evaluate(() => ({ ...window.__probe, t: performance.now(), steps: window.ganPlayground.status().lanes.map((l) => l.step) }));
  const s = (b.t - a.t) / 1000;
  rows.push({ fresh: (b.fresh - a.fresh) / s, frames: (b.frames - a.frames) / s, steps: b.steps.map((x, j) => (x - a.steps[j]) / s) });
}
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
console.log(rows.map((r) => `${r.fresh.toFixed(0)}/${r.frames.toFixed(0)}`).join(' '), '(frames with a new view / animation frames, per second)');
console.log(`median: ${median(rows.map((r) => r.fresh)).toFixed(0)} frames/s with a new view, ${median(rows.map((r) => r.frames)).toFixed(0)} animation frames/s; G steps/s per lane ${rows[0].steps.map((_, j) => median(rows.map((r) => r.steps[j])).toFixed(0)).join(' / ')}`);
await env.close();
