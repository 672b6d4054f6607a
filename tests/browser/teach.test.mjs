// The teaching layer on the real page (issue 15), CPU backend: the selected lane's explainer (from the
// wasm module) with MathML formulas and no CSP violation, "what to watch" switching the diagnostic
// chart, glossary toggles on the page's terms; the model overview's extra parts for every objective and
// its highlighting of D's path for a D step and G's for a G step; lessons (index, applying a step's
// lanes, ticking an observation with the shortened step counts of test=1, embed=1 in an iframe); the
// share dialog's link reproducing the configuration and hiding what was ticked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import AxeBuilder from '@axe-core/playwright';
import { launch, open, status, waitForStatus } from './harness.mjs';
import { LESSONS } from '../../www/js/lessons.js';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

const EXTRAS = {
  minimax: [], nonsaturating: [], lsgan: ['targets'], wgan: ['clip'], 'wgan-gp': ['xhat', 'penalty'],
  ebgan: ['energy', 'pullaway'], infogan: ['c', 'Q', 'mi'], meg: ['zshuf', 'T', 'mi'],
};

async function openPage(query) {
  const context = env.context;
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const opened = await open(env, query);
  await waitForStatus(opened.page, (s) => s.ready, 90_000, 'ready');
  return opened;
}

const overview = (page) => page.evaluate(() => {
  const svg = document.querySelector('#overview svg');
  return {
    objective: svg?.dataset.objective,
    phase: svg?.dataset.phase,
    parts: [...svg.querySelectorAll('[data-part]')].map((g) => ({ id: g.dataset.part, updating: g.classList.contains('updating'), frozen: g.classList.contains('frozen') })),
  };
});
const part = (o, id) => o.parts.find((p) => p.id === id);

test('explainer of the selected lane, what to watch, glossary, overview parts of every objective', async () => {
  const { page, errors } = await openPage('?backend=cpu&objective=wgan-gp');
  await page.waitForSelector('#explainer .explainer[data-objective="wgan-gp"]');
  const panel = await page.evaluate(() => ({
    math: document.querySelectorAll('#explainer .explainer-math math').length,
    errors: document.querySelectorAll('#explainer .explainer-math-error').length,
    watch: [...document.querySelectorAll('#explainer .explainer-watch-button')].map((b) => b.dataset.diagnostic),
    summary: document.getElementById('objective-summary').textContent,
  }));
  assert.ok(panel.math >= 2, `formulas as MathML: ${panel.math}`);
  assert.equal(panel.errors, 0);
  assert.ok(panel.watch.includes('grad_norm'), panel.watch.join());
  assert.match(panel.summary, /How this objective works/, 'the settings link to the explainer instead of a formula line');
  await page.click('#explainer .explainer-watch-button[data-diagnostic="gradient_penalty"]');
  assert.equal(await page.$eval('#diag-name', (s) => s.value), 'gradient_penalty', 'what to watch selects its chart');

  // Glossary: terms on the page's labels open by click and by keyboard.
  const terms = await page.evaluate(() => [...document.querySelectorAll('[data-term][data-term-attached]')].map((e) => e.dataset.term));
  for (const t of ['fid', 'd_loss', 'g_loss', 'd_x', 'd_g_z', 'fixed_z', 'classes_covered', 'n_critic', 'grad_norm']) assert.ok(terms.includes(t), `glossary toggle for ${t}: ${terms.join()}`);
  const twice = await page.evaluate(() => [...document.querySelectorAll('[data-term-attached]')].filter((e) => {
    const own = e.matches('input, select, button') ? [e.nextElementSibling] : [...e.children];
    return own.filter((c) => c?.classList.contains('glossary')).length !== 1;
  }).map((e) => e.dataset.term));
  assert.deepEqual(twice, [], 'one toggle per term, however often the page re-renders');
  const toggle = page.locator('[data-term="fid"] + .glossary .glossary-toggle, [data-term="fid"] .glossary-toggle').first();
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  await page.keyboard.press('Escape');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  await toggle.focus();
  await page.keyboard.press('Enter');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true', 'opens from the keyboard');
  await page.keyboard.press('Escape');

  // Each objective's extra parts, and focusing a part explains it.
  const ids = Object.keys(EXTRAS);
  for (let i = 0; i < ids.length; i += 4) {
    const batch = ids.slice(i, i + 4);
    await page.evaluate((lanes) => window.ganPlayground.configure({ lanes }), batch);
    for (const [j, id] of batch.entries()) {
      await page.evaluate((k) => window.ganPlayground.select(k), j);
      await page.waitForFunction((want) => document.querySelector('#overview svg')?.dataset.objective === want, id);
      const o = await overview(page);
      const names = o.parts.map((p) => p.id);
      for (const base of ['z', 'G', 'fake', 'real', 'D', 'lossD', 'lossG']) assert.ok(names.includes(base), `${id}: ${base}`);
      assert.deepEqual(names.slice(7), EXTRAS[id], `${id}'s extra parts`);
      assert.equal(await page.$eval('#explainer .explainer', (e) => e.dataset.objective), id, `${id}: the explainer follows the selected lane`);
    }
  }
  await page.focus('#overview [data-part="D"]');
  assert.match(await page.textContent('#overview-caption'), /Only a D step changes its weights/);
  assert.deepEqual(await page.evaluate(() => window.__csp), [], 'no CSP violation');
  assert.deepEqual(errors, []);
  await page.close();
});

