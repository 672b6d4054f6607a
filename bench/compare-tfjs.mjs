// Browser benchmark: our wasm build against TensorFlow.js training the same GAN in the same headless Chromium.
// Usage: node bench/compare-tfjs.mjs [--arch dcgan,mlp] [--groups cpu,webgpu] [--seconds 20] [--batch 64]
//        [--repeat 1] [--tfjs-cpu wasm,cpu] [--tfjs-gpu webgpu,webgl] [--json out.json]
// Needs `make dist` (ours) and `npm ci` (TF.js 4.22.0 in node_modules). Per group one browser: 'cpu' runs
// with --disable-gpu (ours: the CPU fallback; TF.js: wasm and plain-JS cpu), 'webgpu' with the harness's
// SwiftShader WebGPU flags (ours: WebGPU; TF.js: webgpu and webgl), BENCH_GPU=1 for the real GPU (flags in
// bench/tfjs/measure.mjs flagsFor; BENCH_GPU_FLAGS="..." replaces them).
// Ours and TF.js alternate (ours, each TF.js backend, ours, ...) so that machine load hits both alike;
// with --repeat N the table shows medians. Prints a markdown table; figures, not pass/fail.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { launch } from '../tests/browser/harness.mjs';
import { flagsFor, load1, measureOurs, measureTfjs, median, startRepoServer } from './tfjs/measure.mjs';

const { values } = parseArgs({
  options: {
    arch: { type: 'string', default: 'dcgan,mlp' },
    groups: { type: 'string', default: 'cpu,webgpu' },
    seconds: { type: 'string', default: '20' },
    batch: { type: 'string', default: '64' },
    repeat: { type: 'string', default: '1' },
    'tfjs-cpu': { type: 'string', default: 'wasm,cpu' },
    'tfjs-gpu': { type: 'string', default: 'webgpu,webgl' },
    json: { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const batch = Number(values.batch);
const repeat = Number(values.repeat);
const GROUPS = {
  cpu: { ours: 'cpu', tfjs: values['tfjs-cpu'].split(',').filter(Boolean) },
  webgpu: { ours: 'webgpu', tfjs: values['tfjs-gpu'].split(',').filter(Boolean) },
};

const log = (...a) => console.error(`[${new Date().toISOString().slice(11, 19)} load ${load1()}]`, ...a);
const fmt = (x) => (x == null ? '—' : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toPrecision(2));
const { server: repoServer, url: repoUrl } = await startRepoServer();
const runs = [];
let chromium = '';

try {
  for (const group of values.groups.split(',')) {
    const spec = GROUPS[group];
    if (!spec) throw new Error(`unknown group ${group} (cpu, webgpu)`);
    const env = await launch({ flags: flagsFor(group) });
    chromium = env.context.browser()?.version() ?? chromium;
    try {
      for (const arch of values.arch.split(',')) {
        for (let r = 0; r < repeat; r++) {
          const opts = { arch, batch, seconds };
          for (const [impl, backend] of [['ours', spec.ours], ...spec.tfjs.map((b) => ['tfjs', b])]) {
            log(`${impl} ${backend} ${arch} (run ${r + 1}/${repeat})`);
            try {
              const res = impl === 'ours'
                ? await measureOurs(env, { ...opts, backend })
                : await measureTfjs(env.context, repoUrl, { ...opts, backend });
              log(`  ${res.stepsPerSec.toFixed(3)} steps/s over ${res.steps} steps; ${res.adapter}`);
              runs.push({ group, ...res, run: r });
            } catch (e) {
              log(`  failed: ${e.message}`);
              runs.push({ group, impl, backend, arch, run: r, error: e.message });
            }
          }
        }
      }
    } finally {
      await env.close();
    }
  }
} finally {
  repoServer.close();
}

/** Median steps/s of the successful runs of one (impl, backend, arch), with its adapter and loads. */
function summary(impl, backend, arch) {
  const ok = runs.filter((x) => x.impl === impl && x.backend === backend && x.arch === arch);
  const good = ok.filter((x) => !x.error);
  if (!good.length) return { error: ok[0]?.error ?? 'not run' };
  return {
    rate: median(good.map((x) => x.stepsPerSec)), n: good.length, adapter: good[0].adapter,
    steps: good.map((x) => x.steps), loads: good.flatMap((x) => x.load),
  };
}

const lines = [
  `Chromium ${chromium}, batch ${batch}, non-saturating, ${seconds} s timed after a 3-step warm-up, ` +
    `${repeat === 1 ? 'one run each' : `median of ${repeat} runs`}; ratio = ours / TF.js.`,
  '',
  '| arch | ours backend | ours steps/s | TF.js 4.22.0 backend | TF.js steps/s | ours / TF.js |',
  '| --- | --- | ---: | --- | ---: | ---: |',
];
const adapters = new Set();
const loads = [];
for (const group of values.groups.split(',')) {
  const spec = GROUPS[group];
  for (const arch of values.arch.split(',')) {
    const ours = summary('ours', spec.ours, arch);
    if (ours.adapter) adapters.add(`ours ${spec.ours}: ${ours.adapter}`);
    loads.push(...(ours.loads ?? []));
    for (const backend of spec.tfjs) {
      const t = summary('tfjs', backend, arch);
      if (t.adapter) adapters.add(`TF.js ${backend}: ${t.adapter}`);
      loads.push(...(t.loads ?? []));
      const ratio = ours.rate && t.rate ? `${(ours.rate / t.rate).toFixed(2)}×` : '—';
      const failed = (e) => `failed: ${e.replace(/\s+/g, ' ').replace(/\|/g, '/').slice(0, 120)}`;
      lines.push(`| ${arch.toUpperCase()} | ${spec.ours === 'cpu' ? 'CPU (wasm)' : 'WebGPU'} | ${ours.error ? failed(ours.error) : fmt(ours.rate)} ` +
        `| ${backend} | ${t.error ? failed(t.error) : fmt(t.rate)} | ${ratio} |`);
    }
  }
}
lines.push('', `Adapters: ${[...adapters].join('; ')}.`);
if (runs.some((x) => x.wasmConvFilterGradShim && x.arch === 'dcgan')) {
  lines.push('TF.js wasm has no Conv2DBackpropFilter kernel: its DCGAN rows use bench/tfjs/wasm-conv-grad.js (built from its own Conv2D and Transpose).');
}
if (loads.length) lines.push(`1-minute load average during the runs: ${Math.min(...loads)} … ${Math.max(...loads)}.`);
console.log(lines.join('\n'));
if (values.json) writeFileSync(values.json, JSON.stringify({ chromium, batch, seconds, repeat, runs }, null, 2));
