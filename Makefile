# Build, serve and test the GAN playground. `make serve` and `make test` are the two set-up commands.
PORT ?= 8080
CARGO_TARGET_DIR ?= target
export CARGO_TARGET_DIR
WASM_PROFILE := wasm-release
WASM := $(CARGO_TARGET_DIR)/wasm32-unknown-unknown/$(WASM_PROFILE)/gan_playground.wasm
# Set WASM_OPT=0 to skip binaryen's wasm-opt (npm package `binaryen`; Debian's is too old).
WASM_OPT ?= 1
# Set PRECOMPRESS=0 to skip the .br/.gz copies in dist/ (tools/precompress.mjs; brotli 11 on a new 8.5 MB
# module takes 15 s on an idle core, minutes on a busy one). The server then sends every file as it is.
PRECOMPRESS ?= 1
RUST_SOURCES := $(shell find src -name '*.rs') Cargo.toml Cargo.lock .cargo/config.toml
# Prepared checkpoints the site ships (`make checkpoints`).
CHECKPOINTS := assets/checkpoints/infogan-mlp.ganlane assets/checkpoints/nonsaturating-dcgan.ganlane
WWW_SOURCES := $(shell find www -type f -not -path 'www/data/*' -not -path 'www/vendor/*')

.PHONY: all setup setup-test data wasm dist serve test test-rust test-browser cli clean classifier quality checkpoints

all: dist

setup:
	@tools/setup.sh build

setup-test:
	@tools/setup.sh test

www/data/mnist.bin: tools/build-data.mjs package-lock.json
	node tools/build-data.mjs mnist $@

# Fashion-MNIST's 10,000 test images from Debian's dataset-fashion-mnist (installed by tools/setup.sh).
www/data/fashion.bin: tools/build-data.mjs
	node tools/build-data.mjs fashion $@

data: setup www/data/mnist.bin www/data/fashion.bin

www/vendor/uPlot.esm.js: package-lock.json
	mkdir -p www/vendor
	cp node_modules/uplot/dist/uPlot.esm.js node_modules/uplot/dist/uPlot.min.css www/vendor/

# gifenc's ESM build, imported by www/js/timelapse.js (the time-lapse's GIF export) and its node unit tests.
www/vendor/gifenc.esm.js: package-lock.json
	mkdir -p www/vendor
	cp node_modules/gifenc/dist/gifenc.esm.js www/vendor/