test('overview: a D step highlights D and greys G, a G step the reverse; values go live', async () => {
  const { page, errors } = await openPage('?backend=cpu&objective=nonsaturating');
  await page.click('#step-d');
  await page.waitForFunction(() => document.querySelector('#overview svg').dataset.phase === 'd');
  let o = await overview(page);
  assert.ok(part(o, 'D').updating && !part(o, 'D').frozen, 'D updated');
  assert.ok(part(o, 'G').frozen && !part(o, 'G').updating, 'G frozen');
  assert.ok(part(o, 'lossD').updating && part(o, 'lossG').frozen);
  assert.ok(await page.evaluate(() => [...document.querySelectorAll('#overview .overview-edge.active')].every((e) => e.dataset.path.includes('d'))));
  await page.click('#step-g');
  await page.waitForFunction(() => document.querySelector('#overview svg').dataset.phase === 'g');
  o = await overview(page);
  assert.ok(part(o, 'G').updating && part(o, 'D').frozen, 'G updated, D frozen');
  assert.ok(await page.evaluate(() => document.querySelector('.overview-edge[data-from="z"]').classList.contains('active')), 'z → G on the G path');
  await page.waitForFunction(() => /\d/.test(document.querySelector('[data-value="lossG"]').textContent));
  assert.ok(await page.$eval('[data-thumb="fake"]', (i) => i.getAttribute('href')?.startsWith('data:image/png')), 'a live fake thumbnail');
  assert.ok(await page.$eval('[data-thumb="real"]', (i) => i.getAttribute('href')?.startsWith('data:image/png')), 'a real digit from the worker');
  assert.deepEqual(errors, []);
  await page.close();
});

