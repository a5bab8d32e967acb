# sc-neurocore accel: the two set-up commands are `make demo` and `make test`.
# Everything they need is installed into .venv (and with apt for system
# packages); stamps under .make/ keep repeated runs fast.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMPS := .make
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export VIRTUAL_ENV := $(CURDIR)/$(VENV)
# The Python extras installed by `make install` (CuPy's CUDA 12 wheel included:
# without a GPU it still compiles the CUDA kernels with NVRTC).
EXTRAS := numba,jax,gpu,mpi,bench,test,docs
# The engine links the safety mirror (its LGSSM bindings run the mirror's code).
ENGINE_SOURCES := $(shell find rust/engine/src rust/mirror/src -name '*.rs' 2>/dev/null) \
                  rust/engine/Cargo.toml rust/mirror/Cargo.toml
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Prerequisites (README, "Prerequisites"): scripts/check_toolchain.sh prints one
# line naming what is missing and how to get it, or nothing.
PYTHON_PROBLEM := $(shell scripts/check_toolchain.sh python $(PYTHON))
RUST_PROBLEM := $(shell scripts/check_toolchain.sh rust)
ifneq ($(PYTHON_PROBLEM),)
$(error $(PYTHON_PROBLEM))
endif
# The tests need every backend, the engine included: without a usable Rust they
# stop at once with that one line. demo, install and info fall back to the
# pure-Python package (NumPy, Numba, JAX, MPI; no Rust engine).
NEEDS_RUST := test test-rust test-types test-python test-parity test-portability bench-results
ifneq ($(RUST_PROBLEM),)
ifneq ($(filter $(NEEDS_RUST),$(MAKECMDGOALS)),)
$(error make $(firstword $(filter $(NEEDS_RUST),$(MAKECMDGOALS))) needs the Rust engine. $(RUST_PROBLEM))
endif
PACKAGE := $(STAMPS)/pure-python
else
PACKAGE := $(STAMPS)/engine
endif

.PHONY: all install demo test bench benchmark bench-results info clean docs \
        test-rust test-python test-parity test-portability test-go test-julia test-mojo \
        test-types parity-bench system-deps

all: install

$(STAMPS):
	mkdir -p $(STAMPS)

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Debian packages some backends and mirrors need (see system-packages.txt).
$(STAMPS)/system: system-packages.txt | $(STAMPS)
	@missing=$$(for p in $$(grep -v '^#' system-packages.txt); do \
	    dpkg -s $$p >/dev/null 2>&1 || echo $$p; done; \
	    command -v go >/dev/null 2>&1 || echo golang-go); \
	if [ -n "$$missing" ]; then \
	    echo "apt-get install $$missing"; \
	    $(SUDO) apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	touch $@

$(STAMPS)/python-deps: pyproject.toml requirements-research.txt | $(PY) $(STAMPS)
	$(PIP) install --quiet "maturin>=1.9.4,<2"
	$(PIP) install --quiet -r requirements-research.txt
	touch $@

# The package itself, editable, with the release build of the Rust engine and
# every extra that installs here.
$(STAMPS)/engine: $(STAMPS)/python-deps $(ENGINE_SOURCES)
	rm -f $(VENV)/lib/python*/site-packages/sc_neurocore_without_engine.pth
	$(VENV)/bin/maturin develop --release --extras $(EXTRAS)
	touch $@

# Without a usable Rust: the same package from python/ (a .pth file) with the
# same extras, but no engine (maturin cannot build without cargo).
$(STAMPS)/pure-python: $(STAMPS)/python-deps pyproject.toml
	$(PY) scripts/install_without_engine.py --extras $(EXTRAS)
	touch $@

install: $(STAMPS)/system $(PACKAGE)
	@if [ -n "$(RUST_PROBLEM)" ] && ! $(PY) -c 'import sc_neurocore._engine' 2>/dev/null; then \
	    echo "Rust engine skipped: $(RUST_PROBLEM)"; fi

