// Bench instrumentation of the training worker (not part of the site), shared by bench/load.mjs and
// bench/dispatches.mjs. installProbe(context) rewrites two responses on their way to the page:
// - js/worker.js gets WORKER_PROBE prepended: it keeps the wasm instance's memory, counts the bytes of live
//   WebGPU buffers (createBuffer minus destroy) and the GPU work the worker issues (compute dispatches,
//   queue submissions, buffer writes, read-backs), and counts dispatches per compute pipeline label (and
//   keeps their order: the first 100,000);
// - pkg/gan_playground.js gets TRAIN_PROBE appended: every TrainingLane.train(n) call records the GPU work
//   it issued, so a figure per training call excludes the sample grids, checkpoints and evaluations.
// Read it back with readProbe(page) (the worker is the page's first).

export const WORKER_PROBE = `(() => {
  const m = self.__benchMemory = { wasmPeak: 0, gpuLive: 0, gpuPeak: 0, gpuBuffers: 0, dispatches: 0, submits: 0, writes: 0, reads: 0, byPipeline: {}, sequence: [], calls: [] };
  const count = (proto, name, key) => {
    const f = proto?.[name];
    if (f) proto[name] = function (...args) { m[key] += 1; return f.apply(this, args); };
  };
  let memory = null;
  const keep = (r) => { memory = (r.instance ?? r).exports?.memory ?? memory; return r; };
  for (const name of ['instantiate', 'instantiateStreaming']) {
    const f = WebAssembly[name];
    WebAssembly[name] = (...args) => f.apply(WebAssembly, args).then(keep);
  }
  if (self.GPUDevice) {
    const sizes = new WeakMap();
    const create = GPUDevice.prototype.createBuffer;
    GPUDevice.prototype.createBuffer = function (d) {
      const b = create.call(this, d);
      sizes.set(b, Number(d.size));
      m.gpuLive += Number(d.size); m.gpuBuffers += 1; m.gpuPeak = Math.max(m.gpuPeak, m.gpuLive);
      return b;
    };
    // Pipeline labels (cubecl names each pipeline after its kernel), to count dispatches per kernel.
    const labels = new WeakMap();
    const label = (d) => d?.label || d?.compute?.entryPoint || '(unlabelled)';
    const cp = GPUDevice.prototype.createComputePipeline;
    GPUDevice.prototype.createComputePipeline = function (d) { const p = cp.call(this, d); labels.set(p, label(d)); return p; };
    const cpa = GPUDevice.prototype.createComputePipelineAsync;
    if (cpa) GPUDevice.prototype.createComputePipelineAsync = function (d) { return cpa.call(this, d).then((p) => { labels.set(p, label(d)); return p; }); };
    const pass = self.GPUComputePassEncoder?.prototype;
    if (pass) {
      const current = new WeakMap();
      const setPipeline = pass.setPipeline;
      pass.setPipeline = function (p) { current.set(this, labels.get(p) ?? '(unknown)'); return setPipeline.call(this, p); };
      for (const name of ['dispatchWorkgroups', 'dispatchWorkgroupsIndirect']) {
        const f = pass[name];
        pass[name] = function (...args) {
          m.dispatches += 1;
          const k = current.get(this) ?? '(unknown)';
          m.byPipeline[k] = (m.byPipeline[k] ?? 0) + 1;
          if (m.sequence.length < 100000) m.sequence.push(k);
          return f.apply(this, args);
        };
      }
    }
    count(GPUQueue.prototype, 'submit', 'submits');
    count(GPUQueue.prototype, 'writeBuffer', 'writes');
    count(GPUBuffer.prototype, 'mapAsync', 'reads');
    const destroy = GPUBuffer.prototype.destroy;
    GPUBuffer.prototype.destroy = function () {
      if (sizes.has(this)) { m.gpuLive -= sizes.get(this); sizes.delete(this); }
      return destroy.call(this);
    };
  }
  setInterval(() => { if (memory) m.wasmPeak = Math.max(m.wasmPeak, memory.buffer.byteLength); }, 50);
})();
`;

export const TRAIN_PROBE = `
;(() => {
  // This module is evaluated before worker.js's body (where WORKER_PROBE runs): read the counters per call.
  if (typeof TrainingLane === 'undefined') return;
  const KEYS = ['dispatches', 'submits', 'writes', 'reads'];
  const train = TrainingLane.prototype.train;
  TrainingLane.prototype.train = function (n) {
    const m = self.__benchMemory;
    if (!m) return train.call(this, n);
    const before = Object.fromEntries(KEYS.map((k) => [k, m[k]]));
    const pipelines = { ...m.byPipeline };
    const from = m.sequence.length;
    const t0 = performance.now();
    return train.call(this, n).then((stats) => {
      const call = { n, ms: performance.now() - t0, byPipeline: {}, sequence: m.sequence.slice(from) };
      for (const k of KEYS) call[k] = m[k] - before[k];
      for (const [k, v] of Object.entries(m.byPipeline)) if (v !== (pipelines[k] ?? 0)) call.byPipeline[k] = v - (pipelines[k] ?? 0);
      m.calls.push(call);
      return stats;
    });
  };
})();
`;

/** Rewrites `url`'s response in `context` with `edit(text)`, dropping the headers that describe the original body. */
async function rewrite(context, url, edit) {
  await context.route(url, async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    for (const h of ['content-encoding', 'content-length', 'vary']) delete headers[h];
    await route.fulfill({ status: response.status(), headers, body: edit(await response.text()) });
  });
}

/** Installs both probes in a browser context (before the page opens). */
export async function installProbe(context) {
  await rewrite(context, '**/js/worker.js', (text) => WORKER_PROBE + text);
  await rewrite(context, '**/pkg/gan_playground.js', (text) => text + TRAIN_PROBE);
}

/** The worker's counters: {dispatches, submits, writes, reads, byPipeline, calls: [{n, ms, dispatches, ...}], ...}. */
export const readProbe = (page) => page.workers()[0].evaluate(() => JSON.parse(JSON.stringify(self.__benchMemory)));
