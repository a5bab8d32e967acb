"""The timing study: every available backend on the standard workloads (DESIGN §8).

For each workload and backend it reports the median time over repeated runs,
the effective bandwidth (bytes of ``weights_packed`` streamed per second), the
speed-up against the NumPy reference measured in the same run, the fraction of
the bandwidth of a plain ``numpy.sum`` over the weights (a stand-in for the
memory-bandwidth limit) and whether the result is bit-identical to NumPy.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import json
import math
import os
import platform
import re
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from .backend import backend_status, engine_info, get_backend, host_key
from .lfsr import DEFAULT_SEED

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Workload:
    """One timed ``sc_forward`` shape."""

    name: str
    n_out: int
    n_in: int
    length: int
    batch: int | None  # None: a single 1-D input

    @property
    def n_words(self) -> int:
        return (self.length + 63) // 64

    @property
    def weight_bytes(self) -> int:
        return self.n_out * self.n_in * self.n_words * 8

    def describe(self) -> str:
        inputs = "1 input" if self.batch is None else f"batch {self.batch}"
        return (f"{self.name}: n_out={self.n_out} n_in={self.n_in} length={self.length}, "
                f"{inputs}, weights {self.weight_bytes / 2**20:.1f} MiB")


WORKLOADS = (
    Workload("W1", 128, 784, 1024, None),
    Workload("W2", 1024, 1024, 4096, None),
    Workload("W3", 128, 784, 1024, 32),
)

# (name, module, function) of optional benchmark providers: each is
# ``f(quick: bool, progress) -> list[dict]`` with keys name, median_s,
# baseline_name, baseline_median_s, ratio, note.
EXTRA_PROVIDERS = (
    ("numba", "sc_neurocore.accel.jit_kernels", "bench_extras"),
    ("jax", "sc_neurocore.accel.jax_backend", "bench_extras"),
)


@dataclass
class Row:
    """One backend on one workload."""

    workload: str
    backend: str
    median_s: float
    times_s: list[float]
    bandwidth_gbs: float
    vs_numpy: float = math.nan
    vs_sum_bandwidth: float = math.nan
    bit_identical: bool = False
    per_input_s: float = math.nan


@dataclass
class Study:
    """Everything one ``bench`` run measured."""

    host: dict
    versions: dict
    quick: bool
    repeats: int
    rows: list[Row] = field(default_factory=list)
    sum_baseline: dict = field(default_factory=dict)
    extras: list[dict] = field(default_factory=list)
    unavailable: dict = field(default_factory=dict)
    ranking: list[str] = field(default_factory=list)


def median_time(fn: Callable[[], object], repeats: int,
                min_total_s: float = 0.25, max_repeats: int = 200) -> tuple[float, list[float]]:
    """Median wall time of ``fn()`` after one warm-up.

    Runs at least ``repeats`` times, and more for fast calls (up to
    ``max_repeats``) so that the timed runs add up to about ``min_total_s``:
    sub-millisecond medians on a shared machine need many samples.
    """
    start = time.perf_counter()
    fn()
    warm = time.perf_counter() - start
    runs = max(repeats, min(max_repeats, math.ceil(min_total_s / max(warm, 1e-9))))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def make_inputs(work: Workload) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic random weights and probabilities for a workload."""
    rng = np.random.default_rng(2024)
    weights = rng.integers(0, 2**64, size=(work.n_out, work.n_in, work.n_words),
                           dtype=np.uint64, endpoint=False)
    tail = work.length % 64
    if tail:
        weights[..., -1] &= np.uint64((1 << tail) - 1)
    shape = (work.n_in,) if work.batch is None else (work.batch, work.n_in)
    probs = rng.random(shape)
    return weights, probs


def host_info() -> dict:
    """CPU, core count and platform of this host."""
    return {"key": host_key(), "cpu": host_key().rsplit(" x", 1)[0],
            "cpus": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version(), **engine_info()}


def library_versions() -> dict:
    """Versions of the libraries the backends use (None where absent)."""
    versions = {}
    for name in ("numpy", "numba", "jax", "jaxlib", "cupy", "mpi4py"):
        try:
            versions[name] = importlib.import_module(name).__version__
        except Exception:  # absent or broken: reported as missing
            versions[name] = None
    from . import __version__

    versions["sc_neurocore"] = __version__
    return versions