test('lessons: the index, a lesson applying its lanes and ticking its observation, embed=1 in an iframe', async () => {
  const { page, errors } = await openPage('?lesson=&test=1');
  const links = await page.$$eval('#lesson .lesson-index a', (as) => as.map((a) => a.dataset.lesson));
  assert.deepEqual(links, LESSONS.map((l) => l.id), 'every lesson, in order');
  await page.click('#lesson a[data-lesson="saturation"]');
  await page.waitForSelector('#lesson[data-lesson="saturation"]');
  await waitForStatus(page, (s) => s.ready && s.lanes.map((l) => l.objective).join() === 'nonsaturating,minimax', 90_000, 'the lesson\'s lanes');
  assert.equal((await status(page)).backend, 'cpu', 'the lesson link asks for the CPU backend');
  assert.match(await page.textContent('#lesson'), /Step 1 of 3/);
  assert.equal(await page.$eval('#diag-name', (s) => s.value), 'g_grad_norm');
  await page.evaluate(() => window.ganPlayground.step(6));
  await page.waitForSelector('#lesson .lesson-step[data-state="current"] .lesson-check[data-done="true"]', { timeout: 60_000 });
  assert.match(await page.textContent('#lesson .lesson-status'), /Seen: both lanes have made 100 steps/);
  await page.click('#lesson-next');
  await page.waitForSelector('#lesson[data-step="1"][data-applying="false"]');
  assert.match(await page.textContent('#lesson'), /Step 2 of 3/);
  const results = await new AxeBuilder({ page }).include('#lesson').analyze();
  assert.deepEqual(results.violations.map((v) => v.id), [], 'the lesson panel is accessible');
  assert.deepEqual(errors, []);

  // embed=1 in an iframe: the lesson opens, applies its lanes and is shown.
  await page.setContent(`<iframe id="f" src="${env.url}?lesson=lsgan&backend=cpu&embed=1&test=1" width="900" height="700"></iframe>`);
  const frame = await (await page.waitForSelector('#f')).contentFrame();
  await frame.waitForSelector('#lesson[data-lesson="lsgan"]', { timeout: 60_000 });
  await frame.waitForFunction(() => window.ganPlayground.status().lanes.filter((l) => l.objective === 'lsgan').length === 2, null, { timeout: 90_000 });
  assert.ok(await frame.evaluate(() => document.body.classList.contains('embed') && document.getElementById('lesson').getBoundingClientRect().height > 0));
  await page.close();
});

test('every lesson loads and applies each of its steps\' lanes and parameters', async () => {
  const objectives = (lanes) => lanes.map((e) => (typeof e === 'string' ? e : e.objective)).join();
  for (const lesson of LESSONS) {
    const { page, errors } = await openPage(`?lesson=${lesson.id}&backend=cpu&test=1`);
    // A lesson's lanes start from the module's lane defaults and their objective's learning rate, not from
    // the page's first lane (a DCGAN at 0.001).
    const { laneDefaults, rates } = await page.evaluate(() => {
      const st = window.ganPlaygroundTest.state();
      return { laneDefaults: st.limits.laneDefaults, rates: Object.fromEntries(st.objectives.map((o) => [o.id, o.lr_default])) };
    });
    let want = null;
    for (const [i, step] of lesson.steps.entries()) {
      if (i > 0) await page.click('#lesson-next');
      await page.waitForSelector(`#lesson[data-step="${i}"][data-applying="false"]`, { timeout: 90_000 });
      if (step.configure?.lanes) want = step.configure.lanes;
      const s = await waitForStatus(page, (st) => st.ready && st.lanes.map((l) => l.objective).join() === objectives(want), 90_000, `${lesson.id} step ${i + 1}'s lanes`);
      for (const [j, entry] of want.entries()) {
        const config = await page.evaluate((k) => window.ganPlayground.status().lanes[k] && window.ganPlaygroundTest.state().lanes[k].config, j);
        for (const [key, value] of Object.entries(entry.params ?? {})) assert.equal(Number(config.params[key]), value, `${lesson.id} step ${i + 1} lane ${j + 1} ${key}`);
        assert.equal(config.arch, entry.arch ?? laneDefaults.arch, `${lesson.id} step ${i + 1} lane ${j + 1} arch`);
        if (!entry.checkpoint) assert.deepEqual([config.lr_g, config.lr_d, config.batch], [rates[config.objective], rates[config.objective], laneDefaults.batch], `${lesson.id} step ${i + 1} lane ${j + 1} rates and batch`);
        // A lane of a prepared checkpoint starts at its step (2000; the lesson panel is applied once it is there).
        if (entry.checkpoint) {
          const lane = (await status(page)).lanes[j];
          assert.ok(lane.prepared === entry.checkpoint && lane.step >= 2000, `${lesson.id} step ${i + 1} lane ${j + 1}: ${JSON.stringify([lane.prepared, lane.step])}`);
        }
      }
      if (step.watch) assert.equal(await page.$eval('#diag-name', (x) => x.value), step.watch, `${lesson.id} step ${i + 1} shows ${step.watch}`);
      assert.equal(s.lanes.length, want.length);
    }
    assert.deepEqual(errors, [], lesson.id);
    await page.close();
  }
});

