"""Install hints and status messages are true (issue 13, items 2 and 6).

* Every install hint installs *this* project (from its checkout) with the extra
  that is needed: no text in the repository and no message the code produces
  asks pip for the distribution name with an extra, which resolves to another
  project's release on PyPI.
* The messages tell the truth in every environment: a child interpreter hides
  optional packages with a meta path finder (as if they were not installed)
  and collects everything a user can meet — ``info``, ``get_backend`` errors,
  the warnings of direct calls, the errors of the JAX functions, the parity
  runner's reports.  A CuPy without a usable GPU says exactly that (with the
  CUDA driver and runtime versions) and gives no install hint; no line carries
  a hint twice.
* ``bench`` without matplotlib says the chart was skipped and why; ``--mpi``
  without MPI says MPI is unavailable instead of printing MPI rows; ``--help``
  is plain text and names the program as it was invoked.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sc_neurocore.accel import __main__ as cli
from sc_neurocore.accel._install import EXTRAS, install_hint, source_checkout

ROOT = Path(__file__).resolve().parents[2]
# pip asked for the distribution name with an extra: 'name[', "name[" or name[
# (the name is split so that this file does not match itself).
NAME = "sc-neuro" + "core"
WRONG_HINT = re.compile(r"pip3?\s+install\s+(?:-[-\w]+\s+)*['\"]?" + re.escape(NAME) + r"\[")


# ------------------------------------------------------------------- the hint itself

def test_install_hint_installs_this_checkout_with_the_extra():
    import sc_neurocore

    root = source_checkout()
    from_checkout = ROOT in Path(sc_neurocore.__file__).resolve().parents
    assert root == (ROOT if from_checkout else None)
    for extra in EXTRAS:
        hint = install_hint(extra)
        assert f"python -m pip install -e '.[{extra}]'" in hint and "make install" in hint
        if root is None:
            assert "in the root folder of a checkout of this project" in hint
        else:
            assert hint.startswith(f"cd {shlex.quote(str(root))} && ")
        assert not WRONG_HINT.search(hint)
    assert "python -m pip install -e '.'" in install_hint()


def test_install_hint_quotes_a_checkout_path_with_spaces(monkeypatch):
    from sc_neurocore.accel import _install

    monkeypatch.setattr(_install, "source_checkout", lambda: Path("/home/a user/sc neurocore"))
    assert _install.install_hint("jax").startswith("cd '/home/a user/sc neurocore' && python -m")
    monkeypatch.setattr(_install, "source_checkout", lambda: None)
    assert _install.install_hint("jax").startswith("python -m pip install -e '.[jax]' in the ")


def test_install_hint_rejects_an_unknown_extra():
    with pytest.raises(ValueError, match="extra must be one of numba, jax"):
        install_hint("cuda")


def test_the_pattern_catches_every_spelling():
    for text in (f"pip install '{NAME}[jax]'", f'pip install "{NAME}[gpu]"',
                 f"pip install {NAME}[mpi]", f"pip3 install -U '{NAME}[numba]'",
                 f"pip install '{NAME}[{{extra}}]'"):
        assert WRONG_HINT.search(text), text
    assert not WRONG_HINT.search("python -m pip install -e '.[jax]'")
    assert not WRONG_HINT.search(f'dev = ["{NAME}[test,bench]"]')  # not a pip command


def repository_text_files() -> list[Path]:
    """Every file of the checkout git knows or would add (tracked, or untracked and not
    ignored); without git, every file outside build and environment folders."""
    git = shutil.which("git")
    if git and (ROOT / ".git").exists():
        out = subprocess.run([git, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             cwd=ROOT, capture_output=True, check=True).stdout
        paths = [ROOT / p for p in out.decode().split("\0") if p]
    else:
        skip = {".git", ".venv", "target", "site", ".make", "__pycache__", "node_modules"}
        paths = [p for p in ROOT.rglob("*") if not skip & set(p.relative_to(ROOT).parts)]
    return [p for p in paths if p.is_file()]


def test_no_text_in_the_repository_installs_another_project():
    offenders, scanned = [], 0
    for path in repository_text_files():
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary (images, compiled files)
        scanned += 1
        text = data.decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if WRONG_HINT.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert scanned > 100  # the walk saw the repository
    assert not offenders, "install hints that resolve to another project:\n" + "\n".join(
        offenders)


# ------------------------------------------------- the messages, in many environments

HIDER = """
import sys

class HideModules:
    '''Meta path finder: the named modules (and their submodules) look not installed.'''

    def __init__(self, names):
        self.names = tuple(names)

    def find_spec(self, name, path=None, target=None):
        if any(name == n or name.startswith(n + ".") for n in self.names):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, HideModules(HIDDEN_NAMES))
"""

COLLECT = """
import contextlib, io, json, warnings
import numpy as np
from sc_neurocore.accel import __main__ as cli, backend_status, get_backend
from sc_neurocore.accel import gpu_backend, jax_backend, jit_kernels, mpi_driver
from parity.runner import format_report, run_language

