"""Benchmark code lives in ``sc_neurocore.accel.bench`` only, never in a backend module.

The rule, checked on each backend module's syntax tree (nothing is imported or
run): a backend module holds its backend, so it

* imports none of the machinery of timing harnesses and command-line jobs:
  ``time``, ``timeit``, ``statistics``, ``subprocess``, ``argparse``,
  ``signal``, ``resource``, ``cProfile``/``profile``, ``shutil``, nor the
  ``bench`` package or the ``mpi_launch`` launcher;
* defines nothing (function, class, variable, attribute) whose name mentions
  ``bench`` and reads no clock (``perf_counter``, ``process_time``,
  ``monotonic``, ``thread_time``, ``time_ns``);
* has no ``if __name__ == "__main__":`` entry point (jobs start from the CLI or
  from ``bench``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sc_neurocore.accel as accel

ACCEL = Path(accel.__file__).resolve().parent
BACKEND_MODULES = ("backend", "sc_inference", "jax_backend", "jit_kernels", "gpu_backend",
                   "mpi_driver", "vector_ops", "lfsr", "lif")
# The backends' implementations behind those public modules (issue 15).
IMPLEMENTATIONS = sorted(str(p.relative_to(ACCEL)) for p in (ACCEL / "_backends").rglob("*.py"))
FORBIDDEN_IMPORTS = {"time", "timeit", "statistics", "subprocess", "argparse", "signal",
                     "resource", "cProfile", "profile", "shutil"}
FORBIDDEN_LOCAL = {"bench", "mpi_launch"}  # relative imports: .bench, .mpi_launch
CLOCKS = {"perf_counter", "perf_counter_ns", "process_time", "process_time_ns", "monotonic",
          "monotonic_ns", "thread_time", "thread_time_ns", "time_ns"}


def violations(source: str) -> list[str]:
    """Every breach of the rule in one module's source, as ``line: what``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top in FORBIDDEN_IMPORTS or ".bench" in f".{alias.name}":
                    found.append(f"{line}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            parts = module.split(".")
            if (node.level == 0 and parts[0] in FORBIDDEN_IMPORTS) or any(
                    p in FORBIDDEN_LOCAL for p in parts) or any(
                    a.name in FORBIDDEN_LOCAL | CLOCKS for a in node.names):
                names = ", ".join(a.name for a in node.names)
                found.append(f"{line}: from {'.' * node.level}{module} import {names}")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if "bench" in node.name.lower():
                found.append(f"{line}: defines {node.name}")
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            if "bench" in node.id.lower():
                found.append(f"{line}: assigns {node.id}")
        elif isinstance(node, ast.Attribute):
            if node.attr in CLOCKS:
                found.append(f"{line}: reads the clock .{node.attr}")
            elif "bench" in node.attr.lower() and isinstance(node.ctx, ast.Store):
                found.append(f"{line}: assigns .{node.attr}")
        elif isinstance(node, ast.If):
            test = node.test
            if (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name)
                    and test.left.id == "__name__"):
                found.append(f"{line}: command-line entry point (if __name__ == ...)")
    return found


@pytest.mark.parametrize("module", BACKEND_MODULES)
def test_backend_module_defines_no_benchmark_code(module):
    path = ACCEL / f"{module}.py"
    assert path.is_file(), f"backend module {path} is missing (renamed? update this test)"
    found = violations(path.read_text(encoding="utf-8"))
    assert not found, (f"{path.name} holds benchmark machinery (it belongs in "
                       f"sc_neurocore/accel/bench/):\n  " + "\n  ".join(found))


@pytest.mark.parametrize("module", IMPLEMENTATIONS)
def test_backend_implementation_defines_no_benchmark_code(module):
    assert len(IMPLEMENTATIONS) > 20  # every backend package is found
    path = ACCEL / module
    found = violations(path.read_text(encoding="utf-8"))
    assert not found, (f"{module} holds benchmark machinery (it belongs in "
                       f"sc_neurocore/accel/bench/):\n  " + "\n  ".join(found))


@pytest.mark.parametrize("snippet,what", [
    ("import time\n", "import time"),
    ("import statistics as st\n", "import statistics"),
    ("from subprocess import run\n", "from subprocess import run"),
    ("from time import perf_counter\n", "from time import perf_counter"),
    ("from .bench.timing import median_time\n", "from .bench.timing"),
    ("from . import bench\n", "from . import bench"),
    ("from .mpi_launch import run_mpi\n", "from .mpi_launch"),
    ("def bench_extras(q, p):\n    return []\n", "defines bench_extras"),
    ("class _Bench:\n    pass\n", "defines _Bench"),
    ("BENCH_TAG = 'x'\n", "assigns BENCH_TAG"),
    ("import os\nt = os.times\nx = t.perf_counter()\n", "reads the clock .perf_counter"),
    ("if __name__ == '__main__':\n    pass\n", "command-line entry point"),
])
def test_the_rule_catches_each_kind_of_benchmark_code(snippet, what):
    found = violations(snippet)
    assert any(what in f for f in found), found


def test_the_rule_allows_backend_code():
    source = ("import importlib\nimport warnings\nfrom functools import lru_cache\n"
              "from .lfsr import DEFAULT_SEED\nfrom ._validation import validate_forward\n"
              "def sc_forward(w, p, *, length):\n    return w\n")
    assert violations(source) == []


def test_the_harnesses_live_in_the_bench_package():
    bench = ACCEL / "bench"
    provided = {
        "numba_extras.py": "bench_extras", "jax_extras.py": "bench_extras",
        "mpi_bench.py": "bench_job", "study.py": "run_study", "report.py": "write_chart",
        "contention.py": "cpu_hogs", "reference_numpy.py": "reference_numpy_sc_forward",
        "accuracy.py": "accuracy_study", "timing.py": "median_time",
        "first_calls.py": "first_calls_study",
    }
    for filename, name in provided.items():
        tree = ast.parse((bench / filename).read_text(encoding="utf-8"))
        defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        assert name in defined, f"bench/{filename} does not define {name}"