test('checkpoint= starts a lane from a prepared file of the site at step 2000; a missing file is a notice and a fresh lane', async () => {
  // The file is held back until the page has been looked at: meanwhile the lane is not built, so neither
  // the controls nor status().ready let a step train the fresh lane the file is about to replace.
  const file = '**/checkpoints/infogan-mlp.ganlane';
  let release;
  let requested;
  let sent;
  const held = new Promise((r) => { release = r; });
  const asked = new Promise((r) => { requested = r; });
  const passed = new Promise((r) => { sent = r; });
  await env.context.route(file, async (route) => { requested(); await held; await route.continue(); sent(); });
  const { page, errors } = await open(env, '?backend=cpu&checkpoint=checkpoints/infogan-mlp.ganlane&test=1');
  await asked;
  const during = await status(page);
  assert.deepEqual([during.ready, await page.isDisabled('#play'), await page.isDisabled('#step')], [false, true, true], 'nothing can step while the file loads');
  release();
  await passed;
  await env.context.unroute(file);
  const s = await waitForStatus(page, (st) => st.ready && st.lanes[0]?.prepared, 90_000, 'the prepared lane');
  assert.deepEqual([s.lanes[0].objective, s.lanes[0].arch, s.lanes[0].step], ['infogan', 'mlp', 2000]);
  assert.match(await page.textContent('#notices'), /compact checkpoint: its weights were rounded to half precision/);
  assert.match(new URL(page.url()).search, /checkpoint=checkpoints%2Finfogan-mlp.ganlane/, 'the address names the file');
  await page.evaluate(() => window.ganPlayground.step(2));
  await waitForStatus(page, (st) => st.lanes[0].step === 2002 && st.lanes[0].prepared, 60_000, 'two steps on from the checkpoint');
  assert.deepEqual(errors, []);
  await page.close();

  const missing = await openPage('?backend=cpu&checkpoint=checkpoints/nope.ganlane&test=1');
  await missing.page.waitForFunction(() => /could not be loaded/.test(document.getElementById('notices').textContent), null, { timeout: 60_000 });
  assert.match(await missing.page.textContent('#notices'), /Lane 1: the prepared checkpoint checkpoints\/nope.ganlane could not be loaded \(this site has no such file\); it trains from step 0 instead/);
  const m = await status(missing.page);
  assert.deepEqual([m.ready, m.lanes[0].step, m.lanes[0].prepared], [true, 0, null]);
  assert.deepEqual(missing.errors.filter((e) => !/404/.test(e)), [], 'only the browser\'s own line about the 404');
  await missing.page.close();
});

test('share: the link reproduces the configuration and hides what was ticked', async () => {
  const { page, errors } = await openPage('?backend=cpu&lanes=lsgan,wgan&lane2.p.clip=0.02&seed=7');
  await waitForStatus(page, (s) => s.ready && s.lanes.length === 2, 90_000, 'two lanes');
  await page.click('#share');
  await page.check('#share-dialog input[value="charts"]');
  await page.check('#share-dialog input[value="speed"]');
  await page.check('#share-embed');
  const link = await page.inputValue('#share-link');
  assert.match(await page.inputValue('#share-iframe'), /^<iframe src="[^"]+&amp;[^"]+"/);
  await page.click('#share-dialog button:has-text("Close")');
  const before = await status(page);
  const other = await env.context.newPage();
  await other.goto(link);
  const after = await waitForStatus(other, (s) => s.ready && s.lanes.length === 2, 90_000, 'the shared link');
  assert.deepEqual(after.hidden, ['speed', 'charts']);
  assert.equal(after.embed, true);
  const configs = (p) => p.evaluate(() => window.ganPlayground.status().lanes.map((l) => l.objective));
  assert.deepEqual(await configs(other), before.lanes.map((l) => l.objective));
  assert.equal(await other.evaluate(() => document.getElementById('charts').offsetParent), null, 'the charts are hidden');
  const query = new URL(link).searchParams;
  assert.equal(query.get('seed'), '7');
  assert.equal(query.get('lane2.p.clip'), '0.02');
  assert.deepEqual(errors, []);
  await other.close();
  await page.close();
});
