#!/usr/bin/env bash
# One-call check of the GPU backends on a borrowed GPU machine (issue 10).
#
# Runs, in order, each step under its own time limit inside one overall budget
# (default 450 s, under the 8 minutes a device call may use), writing results
# under $OUT (or --out DIR) as it goes, so that a hang or a timeout still leaves
# everything measured before it:
#
#   summary.txt     nvidia-smi, Python and library versions, devices, and one
#                   line per step: exit code, seconds, verdict
#   pytest-gpu.txt  pytest -m gpu (the GPU-marked tests)
#   parity.txt      python -m parity run --lang cupy, then --lang jax
#   study.txt       the timing study (cupy, jax, numpy on W1-W3, accuracy
#                   table, the JAX forward pass and training step)
#   bench-<host>.json / .png   the study's results (smoke-bench-... in a dry run)
#
# The machine has Python with CuPy, JAX (CUDA plugins), Numba and pytest, no
# network and no Rust toolchain: the pure-Python package runs from python/ via
# PYTHONPATH (the Rust engine is absent), and no .venv is needed.
#
# Usage:
#   OUT=/some/dir scripts/device_check.sh            # on the GPU machine
#   scripts/device_check.sh --cpu-dry-run --out DIR  # here: everything that needs no
#                                                    # GPU (JAX on CPU, CuPy reported
#                                                    # unavailable), tiny study shapes
# Options: --out DIR, --budget SECONDS, --python EXE (default $PYTHON or python3).
# Exit status: 0 when every step passed (in a dry run, CuPy's "no GPU" counts
# as expected), 1 otherwise, 2 on bad usage.

set -u -o pipefail

MODE=gpu
OUT_DIR=${OUT:-}
BUDGET=
PY=${PYTHON:-python3}

while [ $# -gt 0 ]; do
    case "$1" in
        --cpu-dry-run) MODE=dry ;;
        --out) OUT_DIR=${2:?--out needs a folder}; shift ;;
        --budget) BUDGET=${2:?--budget needs seconds}; shift ;;
        --python) PY=${2:?--python needs an interpreter}; shift ;;
        -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
        *) echo "device_check.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

if [ -z "$OUT_DIR" ]; then
    echo "device_check.sh: no output folder: set \$OUT or pass --out DIR" >&2
    exit 2
fi
case "$BUDGET" in
    '') BUDGET=$([ "$MODE" = dry ] && echo 300 || echo 450) ;;
    *[!0-9]*) echo "device_check.sh: --budget must be whole seconds, got $BUDGET" >&2; exit 2 ;;
esac

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO" || exit 2
mkdir -p "$OUT_DIR" || exit 2
OUT_DIR=$(cd "$OUT_DIR" && pwd)
SUMMARY="$OUT_DIR/summary.txt"

export PYTHONPATH="$REPO/python:$REPO${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONUNBUFFERED=1
export PYTHONDONTWRITEBYTECODE=1
# CuPy and JAX share the GPU: JAX must not take 75% of its memory up front.
export XLA_PYTHON_CLIENT_PREALLOCATE=false
unset SC_NEUROCORE_REQUIRE_BACKENDS
if [ "$MODE" = dry ]; then
    export JAX_PLATFORMS=cpu
    export CUDA_VISIBLE_DEVICES=
    STUDY_FLAGS=(--smoke)
else
    STUDY_FLAGS=()
fi

START=$(date +%s)
FAILED=0

now() { date +%s; }
left() { echo $((START + BUDGET - $(now))); }

note() { printf '%s\n' "$*" >>"$SUMMARY"; }

# step NAME LIMIT_S LOGFILE EXPECTED_RCS -- COMMAND...
# Runs COMMAND with at most min(LIMIT_S, time left - 10 s), appending its output
# to LOGFILE; records "NAME rc=.. s=.. verdict" in the summary.  EXPECTED_RCS is
# a space-separated list of exit codes that count as a pass (besides 0).
step() {
    local name=$1 limit=$2 log=$3 expected=$4
    shift 5
    local avail=$(( $(left) - 10 ))
    [ "$avail" -lt "$limit" ] && limit=$avail
    if [ "$limit" -lt 5 ]; then
        note "$(printf '%-22s rc=-   s=0    SKIPPED (budget spent)' "$name")"
        FAILED=1
        return
    fi
    printf '\n===== %s (limit %ss): %s\n' "$name" "$limit" "$*" >>"$log"
    local t0 rc verdict
    t0=$(now)
    timeout -k 10 "$limit" "$@" >>"$log" 2>&1
    rc=$?
    verdict=PASS
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        verdict="TIMEOUT after ${limit}s"
        FAILED=1
    elif [ "$rc" -ne 0 ]; then
        verdict=FAIL
        for ok in $expected; do
            [ "$rc" -eq "$ok" ] && verdict="EXPECTED (rc $rc in this mode)"
        done
        [ "$verdict" = FAIL ] && FAILED=1
    fi
    note "$(printf '%-22s rc=%-3s s=%-4s %s' "$name" "$rc" "$(( $(now) - t0 ))" "$verdict")"
}

