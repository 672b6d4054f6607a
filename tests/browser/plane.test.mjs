// The 2-D mode in headless Chromium: the ring trains; the heatmap, arrows and manifold draw and change
// between steps (a D step leaves the fakes, a G step the heatmap); the charts draw; drawing with the mouse
// makes the data set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, waitForStatus } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

const view = (page) => page.evaluate(() => {
  const v = window.ganPlayground.view(0);
  return v && { step: v.step, fake: Array.from(v.fake), heat: Array.from(v.heat), arrows: Array.from(v.arrows), manifold: Array.from(v.manifold) };
});
const pixels = (page) => page.evaluate(() => document.querySelector('.plane-canvas').toDataURL());
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

test('the ring trains; a D step moves only the heatmap, a G step only the fakes, and the layers draw', async () => {
  const { page, errors } = await open(env, '?dataset=ring&lanes=nonsaturating');
  await waitForStatus(page, (s) => s.ready && s.lanes[0].viewStep === 0, 60_000, 'the first view');
  const v0 = await view(page);
  const p0 = await pixels(page);
  await page.evaluate(() => window.ganPlayground.step(1, 'd')); // its view arrives before its reply
  const v1 = await view(page);
  assert.ok(same(v1.fake, v0.fake), 'a D step leaves the fake points where they were');
  assert.ok(!same(v1.heat, v0.heat), 'a D step changes the heatmap');
  assert.ok(!same(v1.arrows, v0.arrows), "a D step changes G's gradient arrows");
  await page.click('#plane-step-g');
  await waitForStatus(page, (s) => s.lanes[0].viewStep === 1, 10_000, 'the view after a G step (the button)');
  const v2 = await view(page);
  assert.ok(same(v2.heat, v1.heat), 'a G step leaves the heatmap');
  assert.ok(!same(v2.fake, v1.fake), 'a G step moves the fakes');
  assert.ok(!same(v2.manifold, v1.manifold), 'a G step warps the manifold');
  await page.waitForFunction((p) => document.querySelector('.plane-canvas').toDataURL() !== p, p0);
  // Each layer draws something of its own.
  for (const layer of ['heatmap', 'arrows', 'manifold', 'fake', 'real']) {
    const before = await pixels(page);
    await page.uncheck(`#plane-layer-${layer}`);
    await page.waitForFunction((p) => document.querySelector('.plane-canvas').toDataURL() !== p, before, { timeout: 5000 });
    await page.check(`#plane-layer-${layer}`);
  }
  assert.match(await page.locator('.plane-scale-label').first().innerText(), /P\(real\)/);
  // Full speed: steps/s and frames/s with the views drawn.
  await page.click('#plane-play');
  const t0 = Date.now();
  const s = await waitForStatus(page, (st) => st.lanes[0].step >= 1000, 60_000, '1000 steps');
  const secs = (Date.now() - t0) / 1000;
  const fps = (await page.evaluate(() => window.ganPlayground.status())).fps;
  await page.click('#plane-play');
  assert.ok(s.lanes.every((l) => !l.diverged && Number.isFinite(l.kl) && Number.isFinite(l.swd)));
  // The four charts (uPlot) each draw the lane's curve, and none says it has no points.
  await page.waitForFunction(() => document.querySelectorAll('#plane-charts .uplot canvas').length === 4
    && [...document.querySelectorAll('#plane-charts .chart-empty')].every((n) => n.hidden), null, { timeout: 5000 });
  assert.match(await page.locator('#plane-chart-loss .u-legend').innerText(), /1 nonsaturating/);
  console.log(`plane: ${Math.round(s.lanes[0].step / secs)} G steps/s overall (lane reports ${Math.round(s.lanes[0].stepsPerSec)}), ${fps} frames/s`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('drawing on the plane with the mouse creates a data set of those points', async () => {
  const { page, errors } = await open(env, '?dataset=drawn&lanes=lsgan');
  await waitForStatus(page, (s) => s.ready, 60_000, 'ready');
  assert.match((await waitForStatus(page, (s) => s.lanes[0].error, 10_000, 'the empty data set refused')).lanes[0].error, /at least one point/);
  const box = await page.locator('.plane-canvas').boundingBox();
  // Plane (x, y) ↔ canvas: [-1.25, 1.25]², y up.
  const at = (x, y) => [box.x + ((x + 1.25) / 2.5) * box.width, box.y + ((1.25 - y) / 2.5) * box.height];
  await page.mouse.click(...at(0.5, 0.5));
  await page.mouse.move(...at(-0.5, -0.5));
  await page.mouse.down();
  await page.mouse.move(...at(-0.5, 0.0), { steps: 10 });
  await page.mouse.up();
  const s = await waitForStatus(page, (st) => st.lanes[0].config?.points?.length >= 5, 10_000, 'a lane built on the drawn points');
  const pts = s.lanes[0].config.points;
  assert.equal(pts.length, s.points);
  assert.ok(Math.hypot(pts[0][0] - 0.5, pts[0][1] - 0.5) < 0.02, `the click is the first point: ${pts[0]}`);
  assert.ok(pts.slice(1).every(([x, y]) => Math.abs(x + 0.5) < 0.02 && y > -0.52 && y < 0.02), 'the stroke lies on the dragged segment');
  // Real points are drawn from those points only.
  await waitForStatus(page, (st) => st.lanes[0].viewStep === 0 && st.lanes[0].error === null, 10_000, 'a view');
  const real = await page.evaluate(() => Array.from(window.ganPlayground.view(0).real));
  for (let i = 0; i < real.length; i += 2) {
    const d = Math.min(...pts.map(([x, y]) => Math.hypot(real[i] - x, real[i + 1] - y)));
    assert.ok(d < 0.12, `real point ${real[i]}, ${real[i + 1]} is near a drawn one`);
  }
  assert.match(page.url(), /points=0\.(49|50|51)%2C0\.(49|50|51)%3B/);
  // Undo removes the stroke; clear removes everything.
  await page.click('#plane-undo');
  await waitForStatus(page, (st) => st.points === 1, 5000, 'the stroke undone');
  await page.click('#plane-clear');
  await waitForStatus(page, (st) => st.points === 0, 5000, 'cleared');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the 2-D mode trains under a strict Content-Security-Policy header with no violation', async () => {
  const csp = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; worker-src 'self'; report-uri /csp-report";
  const reports = [];
  const strict = await launch({ headers: { 'Content-Security-Policy': csp }, onPost: (path, body) => reports.push(`${path} ${body}`) });
  try {
    const page = await strict.context.newPage();
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) errors.push(m.text()); });
    await page.addInitScript(() => {
      window.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await page.goto(`${strict.url}?dataset=moons&lanes=wgan-gp,infogan&autostart=1`);
    await waitForStatus(page, (s) => s.ready && s.running && s.lanes.every((l) => l.step >= 5 && l.viewStep > 0), 60_000, 'training under CSP');
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
    assert.deepEqual(reports, []);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await strict.close();
  }
});

test("the image mode's data set selector opens the 2-D mode with the lanes' objectives", async () => {
  const { page, errors } = await open(env, '?backend=cpu&lanes=lsgan,wgan-gp&batch=16');
  await waitForStatus(page, (s) => s.ready && s.lanes.length === 2, 60_000, 'the image mode ready');
  await page.selectOption('#dataset', 'spiral');
  await page.waitForURL(/dataset=spiral/);
  const s = await waitForStatus(page, (st) => st.mode === '2d' && st.ready && st.lanes.every((l) => l.config), 60_000, 'the 2-D mode');
  assert.deepEqual(s.lanes.map((l) => l.objective), ['lsgan', 'wgan-gp']);
  assert.equal(s.dataset, 'spiral');
  assert.deepEqual(errors, []);
  await page.close();
});
