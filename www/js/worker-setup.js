// The worker's start-up: the backend (WebGPU where it is fast, else the CPU fallback), the module with
// progress, the thread pool of the `threads` build, downloads, the quality classifier, and the
// validation of a raw config (no lanes, no state).
import init, * as wasmPackage from '../pkg/gan_playground.js';
import { QualityMeter, initWebGpu, validateConfig } from '../pkg/gan_playground.js';
import { adapterInfoOf, adapterLabel, chooseBackend } from './backend-choice.js';

/** Wait before the second (last) adapter request when the first one got none. */
const ADAPTER_RETRY_MS = 500;

/**
 * WebGPU where it is fast, else the CPU fallback (backend-choice.js): a software adapter (SwiftShader,
 * llvmpipe) counts as CPU-class unless the page asked for `backend=webgpu`. `reason` and `notice` say why.
 */
export async function pickBackend(preference, onDeviceLost) {
  if (preference === 'cpu') return { backend: 'cpu', adapter: '', reason: 'requested with backend=cpu', notice: '' };
  if (threadsBuild()) return { backend: 'cpu', adapter: '', reason: 'the threads build is CPU-only', notice: '' };
  const onCpu = (reason, notice) => ({ backend: 'cpu', adapter: '', reason, notice });
  const unavailable = (why) => onCpu(`WebGPU unavailable: ${why}`, `WebGPU is not available here (${why}), so training runs on the CPU. It works, but slower: use a browser with WebGPU turned on (a recent Chrome or Edge) to train on your GPU.`);
  if (!('gpu' in navigator)) return unavailable('this browser does not expose navigator.gpu');
  let adapter = null;
  try {
    adapter = await navigator.gpu.requestAdapter();
    // A GPU process that is restarting (Chromium restarts a crashed one) answers null once: ask again.
    if (!adapter) adapter = await new Promise((r) => setTimeout(r, ADAPTER_RETRY_MS)).then(() => navigator.gpu.requestAdapter());
  } catch (e) {
    return unavailable(`requestAdapter failed: ${e.message}`);
  }
  if (!adapter) return unavailable('no WebGPU adapter was offered');
  const info = adapterInfoOf(adapter);
  const choice = chooseBackend({ preference, adapter: info });
  if (choice.backend === 'cpu') {
    return onCpu(choice.reason, `Training runs on the CPU: ${choice.reason}. Your browser offers WebGPU only through software, which is slower here than the CPU backend.`);
  }
  try {
    const name = await initWebGpu(onDeviceLost);
    return { backend: 'webgpu', adapter: name || adapterLabel(info) || 'default adapter', reason: choice.reason, notice: '' };
  } catch (e) {
    // A failure inside the runtime may leave the module unusable: ask the page to restart us on CPU.
    throw Object.assign(new Error(`WebGPU start-up failed: ${e.message ?? e}`), { fallback: 'cpu' });
  }
}

/** Validates `raw`; invalid fields are dropped (so they take defaults) and reported. */
export function validate(raw) {
  let candidate = { ...raw };
  const reported = [];
  for (let attempt = 0; attempt < 20; attempt++) {
    const result = JSON.parse(validateConfig(JSON.stringify(candidate)));
    if (result.config) return { config: result.config, errors: reported };
    for (const err of result.errors) {
      reported.push(err);
      const [top, sub] = err.field.split('.');
      if (top === 'params' && sub && candidate.params) {
        candidate.params = { ...candidate.params };
        delete candidate.params[sub];
      } else if (top === 'config') {
        candidate = {};
      } else {
        delete candidate[top];
      }
    }
  }
  return { config: JSON.parse(validateConfig('{}')).config, errors: reported };
}

/** Downloads `url`, reporting progress to `emit` as `loading` events of `stage` (total: 0 when unknown). */
export async function fetchBytes(url, emit, stage = null) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load ${url}: HTTP ${response.status}`);
  const encoded = response.headers.get('content-encoding');
  const total = encoded ? 0 : Number(response.headers.get('content-length')) || 0;
  if (!stage || !response.body) return new Uint8Array(await response.arrayBuffer());
  const chunks = [];
  let loaded = 0;
  let lastReport = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    if (performance.now() - lastReport > 100) {
      lastReport = performance.now();
      emit('loading', { stage, loaded, total });
    }
  }
  emit('loading', { stage, loaded, total: Math.max(total, loaded) });
  return new Uint8Array(await new Blob(chunks).arrayBuffer());
}

/** The dataset's classifier for the live metrics; without it training still works, with a notice. */
export async function loadMeter(classifierUrl, dataBytes, emit) {
  try {
    return new QualityMeter(await fetchBytes(classifierUrl, emit), dataBytes);
  } catch (e) {
    emit('notice', { level: 'warn', message: `Live quality metrics are off: the classifier could not be loaded (${e.message ?? e}).` });
    return null;
  }
}

/**
 * Whether this is the `threads` build (bench/threads.sh: wasm threads, CPU only), which exports rayon's
 * pool initializer; the ordinary build does not.
 */
const threadsBuild = () => typeof wasmPackage.initThreadPool === 'function';

/**
 * Starts the `threads` build's pool of `count` threads (Web Workers sharing the module's memory) that
 * one lane's CPU work is split over; resolves to the threads used (1 in the ordinary build).
 */
export async function startThreads(count) {
  if (!threadsBuild()) return 1;
  await wasmPackage.initThreadPool(count);
  return count;
}

/** A module whose memory is shared (the `threads` build) needs a cross-origin isolated page. */
function checkIsolation(module) {
  const shared = WebAssembly.Module.imports(module).some((i) => i.kind === 'memory');
  if (shared && !self.crossOriginIsolated) {
    throw new Error('this is the threads build, which needs a cross-origin isolated page (served with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)');
  }
}

/**
 * Instantiates the module: `compiled` (a WebAssembly.Module another worker of the page compiled) if
 * given, else fetched with progress and compiled here. Returns `{exports, module}` (the compiled module,
 * for the page to hand to the workers it starts later).
 */
export async function loadModule(emit, compiled = null) {
  if (compiled instanceof WebAssembly.Module) {
    checkIsolation(compiled);
    return { exports: await init({ module_or_path: compiled }), module: compiled };
  }
  const url = new URL('../pkg/gan_playground_bg.wasm', import.meta.url);
  const module = await WebAssembly.compile(await fetchBytes(url.href, emit, 'module'));
  checkIsolation(module);
  return { exports: await init({ module_or_path: module }), module };
}
