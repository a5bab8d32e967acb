"""Where timing studies are written and found, and what this host's newest one ranks first.

``python -m sc_neurocore.accel bench`` writes ``bench-*.json`` under
``RUNS_DIR`` (or ``--out``); backend selection (``"auto"``) asks
``measured_order`` for this host's ranking, found by
``host_key``.
"""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

__all__ = ["COMMITTED_RESULTS_DIR", "RUNS_DIR", "host_key", "measured_order", "results_dirs"]


def host_key() -> str:
    """Identify this host's CPU, to match timing-study results to the machine.

    Returns
    -------
    str
        The CPU model and the number of CPUs, e.g. ``"AMD EPYC x2"``.
    """
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model} x{os.cpu_count()}"


RUNS_DIR = Path("benchmarks") / "runs"
"""Where ``python -m sc_neurocore.accel bench`` writes by default, relative to the
working directory (git-ignored in the checkout, so a run leaves it as it was)."""

COMMITTED_RESULTS_DIR = Path("benchmarks") / "results"
"""Where results committed on purpose live (written with ``bench --out benchmarks/results``)."""


def results_dirs() -> list[Path]:
    """Folders searched for timing-study JSON (``bench-*.json``).

    ``$SC_NEUROCORE_RESULTS``, then ``benchmarks/runs`` and ``benchmarks/results``
    under the working directory and under the source checkout.
    """
    dirs = []
    if os.environ.get("SC_NEUROCORE_RESULTS"):
        dirs.append(Path(os.environ["SC_NEUROCORE_RESULTS"]))
    checkout = Path(__file__).resolve().parents[4]
    for root in (Path.cwd(), checkout):
        dirs.extend(root / sub for sub in (RUNS_DIR, COMMITTED_RESULTS_DIR))
    return dirs


def measured_order() -> list[str]:
    """Backends fastest first, from this host's newest timing study.

    Looks for ``bench-*.json`` written by ``python -m sc_neurocore.accel
    bench`` in the folders of ``results_dirs()``
    (``$SC_NEUROCORE_RESULTS``, ``benchmarks/runs`` and ``benchmarks/results``
    under the working directory and the source checkout), and uses the newest
    one whose host key is [`host_key`][sc_neurocore.accel.bench.host_key]'s.

    Returns
    -------
    list of str
        Its ``ranking``, or an empty list when there is none.
    """
    newest: tuple[float, list[str]] | None = None
    for folder in results_dirs():
        for path in folder.glob("bench-*.json"):
            try:
                data = json.loads(path.read_text())
                if data.get("host", {}).get("key") != host_key():
                    continue
                order = list(data["ranking"])
            except (OSError, ValueError, KeyError, TypeError):
                continue
            stamp = path.stat().st_mtime
            if newest is None or stamp > newest[0]:
                newest = (stamp, order)
    return newest[1] if newest else []
