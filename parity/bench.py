"""``python -m parity bench``: time ``sc_forward`` per language and check its bits.

Inputs are the deterministic splitmix64 ones of FORMAT.md ("Harness protocol",
timing), so a mirror harness builds the very same problem; every timed result
is checked against the NumPy reference through its checksum (the wrapping sum
of the outputs' IEEE-754 bit patterns).
"""

from __future__ import annotations

import json
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from .languages import (
    REPO_ROOT,
    MirrorLanguage,
    PythonLanguage,
    ToolchainMissing,
    _host,
    get_language,
)

__all__ = ["W1", "SIZES", "splitmix64", "bench_inputs", "checksum", "bench_language",
           "results_path", "BENCH_SEED", "RUNS_DIR"]

#: The headline size: n_out 128, n_in 784, length 1024.
W1 = (128, 784, 1024)
#: Sizes timed by default (W1 first, then a small one).
SIZES: tuple[tuple[int, int, int], ...] = (W1, (16, 64, 256))
BENCH_SEED = 44257
_STATE0 = 0x5C0DE
_GAMMA = 0x9E3779B97F4A7C15


def splitmix64(count: int, start: int = 0) -> np.ndarray:
    """Outputs ``start .. start+count-1`` of splitmix64 seeded with ``0x5C0DE``.

    Output ``k`` uses state ``0x5C0DE + (k + 1) * 0x9E3779B97F4A7C15`` (mod 2^64),
    so the whole sequence is computed vectorised.
    """
    k = np.arange(start + 1, start + count + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = np.uint64(_STATE0) + k * np.uint64(_GAMMA)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def bench_inputs(n_out: int, n_in: int, length: int) -> tuple[np.ndarray, np.ndarray]:
    """The weights ``(n_out, n_in, W)`` and probabilities ``(n_in,)`` of FORMAT.md."""
    n_words = (length + 63) // 64
    count = n_out * n_in * n_words
    weights = splitmix64(count).reshape(n_out, n_in, n_words)
    probs = (splitmix64(n_in, start=count) >> np.uint64(11)).astype(np.float64) * 2.0**-53
    return weights, probs


def checksum(out: np.ndarray) -> int:
    """Wrapping (mod 2^64) sum of the bit patterns of float64 outputs."""
    bits = np.ascontiguousarray(np.asarray(out, dtype=np.float64)).view(np.uint64)
    return int(bits.sum(dtype=np.uint64))


def _python_forward(name: str) -> Callable[[np.ndarray, np.ndarray, int], np.ndarray]:
    """``sc_forward`` of a Python-side language, as called by the parity adapters."""
    if name == "python":
        from sc_neurocore.accel import sc_forward_numpy

        return lambda w, p, n: sc_forward_numpy(w, p, length=n, seed=BENCH_SEED)
    if name == "rust":
        from sc_neurocore import _engine

        return lambda w, p, n: _engine.sc_forward(w, p, n, BENCH_SEED)
    from sc_neurocore.accel import get_backend

    backend = get_backend(name)
    return lambda w, p, n: _host(backend.sc_forward(w, p, length=n, seed=BENCH_SEED))


def _time_python(fn: Callable, weights: np.ndarray, probs: np.ndarray, length: int,
                 reps: int) -> tuple[int, int]:
    out = fn(weights, probs, length)  # warm-up (compilation, caches)
    times = []
    for _ in range(reps):
        start = time.perf_counter_ns()
        out = fn(weights, probs, length)
        times.append(time.perf_counter_ns() - start)
    return int(statistics.median(times)), checksum(out)


def _time_mirror(lang: MirrorLanguage, size: tuple[int, int, int], reps: int,
                 timeout: float | None) -> tuple[int, int]:
    problem = lang.build(timeout)
    if problem is not None:
        raise RuntimeError(problem)
    n_out, n_in, length = size
    proc = lang.run_harness(["bench", "sc_forward", str(n_out), str(n_in), str(length),
                             str(reps)], timeout)
    if proc.returncode == 2 and not proc.stdout.strip():
        raise ToolchainMissing(proc.stderr.strip(), proc.stderr.strip())
    if proc.returncode != 0:
        raise RuntimeError(f"harness bench exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
    values = {}
    for line in proc.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in ("median_ns", "checksum"):
            values[parts[0]] = int(parts[1], 0)
    if set(values) != {"median_ns", "checksum"}:
        raise RuntimeError(f"harness bench output lacks median_ns/checksum: "
                           f"{proc.stdout.strip()[-500:]!r}")
    return values["median_ns"], values["checksum"]


def _host_info() -> dict:
    """CPU identity (the key the timing study uses), core count, Python version."""
    import os

    try:
        from sc_neurocore.accel.bench import host_key

        key = host_key()
    except Exception:  # noqa: BLE001 - host info is informative only
        key = platform.processor() or platform.machine()
    return {"key": key, "machine": platform.machine(), "cpus": os.cpu_count(),
            "python": platform.python_version()}


#: Where ``bench`` writes by default: git-ignored, so a run leaves the checkout as it was.
RUNS_DIR = REPO_ROOT / "benchmarks" / "runs"


def results_path(lang: str, folder: Path | None = None) -> Path:
    """``<folder>/parity-bench-<lang>.json``; ``folder`` defaults to :data:`RUNS_DIR`.

    The committed results live in ``benchmarks/results`` and are written only
    when asked for (``--out benchmarks/results``, ``make bench-results``).
    """
    return (folder or RUNS_DIR) / f"parity-bench-{lang}.json"


def bench_language(name: str, sizes: Sequence[tuple[int, int, int]] = SIZES, reps: int = 7,
                   *, mirror_root: Path | None = None, timeout: float | None = 600.0,
                   numpy_baseline: bool = True) -> dict:
    """Time ``sc_forward`` of one language at each size; compare with the reference.

    Returns
    -------
    dict
        ``{"language", "host", "created", "reps", "results": [...]}``; each
        result has the size, ``median_ns``, ``checksum``, the reference
        checksum, ``bit_identical``, and (with ``numpy_baseline``) the NumPy
        median measured in the same run and the speed-up over it.

    Raises
    ------
    ToolchainMissing
        If the language cannot run here.
    """
    from sc_neurocore.accel import sc_forward_numpy

    lang = get_language(name, mirror_root)
    lang.check_available()
    reference = _python_forward("python")
    forward = _python_forward(name) if isinstance(lang, PythonLanguage) else None
    rows = []
    for n_out, n_in, length in sizes:
        weights, probs = bench_inputs(n_out, n_in, length)
        want = checksum(sc_forward_numpy(weights, probs, length=length, seed=BENCH_SEED))
        row: dict = {"kernel": "sc_forward", "n_out": n_out, "n_in": n_in, "length": length,
                     "weights_bytes": int(weights.nbytes)}
        try:
            if forward is not None:
                median, got = _time_python(forward, weights, probs, length, reps)
            else:
                median, got = _time_mirror(lang, (n_out, n_in, length), reps, timeout)
        except ToolchainMissing:
            raise
        except Exception as exc:  # noqa: BLE001 - reported in the table, not fatal
            row.update(error=f"{type(exc).__name__}: {exc}", bit_identical=False)
            rows.append(row)
            continue
        row.update(median_ns=median, checksum=got, reference_checksum=want,
                   bit_identical=got == want,
                   gbytes_per_s=weights.nbytes / median if median else None)
        if numpy_baseline:
            base, _ = (median, got) if name == "python" else _time_python(
                reference, weights, probs, length, reps)
            row.update(numpy_median_ns=base, speedup_vs_numpy=base / median if median else None)
        rows.append(row)
    return {
        "language": name,
        "description": lang.description,
        "host": _host_info(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "reps": reps,
        "results": rows,
    }


def write_results(data: dict, folder: Path | None = None) -> Path:
    """Write :func:`bench_language` output as JSON; returns the path."""
    path = results_path(data["language"], folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path


def format_bench(data: dict) -> str:
    """A table of one language's bench results."""
    lines = [f"parity bench: {data['language']} ({data['description']}), median of "
             f"{data['reps']} runs"]
    header = ["size (n_out x n_in x length)", "median ms", "GB/s", "vs numpy", "bits"]
    rows = [header]
    for r in data["results"]:
        size = f"{r['n_out']} x {r['n_in']} x {r['length']}"
        if "error" in r:
            rows.append([size, "ERROR", "-", "-", r["error"][:60]])
            continue
        speed = r.get("speedup_vs_numpy")
        rows.append([size, f"{r['median_ns'] / 1e6:.3f}",
                     f"{r['gbytes_per_s']:.2f}" if r.get("gbytes_per_s") else "-",
                     f"{speed:.2f}x" if speed else "-",
                     "identical" if r["bit_identical"] else "DIFFER"])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for i, row in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
