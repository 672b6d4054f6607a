#!/usr/bin/env bash
# Threads inside one lane (issue 16): builds the CPU-only wasm `threads` module and measures it against
# the ordinary module with bench/threads.mjs (arguments go to it).
#
# The threads build needs what stable Rust does not have: a standard library compiled with wasm atomics.
# So it takes a nightly toolchain with rust-src (`-Z build-std`), `+atomics,+bulk-memory` and a shared,
# imported memory (link arguments), and `--no-default-features --features threads`: without the `gpu`
# feature, since wgpu's WebGPU types are not Send under atomics, which cubecl's storage requires. rayon's
# pool runs on Web Workers (wasm-bindgen-rayon), so the page must be cross-origin isolated (COOP/COEP
# headers; bench/threads.mjs sends them). Not part of `make serve` or `make test`: CI's network reaches
# crates.io but not the Rust toolchain server.
#
#   bench/threads.sh                          MLP and DCGAN, 30 s each after 20 warm-up steps
#   bench/threads.sh --archs dcgan --seconds 60
# Environment: TOOLCHAIN (default nightly), THREADS_TARGET_DIR (default ~/.cache/gan-playground/target-threads),
# WASM_OPT (default 1: both modules through binaryen's wasm-opt -O2, as `make dist` does; 0: neither).
# A cold build of the threads module takes about 10 minutes on 2 cores; `make dist` before it as usual.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLCHAIN=${TOOLCHAIN:-nightly}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/gan-playground/target}
TARGET=${THREADS_TARGET_DIR:-$HOME/.cache/gan-playground/target-threads}
MAX_MEMORY=2147483648 # bytes a shared memory may grow to (it must declare a maximum)

say() { printf '%s\n' "$*" >&2; }
rustup toolchain list | grep -q "^$TOOLCHAIN" || rustup toolchain install "$TOOLCHAIN" --profile minimal
rustup component list --toolchain "$TOOLCHAIN" --installed | grep -q '^rust-src' || rustup component add rust-src --toolchain "$TOOLCHAIN"

WASM_OPT=${WASM_OPT:-1}
# Both modules alike: the ordinary one re-made (and put through wasm-opt) exactly when the threads one is.
rm -f pkg/gan_playground_bg.wasm
make dist PRECOMPRESS=0 WASM_OPT="$WASM_OPT" >&2
say "threads: cargo +$TOOLCHAIN rustc (build-std, atomics, shared memory) into $TARGET"
CARGO_TARGET_DIR=$TARGET RUSTFLAGS="-C target-feature=+simd128,+atomics,+bulk-memory,+mutable-globals" \
  cargo "+$TOOLCHAIN" rustc --lib --target wasm32-unknown-unknown --profile wasm-release \
  --no-default-features --features threads -Z build-std=std,panic_abort -- \
  -C link-arg=--shared-memory -C link-arg=--import-memory -C link-arg=--max-memory=$MAX_MEMORY \
  -C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size -C link-arg=--export=__tls_align \
  -C link-arg=--export=__tls_base >&2
rm -rf pkg-threads dist-threads
wasm-bindgen --target web --no-typescript --out-dir pkg-threads "$TARGET/wasm32-unknown-unknown/wasm-release/gan_playground.wasm"
if [ "$WASM_OPT" = 1 ]; then
  node_modules/.bin/wasm-opt -O2 --enable-threads --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    pkg-threads/gan_playground_bg.wasm -o pkg-threads/gan_playground_bg.wasm
fi
say "threads: $(stat -c %s pkg-threads/gan_playground_bg.wasm) bytes (ordinary module: $(stat -c %s dist/pkg/gan_playground_bg.wasm))"
cp -r dist dist-threads
rm -rf dist-threads/pkg
cp -r pkg-threads dist-threads/pkg
node bench/threads.mjs "$@"
