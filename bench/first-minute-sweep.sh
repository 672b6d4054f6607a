#!/usr/bin/env bash
# Candidates for the page's defaults (issue 16 § 3, "the first minute"): trains each candidate with the CLI's
# CPU backend and measures it as the page does (`gan-playground sweep`: 256 fresh samples scored by the
# classifier every 50 or 100 steps), so the table gives the generator steps each needs to bring the in-page
# FID below 300, 150 and 100. The CLI's CPU backend computes the same numbers as the page's CPU fallback;
# seconds on the page are steps ÷ the page's steps/s, which `node bench/first-minute.mjs --path '?…'` then
# measures end to end for the chosen ones.
#
#   bench/first-minute-sweep.sh                 every round, into bench/results/first-minute-sweep/ROUND.{md,jsonl}
#   ROUNDS=dcgan OUT=dir bench/first-minute-sweep.sh   one round, elsewhere (about 1 h for all on 2 busy cores)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-bench/results/first-minute-sweep}
GAN_BIN=${GAN_BIN:-${CARGO_TARGET_DIR:-target}/release/gan-playground}
[ -x "$GAN_BIN" ] || make cli
ROUNDS=${ROUNDS:-"mlp-1 mlp-2 mlp-3 dcgan dcgan-seeds"}

# round NAME STEPS EVAL_EVERY CANDIDATE...: one `sweep` run, written to $OUT/NAME.{md,jsonl}.
round() {
  local name=$1 steps=$2 every=$3
  shift 3
  local args=() dir
  for c in "$@"; do args+=(--config "$c"); done
  dir=$(mktemp -d)
  "$GAN_BIN" sweep --steps "$steps" --eval-every "$every" --out "$dir" "${args[@]}"
  mkdir -p "$OUT"
  mv "$dir/sweep.md" "$OUT/$name.md"
  mv "$dir/sweep.jsonl" "$OUT/$name.jsonl"
  rmdir "$dir"
}

for r in $ROUNDS; do
  case $r in
    # The MLP at its defaults and at higher learning rates, other batches and latent sizes.
    mlp-1) round mlp-1 2000 100 '{}' '{"lr_g": 5e-4, "lr_d": 5e-4}' '{"lr_g": 1e-3, "lr_d": 1e-3}' \
      '{"lr_g": 1e-3, "lr_d": 2e-4}' '{"lr_g": 2e-4, "lr_d": 1e-3}' '{"batch": 32, "lr_g": 5e-4, "lr_d": 5e-4}' \
      '{"batch": 128, "lr_g": 5e-4, "lr_d": 5e-4}' '{"batch": 128, "lr_g": 1e-3, "lr_d": 1e-3}' \
      '{"latent": 16, "lr_g": 5e-4, "lr_d": 5e-4}' '{"latent": 100, "lr_g": 5e-4, "lr_d": 5e-4}' ;;
    # Around the best of round 1 (10⁻³).
    mlp-2) round mlp-2 2000 100 '{"lr_g": 2e-3, "lr_d": 2e-3}' '{"lr_g": 1e-3, "lr_d": 1e-3, "latent": 16}' \
      '{"lr_g": 1e-3, "lr_d": 1e-3, "latent": 32}' '{"lr_g": 2e-3, "lr_d": 2e-3, "latent": 16}' \
      '{"lr_g": 1e-3, "lr_d": 1e-3, "batch": 32}' '{"lr_g": 2e-3, "lr_d": 1e-3}' ;;
    # Around the best of round 2 (G at 2·10⁻³, D at 10⁻³), and two more seeds of it.
    mlp-3) round mlp-3 1600 100 '{"lr_g": 2e-3, "lr_d": 1e-3, "latent": 16}' '{"lr_g": 2e-3, "lr_d": 1e-3, "latent": 32}' \
      '{"lr_g": 3e-3, "lr_d": 1e-3}' '{"lr_g": 2e-3, "lr_d": 1e-3, "seed": 2}' '{"lr_g": 2e-3, "lr_d": 1e-3, "seed": 3}' ;;
    # The convolutional networks: fewer, slower steps.
    dcgan) round dcgan 600 50 '{"arch": "dcgan"}' '{"arch": "dcgan", "lr_g": 5e-4, "lr_d": 5e-4}' \
      '{"arch": "dcgan", "lr_g": 1e-3, "lr_d": 1e-3}' '{"arch": "dcgan", "batch": 32}' ;;
    dcgan-seeds) round dcgan-seeds 300 50 '{"arch": "dcgan", "lr_g": 1e-3, "lr_d": 1e-3, "seed": 2}' \
      '{"arch": "dcgan", "lr_g": 1e-3, "lr_d": 1e-3, "seed": 3}' ;;
    *) echo "unknown round $r" >&2; exit 2 ;;
  esac
done
