// Which backend the training worker should run on, from the WebGPU adapter the browser offers and the
// page's `backend=` preference. DOM-free and side-effect-free so node's unit tests can call it.
//
// A software WebGPU adapter (SwiftShader, llvmpipe/lavapipe, Microsoft Basic Render/WARP) runs each
// shader on the CPU through an emulated GPU: there the playground trains about 100x slower than on its
// own wasm CPU backend (DCGAN ~0.1 steps/s against ~5 on the same machine). Such adapters count as
// CPU-class: with `backend=auto` the CPU backend is chosen and the reason says so; `backend=webgpu`
// still forces WebGPU.

/** Lower-case fragments of the adapter names that software renderers report. */
export const SOFTWARE_ADAPTER_NAMES = ['swiftshader', 'llvmpipe', 'lavapipe', 'softpipe', 'microsoft basic render', 'warp'];

const FIELDS = ['vendor', 'architecture', 'device', 'description'];

/** The adapter's identifying strings (GPUAdapterInfo's vendor, architecture, device, description), joined. */
export function adapterLabel(info) {
  if (!info) return '';
  const seen = [];
  for (const key of FIELDS) {
    const value = typeof info[key] === 'string' ? info[key].trim() : '';
    if (value && !seen.some((s) => s.toLowerCase() === value.toLowerCase())) seen.push(value);
  }
  return seen.join(' ');
}

/**
 * Whether `info` (a GPUAdapterInfo, or any object with its fields) describes a software adapter:
 * `isFallbackAdapter` set (on the info, as in current browsers, or passed from the older
 * GPUAdapter.isFallbackAdapter), or a software renderer's name in one of its strings. Returns the
 * evidence as a short phrase ('isFallbackAdapter is set', 'its architecture names swiftshader'), or ''
 * for a hardware adapter. `warp` must be a whole word (not "warpSize").
 */
export function softwareEvidence(info) {
  if (!info) return '';
  if (info.isFallbackAdapter === true) return 'isFallbackAdapter is set';
  for (const key of FIELDS) {
    const value = typeof info[key] === 'string' ? info[key].toLowerCase() : '';
    if (!value) continue;
    for (const name of SOFTWARE_ADAPTER_NAMES) {
      const hit = name === 'warp' ? /(^|[^a-z])warp([^a-z]|$)/.test(value) : value.includes(name);
      if (hit) return `its ${key} names ${name}`;
    }
  }
  return '';
}

/**
 * The identifying fields of a GPUAdapter as a plain object: GPUAdapterInfo's attributes are getters on its
 * prototype (object spread would copy none of them), and older browsers put isFallbackAdapter on the
 * GPUAdapter itself rather than on its info. `null` for no adapter.
 */
export function adapterInfoOf(adapter) {
  if (!adapter) return null;
  const info = adapter.info ?? {};
  const out = {};
  for (const key of FIELDS) out[key] = typeof info[key] === 'string' ? info[key] : '';
  out.isFallbackAdapter = Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter);
  return out;
}

/**
 * Picks the backend.
 * - `preference`: the page's `backend=` value, 'auto' (default), 'webgpu' or 'cpu'.
 * - `adapter`: null/undefined when the browser offered no WebGPU adapter; otherwise its GPUAdapterInfo
 *   (`adapter.info`) or, better, `adapterInfoOf(adapter)` (which also reads older browsers' flag).
 * - `unavailable`: why there is no adapter, when known (e.g. 'this browser does not expose navigator.gpu').
 * Returns `{ backend: 'webgpu' | 'cpu', reason }`; `reason` is a sentence fragment for the status/notice.
 */
export function chooseBackend({ preference = 'auto', adapter = null, unavailable = '' } = {}) {
  if (preference === 'cpu') return { backend: 'cpu', reason: 'requested with backend=cpu' };
  if (!adapter) {
    return { backend: 'cpu', reason: `WebGPU unavailable: ${unavailable || 'no WebGPU adapter was offered'}` };
  }
  const label = adapterLabel(adapter) || 'unnamed adapter';
  const software = softwareEvidence(adapter);
  if (preference === 'webgpu') {
    return {
      backend: 'webgpu',
      reason: software
        ? `requested with backend=webgpu, although ${label} is a software adapter (${software}) and trains much slower than the CPU backend`
        : `requested with backend=webgpu (${label})`,
    };
  }
  if (software) {
    return {
      backend: 'cpu',
      reason: `the WebGPU adapter ${label} is a software renderer (${software}), much slower than the CPU backend; backend=webgpu forces it`,
    };
  }
  return { backend: 'webgpu', reason: `hardware WebGPU adapter ${label}` };
}
