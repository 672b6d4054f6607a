// The backend choice (www/js/backend-choice.js): software WebGPU adapters count as CPU-class unless forced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseBackend, softwareEvidence, adapterLabel, adapterInfoOf } from '../../www/js/backend-choice.js';

// GPUAdapterInfo as Chromium reports it: SwiftShader's exactly as headless Chromium 156 gives it with
// --use-webgpu-adapter=swiftshader (also with --enable-unsafe-webgpu alone on a machine without a GPU);
// the others as those drivers name themselves, without the isFallbackAdapter flag (older browsers).
const CHROMIUM_SWIFTSHADER = { vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true };
const SWIFTSHADER = { vendor: 'google', architecture: 'swiftshader', device: '', description: 'SwiftShader Device (Subzero)' };
const LLVMPIPE = { vendor: 'mesa', architecture: '', device: '', description: 'llvmpipe (LLVM 19.1.7, 256 bits)' };
const LAVAPIPE = { vendor: 'mesa', architecture: '', device: '', description: 'lavapipe' };
const WARP = { vendor: 'microsoft', architecture: '', device: '', description: 'Microsoft Basic Render Driver' };
const NVIDIA = { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H100 80GB HBM3' };
const INTEL = { vendor: 'intel', architecture: 'gen-12lp', device: '', description: '' };
const APPLE = { vendor: 'apple', architecture: 'metal-3', device: '', description: '' };

test('software adapters are CPU-class under backend=auto, and the reason names the adapter', () => {
  for (const info of [CHROMIUM_SWIFTSHADER, SWIFTSHADER, LLVMPIPE, LAVAPIPE, WARP]) {
    const choice = chooseBackend({ preference: 'auto', adapter: info });
    assert.equal(choice.backend, 'cpu', JSON.stringify(info));
    assert.match(choice.reason, /software renderer/);
    assert.match(choice.reason, /backend=webgpu forces it/);
    assert.ok(choice.reason.includes(adapterLabel(info)), choice.reason);
  }
  assert.match(chooseBackend({ adapter: SWIFTSHADER }).reason, /its architecture names swiftshader/);
  assert.equal(chooseBackend({ adapter: CHROMIUM_SWIFTSHADER }).reason,
    'the WebGPU adapter google swiftshader is a software renderer (isFallbackAdapter is set), much slower than the CPU backend; backend=webgpu forces it');
});

test('isFallbackAdapter alone marks an adapter as software, whatever its name', () => {
  const info = { ...INTEL, isFallbackAdapter: true };
  assert.equal(softwareEvidence(info), 'isFallbackAdapter is set');
  assert.equal(chooseBackend({ adapter: info }).backend, 'cpu');
  assert.equal(chooseBackend({ adapter: { ...INTEL, isFallbackAdapter: false } }).backend, 'webgpu');
});

test('hardware adapters get WebGPU under auto (the default preference)', () => {
  for (const info of [NVIDIA, INTEL, APPLE]) {
    assert.equal(softwareEvidence(info), '', JSON.stringify(info));
    const choice = chooseBackend({ adapter: info });
    assert.equal(choice.backend, 'webgpu');
    assert.match(choice.reason, /^hardware WebGPU adapter /);
  }
  // 'warp' must be a whole word: an NVIDIA description mentioning warps is not WARP.
  assert.equal(softwareEvidence({ vendor: 'nvidia', description: 'warpSize 32 GeForce' }), '');
  assert.equal(chooseBackend({ adapter: NVIDIA }).reason, 'hardware WebGPU adapter nvidia hopper NVIDIA H100 80GB HBM3');
});

test('backend=webgpu forces WebGPU, even on a software adapter, and says so', () => {
  const forced = chooseBackend({ preference: 'webgpu', adapter: SWIFTSHADER });
  assert.equal(forced.backend, 'webgpu');
  assert.match(forced.reason, /^requested with backend=webgpu, although .*swiftshader.* software adapter/i);
  assert.equal(chooseBackend({ preference: 'webgpu', adapter: NVIDIA }).reason, 'requested with backend=webgpu (nvidia hopper NVIDIA H100 80GB HBM3)');
});

test('backend=cpu wins over any adapter; no adapter means the CPU with the reason given', () => {
  for (const adapter of [null, SWIFTSHADER, NVIDIA]) {
    assert.deepEqual(chooseBackend({ preference: 'cpu', adapter }), { backend: 'cpu', reason: 'requested with backend=cpu' });
  }
  assert.deepEqual(chooseBackend({ preference: 'auto', adapter: null }), { backend: 'cpu', reason: 'WebGPU unavailable: no WebGPU adapter was offered' });
  // Forcing WebGPU cannot conjure an adapter.
  assert.deepEqual(
    chooseBackend({ preference: 'webgpu', adapter: null, unavailable: 'this browser does not expose navigator.gpu' }),
    { backend: 'cpu', reason: 'WebGPU unavailable: this browser does not expose navigator.gpu' },
  );
  assert.equal(chooseBackend().backend, 'cpu');
});

test('adapter labels drop empty and repeated fields', () => {
  assert.equal(adapterLabel({ vendor: 'google', architecture: 'swiftshader', device: '', description: 'SwiftShader Device (Subzero)' }), 'google swiftshader SwiftShader Device (Subzero)');
  assert.equal(adapterLabel({ vendor: 'apple', architecture: 'Apple', description: ' ' }), 'apple');
  assert.equal(adapterLabel(null), '');
  assert.equal(chooseBackend({ adapter: {} }).reason, 'hardware WebGPU adapter unnamed adapter');
});

test('adapterInfoOf reads GPUAdapterInfo getters and the older GPUAdapter.isFallbackAdapter', () => {
  // GPUAdapterInfo's attributes live on its prototype, as in browsers: spreading it would copy nothing.
  class Info { get vendor() { return 'google'; } get architecture() { return 'swiftshader'; } get device() { return ''; } get description() { return ''; } }
  assert.deepEqual({ ...new Info() }, {});
  assert.deepEqual(adapterInfoOf({ info: new Info() }), { vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: false });
  class NewInfo extends Info { get isFallbackAdapter() { return true; } }
  assert.equal(adapterInfoOf({ info: new NewInfo() }).isFallbackAdapter, true);
  // An older browser: the flag on the adapter, none on its info; a hardware name does not hide it.
  const old = adapterInfoOf({ isFallbackAdapter: true, info: { vendor: 'intel', architecture: 'gen-12lp' } });
  assert.equal(old.isFallbackAdapter, true);
  assert.equal(chooseBackend({ adapter: old }).backend, 'cpu');
  assert.equal(chooseBackend({ adapter: adapterInfoOf({ info: { vendor: 'nvidia', architecture: 'hopper' } }) }).backend, 'webgpu');
  assert.equal(adapterInfoOf(null), null);
  assert.equal(chooseBackend({ adapter: adapterInfoOf(null) }).backend, 'cpu');
});
