"""The study's outputs: the printed table, the JSON file and the two-panel chart."""

from __future__ import annotations

from typing import Any

import datetime as _dt
import json
import math
import re
from dataclasses import asdict
from pathlib import Path

from ..backend import host_key
from .accuracy import rmse_per_doubling
from .study import Study
from .workloads import WORKLOADS

__all__ = ["format_table", "host_slug", "write_results", "write_chart", "results_stem"]


def _ms(value: float | None) -> float:
    return value * 1e3 if value else math.nan


def format_table(study: Study) -> str:
    """The study as plain-text tables: main, contended, NumPy baseline, accuracy, extras, headline.

    Parameters
    ----------
    study : Study
        What to format.

    Returns
    -------
    str
        The tables, one line per row.
    """
    works = study.workloads or list(WORKLOADS)
    lines = [f"host: {study.host['key']}  simd: {study.host.get('simd_tier')}  "
             f"threads: {study.host.get('threads')}  usable cpus: "
             f"{study.host.get('usable_cpus')}  min repeats: {study.repeats}"
             f"{'  (quick)' if study.quick else ''}"
             f"{'  (SMOKE: tiny shapes, figures meaningless)' if study.smoke else ''}"]
    header = (f"{'workload':<8} {'backend':<8} {'median ms':>10} {'per input ms':>12} "
              f"{'GB/s':>8} {'vs numpy':>9} {'of sum bw':>9}  bit-identical")
    lines += [header, "-" * len(header)]
    for work in works:
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
    if study.contended:
        hogs = study.contended[0].hogs
        lines += ["", f"contended: the same call with {hogs} CPU-bound processes running "
                      "(one per usable core); target contended/quiet <= 2",
                  f"{'workload':<8} {'backend':<8} {'threads':>7} {'quiet ms':>10} "
                  f"{'contended ms':>13} {'contended/quiet':>16}  bit-identical"]
        for c in study.contended:
            lines.append(f"{c.workload:<8} {c.backend:<8} {c.threads or '-':>7} "
                         f"{c.quiet_median_s * 1e3:>10.3f} {c.contended_median_s * 1e3:>13.3f} "
                         f"{c.ratio:>16.2f}  {'✓' if c.bit_identical else '✗'}")
    for name, ref in study.reference_numpy.items():
        lines += ["", f"NumPy baseline on {name}: reference release's NumPy path "
                      f"{ref['median_s'] * 1e3:.3f} ms "
                      f"({'bit-identical' if ref['bit_identical'] else 'MISMATCH'}), "
                      f"NumPy backend {ref['numpy_backend_median_s'] * 1e3:.3f} ms: "
                      f"{ref['numpy_vs_reference']:.1f}x faster; NumPy backend at "
                      f"{ref['numpy_vs_sum_bandwidth']:.3f} of the numpy.sum bandwidth"]
    if study.accuracy.get("rows"):
        acc = study.accuracy
        timed = acc["backends"]
        lines += ["", f"accuracy against stream length ({acc['n_out']} x {acc['n_in']} layer; "
                      "rmse of the mean-product estimate (W @ p) / n_in, see JSON 'quantity')",
                  f"{'length':>7} {'rmse':>10} {'rmse W@p':>10} {'max err':>10} "
                  f"{'indep. model':>12} " + " ".join(f"{n + ' ms':>10}" for n in timed)
                  + "  bit-identical"]
        for r in acc["rows"]:
            lines.append(f"{r['length']:>7} {r['rmse']:>10.3e} {r['rmse_dot']:>10.3f} "
                         f"{r['max_abs_error']:>10.3e} {r['bernoulli_rmse']:>12.3e} "
                         + " ".join(f"{r['times_s'][n] * 1e3:>10.3f}" for n in timed)
                         + f"  {'✓' if r['bit_identical'] else '✗'}")
        lines.append(f"rmse factor per doubling of length: {rmse_per_doubling(acc['rows']):.3f} "
                     "(independent streams: 0.707)")
    if study.extras:
        lines += ["", f"{'extra benchmark':<48} {'median ms':>10} {'baseline':<28} "
                  f"{'base ms':>10} {'ratio':>7}  note"]
        for e in study.extras:
            ratio = e.get("ratio")
            lines.append(
                f"{e.get('name', ''):<48} {_ms(e.get('median_s')):>10.3f} "
                f"{e.get('baseline_name') or '':<28} {_ms(e.get('baseline_median_s')):>10.3f} "
                f"{ratio if ratio else math.nan:>7.2f}  {e.get('note', '')}")
    if study.unavailable:
        lines += ["", "not measured: " + "; ".join(f"{n} ({r})" for n, r in
                                                    study.unavailable.items())]
    lines += _headline_lines(study.headline)
    lines.append(f"auto order on this host: {', '.join(study.ranking)}")
    return "\n".join(lines)


def _headline_lines(head: dict[str, Any]) -> list[str]:
    if not head:
        return []

    def per_workload(values: dict[str, Any]) -> str:
        return ", ".join(f"{w} {v:.2f}" for w, v in values.items()) or "not measured"

    lines = ["", "headline ratios (same run):"]
    for backend, values in head.get("contended_over_quiet", {}).items():
        lines.append(f"  contended/quiet {backend:<6} {per_workload(values)}  (target <= 2)")
    lines.append(f"  numpy backend / numpy.sum bandwidth: "
                 f"{per_workload(head.get('numpy_vs_sum_bandwidth', {}))}")
    lines.append(f"  numpy backend vs reference NumPy path: "
                 f"{per_workload(head.get('numpy_vs_reference_numpy', {}))}  (target >= 20)")
    if head.get("jax_vs_numpy"):
        lines.append(f"  jax vs numpy backend: {per_workload(head['jax_vs_numpy'])}  "
                     "(target >= 1 on CPU)")
    for key in ("mpi_w2_2ranks_vs_2threads", "mpi_w2_speedup_2ranks", "mpi_w3_speedup_2ranks"):
        if key in head:
            lines.append(f"  {key}: {head[key]:.2f}")
    return lines


