// Compressed delivery: tools/precompress.mjs writes .br/.gz copies, tools/static-server.mjs negotiates them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, mkdirSync, writeFileSync, existsSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { precompress } from '../../tools/precompress.mjs';
import { startServer, acceptedEncodings } from '../../tools/static-server.mjs';

let dir;
let server;
let url;
// A compressible "module" (repetitive bytes), an incompressible one (pseudo-random), a tiny file.
const big = Buffer.from('(module (func $f (result i32) i32.const 42))\n'.repeat(4000));
const noise = Buffer.alloc(50_000);
let seed = 1;
for (let i = 0; i < noise.length; i++) { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; noise[i] = seed >>> 24; }

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gan-static-'));
  mkdirSync(join(dir, 'pkg'));
  writeFileSync(join(dir, 'pkg', 'm.wasm'), big);
  writeFileSync(join(dir, 'weights.bin'), noise);
  writeFileSync(join(dir, 'index.html'), '<p>hi</p>');
  const cache = join(dir, '..', `${dir.split('/').pop()}-cache`);
  const rows = await precompress(dir, { cache });
  assert.equal(rows.length, 2, JSON.stringify(rows)); // index.html is under MIN_BYTES
  // A second run takes every result from the cache and writes the same files.
  await precompress(dir, { cache });
  assert.equal(readdirSync(cache).length, 4);
  rmSync(cache, { recursive: true });
  ({ server, url } = await startServer(dir));
});
after(() => { server?.close(); rmSync(dir, { recursive: true, force: true }); });

/** GET `path` with `accept` as Accept-Encoding (omitted when null): {status, headers, body} (body as sent). */
function get(path, accept, method = 'GET') {
  return new Promise((done, fail) => {
    const headers = accept == null ? {} : { 'Accept-Encoding': accept };
    const req = request(new URL(path, url), { method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', fail);
    req.end();
  });
}

test('precompress writes .br and .gz beside compressible files only', () => {
  assert.ok(existsSync(join(dir, 'pkg', 'm.wasm.br')));
  assert.ok(existsSync(join(dir, 'pkg', 'm.wasm.gz')));
  assert.ok(!existsSync(join(dir, 'weights.bin.br')), 'incompressible data gets no copy');
  assert.ok(!existsSync(join(dir, 'weights.bin.gz')));
  assert.ok(!existsSync(join(dir, 'index.html.br')), 'tiny files get no copy');
});

test('brotli is preferred, gzip next, identity when neither is accepted', async () => {
  const br = await get('/pkg/m.wasm', 'gzip, deflate, br, zstd');
  assert.equal(br.headers['content-encoding'], 'br');
  assert.equal(br.headers['content-type'], 'application/wasm');
  assert.equal(br.headers.vary, 'Accept-Encoding');
  assert.equal(Number(br.headers['content-length']), br.body.length);
  assert.ok(br.body.length < big.length / 20, `${br.body.length} bytes`);
  assert.deepEqual(brotliDecompressSync(br.body), big);

  const gz = await get('/pkg/m.wasm', 'gzip');
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.deepEqual(gunzipSync(gz.body), big);

  for (const accept of [null, 'identity', 'br;q=0, gzip;q=0', '*;q=0']) {
    const plain = await get('/pkg/m.wasm', accept);
    assert.equal(plain.headers['content-encoding'], undefined, String(accept));
    assert.equal(plain.headers.vary, 'Accept-Encoding');
    assert.deepEqual(plain.body, big);
  }
  // q-values decide; `*` covers codings not named.
  assert.equal((await get('/pkg/m.wasm', 'br;q=0.5, gzip;q=0.8')).headers['content-encoding'], 'gzip');
  assert.equal((await get('/pkg/m.wasm', 'br;q=0, *')).headers['content-encoding'], 'gzip');
  assert.equal((await get('/pkg/m.wasm', '*')).headers['content-encoding'], 'br');
});

test('files without a copy go out as they are; HEAD gives the compressed length', async () => {
  const w = await get('/weights.bin', 'br, gzip');
  assert.equal(w.headers['content-encoding'], undefined);
  assert.equal(w.headers.vary, undefined);
  assert.deepEqual(w.body, noise);
  const head = await get('/pkg/m.wasm', 'br', 'HEAD');
  assert.equal(head.headers['content-encoding'], 'br');
  assert.equal(head.body.length, 0);
  assert.ok(Number(head.headers['content-length']) < big.length / 20);
  assert.equal((await get('/', 'br')).body.toString(), '<p>hi</p>');
  assert.equal((await get('/missing.wasm', 'br')).status, 404);
});

test('Accept-Encoding parsing', () => {
  assert.deepEqual([...acceptedEncodings('gzip, deflate, br')], [['gzip', 1], ['deflate', 1], ['br', 1]]);
  assert.deepEqual([...acceptedEncodings('br;q=0.3 , X-GZIP; q=0')], [['br', 0.3], ['gzip', 0]]);
  assert.equal(acceptedEncodings(undefined).size, 0);
});

test('precompressed: false serves every file as it is', async () => {
  const plain = await startServer(dir, 0, '127.0.0.1', { precompressed: false });
  try {
    const res = await new Promise((done, fail) => {
      request(new URL('/pkg/m.wasm', plain.url), { headers: { 'Accept-Encoding': 'br, gzip' } }, (r) => {
        const chunks = [];
        r.on('data', (c) => chunks.push(c));
        r.on('end', () => done({ headers: r.headers, body: Buffer.concat(chunks) }));
      }).on('error', fail).end();
    });
    assert.equal(res.headers['content-encoding'], undefined);
    assert.deepEqual(res.body, big);
  } finally {
    plain.server.close();
  }
});
