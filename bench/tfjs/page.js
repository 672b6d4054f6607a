// TF.js benchmark page: trains bench/tfjs/dcgan.js with our worker's loop policy and sets window.benchResult.
// Query: ?backend=webgpu|webgl|wasm|cpu&arch=dcgan|mlp&batch=64&seconds=20&warmup=3&latent=64
import { Gan } from './dcgan.js';
import { registerWasmConvFilterGrad, checkWasmConvFilterGrad } from './wasm-conv-grad.js';

// The same constants as www/js/worker.js: ~120 ms of steps per training call (1 … 50 steps), one
// statistics read-back per call, and the fixed-z sample grid redrawn at most every 400 ms.
const TARGET_CALL_MS = 120;
const SAMPLE_EVERY_MS = 400;

const q = new URLSearchParams(location.search);
const opts = {
  backend: q.get('backend') ?? 'webgpu',
  arch: q.get('arch') ?? 'dcgan',
  batch: Number(q.get('batch') ?? 64),
  latent: Number(q.get('latent') ?? 64),
  seconds: Number(q.get('seconds') ?? 20),
  warmup: Number(q.get('warmup') ?? 3),
};
const $ = (id) => document.getElementById(id);
const say = (text) => { $('status').textContent = text; };
window.benchResult = null;
window.benchError = null;
window.benchProgress = { phase: 'loading', steps: 0 };

const channel = new MessageChannel();
const waiters = [];
channel.port1.onmessage = () => waiters.shift()?.();
const nextTask = () => new Promise((resolve) => { waiters.push(resolve); channel.port2.postMessage(0); });

function drawGrid(pixels) {
  const canvas = $('samples');
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(224, 224);
  for (let i = 0; i < 64; i++) {
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        const v = pixels[i * 784 + y * 28 + x];
        const o = (((i >> 3) * 28 + y) * 224 + (i & 7) * 28 + x) * 4;
        image.data[o] = image.data[o + 1] = image.data[o + 2] = v;
        image.data[o + 3] = 255;
      }
    }
  }
  ctx.putImageData(image, 0, 0);
}

async function describeAdapter(backend) {
  if (backend === 'webgpu') {
    const info = (await navigator.gpu.requestAdapter())?.info ?? {};
    return [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown adapter';
  }
  if (backend === 'webgl') {
    const gl = tf.backend().gpgpu.gl;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    return `WebGL ${tf.env().getNumber('WEBGL_VERSION')}: ${gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER)}`;
  }
  if (backend === 'wasm') {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    return `wasm${simd ? ' SIMD' : ''}, ${tf.wasm.getThreadsCount()} thread(s)`;
  }
  return 'plain JavaScript';
}

async function main() {
  const t0 = performance.now();
  if (opts.backend === 'wasm') tf.wasm.setWasmPaths(new URL('../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', location.href).href);
  if (!(await tf.setBackend(opts.backend))) throw new Error(`TF.js backend ${opts.backend} could not be initialised`);
  await tf.ready();
  let shim = null;
  if (opts.backend === 'wasm' && registerWasmConvFilterGrad()) shim = { maxAbsErr: await checkWasmConvFilterGrad() };
  const adapter = await describeAdapter(opts.backend);
  say(`TF.js ${tf.version.tfjs} · ${tf.getBackend()} · ${adapter} · ${opts.arch} · batch ${opts.batch}`);
  const gan = new Gan(opts);
  drawGrid(await gan.samples());
  const firstGridMs = performance.now();
  const setupMs = firstGridMs - t0;

  let msPerStep = 50;
  let lastSamples = performance.now();
  let peakTensorBytes = 0;
  let last = null;
  /** Runs the worker's loop until `done(steps, elapsedMs)`; returns steps and elapsed ms. */
  async function loop(done) {
    const start = performance.now();
    let steps = 0;
    while (!done(steps, performance.now() - start)) {
      const n = Math.max(1, Math.min(Math.round(TARGET_CALL_MS / Math.max(msPerStep, 0.1)), 50));
      const t = performance.now();
      const values = await gan.train(n);
      msPerStep = 0.7 * msPerStep + 0.3 * ((performance.now() - t) / n);
      steps += n;
      last = Array.from(values.slice(-5));
      if (!last.every(Number.isFinite)) throw new Error(`non-finite statistics at step ${gan.steps}: ${last}`);
      peakTensorBytes = Math.max(peakTensorBytes, tf.memory().numBytes);
      window.benchProgress = { phase: window.benchProgress.phase, steps: gan.steps };
      if (performance.now() - lastSamples > SAMPLE_EVERY_MS) {
        drawGrid(await gan.samples());
        lastSamples = performance.now();
      }
      await nextTask();
    }
    return { steps, ms: performance.now() - start };
  }

  window.benchProgress = { phase: 'warm-up', steps: 0 };
  const warm = await loop((steps) => steps >= opts.warmup);
  window.benchProgress = { phase: 'timed', steps: gan.steps };
  const timed = await loop((steps, ms) => steps > 0 && ms >= opts.seconds * 1000);
  const stepsPerSec = timed.steps / (timed.ms / 1000);
  window.benchResult = {
    impl: 'tfjs', tfjs: tf.version.tfjs, backend: tf.getBackend(), adapter, ...opts,
    warmupSteps: warm.steps, warmupSeconds: warm.ms / 1000, steps: timed.steps, timedSeconds: timed.ms / 1000, stepsPerSec,
    firstGridMs, setupMs, peakTensorBytes, wasmConvFilterGradShim: shim,
    jsHeapBytes: performance.memory?.usedJSHeapSize ?? null,
    last: { dLoss: last[0], gLoss: last[1], dReal: last[2], dFake: last[3], gGradNorm: last[4] },
    shapes: gan.shapes,
  };
  say(`${$('status').textContent} · ${stepsPerSec.toFixed(3)} steps/s over ${timed.steps} steps`);
}

// Started after the load event: on the plain-JS cpu backend one training call can block for many seconds.
const start = () => main().catch((e) => {
  window.benchError = String(e?.stack ?? e);
  say(`error: ${e?.message ?? e}`);
});
if (document.readyState === 'complete') start();
else addEventListener('load', start, { once: true });
