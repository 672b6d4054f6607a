// The objective explainers and the glossary (www/js/explainer.js) in headless Chromium, on the
// development page www/examples/explainer-demo.html under the playground's own Content-Security-Policy
// (read from www/index.html and sent as a header): every objective's panel has all its sections and
// its formulas render as MathML with no CSP violation; "what to watch" calls back with the diagnostic's
// name; every glossary term opens by click, keyboard, hover and touch. The explainers come from
// tests/browser/fixtures/explainers.json, which tests/explain.rs keeps equal to explainers_json().
// Serves the repository root (the page, www/vendor/katex from `make`, the fixture); no wasm build needed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM } from './harness.mjs';
import { startServer } from '../../tools/static-server.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const FIXTURE = JSON.parse(readFileSync(`${ROOT}tests/browser/fixtures/explainers.json`, 'utf8'));
const CSP = readFileSync(`${ROOT}www/index.html`, 'utf8').match(/http-equiv="Content-Security-Policy" content="([^"]+)"/)[1];
const PAGE = 'www/examples/explainer-demo.html?src=/tests/browser/fixtures/explainers.json';
const SECTIONS = ['formulas', 'symbols', 'intuition', 'watch', 'failure', 'reference'];

let server;
let base;
let browser;

before(async () => {
  assert.ok(existsSync(`${ROOT}www/vendor/katex/katex.mjs`), 'www/vendor/katex/katex.mjs missing: run `make www/vendor/katex/katex.mjs`');
  ({ server, url: base } = await startServer(ROOT, 0, '127.0.0.1', { headers: { 'Content-Security-Policy': CSP }, precompressed: false }));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** Opens the demo page in a new context; records CSP violations (as the page sees them) and errors. */
async function openDemo(query = '', contextOptions = {}) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, ...contextOptions });
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__csp.push(`${e.violatedDirective}: ${e.blockedURI || 'inline'} ${e.sample ?? ''}`);
    });
  });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base + PAGE + query);
  await page.waitForFunction(() => document.documentElement.dataset.ready, null, { timeout: 20000 });
  assert.equal(await page.evaluate(() => document.documentElement.dataset.ready), '1', `demo failed: ${errors.join('; ')}`);
  return { context, page, errors, violations: () => page.evaluate(() => window.__csp) };
}

test('every objective has a panel with all sections and MathML formulas, under the CSP', async () => {
  const { context, page, errors, violations } = await openDemo('&all=1');
  const panels = await page.evaluate((sections) => [...document.querySelectorAll('.explainer')].map((panel) => ({
    id: panel.dataset.objective,
    title: panel.querySelector('.explainer-title')?.textContent,
    sections: sections.map((key) => {
      const s = panel.querySelector(`[data-section="${key}"]`);
      return { key, present: Boolean(s), text: (s?.textContent ?? '').length };
    }),
    formulas: [...panel.querySelectorAll('.explainer-math')].map((m) => {
      const math = m.querySelector('math');
      const box = math?.getBoundingClientRect();
      return {
        mathml: math?.namespaceURI === 'http://www.w3.org/1998/Math/MathML',
        block: math?.getAttribute('display') === 'block',
        display: math ? getComputedStyle(math).display : '',
        size: box ? [box.width, box.height] : [0, 0],
        tex: math?.querySelector('annotation[encoding="application/x-tex"]')?.textContent ?? null,
      };
    }),
    symbols: [...panel.querySelectorAll('.explainer-symbol')].map((d) => Boolean(d.querySelector('math'))),
    errors: panel.querySelectorAll('.explainer-math-error, .katex-error').length,
    watch: [...panel.querySelectorAll('.explainer-watch-button')].map((b) => b.dataset.diagnostic),
    links: [...panel.querySelectorAll('.explainer-arxiv')].map((a) => a.href),
  })), SECTIONS);

  assert.deepEqual(panels.map((p) => p.id), FIXTURE.objectives.map((o) => o.id), 'one panel per objective, in order');
  for (const [i, p] of panels.entries()) {
    const want = FIXTURE.objectives[i];
    assert.equal(p.title, want.title);
    for (const s of p.sections) assert.ok(s.present && s.text > s.key.length + 10, `${p.id}: section ${s.key} missing or empty`);
    assert.equal(p.errors, 0, `${p.id}: a formula failed to render`);
    assert.equal(p.formulas.length, want.formulas.length, `${p.id}: formulas`);
    for (const [j, f] of p.formulas.entries()) {
      assert.ok(f.mathml && f.block, `${p.id}: formula ${j} is not display MathML`);
      assert.match(f.display, /math/, `${p.id}: formula ${j} not laid out as MathML (display ${f.display})`);
      assert.ok(f.size[0] > 20 && f.size[1] > 8, `${p.id}: formula ${j} has no size: ${f.size}`);
      assert.equal(f.tex, want.formulas[j].tex);
    }
    assert.equal(p.symbols.length, want.symbols.length);
    assert.ok(p.symbols.every(Boolean), `${p.id}: a symbol is not MathML`);
    assert.deepEqual(p.watch, want.watch.map((w) => w.diagnostic));
    assert.deepEqual(p.links, want.references.map((r) => `https://arxiv.org/abs/${r.arxiv}`));
  }
  assert.deepEqual(await violations(), [], 'CSP violations');
  assert.deepEqual(errors, [], 'console errors');
  await context.close();
});