def printed(call):
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        call()
    return buffer.getvalue()

report = {"hidden": %(hidden)r, "messages": {}}
messages = report["messages"]
messages["info"] = printed(lambda: cli.main(["info"]))
status = backend_status()
report["status"] = {n: [s.available, s.reason, s.install_hint] for n, s in status.items()}
report["has_cupy"] = gpu_backend.HAS_CUPY
report["gpu_works"] = gpu_backend.gpu_available()
for name, s in status.items():
    if not s.available:
        try:
            get_backend(name)
        except RuntimeError as exc:
            messages[f"get_backend({name})"] = str(exc)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    words = np.zeros(2, np.uint64)
    gpu_backend.gpu_vec_and(words, words)
    jit_kernels.jit_pack_bits(np.zeros(64, np.uint8), np.zeros(1, np.uint64))
    mpi_driver.MPIDriver()
for number, w in enumerate(caught):
    messages[f"warning {number}"] = str(w.message)
if not jax_backend.HAS_JAX:
    try:
        jax_backend.jax_popcount(np.zeros(1, np.uint64))
    except RuntimeError as exc:
        messages["jax_popcount"] = str(exc)
try:
    gpu_backend.compile_ptx()
except RuntimeError as exc:
    messages["compile_ptx"] = str(exc)
for lang in ("python", "rust", "numba", "jax", "cupy"):
    messages[f"parity {lang}"] = format_report(run_language(lang, {}), {})
