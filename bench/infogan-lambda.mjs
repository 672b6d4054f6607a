#!/usr/bin/env node
// InfoGAN λ sweep (issue 17): for each λ (λ_cat = λ_con = λ) trains the MLP InfoGAN with the CLI, then
// prints a markdown table of the mean MI lower bound over the last 10 % of steps (its ceiling is
// log 10 ≈ 2.303), the mean information loss L_I there, and the FID and classes covered of 1,000 fresh
// samples (`gan-playground score`).
//
//   node bench/infogan-lambda.mjs [--steps 3000] [--lambdas 0,0.1,1,10] [--seed 1] [--out out/infogan-lambda]
//
// Needs the release CLI (`make cli`) and the data (`make data`). GAN_BIN overrides the CLI's path.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const steps = Number(arg('steps', '3000'));
const lambdas = arg('lambdas', '0,0.1,1,10').split(',').map(Number);
const seed = arg('seed', '1');
const out = arg('out', 'out/infogan-lambda');
const bin = process.env.GAN_BIN ?? `${process.env.CARGO_TARGET_DIR ?? 'target'}/release/gan-playground`;

const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
const rows = [];
for (const lambda of lambdas) {
  const dir = join(out, `lambda-${lambda}`);
  const t0 = Date.now();
  execFileSync(bin, ['train', '--objective', 'infogan', '--arch', 'mlp', '--steps', String(steps), '--seed', seed,
    '--param', `lambda_cat=${lambda}`, '--param', `lambda_con=${lambda}`, '--export-samples', '1000', '--log-every', '0', '--out', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  const secs = (Date.now() - t0) / 1000;
  // metrics.jsonl: one line per step, {step, phase, d_loss, g_loss, diagnostics: {...}, ...}.
  const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const tail = lines.slice(Math.floor(lines.length * 0.9));
  const of = (name) => mean(tail.map((l) => l.diagnostics?.[name] ?? l[name]).filter(Number.isFinite));
  const score = JSON.parse(execFileSync(bin, ['score', '--samples', join(dir, 'samples.u8')], { encoding: 'utf8' }));
  rows.push({ lambda, mi: of('mi_lower_bound'), info: of('info_loss'), fid: score.fid, classes: score.classes_covered, secs });
  process.stderr.write(`λ = ${lambda}: MI bound ${rows.at(-1).mi.toFixed(3)}, FID ${score.fid.toFixed(1)} (${secs.toFixed(0)} s)\n`);
}
console.log(`InfoGAN, MLP, ${steps} generator steps, seed ${seed}, λ_cat = λ_con = λ; means over the last 10 % of steps; FID of 1,000 samples.\n`);
console.log('| λ | MI lower bound (max log 10 = 2.303) | L_I | FID | classes covered | seconds |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) console.log(`| ${r.lambda} | ${r.mi.toFixed(3)} | ${r.info.toFixed(3)} | ${r.fid.toFixed(1)} | ${r.classes} | ${r.secs.toFixed(0)} |`);
