// GPU work per generator step, for every objective × architecture: compute dispatches, queue submissions,
// buffer writes and read-backs that one TrainingLane.train(1) call issues on WebGPU (bench/gpu-probe.mjs
// counts them in the worker). The counts do not depend on the adapter, so SwiftShader (headless Chromium's
// software adapter, the default here) gives the figures a real GPU would; BENCH_GPU=1 uses the real one.
// Usage: node bench/dispatches.mjs [--arch mlp,dcgan] [--objective all|a,b] [--batch 64] [--steps 2]
//        [--profile] [--sequence] [--json FILE]
// Each configuration trains --steps single steps in a fresh page (the first one compiles the shaders and is
// not counted; every later one must give the same counts, which the script checks). --profile adds, per
// configuration, the kernels (compute pipeline labels) with the most dispatches per step; --sequence prints
// one counted step's dispatches in order (repeats of a kernel folded into ×n), to see which part of the step
// issues them.
// Needs `make dist`. On SwiftShader a DCGAN step takes ~10 s on 2 cores: all 16 rows take about 10 minutes.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { launch, open, status, waitForStatus } from '../tests/browser/harness.mjs';
import { flagsFor, load1 } from './tfjs/measure.mjs';
import { installProbe, readProbe } from './gpu-probe.mjs';

export const OBJECTIVES = ['minimax', 'nonsaturating', 'lsgan', 'wgan', 'wgan-gp', 'ebgan', 'infogan', 'meg'];

const { values } = parseArgs({
  options: {
    arch: { type: 'string', default: 'mlp,dcgan' },
    objective: { type: 'string', default: 'all' },
    batch: { type: 'string', default: '64' },
    steps: { type: 'string', default: '2' },
    profile: { type: 'boolean', default: false },
    sequence: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const steps = Math.max(2, Number(values.steps));
const objectives = values.objective === 'all' ? OBJECTIVES : values.objective.split(',');
const log = (...a) => console.error(`[${new Date().toISOString().slice(11, 19)} dispatches ${load1()}]`, ...a);

/** Trains `steps` single steps of one configuration; resolves to the counted train(1) calls after the first. */
async function measure(env, arch, objective) {
  const { page, errors } = await open(env, `?backend=webgpu&arch=${arch}&objective=${objective}&batch=${values.batch}&seed=1`);
  try {
    const ready = await waitForStatus(page, (s) => {
      if (errors.length) throw new Error(`console errors: ${errors.join(' | ').slice(0, 300)}`);
      return s.ready && s.lanes.length === 1;
    }, 120_000, 'ready');
    if (ready.backend !== 'webgpu') throw new Error(`the page runs on ${ready.backend}, not WebGPU`);
    // One step per request, so each train() call is a single generator step.
    for (let i = 1; i <= steps; i++) {
      await page.evaluate(() => window.ganPlayground.step(1));
      await waitForStatus(page, (s) => {
        if (errors.length) throw new Error(`console errors: ${errors.join(' | ').slice(0, 300)}`);
        return s.lanes[0].step >= i;
      }, 600_000, `step ${i}`);
    }
    const probe = await readProbe(page);
    const calls = probe.calls.filter((c) => c.n === 1);
    if (calls.length < steps) throw new Error(`counted ${calls.length} train(1) calls, expected ${steps}`);
    return { adapter: ready.adapter, calls: calls.slice(1), first: calls[0] };
  } finally {
    await page.close();
  }
}

const env = await launch({ flags: flagsFor('webgpu') });
const rows = [];
try {
  await installProbe(env.context);
  for (const arch of values.arch.split(',')) {
    for (const objective of objectives) {
      const t0 = Date.now();
      try {
        const { adapter, calls, first } = await measure(env, arch, objective);
        const [c] = calls;
        const same = calls.every((x) => ['dispatches', 'submits', 'writes', 'reads'].every((k) => x[k] === c[k]));
        rows.push({ arch, objective, adapter, dispatches: c.dispatches, submits: c.submits, writes: c.writes, reads: c.reads, same, ms: c.ms, first: first.dispatches, byPipeline: c.byPipeline, sequence: c.sequence });
        log(`${arch} ${objective}: ${c.dispatches} dispatches, ${c.submits} submits, ${c.writes} writes, ${c.reads} reads per step${same ? '' : ' (NOT the same every step: ' + calls.map((x) => x.dispatches).join(', ') + ')'}; ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      } catch (e) {
        log(`${arch} ${objective}: failed: ${e.message}`);
        rows.push({ arch, objective, error: e.message.replace(/\s+/g, ' ').slice(0, 160) });
        process.exitCode = 1;
      }
    }
  }
} finally {
  await env.close();
}

const adapter = rows.find((r) => r.adapter)?.adapter ?? '?';
const out = [
  `GPU work per generator step (one train(1) call), batch ${values.batch}, WebGPU on ${adapter}:`,
  '',
  '| architecture | objective | dispatches | submits | buffer writes | read-backs |',
  '| --- | --- | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => (r.error ? `| ${r.arch} | ${r.objective} | failed: ${r.error.replace(/\|/g, '/')} | | | |`
    : `| ${r.arch} | ${r.objective} | ${r.dispatches}${r.same ? '' : ' (varies)'} | ${r.submits} | ${r.writes} | ${r.reads} |`)),
];
if (values.profile) {
  for (const r of rows.filter((x) => x.byPipeline)) {
    const top = Object.entries(r.byPipeline).sort((a, b) => b[1] - a[1]);
    out.push('', `${r.arch} ${r.objective}: ${top.length} kernels; most dispatched: ${top.slice(0, 12).map(([k, v]) => `${k} ×${v}`).join(', ')}`);
  }
}
if (values.sequence) {
  for (const r of rows.filter((x) => x.sequence)) {
    const runs = [];
    for (const k of r.sequence) {
      const last = runs.at(-1);
      if (last?.[0] === k) last[1] += 1; else runs.push([k, 1]);
    }
    out.push('', `${r.arch} ${r.objective}, one step's ${r.sequence.length} dispatches in order:`, ...runs.map(([k, n]) => `  ${k}${n > 1 ? ` ×${n}` : ''}`));
  }
}
console.log(out.join('\n'));
if (values.json) writeFileSync(values.json, JSON.stringify(rows, null, 2));
