#!/usr/bin/env bash
# Usage: scripts/check_toolchain.sh rust|python [PYTHON]
#
# Prints nothing and exits 0 when the toolchain is there and recent enough;
# otherwise prints ONE line naming what is missing and how to get it, and
# exits 1. The Makefile uses it: `make test` stops with that line, `make demo`
# and `make install` fall back to the pure-Python package without the Rust
# engine (see README, "Prerequisites").
set -uo pipefail
cd "$(dirname "$0")/.."

# version_ge A B: true when version A >= version B (dotted numbers).
version_ge() {
    [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]
}

case "${1:-}" in
rust)
    # The crates' minimum: `rust-version` of rust/engine/Cargo.toml.
    need=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' rust/engine/Cargo.toml)
    fix="install Rust >= $need with rustup (https://rustup.rs) and put ~/.cargo/bin on PATH"
    if ! command -v cargo >/dev/null 2>&1 || ! command -v rustc >/dev/null 2>&1; then
        echo "Rust (cargo, rustc) is not on PATH: $fix"
        exit 1
    fi
    have=$(rustc --version 2>/dev/null | awk '{print $2}')
    if [ -z "$have" ] || ! version_ge "${have%%-*}" "$need"; then
        echo "rustc ${have:-(unknown version)} at $(command -v rustc) is older than the crates' rust-version $need: $fix"
        exit 1
    fi
    ;;
python)
    py=${2:-python3}
    fix="install Python >= 3.10 (python.org, or apt-get install python3 python3-venv) and run make with PYTHON=/path/to/python3"
    if ! command -v "$py" >/dev/null 2>&1; then
        echo "$py is not on PATH: $fix"
        exit 1
    fi
    have=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
    if [ -z "$have" ] || ! version_ge "$have" 3.10; then
        echo "$py is Python ${have:-(unknown version)}, older than 3.10: $fix"
        exit 1
    fi
    if ! "$py" -c 'import venv, ensurepip' >/dev/null 2>&1; then
        echo "$py cannot create virtual environments (no venv/ensurepip): apt-get install python3-venv, or $fix"
        exit 1
    fi
    ;;
*)
    echo "usage: $0 rust|python [PYTHON]" >&2
    exit 2
    ;;
esac