: >"$SUMMARY"
note "device check ($MODE) of $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo 'a working tree')"
note "started $(date -u +%Y-%m-%dT%H:%M:%SZ), budget ${BUDGET}s, python: $PY"
note ""
note "--- nvidia-smi"
if command -v nvidia-smi >/dev/null 2>&1; then
    timeout 20 nvidia-smi --query-gpu=name,memory.total,driver_version,compute_cap \
        --format=csv >>"$SUMMARY" 2>&1 || note "(nvidia-smi failed: rc $?)"
else
    note "(no nvidia-smi)"
fi
note ""
note "--- versions and devices"
timeout 120 "$PY" - >>"$SUMMARY" 2>&1 <<'EOF' || note "(version probe failed: rc $?)"
import importlib, platform, sys
print("python", platform.python_version(), platform.machine())
for name in ("numpy", "numba", "jax", "jaxlib", "cupy", "optax", "matplotlib", "pytest"):
    try:
        print(f"{name:<10}", importlib.import_module(name).__version__)
    except Exception as exc:
        print(f"{name:<10} unavailable ({type(exc).__name__}: {exc})")
try:
    import jax
    print("jax devices", jax.devices())
except Exception as exc:
    print("jax devices: none", exc)
try:
    import cupy
    n = cupy.cuda.runtime.getDeviceCount()
    print("cupy devices", n, [cupy.cuda.runtime.getDeviceProperties(i)["name"].decode()
                              for i in range(n)])
except Exception as exc:
    print("cupy devices: none", type(exc).__name__, exc)
from sc_neurocore.accel import available_backends
for name, status in available_backends().items():
    print(f"backend {name:<6}", status)
EOF
note ""
note "--- steps"

mapfile -t GPU_TESTS < <(grep -l 'pytest.mark.gpu' tests/*/test_*.py)
if [ "$MODE" = dry ]; then
    # No GPU: the GPU-marked tests skip; in a dry run that is the expected outcome.
    step "pytest -m gpu" 120 "$OUT_DIR/pytest-gpu.txt" "" -- \
        "$PY" -m pytest -m gpu -q -rs -p no:cacheprovider "${GPU_TESTS[@]}"
    # Exit 2: "no usable CUDA GPU" (CuPy installed, no GPU), expected here.
    step "parity --lang cupy" 60 "$OUT_DIR/parity.txt" "2" -- \
        "$PY" -m parity run --lang cupy
else
    # On the GPU machine a skipped GPU test is a failure (pytest itself exits 0
    # on skips), so any skip fails the check.
    step "pytest -m gpu" 150 "$OUT_DIR/pytest-gpu.txt" "" -- \
        "$PY" -m pytest -m gpu -q -rs -p no:cacheprovider "${GPU_TESTS[@]}"
    if grep -Eq '[0-9]+ skipped' "$OUT_DIR/pytest-gpu.txt"; then
        note "pytest -m gpu          GPU tests SKIPPED on the GPU machine: see pytest-gpu.txt"
        FAILED=1
    fi
    step "parity --lang cupy" 90 "$OUT_DIR/parity.txt" "" -- \
        "$PY" -m parity run --lang cupy
fi
step "parity --lang jax" 120 "$OUT_DIR/parity.txt" "" -- \
    "$PY" -m parity run --lang jax
step "study cupy,jax,numpy" 400 "$OUT_DIR/study.txt" "" -- \
    "$PY" -m sc_neurocore.accel bench --backends cupy,jax,numpy --no-contended \
    "${STUDY_FLAGS[@]}" --out "$OUT_DIR"
if [ "$MODE" = gpu ] && ! ls "$OUT_DIR"/bench-*.json >/dev/null 2>&1 && [ "$(left)" -gt 70 ]; then
    # The full study did not finish: a quick one in the time left.
    step "study (quick retry)" 300 "$OUT_DIR/study.txt" "" -- \
        "$PY" -m sc_neurocore.accel bench --backends cupy,jax,numpy --no-contended --quick \
        --out "$OUT_DIR"
fi

note ""
note "--- outcome"
for log in pytest-gpu.txt parity.txt; do
    [ -f "$OUT_DIR/$log" ] && note "$log: $(grep -E '(passed|failed|skipped|error)|all pass|mismatch|toolchain missing|no usable CUDA GPU' "$OUT_DIR/$log" | tail -n 3 | tr '\n' ' ')"
done
note "finished after $(( $(now) - START ))s: $([ "$FAILED" = 0 ] && echo 'every step passed' || echo 'SOME STEPS FAILED')"
cat "$SUMMARY"
exit "$FAILED"
