// Static file server for the built site, bound to loopback; used by `make serve` and the browser tests.
// It sends the precompressed copy `make dist` writes beside a large file (F.br, F.gz: tools/precompress.mjs)
// when the request's Accept-Encoding allows it, with Content-Encoding and `Vary: Accept-Encoding`.
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json',
  '.png': 'image/png', '.bin': 'application/octet-stream', '.svg': 'image/svg+xml', '.md': 'text/plain; charset=utf-8',
};

/** Precompressed variants in order of preference: [Content-Encoding token, file suffix]. */
const VARIANTS = [['br', '.br'], ['gzip', '.gz']];

/**
 * The codings an Accept-Encoding header allows, as a Map token → q (RFC 9110 §12.5.3): `*` stands for
 * any coding not listed, q=0 refuses one, a missing header allows none but identity.
 */
export function acceptedEncodings(header) {
  const accepted = new Map();
  for (const part of String(header ?? '').split(',')) {
    const [token, ...params] = part.trim().toLowerCase().split(';').map((x) => x.trim());
    if (!token) continue;
    let q = 1;
    for (const p of params) {
      const m = /^q=([0-9.]+)$/.exec(p);
      if (m) q = Number(m[1]);
    }
    accepted.set(token === 'x-gzip' ? 'gzip' : token, Number.isFinite(q) ? q : 0);
  }
  return accepted;
}

/** The best precompressed variant of `file` that exists and the request accepts: {encoding, path, size} or null. */
function pickVariant(file, acceptHeader) {
  const accepted = acceptedEncodings(acceptHeader);
  let best = null;
  for (const [encoding, suffix] of VARIANTS) {
    const q = accepted.get(encoding) ?? accepted.get('*') ?? 0;
    if (q <= 0 || (best && q <= best.q)) continue;
    try {
      const st = statSync(file + suffix);
      if (st.isFile()) best = { encoding, path: file + suffix, size: st.size, q };
    } catch {
      // no such variant
    }
  }
  return best;
}

/** Whether `file` has a precompressed variant at all (then responses vary by Accept-Encoding). */
const hasVariant = (file) => VARIANTS.some(([, suffix]) => { try { return statSync(file + suffix).isFile(); } catch { return false; } });

/**
 * Serves `dir` on `host:port` (port 0 picks a free one). Resolves to the listening server and its base URL.
 * `headers` are added to every response (tests: a Content-Security-Policy, CORS for sandboxed iframes);
 * `onPost(path, body)` receives POST requests (tests: CSP violation reports), which get 204.
 * `precompressed: false` ignores the .br/.gz copies (bench/transfer.mjs measures the bytes without them).
 */
export function startServer(dir, port = 0, host = '127.0.0.1', { headers = {}, onPost = null, precompressed = true } = {}) {
  const root = resolve(dir);
  const server = createServer((req, res) => {
    if (req.method === 'POST' && onPost) {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        onPost(req.url, Buffer.concat(chunks).toString('utf8'));
        res.writeHead(204).end();
      });
      return;
    }
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400).end('bad request');
      return;
    }
    let file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      const size = statSync(file).size;
      const variant = precompressed ? pickVariant(file, req.headers['accept-encoding']) : null;
      const head = { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': variant?.size ?? size, 'Cache-Control': 'no-cache' };
      if (variant) head['Content-Encoding'] = variant.encoding;
      if (variant || (precompressed && hasVariant(file))) head.Vary = 'Accept-Encoding';
      res.writeHead(200, head);
      if (req.method === 'HEAD') res.end();
      else createReadStream(variant?.path ?? file).pipe(res);
    } catch {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => done({ server, url: `http://${host}:${server.address().port}/` }));
  });
}
