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

.PHONY: all install demo test bench benchmark info clean docs \
        test-rust test-python test-parity test-go test-julia test-mojo test-types parity-bench \
        system-deps

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
	$(VENV)/bin/maturin develop --release --extras $(EXTRAS)
	touch $@

install: $(STAMPS)/system $(STAMPS)/engine

# The main job: the timing study on every available backend (W1-W3, contended
# rows, the reference NumPy baseline, accuracy against stream length, the
# Numba/JAX extras, W2 and W3 on 1 and 2 MPI ranks), then the research mirrors on W1.
demo: install
	$(PY) -m sc_neurocore.accel bench --mpi
	$(PY) -m parity bench --lang all

bench benchmark: demo

info: install
	$(PY) -m sc_neurocore.accel info

test: install test-types test-rust test-go test-mojo test-julia test-python test-parity

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
# sources are still parse-checked by tests/test_julia_sources.py (test-python).
test-julia:
	@if command -v julia >/dev/null 2>&1; then cd julia && julia --project=. test/runtests.jl; \
	else echo "julia not on PATH: julia/ is parse-checked only (tests/test_julia_sources.py)"; fi

# SC_NEUROCORE_REQUIRE_BACKENDS: these must be available, so a broken install
# fails the run instead of silently shrinking the backend matrix.
test-python: install
	SC_NEUROCORE_REQUIRE_BACKENDS=numpy,rust,numba,jax $(PY) -m pytest -q

test-parity: install
	$(PY) -m parity regen --check
	$(PY) -m parity run --lang all --require python,rust,numba,jax,go,mojo,wgsl

parity-bench: install
	$(PY) -m parity bench --lang all

# The user documentation site (mkdocs + mkdocstrings) into site/.
docs: install
	$(VENV)/bin/mkdocs build --strict

clean:
	rm -rf $(STAMPS) target rust/engine/target site
