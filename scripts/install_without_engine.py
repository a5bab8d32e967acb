"""Install sc_neurocore into the running interpreter's environment without the Rust engine.

``make install`` builds the package with maturin, which needs cargo. Where no
usable Rust is found (scripts/check_toolchain.sh), the Makefile runs this
instead: it installs the dependencies of the package and of the requested
extras (from pyproject.toml), puts the checkout's ``python/`` folder on the
environment's path with a ``.pth`` file (an editable install, as ``maturin
develop`` makes one) and writes the console scripts. ``sc_neurocore.accel``
then runs on NumPy, Numba, JAX, CuPy and MPI; the ``rust`` backend reports
the engine as missing. ``make install`` with a usable Rust replaces it.

Usage: ``python scripts/install_without_engine.py --extras numba,jax,...``
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PTH_NAME = "sc_neurocore_without_engine.pth"


def load_pyproject() -> dict:
    """pyproject.toml as a dict (tomllib, or pip's vendored tomli on Python 3.10)."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        from pip._vendor import tomli as tomllib  # type: ignore[no-redef]
    with open(REPO / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)


def requirements(project: dict, extras: list[str]) -> list[str]:
    """The package's dependencies plus those of ``extras`` (self-references expanded)."""
    name = project["name"]
    optional = project.get("optional-dependencies", {})
    unknown = [e for e in extras if e not in optional]
    if unknown:
        raise SystemExit(f"unknown extra(s) {', '.join(unknown)}; pyproject.toml has "
                         f"{', '.join(optional)}")
    found: list[str] = list(project.get("dependencies", []))
    todo, seen = list(extras), set()
    while todo:
        extra = todo.pop(0)
        if extra in seen:
            continue
        seen.add(extra)
        for req in optional[extra]:
            self_ref = re.fullmatch(rf"{re.escape(name)}\[([^\]]*)\]", req.replace(" ", ""))
            if self_ref:
                todo.extend(e for e in self_ref[1].split(",") if e)
            elif req not in found:
                found.append(req)
    return found


def write_scripts(project: dict, bin_dir: Path) -> list[Path]:
    """One launcher per ``[project.scripts]`` entry, run by this interpreter."""
    written = []
    for script, target in project.get("scripts", {}).items():
        module, _, func = target.partition(":")
        path = bin_dir / script
        path.write_text(f"#!{sys.executable}\nimport sys\nfrom {module} import {func}\n"
                        f"sys.exit({func}())\n", encoding="utf-8")
        path.chmod(0o755)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """Install; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extras", default="", help="comma-separated extras of pyproject.toml")
    args = parser.parse_args(argv)
    if sys.prefix == sys.base_prefix:
        print("install_without_engine.py: run it with a virtual environment's python",
              file=sys.stderr)
        return 2
    project = load_pyproject()["project"]
    reqs = requirements(project, [e for e in args.extras.split(",") if e])
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *reqs], check=True)
    site = Path(sysconfig.get_paths()["purelib"])
    (site / PTH_NAME).write_text(f"{REPO / 'python'}\n", encoding="utf-8")
    scripts = write_scripts(project, Path(sysconfig.get_paths()["scripts"]))
    print(f"installed {project['name']} from {REPO / 'python'} without the Rust engine "
          f"({len(reqs)} requirements; scripts: {', '.join(p.name for p in scripts) or 'none'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
