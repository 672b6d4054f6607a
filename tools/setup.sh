#!/usr/bin/env bash
# Installs what building and testing need, skipping what is already there:
#   tools/setup.sh build   wasm32 target, wasm-bindgen-cli (exact Cargo.lock version), npm packages
#   tools/setup.sh test    the above, plus Debian's chromium for the browser tests
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-build}

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown Rust target"
  rustup target add wasm32-unknown-unknown
fi

want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (found: ${have:-none}); this takes a few minutes once"
  cargo install wasm-bindgen-cli --version "$want" --force
else
  say "wasm-bindgen-cli $want present"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
else
  say "npm packages present"
fi

# Fashion-MNIST, the second dataset: Debian's dataset-fashion-mnist carries the original IDX files.
if [ ! -f /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ] && [ -z "${FASHION_MNIST_DIR:-}" ]; then
  say "installing Debian package dataset-fashion-mnist (the Fashion-MNIST IDX files)"
  SUDO=$([ "$(id -u)" = 0 ] && echo || echo sudo)
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q dataset-fashion-mnist
fi

if [ "$what" = test ]; then
  # chromium: browser tests; mesa-vulkan-drivers: lavapipe, a software Vulkan driver for the native wgpu test.
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  dpkg -s mesa-vulkan-drivers >/dev/null 2>&1 || missing+=(mesa-vulkan-drivers)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    SUDO=$([ "$(id -u)" = 0 ] && echo || echo sudo)
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
  else
    say "chromium and mesa-vulkan-drivers present: $(/usr/bin/chromium --version 2>/dev/null | head -1)"
  fi
fi
