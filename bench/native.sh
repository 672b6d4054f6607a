#!/usr/bin/env bash
# Native speed benchmark: our CLI against bench/torch_gan.py (PyTorch, same networks and step), as a table.
#
#   bench/native.sh                          CPU: ours on burn's flex backend vs PyTorch on the CPU
#   BACKENDS="cpu wgpu" bench/native.sh      also ours on burn's native wgpu vs PyTorch CUDA
#   TORCH_PYTHON=/usr/bin/python3 BACKENDS=wgpu bench/native.sh   use a python that already has torch
#
# For each backend, arch (mlp, dcgan) and objective (nonsaturating, wgan-gp), at batch 64, it runs
#   gan-playground train --objective O --arch A --steps N --batch 64 --seed 1 --backend B --log-every 1
# and torch_gan.py with --warmup W --steps N-W on the matching device (cpu → cpu, wgpu → cuda), then
# prints a markdown table of generator steps/s and their ratio (ours / PyTorch) on stdout; progress goes
# to stderr. Both sides are timed the same way: over steps W+1..N, after W warm-up steps (on wgpu the
# first steps include shader compilation and autotuning). Our figure comes from the wall-clock times at
# which the CLI printed its step-W and step-N progress lines; the CLI's own end-of-run figure (from step 0,
# warm-up included) is the last column.
#
# Environment (all optional):
#   BACKENDS       backends to run, from "cpu wgpu" (default: cpu)
#   ARCHS          default "mlp dcgan";  OBJECTIVES  default "nonsaturating wgan-gp"
#   MLP_STEPS      generator steps per MLP run, warm-up included (default: 500 on cpu, 1000 on wgpu)
#   DCGAN_STEPS    the same for DCGAN (default: 100 on cpu, 300 on wgpu)
#   WARMUP         warm-up steps excluded from both timings (default: a tenth of the steps, at least 1)
#   THREADS        CPU threads for both: torch.set_num_threads and RAYON_NUM_THREADS (default: nproc)
#   GAN_BIN        our CLI (default: target/release/gan-playground, built with `make cli` if missing)
#   TORCH_PYTHON   a python whose torch to use instead of the virtualenv bench/.venv
#   TORCH_VERSION  the torch pinned in bench/.venv (default 2.11.0)
# The defaults take about 4 minutes on a 2-core CPU, after a one-time install of about 70 s (4.7 GB).
set -euo pipefail
export LC_ALL=C # '.' as the decimal point, in $EPOCHREALTIME too
cd "$(dirname "$0")/.."

BACKENDS=${BACKENDS:-cpu}
ARCHS=${ARCHS:-mlp dcgan}
OBJECTIVES=${OBJECTIVES:-nonsaturating wgan-gp}
THREADS=${THREADS:-$(nproc)}
TORCH_VERSION=${TORCH_VERSION:-2.11.0}
VENV=bench/.venv
BATCH=64

say() { printf '%s\n' "$*" >&2; }
die() { say "native.sh: $*"; exit 1; }

# --- PyTorch: TORCH_PYTHON, or bench/.venv with the pinned torch from PyPI ----------------------------
# PyPI's Linux torch wheel is the CUDA build: it cannot even be imported without its nvidia-* libraries
# (libtorch.so links libtorch_cuda.so), so the full install is needed on a CPU-only machine too (about
# 4.7 GB in the virtualenv). PyTorch's own CPU-only wheel index is not a registry this project reaches.
torch_python() {
    if [[ -n ${TORCH_PYTHON:-} ]]; then
        "$TORCH_PYTHON" -c 'import torch' 2>/dev/null || die "TORCH_PYTHON=$TORCH_PYTHON cannot import torch"
        printf '%s\n' "$TORCH_PYTHON"
        return
    fi
    local py=$VENV/bin/python want="import torch, sys; sys.exit(torch.__version__.split('+')[0] != '$TORCH_VERSION')"
    if ! [[ -x $py ]] || ! "$py" -c "$want" 2>/dev/null; then
        say "installing torch==$TORCH_VERSION into $VENV (one time; about 4.7 GB, 70 s here) ..."
        local t0=$EPOCHREALTIME
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install --quiet "torch==$TORCH_VERSION" numpy >&2
        "$py" -c "$want" || die "torch $TORCH_VERSION did not install into $VENV"
        say "installed in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s; $VENV is $(du -sh "$VENV" | cut -f1)"
    fi
    printf '%s\n' "$py"
}

# --- Our CLI and its data (a clean checkout has neither) ------------------------------------------------
our_cli() {
    local bin=${GAN_BIN:-${CARGO_TARGET_DIR:-target}/release/gan-playground}
    if ! [[ -x $bin ]]; then
        [[ -z ${GAN_BIN:-} ]] || die "GAN_BIN=$GAN_BIN is not an executable"
        say "building our CLI (make cli: data, then cargo build --release; ~10 min cold on 2 cores) ..."
        make cli >&2
    fi
    [[ -f www/data/mnist.bin ]] || make data >&2
    printf '%s\n' "$bin"
}