print(json.dumps(report))
"""

ENVIRONMENTS = {
    "plain venv": ("jax", "numba", "cupy", "mpi4py", "matplotlib", "sc_neurocore._engine"),
    "with CuPy only": ("jax", "numba", "mpi4py", "matplotlib", "sc_neurocore._engine"),
    "with JAX only": ("numba", "cupy", "mpi4py", "matplotlib"),
    "with Numba and MPI only": ("jax", "cupy", "matplotlib"),
    "all but CuPy": ("cupy",),
    "everything installed": (),
}


def run_hidden(hidden: tuple[str, ...], code: str, *args: str,
               timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a child interpreter in which the ``hidden`` modules cannot be imported."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "python"), str(ROOT),
                                         env.get("PYTHONPATH", "")])
    script = HIDER.replace("HIDDEN_NAMES", repr(list(hidden))) + textwrap.dedent(code)
    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=timeout)


@pytest.fixture(scope="module", params=list(ENVIRONMENTS))
def environment(request) -> dict:
    hidden = ENVIRONMENTS[request.param]
    run = run_hidden(hidden, COLLECT % {"hidden": list(hidden)})
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    report["name"] = request.param
    return report


def lines_of(report: dict) -> list[tuple[str, str]]:
    return [(where, line) for where, text in report["messages"].items()
            for line in text.splitlines()]


def test_no_message_installs_another_project(environment):
    bad = [f"{where}: {line}" for where, line in lines_of(environment) if WRONG_HINT.search(line)]
    assert not bad, "\n".join(bad)


def test_no_line_carries_a_hint_twice(environment):
    twice = [f"{where}: {line}" for where, line in lines_of(environment)
             if line.count("pip install") > 1 or line.count("install:") > 1
             or any(line.count(install_hint(extra)) > 1 for extra in EXTRAS)]
    assert not twice, "\n".join(twice)


def test_a_missing_package_comes_with_the_hint_for_its_extra(environment):
    hidden = set(environment["hidden"])
    messages = environment["messages"]
    info = messages["info"]
    for module, backend, extra in (("jax", "jax", "jax"), ("numba", "numba", "numba"),
                                   ("cupy", "cupy", "gpu")):
        line = next(l for l in info.splitlines() if l.strip().startswith(backend + " "))
        if module in hidden:
            assert "unavailable" in line and f"install: {install_hint(extra)}" in line, line
            assert install_hint(extra) in messages[f"get_backend({backend})"]
            assert "toolchain missing" in messages[f"parity {backend}"]
            assert install_hint(extra) in messages[f"parity {backend}"]
    if "jax" in hidden:
        assert install_hint("jax") in messages["jax_popcount"]
    if "numba" in hidden:
        assert any("numba is not installed" in m and install_hint("numba") in m
                   for m in messages.values())
    if "cupy" in hidden:
        assert install_hint("gpu") in messages["compile_ptx"]
        assert any("CuPy is not installed" in m and install_hint("gpu") in m
                   for k, m in messages.items() if k.startswith("warning"))
    if "mpi4py" in hidden:
        mpi_line = next(l for l in info.splitlines() if l.startswith("mpi driver"))
        assert "mpi4py is not usable (ModuleNotFoundError" in mpi_line
        assert install_hint("mpi") in mpi_line
        assert any("running single-rank" in m and install_hint("mpi") in m
                   for k, m in messages.items() if k.startswith("warning"))


def test_cupy_without_a_gpu_says_so_with_versions_and_no_hint(environment):
    if not environment["has_cupy"]:
        pytest.skip(f"{environment['name']}: CuPy is hidden (the hint case is checked above)")
    if environment["gpu_works"]:
        pytest.skip("a GPU works here: there is nothing to explain")
    messages = environment["messages"]
    available, reason, hint = environment["status"]["cupy"]
    assert not available and hint == ""
    assert reason.startswith("no usable CUDA GPU: CuPy ") and " is installed, but " in reason
    assert "CUDA runtime " in reason and "CUDA driver" in reason
    cupy_line = next(l for l in messages["info"].splitlines() if l.strip().startswith("cupy "))
    assert reason in cupy_line and "install:" not in cupy_line
    assert "To install" not in messages["get_backend(cupy)"]
    parity = messages["parity cupy"]
    assert parity.startswith("cupy: no usable CUDA GPU (CuPy ")
    assert "toolchain missing" not in parity and "install" not in parity.replace(
        "is installed", "").replace("not installed", "")
    warned = [m for k, m in messages.items() if k.startswith("warning") and "gpu_backend" in m]
    assert len(warned) == 1 and "no usable CUDA GPU" in warned[0]
    assert "pip" not in warned[0]


def test_cuda_versions_read_as_text(monkeypatch):
    from sc_neurocore.accel import gpu_backend as gb

    if gb.cupy is None:
        assert gb.cuda_versions() == ""
        return

    class Runtime:
        @staticmethod
        def driverGetVersion():
            return 12040

        @staticmethod
        def runtimeGetVersion():
            raise RuntimeError("libcudart is gone")

    monkeypatch.setattr(gb.cupy.cuda, "runtime", Runtime)
    assert gb.cuda_versions() == ("CUDA driver 12.4, CUDA runtime version unknown "
                                  "(RuntimeError: libcudart is gone)")
    monkeypatch.setattr(Runtime, "driverGetVersion", staticmethod(lambda: 0))
    assert gb.cuda_versions().startswith("CUDA driver: none (version 0), ")
    # an insufficient driver reads as "no driver" when there is none, else "older"
    error = "CUDARuntimeError: cudaErrorInsufficientDriver: CUDA driver version is insufficient"
    assert gb._cuda_error_meaning(error) == "no NVIDIA driver is installed"
    monkeypatch.setattr(Runtime, "driverGetVersion", staticmethod(lambda: 11080))
    assert "older than the CUDA runtime" in gb._cuda_error_meaning(error)


# -------------------------------------------------------------------------------- bench

BENCH_QUICK = ["bench", "--smoke", "--no-extras", "--no-contended", "--no-accuracy",
               "--backends", "numpy"]
RUN_CLI = """
import runpy
runpy.run_module("sc_neurocore.accel", run_name="__main__", alter_sys=True)
"""


def test_bench_without_matplotlib_or_mpi_says_what_it_skipped(tmp_path):
    run = run_hidden(("matplotlib", "mpi4py"), RUN_CLI, *BENCH_QUICK, "--mpi", "--out",
                     str(tmp_path), timeout=600)
    assert run.returncode == 0, run.stderr
    out, err = run.stdout, run.stderr
    assert "MPI is unavailable: mpi4py is not installed" in err
    assert install_hint("mpi") in err and "MPI rows are left out" in err
    assert "mpi W2" not in out and "mpi W3" not in out  # no row of missing figures
    assert "chart skipped: matplotlib cannot be imported (ModuleNotFoundError" in out
    assert install_hint("bench") in out
    assert list(tmp_path.glob("*.json")) and not list(tmp_path.glob("*.png"))


# --------------------------------------------------------------------------------- help

REST_MARKUP = re.compile(r"``|:(?:func|class|mod|meth|data):|\[`")


@pytest.mark.parametrize("args", [["--help"], ["info", "--help"], ["bench", "--help"]])
def test_help_is_plain_text_named_as_invoked_as_a_module(args):
    run = subprocess.run([sys.executable, "-m", "sc_neurocore.accel", *args],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("usage: python -m sc_neurocore.accel ")
    assert not REST_MARKUP.search(run.stdout), run.stdout


def test_help_of_the_console_script_names_the_console_script():
    script = Path(sys.executable).parent / "sc-neurocore-accel"
    if not script.is_file():
        pytest.skip(f"{script} is not installed (make install installs it)")
    run = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("usage: sc-neurocore-accel ")
    assert "python -m" not in run.stdout and not REST_MARKUP.search(run.stdout)


def test_program_name_follows_argv0():
    main_file = str(Path(cli.__file__))
    assert cli.program_name(main_file) == "python -m sc_neurocore.accel"
    assert cli.program_name("/venv/bin/sc-neurocore-accel") == "sc-neurocore-accel"
    assert cli.program_name("") == "python -m sc_neurocore.accel"
    assert cli.build_parser("tool").format_usage().startswith("usage: tool ")
