// Security of the static site: no string evaluation in what ships, a strict Content-Security-Policy header, a sandbox="allow-scripts" iframe, and a postMessage API that ignores garbage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { launch, waitForStatus } from './harness.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const lane = (s) => s.lanes[0];

/** Patterns that evaluate strings as code. */
const STRING_EVAL = [
  /\beval\s*\(/, /\bnew\s+Function\b/, /(?<![\w$])Function\s*\(/, /\bset(?:Timeout|Interval)\s*\(\s*['"`]/,
  /\bimportScripts\s*\(/, /javascript:/i,
];
/** Patterns that turn text into markup, refused in our own code (www/js). */
const MARKUP = [/\.(?:inner|outer)HTML\s*=/, /insertAdjacentHTML/, /document\.write/, /\.on\w+\s*=\s*['"`]/];
/** Known harmless matches: text inside string literals, with the reason. */
const ALLOWED = [
  { file: /gan_playground\.js$/, text: '`Function(${val.name})`', why: "wasm-bindgen's debug description of a JS function, a template literal" },
];

function files(dir, exts) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...files(path, exts));
    else if (exts.some((e) => name.endsWith(e))) out.push(path);
  }
  return out;
}

function scan(path, text, patterns) {
  const found = [];
  text.split('\n').forEach((line, i) => {
    let rest = line;
    for (const a of ALLOWED) if (a.file.test(path)) rest = rest.split(a.text).join('');
    for (const p of patterns) if (p.test(rest)) found.push(`${relative(ROOT, path)}:${i + 1}: ${p} in ${line.trim().slice(0, 120)}`);
  });
  return found;
}

test('no eval, new Function or string timers in www/ (vendored uPlot included), pkg/*.js and dist/', () => {
  for (const bad of ['new Function("return 1")', 'eval(code)', 'window.eval (code)', 'setTimeout("go()", 1)', 'Function("x")()']) {
    assert.ok(scan('x.js', bad, STRING_EVAL).length > 0, `the scanner misses ${bad}`);
  }
  assert.deepEqual(scan('x.js', 'evaluate(x); myFunction(1); obj.eval2()', STRING_EVAL), []);
  const shipped = [
    ...files(join(ROOT, 'www'), ['.js', '.mjs', '.html']),
    ...files(join(ROOT, 'pkg'), ['.js']),
    ...files(join(ROOT, 'dist'), ['.js', '.mjs', '.html']),
  ];
  assert.ok(shipped.some((f) => f.endsWith('vendor/uPlot.esm.js')) && shipped.some((f) => f.endsWith('pkg/gan_playground.js')), 'vendored and generated code scanned');
  const found = shipped.flatMap((f) => scan(f, readFileSync(f, 'utf8'), STRING_EVAL));
  const ours = files(join(ROOT, 'www/js'), ['.js']).concat(join(ROOT, 'www/index.html'));
  found.push(...ours.flatMap((f) => scan(f, readFileSync(f, 'utf8'), MARKUP)));
  assert.deepEqual(found, []);
});

const STRICT_CSP = [
  "default-src 'none'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self'", "img-src 'self' data:",
  "connect-src 'self'", "worker-src 'self'", "base-uri 'none'", "form-action 'none'", "object-src 'none'",
  'report-uri /csp-report', // reports from the worker too, which the page's listener cannot see
].join('; ');

test('trains under a strict Content-Security-Policy header with no violation reported', async () => {
  const reports = [];
  const env = await launch({ headers: { 'Content-Security-Policy': STRICT_CSP }, onPost: (path, body) => reports.push(`${path} ${body}`) });
  try {
    const page = await env.context.newPage();
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript(() => {
      window.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const response = await page.goto(`${env.url}?backend=cpu&autostart=1`);
    assert.equal(response.headers()['content-security-policy'], STRICT_CSP);
    const first = await waitForStatus(page, (s) => s.running && lane(s).step >= 3, 60_000, 'training under CSP');
    await waitForStatus(page, (s) => lane(s).step > lane(first).step + 3, 60_000, 'steps advancing');
    await page.evaluate(() => window.ganPlayground.configure({ batch: 0 })); // the validator's wasm on the page thread
    await page.waitForTimeout(1000); // reports are sent asynchronously
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
    assert.deepEqual(reports, []);
    assert.deepEqual(errors, []);
    // Both detectors do see violations: an inline script is refused.
    await page.evaluate(() => document.body.append(Object.assign(document.createElement('script'), { textContent: 'window.__inline = 1' })));
    await page.waitForFunction(() => window.__violations.length > 0);
    assert.equal(await page.evaluate(() => window.__inline), undefined);
    for (let i = 0; i < 50 && reports.length === 0; i++) await page.waitForTimeout(100);
    assert.match(reports[0] ?? 'no report', /^\/csp-report .*"violated-directive":"script-src/);
    await page.close();
  } finally {
    await env.close();
  }
});

/** Loads the playground into an iframe with `sandbox="allow-scripts"` (an opaque origin) on a blank host page. */
async function sandboxed(env) {
  const page = await env.context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.evaluate((src) => {
    window.replies = [];
    window.events = [];
    window.addEventListener('message', (e) => {
      if (e.data?.type === 'gan-playground:reply') window.replies.push(e.data);
      if (e.data?.type === 'gan-playground:status') window.events.push(e.data.status);
    });
    const frame = Object.assign(document.createElement('iframe'), { src, width: 900, height: 700 });
    frame.setAttribute('sandbox', 'allow-scripts');
    document.body.append(frame);
    window.call = (msg) => document.querySelector('iframe').contentWindow.postMessage(msg, '*');
  }, `${env.url}?backend=cpu&batch=16`);
  await page.waitForFunction(() => window.events.some((s) => s.ready && s.lanes.length === 1), null, { timeout: 60_000 });
  return { page, errors };
}

const waitReply = (page, id) => page.waitForFunction((i) => window.replies.find((r) => r.id === i), id, { timeout: 60_000 }).then((h) => h.jsonValue());

test('inside a sandbox="allow-scripts" iframe (opaque origin) it loads, trains and answers postMessage', async () => {
  const env = await launch({ headers: { 'Access-Control-Allow-Origin': '*' } });
  try {
    const { page, errors } = await sandboxed(env);
    const origin = await page.frames()[1].evaluate(() => window.origin);
    assert.equal(origin, 'null', 'the frame has an opaque origin');
    await page.evaluate(() => window.call({ type: 'gan-playground', command: 'step', args: [3], id: 'a' }));
    assert.equal((await waitReply(page, 'a')).ok, true);
    await page.waitForFunction(() => window.events.some((s) => s.lanes[0]?.step === 3), null, { timeout: 60_000 });
    await page.evaluate(() => window.call({ type: 'gan-playground', command: 'configure', args: [{ latent: 0 }], id: 'b' }));
    const bad = await waitReply(page, 'b');
    assert.equal(bad.result.errors[0].field, 'latent');
    await page.evaluate(() => window.call({ type: 'gan-playground', command: 'status', id: 'c' }));
    const st = await waitReply(page, 'c');
    assert.equal(lane(st.result).step, 3, 'a refused configure left the lane as it was');
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await env.close();
  }
});

test('postMessage: garbage is ignored (no reply, nothing breaks), bad arguments are answered with ok: false', async () => {
  const env = await launch({ headers: { 'Access-Control-Allow-Origin': '*' } });
  try {
    const { page, errors } = await sandboxed(env);
    await page.evaluate(() => {
      const huge = 'x'.repeat(1 << 20);
      const garbage = [
        'step', 42, null, true, [1, 2, 3], { type: 'gan-playground' }, { type: 'gan-playground', command: 'explode', id: 1 },
        { type: 'gan-playground', command: 'toString', id: 2 }, { type: 'gan-playground', command: '__proto__', id: 3 },
        { type: 'gan-playground', command: 'step', args: 5, id: 4 }, { type: 'gan-playground', command: 'play', args: [1], id: 5 },
        { type: 'gan-playground', command: 'step', args: [1, 'both', 3], id: 6 }, { type: 'gan-playground', command: 'step', id: { x: 1 } },
        { type: 'gan-playground', command: 'step', id: huge }, { type: 'gan-playground', command: 'play', id: 7, extra: 1 },
        { type: 'gan-playground', command: 'play', id: NaN }, { type: huge, command: 'play', id: 8 },
        { type: 'gan-playground', command: 'step', args: new Array(100000).fill(1), id: 9 },
        JSON.parse('{"type": "gan-playground", "command": "play", "id": 10, "__proto__": {"polluted": 1}}'),
        JSON.parse('{"__proto__": {"type": "gan-playground", "command": "play", "id": 11}}'),
        { type: 'gan-playground:reply', id: 12, ok: true }, { type: 'gan-playground:status', status: {} },
        new Map([['type', 'gan-playground']]), new Uint8Array(1 << 20), new Date(0),
      ];
      for (const g of garbage) window.call(g);
    });
    await page.waitForTimeout(1500);
    // A valid message afterwards is answered, and only it.
    await page.evaluate(() => window.call({ type: 'gan-playground', command: 'status', id: 'valid' }));
    const valid = await waitReply(page, 'valid');
    assert.equal(valid.ok, true);
    const state = await page.evaluate(() => ({ replies: window.replies.map((r) => r.id), running: window.events.at(-1).running }));
    assert.deepEqual(state.replies, ['valid'], 'garbage was answered');
    assert.equal(state.running, false, 'garbage started training');
    const frame = page.frames()[1];
    assert.equal(await frame.evaluate(() => Object.prototype.polluted), undefined);
    assert.equal(await frame.evaluate(() => typeof window.ganPlayground.step), 'function');

    // Well-addressed requests with bad argument values get ok: false naming the argument.
    const bigConfig = { objective: 'x'.repeat(20000) };
    const cases = [
      [{ command: 'step', args: ['many'] }, /^step: n must be a whole number from 1 to 10000/],
      [{ command: 'step', args: [0] }, /^step: n must be a whole number from 1 to 10000/],
      [{ command: 'configure', args: ['batch=0'] }, /^configure: expects one object/],
      [{ command: 'configure', args: [] }, /^configure: expects one object/],
      [{ command: 'configure', args: [bigConfig] }, /^configure: the config is 20016 characters of JSON; at most 16384 accepted/],
    ];
    for (const [i, [msg, pattern]] of cases.entries()) {
      await page.evaluate((m) => window.call(m), { type: 'gan-playground', ...msg, id: i });
      const reply = await waitReply(page, i);
      assert.equal(reply.ok, false, JSON.stringify(msg).slice(0, 80));
      assert.match(reply.error, pattern);
    }
    await page.evaluate(() => window.call({ type: 'gan-playground', command: 'step', args: [2], id: 'after' }));
    await waitReply(page, 'after');
    await page.waitForFunction(() => window.events.some((s) => s.lanes[0]?.step === 2), null, { timeout: 60_000 });
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await env.close();
  }
});