test('the CSP detector sees an inline style attribute', async () => {
  const { context, page, violations } = await openDemo();
  await page.evaluate(() => document.body.setAttribute('style', 'color: red'));
  await page.waitForFunction(() => window.__csp.length > 0, null, { timeout: 5000 });
  assert.match((await violations())[0], /^style-src/);
  await context.close();
});

test('"what to watch" calls onWatch with the diagnostic name', async () => {
  const { context, page } = await openDemo('&objective=wgan');
  const buttons = page.locator('.explainer-watch-button');
  assert.deepEqual(await buttons.evaluateAll((bs) => bs.map((b) => b.dataset.diagnostic)), ['w_estimate', 'clip_fraction']);
  await buttons.nth(1).click();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.watched), 'clip_fraction');
  await page.selectOption('#objective', 'minimax');
  await page.locator('.explainer-watch-button').first().press('Enter');
  assert.equal(await page.evaluate(() => document.documentElement.dataset.watched), 'g_grad_norm');
  await context.close();
});

const popoverShown = (page, n) => page.locator('.glossary').nth(n).locator('.glossary-popover').isVisible();

test('every glossary term opens by click, keyboard and hover', async () => {
  const { context, page, violations } = await openDemo();
  const state = await page.evaluate(() => ({
    terms: document.querySelectorAll('[data-term]').length,
    toggles: document.querySelectorAll('.glossary-toggle').length,
    missing: [...document.querySelectorAll('[data-term-missing]')].map((e) => e.dataset.term),
  }));
  assert.deepEqual(state.missing, []);
  assert.equal(state.toggles, state.terms, 'one toggle per term');

  // Every toggle's popover holds its term's text and describes the button.
  const texts = new Map(FIXTURE.glossary.map((g) => [g.term, g.text]));
  const described = await page.evaluate(() => [...document.querySelectorAll('[data-term]')].map((t) => {
    const wrap = t.querySelector(':scope > .glossary') ?? t.nextElementSibling;
    const b = wrap.querySelector('.glossary-toggle');
    const pop = document.getElementById(b.getAttribute('aria-describedby'));
    return [t.dataset.term, pop.textContent, b.getAttribute('aria-label')];
  }));
  for (const [term, text, label] of described) {
    assert.ok(text.endsWith(texts.get(term)), `${term}: popover text`);
    assert.match(label, /^About /);
  }

  const toggle = page.locator('.glossary-toggle').first();
  assert.equal(await popoverShown(page, 0), false);
  await toggle.click();
  assert.equal(await popoverShown(page, 0), true, 'click opens');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  await page.mouse.click(5, 5);
  assert.equal(await popoverShown(page, 0), false, 'a click elsewhere closes');

  await toggle.focus();
  await page.keyboard.press('Enter');
  assert.equal(await popoverShown(page, 0), true, 'Enter opens');
  await page.keyboard.press('Escape');
  assert.equal(await popoverShown(page, 0), false, 'Escape closes');
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains('glossary-toggle')), true, 'focus stays on the toggle');
  await page.keyboard.press('Space');
  assert.equal(await popoverShown(page, 0), true, 'Space opens');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  assert.equal(await popoverShown(page, 1), true, 'the next toggle opens');
  assert.equal(await popoverShown(page, 0), false, 'and the first closes');
  await page.keyboard.press('Escape');

  // The toggle inside a <label> does not move focus to the label's input.
  const k = page.locator('#stats [data-term="k"] .glossary-toggle');
  await k.click();
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'BUTTON');
  await page.keyboard.press('Escape');

  await page.mouse.move(5, 5);
  await page.locator('.glossary-toggle').nth(2).hover();
  assert.equal(await popoverShown(page, 2), true, 'hover shows');
  await page.mouse.move(5, 5);
  assert.equal(await popoverShown(page, 2), false, 'and leaving hides');
  assert.deepEqual(await violations(), []);
  await context.close();
});

test('on a touch screen a tap opens a term and a second tap closes it', async () => {
  const { context, page, violations } = await openDemo('', { hasTouch: true, isMobile: true, viewport: { width: 390, height: 800 } });
  const n = await page.locator('.glossary').count();
  const last = n - 1;
  await page.locator('.glossary-toggle').nth(last).scrollIntoViewIfNeeded();
  await page.locator('.glossary-toggle').nth(last).tap();
  assert.equal(await popoverShown(page, last), true, 'tap opens');
  const inView = await page.locator('.glossary-popover').nth(last).evaluate((p) => {
    const r = p.getBoundingClientRect();
    return r.left >= 0 && r.right <= innerWidth;
  });
  assert.ok(inView, 'the popover stays on screen');
  assert.equal(await page.evaluate(() => innerWidth), 390, 'and does not widen the page');
  await page.locator('.glossary-toggle').nth(last).tap();
  assert.equal(await popoverShown(page, last), false, 'a second tap closes');
  assert.deepEqual(await violations(), []);
  await context.close();
});