steps_for() { # backend arch
    case $2 in
        mlp) if [[ $1 == cpu ]]; then echo "${MLP_STEPS:-500}"; else echo "${MLP_STEPS:-1000}"; fi ;;
        dcgan) if [[ $1 == cpu ]]; then echo "${DCGAN_STEPS:-100}"; else echo "${DCGAN_STEPS:-300}"; fi ;;
        *) die "unknown arch $2 (mlp, dcgan)" ;;
    esac
}

# Runs our CLI for `steps` generator steps and prints "steady total name": steps/s over steps warmup+1..steps
# from the arrival times of its per-step progress lines (Rust's stdout is line-buffered, so each line
# arrives as the step's statistics are read back), the CLI's own end-of-run figure, and the backend
# as the CLI names it (for wgpu, with the adapter: a software one such as llvmpipe is no GPU).
run_ours() { # backend arch objective steps warmup
    local dir
    dir=$(mktemp -d)
    # `read` is a builtin, so stamping a line costs microseconds; the CLI's step is milliseconds or more.
    if ! RAYON_NUM_THREADS=$THREADS "$GAN" train --objective "$3" --arch "$2" --steps "$4" --batch $BATCH \
        --seed 1 --out "$dir/out" --backend "$1" --log-every 1 2>"$dir/err" |
        while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done >"$dir/log"; then
        say "  our CLI failed: $(tail -n 3 "$dir/err" "$dir/log" | tr '\n' ' ')"
        rm -rf "$dir"
        echo "error error $1"
        return
    fi
    head -n 1 "$dir/log" | cut -d' ' -f2- >&2 # "training O / A on <backend>, N steps, ..."
    awk -v w="$5" -v n="$4" -v b="$1" '
        $2 == "step" && $3 == w { tw = $1 }
        $2 == "step" && $3 == n { tn = $1 }
        $2 == "done:" { total = $(NF - 1) }
        NR == 1 { name = $0; sub(/^[^ ]+ training .* on /, "", name); sub(/, [0-9]+ steps, batch .*/, "", name) }
        END { if (!(tw && tn > tw)) printf "error error "; else printf "%.3f %s ", (n - w) / (tn - tw), total; print name ? name : b }
    ' "$dir/log"
    rm -rf "$dir"
}

run_torch() { # device arch objective timed_steps warmup
    local json
    if ! json=$("$PY" bench/torch_gan.py --device "$1" --arch "$2" --objective "$3" --batch $BATCH \
        --steps "$4" --warmup "$5" --threads "$THREADS"); then
        say "  torch_gan.py failed"
        echo error
        return
    fi
    say "  $json"
    "$PY" -c 'import json, sys; print(json.loads(sys.argv[1])["steps_per_s"])' "$json"
}

# --- Main -------------------------------------------------------------------------------------------------
for b in $BACKENDS; do [[ $b == cpu || $b == wgpu ]] || die "unknown backend $b (cpu, wgpu)"; done
GAN=$(our_cli)
LOAD=$(cut -d' ' -f1 /proc/loadavg) # before any install of ours raises it
PY=$(torch_python)
TORCH_INFO=$("$PY" -c 'import torch; print(torch.__version__, torch.cuda.get_device_name() if torch.cuda.is_available() else "(no CUDA device)")' 2>/dev/null)
say "our CLI: $GAN; PyTorch: $PY (torch $TORCH_INFO); $THREADS CPU threads for both; load average $LOAD"
awk -v l="$LOAD" 'BEGIN { exit !(l > 0.5) }' && say "warning: the machine is busy (load $LOAD); CPU timings will be low"

ROWS=()
for backend in $BACKENDS; do
    device=cpu
    [[ $backend == wgpu ]] && device=cuda
    for arch in $ARCHS; do
        for objective in $OBJECTIVES; do
            steps=$(steps_for "$backend" "$arch")
            warmup=${WARMUP:-$(((steps / 10) > 1 ? steps / 10 : 1))}
            ((steps > warmup)) || die "$arch: steps ($steps) must exceed the warm-up ($warmup)"
            say "$arch / $objective / $backend: $steps steps, the first $warmup untimed"
            read -r ours total name < <(run_ours "$backend" "$arch" "$objective" "$steps" "$warmup")
            theirs=$(run_torch "$device" "$arch" "$objective" $((steps - warmup)) "$warmup")
            ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "-" }')
            say "  ours $ours steps/s, PyTorch $theirs steps/s, ratio $ratio"
            ROWS+=("| $arch | $objective | ours $name, torch $device | $ours | $theirs | $ratio | $total |")
        done
    done
done

echo "Generator steps/s at batch $BATCH, steps after the warm-up; torch $TORCH_INFO; $THREADS CPU threads; $(nproc)-core $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo
echo "| arch | objective | backend | ours steps/s | PyTorch steps/s | ratio (ours/PyTorch) | ours, CLI's figure incl. warm-up |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${ROWS[@]}"