# The main job: the timing study on every available backend (W1-W3, contended
# rows, the reference NumPy baseline, accuracy against stream length, the
# Numba/JAX extras, W2 and W3 on 1 and 2 MPI ranks), then the research mirrors
# on W1. Results go to benchmarks/runs/ (git-ignored): a run leaves the
# checkout as it was. BENCH_FLAGS / PARITY_BENCH_FLAGS add options (e.g.
# BENCH_FLAGS=--smoke PARITY_BENCH_FLAGS="--w1-only --reps 1" for a quick check).
BENCH_FLAGS ?=
PARITY_BENCH_FLAGS ?=
demo: install
	$(PY) -m sc_neurocore.accel bench --mpi $(BENCH_FLAGS)
	$(PY) -m parity bench --lang all $(PARITY_BENCH_FLAGS)

bench benchmark: demo

# The committed results (benchmarks/results/, which the docs' Benchmarks page
# shows): written only on request, on a quiet machine.
bench-results: install
	$(PY) -m sc_neurocore.accel bench --mpi --out benchmarks/results
	$(PY) -m parity bench --lang all --out benchmarks/results

info: install
	$(PY) -m sc_neurocore.accel info

test: install test-types test-rust test-go test-mojo test-julia test-python test-parity \
      test-portability

# The package is typed (py.typed): `mypy --strict` over all of python/sc_neurocore
# (settings in pyproject.toml), and the engine's stub checked against the
# compiled module.
test-types: install
	$(VENV)/bin/mypy --strict
	$(PY) -m mypy.stubtest sc_neurocore._engine --mypy-config-file pyproject.toml

# The engine's own tests, then the safe mirror crate: first exactly the
# documented command (every unit test and every golden case of the kernels,
# splitmix and the safety mirrors), then its integration tests (the engine's
# SIMD tiers and threads cross-checked against safe Rust; the harness binary).
test-rust:
	cargo test --manifest-path rust/engine/Cargo.toml
	cargo test --manifest-path rust/mirror/Cargo.toml --lib --no-default-features
	cargo test --manifest-path rust/mirror/Cargo.toml --test engine_crosscheck --test harness_cli

test-go:
	cd go && go vet ./... && go test ./...

# Mojo-side unit tests (mojo is pip-installed into .venv by requirements-research.txt).
test-mojo: install
	cd mojo && mojo run --fp-mode contract=off -I . tests/test_kernels.mojo

# Julia cannot be installed on every machine: where it is missing, the
# sources are still parse-checked by tests/parity/test_julia_sources.py (test-python).
test-julia:
	@if command -v julia >/dev/null 2>&1; then cd julia && julia --project=. test/runtests.jl; \
	else echo "julia not on PATH: julia/ is parse-checked only (tests/parity/test_julia_sources.py)"; fi

# SC_NEUROCORE_REQUIRE_BACKENDS: these must be available, so a broken install
# fails the run instead of silently shrinking the backend matrix.
test-python: install
	SC_NEUROCORE_REQUIRE_BACKENDS=numpy,rust,numba,jax SC_NEUROCORE_REQUIRE_CHROMIUM=1 \
	    $(PY) -m pytest -q

test-parity: install
	$(PY) -m parity regen --check
	$(PY) -m parity run --lang all --require python,rust,numba,jax,go,mojo,wgsl

# Golden files are the same on every CPU (parity/FORMAT.md, "Portability"): the
# golden checks again as on an AVX2-only host (level avx2) and on one without
# AVX2 (level baseline: NumPy's baseline loops, glibc's libm without FMA), with
# the targets this CPU has turned off (python -m parity lower-simd); the Rust
# mirror's golden tests with glibc's libm lowered too; then the engine's golden
# cases through Python on every SIMD tier it can force (test-rust's
# engine_crosscheck runs them through the Rust API on every tier).
GOLDEN_TESTS := tests/parity/test_parity.py tests/parity/test_safety_golden.py
test-portability: install
	for level in avx2 baseline; do \
	    $(PY) -m parity lower-simd --level $$level -- $(PY) -m parity regen --check && \
	    $(PY) -m parity lower-simd --level $$level -- $(PY) -m pytest -q $(GOLDEN_TESTS) \
	    || exit 1; \
	done
	$(PY) -m parity lower-simd --level baseline -- \
	    cargo test -q --manifest-path rust/mirror/Cargo.toml --lib --no-default-features
	$(PY) -m parity run --lang rust --simd-tier all -q

parity-bench: install
	$(PY) -m parity bench --lang all

# The user documentation site (mkdocs + mkdocstrings) into site/.
docs: install
	$(VENV)/bin/mkdocs build --strict

clean:
	rm -rf $(STAMPS) target rust/engine/target site