def host_slug() -> str:
    """A file-name-safe form of [`host_key`][sc_neurocore.accel.backend.host_key]."""
    return re.sub(r"[^A-Za-z0-9]+", "-", host_key()).strip("-").lower()


def results_stem(study: Study) -> str:
    """``bench-<host>``, or ``smoke-bench-<host>`` for a smoke run.

    Backend selection reads ``bench-*.json`` only, so a smoke run's
    meaningless figures never steer ``backend="auto"``.
    """
    return f"{'smoke-' if study.smoke else ''}bench-{host_slug()}"


def write_results(study: Study, out_dir: Path) -> tuple[Path, Path | None]:
    """Write ``<stem>.json`` (and ``<stem>.png`` when matplotlib exists); see ``results_stem``.

    Parameters
    ----------
    study : Study
        What to write.
    out_dir : Path
        The folder (created when missing).

    Returns
    -------
    tuple of (Path, Path or None)
        The JSON file and the chart (``None`` without matplotlib).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    data = asdict(study)
    data["written"] = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    data["workloads"] = [asdict(w) | {"weight_bytes": w.weight_bytes}
                         for w in (study.workloads or WORKLOADS)]
    stem = results_stem(study)
    path = out_dir / f"{stem}.json"
    path.write_text(json.dumps(data, indent=2, allow_nan=True) + "\n")
    return path, write_chart(study, out_dir / f"{stem}.png")


def write_chart(study: Study, path: Path) -> Path | None:
    """Two panels: bandwidth per backend and workload; RMSE and time per call against length.

    Left: each backend's fraction of the ``numpy.sum`` bandwidth per workload
    (hatched: the contended runs).  Right (when the study measured accuracy):
    RMSE against stream length on log-log axes with the independent-stream
    model, and the time per call on a second axis.  Returns ``None`` without
    matplotlib.

    Parameters
    ----------
    study : Study
        What to draw.
    path : Path
        The PNG file to write.

    Returns
    -------
    Path or None
        ``path``, or ``None`` when matplotlib is missing.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import matplotlib.ticker
    except ImportError:
        return None
    works = study.workloads or list(WORKLOADS)
    acc_rows = study.accuracy.get("rows") or []
    fig, axes = plt.subplots(1, 2 if acc_rows else 1, figsize=(14 if acc_rows else 8, 4.8),
                             squeeze=False)
    ax = axes[0][0]
    names = list(dict.fromkeys(r.backend for r in study.rows))
    bars = [(n, False) for n in names] + [
        (n, True) for n in dict.fromkeys(c.backend for c in study.contended)]
    width = 0.8 / max(1, len(bars))
    sum_bw = {w: b["bandwidth_gbs"] for w, b in study.sum_baseline.items()}
    for k, (name, busy) in enumerate(bars):
        values = []
        for w in works:
            if busy:
                c = next((c for c in study.contended
                          if c.workload == w.name and c.backend == name), None)
                values.append(w.weight_bytes / c.contended_median_s / 1e9 / sum_bw[w.name]
                              if c and w.name in sum_bw else 0.0)
            else:
                values.append(next((r.vs_sum_bandwidth for r in study.rows
                                    if r.workload == w.name and r.backend == name), 0.0))
        xs = [i + (k - (len(bars) - 1) / 2) * width for i in range(len(works))]
        color = f"C{names.index(name) % 10}"
        ax.bar(xs, values, width, label=f"{name} (contended)" if busy else name, color=color,
               hatch="//" if busy else None, alpha=0.5 if busy else 1.0)
    ax.axhline(1.0, color="black", linewidth=0.8, linestyle="--", label="numpy.sum")
    ax.set_xticks(range(len(works)), [w.name for w in works])
    ax.set_ylabel("bandwidth / numpy.sum bandwidth")
    ax.set_title(f"sc_forward timing study — {study.host['key']}", fontsize=10)
    ax.legend(fontsize=7)
    if acc_rows:
        ax2 = axes[0][1]
        lengths = [r["length"] for r in acc_rows]
        ax2.loglog(lengths, [r["rmse"] for r in acc_rows], "ko-", label="sc_forward RMSE")
        ax2.loglog(lengths, [r["bernoulli_rmse"] for r in acc_rows], "--", color="gray",
                   linewidth=0.8, label="independent Bernoulli streams")
        ax2.set_xlabel("stream length (bits)")
        ax2.set_ylabel("RMSE of (W @ p) / n_in")
        ax2.set_title(f"accuracy vs length, {study.accuracy['n_out']} x "
                      f"{study.accuracy['n_in']} layer", fontsize=10)
        ax3 = ax2.twinx()
        for name in study.accuracy["backends"]:
            line_color = f"C{names.index(name) % 10}" if name in names else "gray"
            ax3.loglog(lengths, [r["times_s"][name] * 1e3 for r in acc_rows], "s:",
                       color=line_color, alpha=0.8, label=f"{name} ms/call")
        ax3.set_ylabel("time per call (ms)")
        ax2.set_xticks(lengths, [str(n) for n in lengths])  # after twinx's log scale
        ax2.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
        handles = ax2.get_legend_handles_labels()
        more = ax3.get_legend_handles_labels()
        ax2.legend(handles[0] + more[0], handles[1] + more[1], fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
