// `make dist`: writes a brotli (.br) and a gzip (.gz) copy beside each large compressible file of the
// built site, for servers that negotiate Accept-Encoding with precompressed files (tools/static-server.mjs,
// nginx's gzip_static/brotli_static, Caddy's `precompressed`, most static hosts). A copy that saves less
// than 5% is not written (the classifier's float weights), and the server then sends the file as it is.
// Usage: node tools/precompress.mjs DIR [--cache DIR]
// --cache keeps each compressed result under its input's SHA-256, so a rebuild recompresses only files
// that changed (brotli at quality 11 takes ~15 s for the 8 MB wasm module on one core).
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, gzip, constants } from 'node:zlib';

/** Extensions worth compressing (the others are images, already compressed). */
export const COMPRESSIBLE = new Set(['.wasm', '.js', '.mjs', '.css', '.html', '.json', '.svg', '.md', '.txt', '.bin', '.map']);
/** Files smaller than this go out as they are: a request's headers cost more than the saving. */
export const MIN_BYTES = 1024;
/** A compressed copy is kept only when it is at most this fraction of the original. */
export const MAX_RATIO = 0.95;

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/** The two encodings, each as [suffix, compress(bytes) → Promise<Buffer>]. */
export const ENCODINGS = [
  ['.br', (b) => brotli(b, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_LGWIN]: 24,
      [constants.BROTLI_PARAM_SIZE_HINT]: b.length,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_GENERIC,
    },
  })],
  ['.gz', (b) => gz(b, { level: 9 })],
];

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

/** Compresses the site under `dir` in place; resolves to one row per considered file. */
export async function precompress(dir, { cache = null } = {}) {
  if (cache) mkdirSync(cache, { recursive: true });
  const files = [...walk(dir)].filter((f) => COMPRESSIBLE.has(extname(f)) && statSync(f).size >= MIN_BYTES);
  const jobs = files.map(async (file) => {
    const raw = readFileSync(file);
    const hash = createHash('sha256').update(raw).digest('hex');
    const row = { file: relative(dir, file), raw: raw.length };
    for (const [suffix, compress] of ENCODINGS) {
      const cached = cache && join(cache, hash + suffix);
      let out;
      if (cached && existsSync(cached)) out = readFileSync(cached);
      else {
        out = await compress(raw);
        if (cached) writeFileSync(cached, out);
      }
      rmSync(file + suffix, { force: true });
      if (out.length <= raw.length * MAX_RATIO) {
        writeFileSync(file + suffix, out);
        row[suffix] = out.length;
      }
    }
    return row;
  });
  return Promise.all(jobs);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--cache');
  const cache = at >= 0 ? args.splice(at, 2)[1] : null;
  const dir = args[0] ?? 'dist';
  const t0 = Date.now();
  const rows = await precompress(dir, { cache });
  const big = rows.filter((r) => r.raw >= 100_000).sort((a, b) => b.raw - a.raw);
  const kb = (n) => (n == null ? '—' : `${(n / 1e3).toFixed(0)} kB`);
  for (const r of big) console.log(`precompress: ${r.file}: ${kb(r.raw)} raw, ${kb(r['.br'])} br, ${kb(r['.gz'])} gz`);
  const sum = (k) => rows.reduce((a, r) => a + (r[k] ?? r.raw), 0);
  console.log(`precompress: ${rows.length} files in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${kb(sum('raw'))} raw → ${kb(sum('.br'))} br, ${kb(sum('.gz'))} gz`);
}