def _check_identical(got: np.ndarray, want: np.ndarray) -> bool:
    got = np.asarray(got)
    return got.dtype == want.dtype and got.shape == want.shape and bool(
        np.array_equal(got.view(np.uint64), want.view(np.uint64)))


def run_study(quick: bool = False, backends: list[str] | None = None,
              repeats: int | None = None, extras: bool = True,
              progress: Progress | None = None) -> Study:
    """Time every available backend on W1–W3 (and the extra benchmarks).

    Parameters
    ----------
    quick : bool
        Fewer repeats and smaller extra benchmarks.
    backends : list of str, optional
        Restrict to these backend names (NumPy is always measured: it is the
        reference every ratio is taken against).
    repeats : int, optional
        Minimum timed runs per measurement (default 7, quick 3); fast calls
        are repeated more (see :func:`median_time`).
    extras : bool
        Also run the per-backend extra benchmarks (Numba, JAX).
    progress : callable, optional
        Receives one line of text per step (default: print to stderr).

    Returns
    -------
    Study
    """
    say = progress or (lambda line: print(line, file=sys.stderr, flush=True))
    repeats = repeats or (3 if quick else 7)
    status = backend_status()
    chosen = [n for n, s in status.items() if s.available and (backends is None or n in backends)]
    if "numpy" not in chosen:
        chosen.insert(0, "numpy")
    study = Study(host_info(), library_versions(), quick, repeats)
    study.unavailable = {n: s.reason for n, s in status.items() if not s.available}
    for name, reason in study.unavailable.items():
        say(f"skip {name}: {reason}")
    for work in WORKLOADS:
        say(f"[{work.name}] generating inputs ({work.describe()})")
        weights, probs = make_inputs(work)
        sum_median, sum_times = median_time(lambda: np.sum(weights), repeats)
        sum_bw = work.weight_bytes / sum_median
        study.sum_baseline[work.name] = {"median_s": sum_median, "times_s": sum_times,
                                         "bandwidth_gbs": sum_bw / 1e9}
        say(f"[{work.name}] numpy.sum baseline: {sum_median * 1e3:.3f} ms, {sum_bw / 1e9:.2f} GB/s")
        reference = get_backend("numpy").sc_forward(weights, probs, length=work.length,
                                                    seed=DEFAULT_SEED)
        rows = []
        for name in chosen:
            backend = get_backend(name)
            say(f"[{work.name}] {name}: timing (at least {repeats} runs)")
            got = backend.sc_forward(weights, probs, length=work.length, seed=DEFAULT_SEED)
            median, times = median_time(
                lambda: backend.sc_forward(weights, probs, length=work.length,
                                           seed=DEFAULT_SEED), repeats)
            row = Row(work.name, name, median, times, work.weight_bytes / median / 1e9,
                      vs_sum_bandwidth=(work.weight_bytes / median) / sum_bw,
                      bit_identical=_check_identical(got, reference),
                      per_input_s=median / (work.batch or 1))
            rows.append(row)
            say(f"[{work.name}] {name}: {median * 1e3:.3f} ms, {row.bandwidth_gbs:.2f} GB/s, "
                f"{'bit-identical' if row.bit_identical else 'MISMATCH'}")
        numpy_median = next(r.median_s for r in rows if r.backend == "numpy")
        for row in rows:
            row.vs_numpy = numpy_median / row.median_s
        study.rows.extend(rows)
    if extras:
        for backend_name, module, func in EXTRA_PROVIDERS:
            if backend_name not in chosen:
                continue
            say(f"[extras] {backend_name}")
            try:
                rows = getattr(importlib.import_module(module), func)(quick, say)
            except Exception as exc:  # an extra benchmark must not sink the study
                say(f"[extras] {backend_name} failed: {type(exc).__name__}: {exc}")
                rows = [{"name": f"{backend_name} extras", "note": f"failed: {exc}"}]
            study.extras.extend(rows)
    study.ranking = rank_backends(study)
    return study


def rank_backends(study: Study) -> list[str]:
    """Backends fastest first by geometric-mean speed-up over NumPy, NumPy last.

    Backends that were not bit-identical on every workload are left out.
    """
    scores: dict[str, list[float]] = {}
    broken = {r.backend for r in study.rows if not r.bit_identical}
    for row in study.rows:
        if row.backend != "numpy" and row.backend not in broken:
            scores.setdefault(row.backend, []).append(math.log(row.vs_numpy))
    order = sorted(scores, key=lambda n: -statistics.fmean(scores[n]))
    return order + ["numpy"]


