"""Prerequisites stated and degraded gracefully (README, "Prerequisites").

``scripts/check_toolchain.sh`` names a missing or too old Rust/Python in one
line; the Makefile stops ``make test`` with that line and makes ``make demo``
install the package without the engine (``scripts/install_without_engine.py``).
Tools are faked with small scripts on a PATH that holds nothing else of them.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHECK = REPO / "scripts" / "check_toolchain.sh"
RUST_VERSION = re.search(r'^rust-version = "(.*)"', (REPO / "rust" / "engine" / "Cargo.toml")
                         .read_text(), re.M)[1]  # type: ignore[index]

pytestmark = pytest.mark.skipif(shutil.which("bash") is None or shutil.which("make") is None,
                                reason="needs bash and make")


def _tool_dir(tmp_path: Path, tools: dict[str, str]) -> Path:
    """A folder of fake executables ``name`` printing ``output``, plus the real
    basics the scripts use (sed, sort, awk, head, dirname...) by symlink."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for name in ("bash", "sh", "sed", "sort", "head", "awk", "dirname", "printf", "env",
                 "make", "cat", "id", "find", "grep"):
        real = shutil.which(name)
        if real:
            (folder / name).symlink_to(real)
    for name, output in tools.items():
        script = folder / name
        script.write_text(f"#!/bin/sh\necho '{output}'\n")
        script.chmod(0o755)
    return folder


def _check(kind: str, path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(CHECK), kind, *args], env={"PATH": str(path)},
                          capture_output=True, text=True, check=False)


def test_rust_missing_is_one_line_with_the_fix(tmp_path: Path) -> None:
    run = _check("rust", _tool_dir(tmp_path, {}))
    assert run.returncode == 1
    assert run.stdout.count("\n") == 1
    assert f"Rust (cargo, rustc) is not on PATH: install Rust >= {RUST_VERSION} with rustup " \
           "(https://rustup.rs)" in run.stdout


def test_rust_too_old_is_named_with_its_version(tmp_path: Path) -> None:
    path = _tool_dir(tmp_path, {"cargo": "cargo 1.63.0", "rustc": "rustc 1.63.0 (4b91a6ea7 2022-08-08)"})
    run = _check("rust", path)
    assert run.returncode == 1 and run.stdout.count("\n") == 1
    assert f"rustc 1.63.0 at {path / 'rustc'} is older than the crates' rust-version " \
           f"{RUST_VERSION}" in run.stdout


@pytest.mark.parametrize("version", [RUST_VERSION + ".0", "1.95.0", "2.0.0-nightly"])
def test_a_recent_rust_passes_silently(tmp_path: Path, version: str) -> None:
    run = _check("rust", _tool_dir(tmp_path, {"cargo": f"cargo {version}",
                                              "rustc": f"rustc {version} (abc 2026-01-01)"}))
    assert (run.returncode, run.stdout) == (0, "")


def test_python_version_is_checked(tmp_path: Path) -> None:
    path = _tool_dir(tmp_path, {"oldpython": "3.9"})
    run = _check("python", path, "oldpython")
    assert run.returncode == 1
    assert "oldpython is Python 3.9, older than 3.10" in run.stdout
    assert _check("python", path, "nopython").stdout.startswith("nopython is not on PATH")
    this = _check("python", path, sys.executable)
    assert (this.returncode, this.stdout) == (0, "")


def _make(args: list[str], path: Path) -> subprocess.CompletedProcess:
    env = {"PATH": str(path), "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(["make", "-n", *args, f"PYTHON={sys.executable}"], cwd=REPO, env=env,
                          capture_output=True, text=True, check=False)


@pytest.mark.parametrize("goal", ["test", "test-rust", "test-python", "bench-results"])
def test_make_test_without_rust_stops_with_one_line(tmp_path: Path, goal: str) -> None:
    run = _make([goal], _tool_dir(tmp_path, {}))
    assert run.returncode == 2
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert f"*** make {goal} needs the Rust engine. Rust (cargo, rustc) is not on PATH" in lines[0]
    assert "rustup (https://rustup.rs)" in lines[0]


def test_make_demo_without_rust_installs_the_pure_python_package(tmp_path: Path) -> None:
    run = _make(["--always-make", "demo"], _tool_dir(tmp_path, {}))
    assert run.returncode == 0, run.stderr
    assert "scripts/install_without_engine.py --extras" in run.stdout
    assert "maturin develop" not in run.stdout
    assert "Rust engine skipped: Rust (cargo, rustc) is not on PATH" in run.stdout
    assert "-m sc_neurocore.accel bench --mpi" in run.stdout


def test_make_demo_with_rust_builds_the_engine(tmp_path: Path) -> None:
    tools = {"cargo": f"cargo {RUST_VERSION}.0", "rustc": f"rustc {RUST_VERSION}.0 (x 2026)"}
    run = _make(["--always-make", "install"], _tool_dir(tmp_path, tools))
    assert run.returncode == 0, run.stderr
    assert "maturin develop --release" in run.stdout
    assert "install_without_engine" not in run.stdout


def _installer():
    spec = importlib.util.spec_from_file_location(
        "install_without_engine", REPO / "scripts" / "install_without_engine.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_pure_python_requirements_follow_pyproject() -> None:
    inst = _installer()
    project = inst.load_pyproject()["project"]
    assert inst.requirements(project, []) == project["dependencies"]
    reqs = inst.requirements(project, ["numba", "dev"])  # dev = sc-neurocore[test,bench] + maturin
    optional = project["optional-dependencies"]
    for extra in ("numba", "test", "bench"):
        assert all(r in reqs for r in optional[extra])
    assert not any(r.startswith(project["name"]) for r in reqs)
    with pytest.raises(SystemExit, match="unknown extra"):
        inst.requirements(project, ["nope"])


def test_pure_python_scripts_launch_the_entry_points(tmp_path: Path) -> None:
    inst = _installer()
    project = inst.load_pyproject()["project"]
    written = inst.write_scripts(project, tmp_path)
    assert [p.name for p in written] == list(project["scripts"])
    run = subprocess.run([str(written[0]), "--version"], capture_output=True, text=True,
                         check=False)
    assert run.returncode == 0 and run.stdout.strip()