# KaTeX's ESM build, imported by www/js/explainer.js (it renders MathML, which needs no CSS or fonts); the
# CSS and woff2 fonts come along for KaTeX's HTML output.
www/vendor/katex/katex.mjs: package-lock.json
	mkdir -p www/vendor/katex/fonts
	cp node_modules/katex/dist/katex.mjs node_modules/katex/dist/katex.min.css node_modules/katex/LICENSE www/vendor/katex/
	cp node_modules/katex/dist/fonts/*.woff2 www/vendor/katex/fonts/

$(WASM): $(RUST_SOURCES)
	@echo "wasm: cargo build --target wasm32-unknown-unknown --profile $(WASM_PROFILE) (cold: ~10 min on 2 cores)"
	cargo build --lib --target wasm32-unknown-unknown --profile $(WASM_PROFILE)

pkg/gan_playground_bg.wasm: $(WASM)
	wasm-bindgen --target web --no-typescript --out-dir pkg $(WASM)
	@if [ "$(WASM_OPT)" = 1 ]; then \
	  echo "wasm: wasm-opt -O2 (binaryen $$(node_modules/.bin/wasm-opt --version | awk '{print $$3}'))"; \
	  node_modules/.bin/wasm-opt -O2 --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue pkg/gan_playground_bg.wasm -o pkg/gan_playground_bg.wasm; \
	fi
	@echo "wasm: $$(stat -c %s $@) bytes raw, $$(gzip -9 -c $@ | wc -c) bytes gzipped"

wasm: setup pkg/gan_playground_bg.wasm

# The committed classifier weights (assets/classifier*.bin, `make classifier`) go to the site's data/.
www/data/classifier.bin www/data/classifier-fashion.bin: www/data/%: assets/%
	mkdir -p www/data
	cp $< $@

dist: setup pkg/gan_playground_bg.wasm www/data/mnist.bin www/data/fashion.bin www/data/classifier.bin www/data/classifier-fashion.bin www/vendor/uPlot.esm.js www/vendor/gifenc.esm.js www/vendor/katex/katex.mjs $(WWW_SOURCES) $(CHECKPOINTS)
	rm -rf dist
	mkdir -p dist/pkg dist/checkpoints
	cp -r www/. dist/
	cp $(CHECKPOINTS) dist/checkpoints/
	cp pkg/gan_playground.js pkg/gan_playground_bg.wasm dist/pkg/
	@if [ "$(PRECOMPRESS)" = 1 ]; then node tools/precompress.mjs dist --cache node_modules/.cache/gan-precompress; fi
	@echo "dist: static site in dist/ ($$(du -sh dist | cut -f1) with the .br/.gz copies); serve it from any static host"

# Sends the .br/.gz copies `make dist` writes (tools/precompress.mjs) to browsers that accept them.
serve: dist
	node tools/serve.mjs dist $(PORT)

cli: setup www/data/mnist.bin www/data/fashion.bin
	cargo build --release --bin gan-playground

# Retrains the quality metrics' classifiers on each dataset's 9,000 train images and rewrites
# assets/classifier.bin (MNIST) and assets/classifier-fashion.bin (~30 s each).
classifier: cli www/data/fashion.bin
	$(CARGO_TARGET_DIR)/release/gan-playground train-classifier --out assets/classifier.bin
	$(CARGO_TARGET_DIR)/release/gan-playground train-classifier --data www/data/fashion.bin --out assets/classifier-fashion.bin

# The prepared checkpoints lessons start from (`checkpoint=` on the page, docs/lessons.md), committed in
# assets/checkpoints/ and copied to the site's checkpoints/: seed 1, 2000 generator steps on the CLI's
# CPU backend, saved compact (f16 weights, no optimizer state; ~1 min and ~3 min on 2 cores). The same
# build writes the same bytes: `make checkpoints && git diff --stat assets/` shows nothing.
checkpoints: cli
	mkdir -p assets/checkpoints
	$(CARGO_TARGET_DIR)/release/gan-playground train --objective infogan --arch mlp --seed 1 --steps 2000 --log-every 500 --out $(CARGO_TARGET_DIR)/checkpoints/infogan --save-compact assets/checkpoints/infogan-mlp.ganlane
	$(CARGO_TARGET_DIR)/release/gan-playground train --objective nonsaturating --arch dcgan --seed 1 --steps 2000 --log-every 500 --out $(CARGO_TARGET_DIR)/checkpoints/dcgan --save-compact assets/checkpoints/nonsaturating-dcgan.ganlane

# Sample-quality benchmark: every objective on DCGAN, 5,000 generator steps each (about 1.5 hours on 2 CPU
# cores; `make quality QUALITY_BACKEND=wgpu` trains on the native GPU instead).
QUALITY_BACKEND ?= cpu
quality: cli
	$(CARGO_TARGET_DIR)/release/gan-playground quality --arch dcgan --steps 5000 --samples 1000 --backend $(QUALITY_BACKEND) --out bench/quality-out

test-rust: data
	GAN_REQUIRE_WGPU=1 cargo test --release
	@echo "test-rust: the wasm module without the gpu feature (bench/threads.sh's CPU-only build) still compiles"
	cargo check --lib --target wasm32-unknown-unknown --no-default-features

test-browser: setup-test dist
	node --test tests/unit/
	node --test --test-concurrency=1 tests/browser/

test: setup-test
	$(MAKE) test-rust
	$(MAKE) test-browser

clean:
	rm -rf dist pkg www/vendor www/data/mnist.bin www/data/fashion.bin www/data/classifier.bin www/data/classifier-fashion.bin