def format_table(study: Study) -> str:
    """The study as a plain-text table."""
    lines = [f"host: {study.host['key']}  simd: {study.host.get('simd_tier')}  "
             f"threads: {study.host.get('threads')}  min repeats: {study.repeats}"
             f"{'  (quick)' if study.quick else ''}"]
    header = (f"{'workload':<8} {'backend':<8} {'median ms':>10} {'per input ms':>12} "
              f"{'GB/s':>8} {'vs numpy':>9} {'of sum bw':>9}  bit-identical")
    lines += [header, "-" * len(header)]
    for work in WORKLOADS:
        base = study.sum_baseline.get(work.name)
        if base:
            lines.append(f"{work.name:<8} {'np.sum':<8} {base['median_s'] * 1e3:>10.3f} "
                         f"{'':>12} {base['bandwidth_gbs']:>8.2f} {'':>9} {1.0:>9.2f}")
        for row in (r for r in study.rows if r.workload == work.name):
            lines.append(
                f"{row.workload:<8} {row.backend:<8} {row.median_s * 1e3:>10.3f} "
                f"{row.per_input_s * 1e3:>12.3f} {row.bandwidth_gbs:>8.2f} "
                f"{row.vs_numpy:>9.2f} {row.vs_sum_bandwidth:>9.3f}  "
                f"{'✓' if row.bit_identical else '✗'}")
    if study.extras:
        lines += ["", f"{'extra benchmark':<48} {'median ms':>10} {'baseline':<28} "
                  f"{'base ms':>10} {'ratio':>7}  note"]
        for e in study.extras:
            med = e.get("median_s")
            base = e.get("baseline_median_s")
            ratio = e.get("ratio")
            lines.append(
                f"{e.get('name', ''):<48} {med * 1e3 if med else math.nan:>10.3f} "
                f"{e.get('baseline_name') or '':<28} {base * 1e3 if base else math.nan:>10.3f} "
                f"{ratio if ratio else math.nan:>7.2f}  {e.get('note', '')}")
    if study.unavailable:
        lines += ["", "not measured: " + "; ".join(f"{n} ({r})" for n, r in
                                                    study.unavailable.items())]
    lines.append(f"auto order on this host: {', '.join(study.ranking)}")
    return "\n".join(lines)


def host_slug() -> str:
    """A file-name-safe form of :func:`host_key`."""
    return re.sub(r"[^A-Za-z0-9]+", "-", host_key()).strip("-").lower()


def write_results(study: Study, out_dir: Path) -> tuple[Path, Path | None]:
    """Write ``bench-<host>.json`` (and a PNG chart when matplotlib exists)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    data = asdict(study)
    data["written"] = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    data["workloads"] = [asdict(w) | {"weight_bytes": w.weight_bytes} for w in WORKLOADS]
    path = out_dir / f"bench-{host_slug()}.json"
    path.write_text(json.dumps(data, indent=2, allow_nan=True) + "\n")
    return path, write_chart(study, out_dir / f"bench-{host_slug()}.png")


def write_chart(study: Study, path: Path) -> Path | None:
    """Bar chart of each backend's fraction of the numpy.sum bandwidth."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    names = list(dict.fromkeys(r.backend for r in study.rows))
    fig, ax = plt.subplots(figsize=(8, 4.5))
    width = 0.8 / max(1, len(names))
    for k, name in enumerate(names):
        values = [next((r.vs_sum_bandwidth for r in study.rows
                        if r.workload == w.name and r.backend == name), 0.0) for w in WORKLOADS]
        xs = [i + (k - (len(names) - 1) / 2) * width for i in range(len(WORKLOADS))]
        ax.bar(xs, values, width, label=name)
    ax.axhline(1.0, color="black", linewidth=0.8, linestyle="--", label="numpy.sum")
    ax.set_xticks(range(len(WORKLOADS)), [w.name for w in WORKLOADS])
    ax.set_ylabel("bandwidth / numpy.sum bandwidth")
    ax.set_title(f"sc_forward timing study — {study.host['key']}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
