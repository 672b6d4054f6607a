// Bytes transferred before the first sample grid: the default page in headless Chromium (fresh profile,
// CPU fallback: --disable-gpu), served by tools/static-server.mjs from dist/ twice — without the .br/.gz
// copies (what `make serve` sent before they existed) and with them. Sums what went over the wire per
// request (headers + body as sent, from DevTools' encodedDataLength) until the first grid is drawn.
// Usage: node bench/transfer.mjs [--dir dist] [--path '?arch=mlp'] [--runs 1]
// Needs `make dist`. Prints a markdown table on stdout.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM } from '../tests/browser/harness.mjs';
import { startServer } from '../tools/static-server.mjs';
import { REPO } from './tfjs/measure.mjs';

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: `${REPO}dist` },
    path: { type: 'string', default: '' },
    runs: { type: 'string', default: '1' },
  },
});
const MB = (b) => `${(b / 1e6).toFixed(2)} MB`;

/** Marks, in the page, when a lane's caption first says its grid was drawn (ms since navigation start). */
const PAGE_PROBE = `addEventListener('DOMContentLoaded', () => {
  const seen = () => {
    const drawn = [...document.querySelectorAll('.lane-caption')].some((c) => c.textContent.startsWith('fixed-z samples'));
    if (!window.__firstGridMs && drawn) window.__firstGridMs = performance.now();
  };
  new MutationObserver(seen).observe(document.body, { childList: true, characterData: true, subtree: true });
});`;

/** One cold load: resolves to {total, byUrl: Map(path → {bytes, encoding}), firstGridMs}. */
async function load(precompressed) {
  const { server, url } = await startServer(values.dir, 0, '127.0.0.1', { precompressed });
  const profile = mkdtempSync(join(tmpdir(), 'gan-transfer-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true,
    args: ['--headless=new', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'],
  });
  try {
    await context.addInitScript(PAGE_PROBE);
    const page = await context.newPage();
    const byUrl = new Map();
    const pending = [];
    const record = (req) => pending.push((async () => {
      const sizes = await req.sizes().catch(() => null);
      const response = await req.response().catch(() => null);
      const encoding = (await response?.allHeaders().catch(() => ({})))?.['content-encoding'] ?? '';
      const path = new URL(req.url()).pathname;
      const bytes = (sizes?.responseBodySize ?? 0) + (sizes?.responseHeadersSize ?? 0);
      const prev = byUrl.get(path);
      byUrl.set(path, { bytes: (prev?.bytes ?? 0) + bytes, encoding, count: (prev?.count ?? 0) + 1 });
    })());
    context.on('requestfinished', record);
    await page.goto(url + values.path);
    const t0 = Date.now();
    let firstGridMs = null;
    while (!firstGridMs) {
      if (Date.now() - t0 > 300_000) throw new Error('no sample grid within 5 minutes');
      await page.waitForTimeout(50);
      firstGridMs = await page.evaluate(() => window.__firstGridMs ?? null);
    }
    context.off('requestfinished', record);
    await Promise.all(pending);
    const total = [...byUrl.values()].reduce((a, r) => a + r.bytes, 0);
    return { total, byUrl, firstGridMs };
  } finally {
    await context.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

const results = {};
for (const [name, precompressed] of [['uncompressed', false], ['precompressed (.br/.gz)', true]]) {
  const runs = [];
  for (let i = 0; i < Number(values.runs); i++) runs.push(await load(precompressed));
  results[name] = runs;
  const r = runs[0];
  console.error(`${name}: ${MB(r.total)} in ${[...r.byUrl.values()].reduce((a, x) => a + x.count, 0)} requests, first grid at ${r.firstGridMs.toFixed(0)} ms`);
}

const [before, after] = Object.values(results).map((runs) => runs[0]);
const paths = [...before.byUrl.keys()].sort((a, b) => before.byUrl.get(b).bytes - before.byUrl.get(a).bytes);
const big = paths.filter((p) => before.byUrl.get(p).bytes >= 50_000);
const rest = (r) => [...r.byUrl.entries()].filter(([p]) => !big.includes(p)).reduce((a, [, x]) => a + x.bytes, 0);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const lines = [
  `Bytes over the wire before the first sample grid (default page${values.path ? ` ${values.path}` : ''}, fresh profile, headless Chromium, CPU fallback, loopback):`,
  '',
  '| resource | uncompressed | precompressed | encoding sent |',
  '| --- | ---: | ---: | --- |',
  ...big.map((p) => `| ${p} | ${MB(before.byUrl.get(p).bytes)} | ${after.byUrl.has(p) ? MB(after.byUrl.get(p).bytes) : '—'} | ${after.byUrl.get(p)?.encoding || 'identity'} |`),
  `| ${before.byUrl.size - big.length} smaller files | ${MB(rest(before))} | ${MB(rest(after))} | |`,
  `| **total** | **${MB(before.total)}** | **${MB(after.total)}** (${(100 * after.total / before.total).toFixed(0)}%) | |`,
  `| navigation → first grid (loopback, median of ${values.runs}) | ${median(results.uncompressed.map((r) => r.firstGridMs)).toFixed(0)} ms | ${median(results['precompressed (.br/.gz)'].map((r) => r.firstGridMs)).toFixed(0)} ms | |`,
];
console.log(lines.join('\n'));
