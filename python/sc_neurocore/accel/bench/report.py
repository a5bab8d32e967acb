"""The study's outputs: the printed table, the JSON file and the chart (also redrawn from JSON)."""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from .accuracy import falls_every_doubling, rmse_per_doubling
from .first_calls import FIRST_CALLS_TARGET
from .results import host_key
from .study import ContendedRow, FirstCallsRow, Row, Study
from .workloads import WORKLOADS, Workload

__all__ = ["format_table", "host_slug", "write_results", "write_chart", "results_stem",
           "read_results", "chart_source", "chart_figure", "workload_label",
           "reference_summary", "first_calls_summary", "first_calls_helpers",
           "accuracy_time_columns", "prepared_tables", "generator_lines", "generator_time_ratios",
           "main"]


def generator_time_ratios(gen: dict[str, Any], generator: str,
                          base: str = "lfsr") -> list[tuple[str, float, int]]:
    """``generator``'s time per call over ``base``'s, per time column of a generator comparison.

    For every column of ``accuracy_time_columns(gen)`` (a backend and a path)
    the largest ratio over the lengths where both were timed, and that length.

    Parameters
    ----------
    gen : dict
        A study's ``accuracy["generators"]``.
    generator, base : str
        The generator compared, and the one it is compared with.

    Returns
    -------
    list of tuple
        ``(column label, worst ratio, at length)`` for each column timed for both.
    """
    times = {(r["generator"], r["length"]): r for r in gen.get("rows", [])}
    out = []
    for label, key, name in accuracy_time_columns(gen):
        ratios = [(mine[key][name] / theirs[key][name], length)
                  for (g, length), mine in times.items() if g == generator
                  for theirs in [times.get((base, length))] if theirs is not None
                  and mine.get(key, {}).get(name) and theirs.get(key, {}).get(name)]
        if ratios:
            worst, at = max(ratios)
            out.append((label.removesuffix(" ms"), worst, at))
    return out


def generator_lines(gen: dict[str, Any]) -> list[str]:
    """The generator comparison as text (nothing when the study has none)."""
    if not gen.get("rows"):
        return []
    columns = accuracy_time_columns(gen)
    width = max([10] + [len(label) for label, _, _ in columns])
    independent = {r["length"]: r["rmse"] for r in gen["independent"]}
    lines = ["", f"stream generators ({gen['n_out']} x {gen['n_in']} layer; rmse and bias of "
                 "(W @ p) / n_in, see JSON 'quantity')",
             f"{'generator':<10} {'length':>7} {'rmse':>10} {'bias':>10} {'max err':>10} "
             f"{'indep.':>10} " + " ".join(f"{label:>{width}}" for label, _, _ in columns)
             + "  bit-identical"]
    for r in gen["rows"]:
        lines.append(f"{r['generator']:<10} {r['length']:>7} {r['rmse']:>10.3e} "
                     f"{r['bias']:>10.2e} {r['max_abs_error']:>10.3e} "
                     f"{independent[r['length']]:>10.3e} "
                     + " ".join(f"{_ms(r.get(key, {}).get(n)):>{width}.3f}"
                                for _, key, n in columns)
                     + f"  {'✓' if r['bit_identical'] else '✗'}")
    lines += [f"{g}: rmse {'falls' if falls_every_doubling(gen['rows'], g) else 'does not fall'}"
              " at every doubling of the length" for g in gen["generators"]]
    for g in gen["generators"][1:]:
        ratios = generator_time_ratios(gen, g, gen["generators"][0])
        if ratios:
            lines.append(f"{g} / {gen['generators'][0]} time per call, largest over the "
                         "lengths: " + ", ".join(f"{label} {worst:.2f} (at {at})"
                                                 for label, worst, at in ratios))
    return lines


def _ms(value: float | None) -> float:
    return value * 1e3 if value else math.nan


def format_table(study: Study) -> str:
    """The study as plain-text tables: main, contended, first calls, NumPy baseline, accuracy, extras, headline.

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
    if study.first_calls:
        lines += ["", "fresh-process first calls: " + first_calls_summary(study.first_calls),
                  f"{'process':>7} {'threads':>7} {'first calls ms':>14} {'1 thread ms':>11} "
                  f"{'ratio':>7} {'regions helped':>14} {'helper tasks':>12}  bit-identical"]
        for f in study.first_calls:
            helped, share = first_calls_helpers(f)
            lines.append(f"{f.process:>7} {f.threads:>7} {f.default_median_s * 1e3:>14.3f} "
                         f"{f.one_thread_median_s * 1e3:>11.3f} {f.ratio:>7.2f} {helped:>14} "
                         f"{share:>12}  {'✓' if f.bit_identical else '✗'}")
    for name, ref in study.reference_numpy.items():
        lines += ["", reference_summary(name, ref)]
    if study.accuracy.get("rows"):
        acc = study.accuracy
        columns = accuracy_time_columns(acc)
        width = max([10] + [len(label) for label, _, _ in columns])
        lines += ["", f"accuracy against stream length ({acc['n_out']} x {acc['n_in']} layer; "
                      "rmse of the mean-product estimate (W @ p) / n_in, see JSON 'quantity')",
                  f"{'length':>7} {'rmse':>10} {'rmse W@p':>10} {'max err':>10} "
                  f"{'indep. model':>12} " + " ".join(f"{label:>{width}}"
                                                      for label, _, _ in columns)
                  + "  bit-identical"]
        for r in acc["rows"]:
            lines.append(f"{r['length']:>7} {r['rmse']:>10.3e} {r['rmse_dot']:>10.3f} "
                         f"{r['max_abs_error']:>10.3e} {r['bernoulli_rmse']:>12.3e} "
                         + " ".join(f"{_ms(r.get(key, {}).get(n)):>{width}.3f}"
                                    for _, key, n in columns)
                         + f"  {'✓' if r['bit_identical'] else '✗'}")
        lines.append(f"rmse factor per doubling of length: {rmse_per_doubling(acc['rows']):.3f} "
                     "(independent streams: 0.707)")
        lines += generator_lines(acc.get("generators") or {})
    for title, names, cells in prepared_tables(study.prepared):
        widths = [max(len(h), *(len(row[k]) for row in cells)) for k, h in enumerate(names)]
        lines += ["", title, "  ".join(f"{h:>{w}}" for h, w in zip(names, widths))]
        lines += ["  ".join(f"{c:>{w}}" for c, w in zip(row, widths)) for row in cells]
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


def reference_summary(name: str, ref: dict[str, Any]) -> str:
    """One line on the reference release's NumPy path against the NumPy backend.

    Parameters
    ----------
    name : str
        The workload (``"W1"``).
    ref : dict
        Its entry of ``Study.reference_numpy``.

    Returns
    -------
    str
        Both medians, whether the results matched, the speed-up and the NumPy
        backend's fraction of the ``numpy.sum`` bandwidth.
    """
    return (f"NumPy baseline on {name}: reference release's NumPy path "
            f"{ref['median_s'] * 1e3:.3f} ms "
            f"({'bit-identical' if ref['bit_identical'] else 'MISMATCH'}), "
            f"NumPy backend {ref['numpy_backend_median_s'] * 1e3:.3f} ms: "
            f"{ref['numpy_vs_reference']:.1f}x faster; NumPy backend at "
            f"{ref['numpy_vs_sum_bandwidth']:.3f} of the numpy.sum bandwidth")


def accuracy_time_columns(acc: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The time columns of an accuracy table: ``(label, row key, backend)`` each.

    A study that timed both paths (its rows have ``packed_times_s``) gives
    ``"<backend> prepared ms"`` (key ``times_s``) and ``"<backend> packed ms"``
    (key ``packed_times_s``) per backend; an older one, which timed packed
    weights only, ``"<backend> ms"`` (key ``times_s``).

    Parameters
    ----------
    acc : dict
        A study's ``accuracy``.

    Returns
    -------
    list of tuple of str
    """
    timed = list(acc.get("backends", []))
    rows = acc.get("rows", [])
    if not any("packed_times_s" in r for r in rows):
        return [(f"{n} ms", "times_s", n) for n in timed]
    prepared = [n for n in timed if any(r["times_s"].get(n) is not None for r in rows)]
    packed = [n for n in timed if any(n in r["packed_times_s"] for r in rows)]
    return ([(f"{n} prepared ms", "times_s", n) for n in prepared]
            + [(f"{n} packed ms", "packed_times_s", n) for n in packed])


def _fmt_ms(seconds: float | None) -> str:
    return "-" if seconds is None or not math.isfinite(seconds) else f"{seconds * 1e3:.3f}"


def _fmt_mib(n_bytes: int) -> str:
    return f"{n_bytes / 2**20:.1f}"


def _identical_mark(flag: bool | None) -> str:
    return "-" if flag is None else ("✓" if flag else "✗")


def prepared_tables(prepared: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """The prepared-layers part of a study as tables: ``(title, header, rows of cells)``.

    The text report and the documentation render the same cells.

    Parameters
    ----------
    prepared : dict
        A study's ``prepared`` (empty: no tables).

    Returns
    -------
    list of tuple
        The length sweep, the standard workloads with their one-time costs
        and memory, and the scale row, where measured.
    """
    if not prepared:
        return []
    backend = prepared["backend"]
    budget = prepared["packed_budget"] / 2**30
    tables = []
    sweep = prepared.get("sweep", [])
    if sweep:
        tables.append((
            f"prepared layers against packed weights on {backend}: time per call against "
            f"stream length, one input (packed weights over {budget:g} GiB not built)",
            ["shape", "length", "packed ms", "prepared ms", "packed / prepared",
             "packed MiB", "prepared MiB", "bit-identical"],
            [[f"{r['workload']} {r['n_out']}x{r['n_in']}", str(r["length"]),
              _fmt_ms(r["packed_s"]), _fmt_ms(r["prepared_s"]),
              "-" if not math.isfinite(r["ratio"]) else f"{r['ratio']:.2f}",
              _fmt_mib(r["packed_bytes"]), _fmt_mib(r["prepared_bytes"]),
              _identical_mark(r["bit_identical"])] for r in sweep]))
    costs = prepared.get("workloads", [])
    if costs:
        targets = prepared.get("targets", {})
        tables.append((
            f"prepared layers on the standard workloads ({backend}, same threads): "
            "one-time costs, the calls that repay them, memory (MiB of packed weights, "
            "of the layer's k and order, of one seed's input states)",
            ["workload", "packed ms", "prepared ms", "packed / prepared", "target",
             "prepare ms", "states ms", "encode ms", "calls to repay", "packed MiB",
             "layer MiB", "states MiB", "bit-identical"],
            [[f"{c['workload']} (batch {c['batch']})", _fmt_ms(c["packed_s"]),
              _fmt_ms(c["prepared_s"]), f"{c['ratio']:.2f}",
              f">= {targets[c['workload']]:g}" if c["workload"] in targets else "-",
              _fmt_ms(c["prepare_s"]), _fmt_ms(c["states_s"]), _fmt_ms(c["encode_s"]),
              f"{c['calls_to_repay']:.1f}" if math.isfinite(c["calls_to_repay"]) else "never",
              _fmt_mib(c["packed_bytes"]), _fmt_mib(c["layer_bytes"]),
              _fmt_mib(c["states_bytes"]), _identical_mark(c["bit_identical"])]
             for c in costs]))
    scale = prepared.get("scale")
    if scale:
        tables.append((
            f"scale row ({backend}): a layer whose packed weights would take "
            f"{scale['packed_bytes'] / 2**30:.3g} GiB, through the prepared path; checked "
            f"against the packed path {scale['slice_rows']} output rows at a time",
            ["layer", "length", "layer MiB", "states MiB", "prepare s", "first call s",
             "per call ms", "rows checked", "check s", "bit-identical"],
            [[f"{scale['n_out']}x{scale['n_in']}", str(scale["length"]),
              _fmt_mib(scale["layer_bytes"]), _fmt_mib(scale["states_bytes"]),
              f"{scale['prepare_s']:.2f}", f"{scale['first_call_s']:.3f}",
              _fmt_ms(scale["prepared_s"]), f"{scale['rows_checked']} of {scale['n_out']}",
              f"{scale['check_s']:.1f}", _identical_mark(scale["bit_identical"])]]))
    return tables


def first_calls_summary(rows: list[FirstCallsRow]) -> str:
    """What the fresh-process first-calls rows timed, and their target.

    Parameters
    ----------
    rows : list of FirstCallsRow
        The study's ``first_calls`` (at least one).

    Returns
    -------
    str
        One line naming the workload, the number of processes and calls, and
        the target ratio.
    """
    return (f"rust on {rows[0].workload}, {len(rows)} fresh "
            f"processes, median of the first {rows[0].calls} calls on the default threads "
            f"against the next {rows[0].calls} on 1 thread; target ratio <= "
            f"{FIRST_CALLS_TARGET} in every process")


def first_calls_helpers(row: FirstCallsRow) -> tuple[str, str]:
    """A first-calls row's helper columns: regions helped of those run, share of tasks.

    Parameters
    ----------
    row : FirstCallsRow
        One fresh process.

    Returns
    -------
    tuple of str
        ``"58/60"`` and ``"47%"``; ``"-"`` where the row has no count (results
        written before the engine had pool counters, or a share of no tasks).
    """
    helped = ("-" if row.regions is None or row.regions_helped is None
              else f"{row.regions_helped}/{row.regions}")
    share = "-" if row.helper_task_share is None else f"{row.helper_task_share:.0%}"
    return helped, share


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
    if head.get("first_calls_over_one_thread"):
        lines.append(f"  fresh-process first calls / 1 thread, worst process: "
                     f"{per_workload(head['first_calls_over_one_thread'])}  "
                     f"(target <= {FIRST_CALLS_TARGET})")
    if head.get("prepared_over_packed"):
        lines.append(f"  packed / prepared, same backend: "
                     f"{per_workload(head['prepared_over_packed'])}  "
                     "(targets W1 >= 2, W2 >= 10, W3 >= 1.5)")
    if "prepared_scale_bit_identical" in head:
        lines.append("  scale row bit-identical to the packed slices: "
                     f"{head['prepared_scale_bit_identical']}")
    return lines


def host_slug() -> str:
    """A file-name-safe form of [`host_key`][sc_neurocore.accel.bench.host_key]."""
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
    return path, write_chart(study, out_dir / f"{stem}.png", source=chart_source(path, data))


def chart_source(json_path: Path, data: dict[str, Any]) -> str:
    """The ``Source`` text a chart carries: which results file it was drawn from.

    ``"<file name>, written <timestamp>"``, stored in the PNG's metadata, so
    a committed chart can be matched to the committed JSON it shows.
    """
    return f"{json_path.name}, written {data.get('written', 'unknown')}"


def _fields(cls: type, record: dict[str, Any]) -> dict[str, Any]:
    """The entries of ``record`` that are fields of dataclass ``cls`` (others are ignored)."""
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in record.items() if k in names}


def read_results(path: Path) -> tuple[Study, dict[str, Any]]:
    """A study back from its JSON file (as ``write_results`` wrote it).

    Parameters
    ----------
    path : Path
        A ``bench-<host>.json`` file.

    Returns
    -------
    tuple of (Study, dict)
        The study, and the file's raw data (with the keys a ``Study`` does not
        hold, such as ``written``).
    """
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    study = Study(**_fields(Study, data))
    study.rows = [Row(**_fields(Row, r)) for r in data.get("rows", [])]
    study.contended = [ContendedRow(**_fields(ContendedRow, c))
                       for c in data.get("contended", [])]
    study.first_calls = [FirstCallsRow(**_fields(FirstCallsRow, f))
                         for f in data.get("first_calls", [])]
    study.workloads = [Workload(**_fields(Workload, w)) for w in data.get("workloads", [])]
    return study, data


def workload_label(work: Workload) -> str:
    """A workload's name and shape on two lines, e.g. ``"W3\n128x784x1024, batch 32"``."""
    inputs = "1 input" if work.batch is None else f"batch {work.batch}"
    return f"{work.name}\n{work.n_out}x{work.n_in}x{work.length}, {inputs}"


def _bar_values(study: Study, works: list[Workload]) -> list[tuple[str, bool, list[float]]]:
    """``(backend, contended, fraction of numpy.sum bandwidth per workload)`` per bar series."""
    names = list(dict.fromkeys(r.backend for r in study.rows))
    series = [(n, False) for n in names] + [
        (n, True) for n in dict.fromkeys(c.backend for c in study.contended)]
    sum_bw = {w: b["bandwidth_gbs"] for w, b in study.sum_baseline.items()}
    out = []
    for name, busy in series:
        values = []
        for w in works:
            value = math.nan
            if busy:
                c = next((c for c in study.contended
                          if c.workload == w.name and c.backend == name), None)
                if c and sum_bw.get(w.name):
                    value = w.weight_bytes / c.contended_median_s / 1e9 / sum_bw[w.name]
            else:
                value = next((r.vs_sum_bandwidth for r in study.rows
                              if r.workload == w.name and r.backend == name), math.nan)
            values.append(value)
        out.append((name, busy, values))
    return out


def _median_rows(study: Study, works: list[Workload]) -> list[list[str]]:
    """The chart's table: absolute medians per workload and backend (with ``np.sum``)."""
    rows = []
    for w in works:
        base = study.sum_baseline.get(w.name)
        if base:
            rows.append([w.name, "np.sum", f"{base['median_s'] * 1e3:.3f}", ""])
        for r in (r for r in study.rows if r.workload == w.name):
            c = next((c for c in study.contended
                      if c.workload == w.name and c.backend == r.backend), None)
            rows.append([w.name, r.backend, f"{r.median_s * 1e3:.3f}",
                         f"{c.contended_median_s * 1e3:.3f}" if c else ""])
    return rows


def write_chart(study: Study, path: Path, *, source: str | None = None) -> Path | None:
    """The study's chart: bandwidth per backend and workload, medians, accuracy against length.

    Top left: each backend's fraction of the ``numpy.sum`` bandwidth per
    workload on a log axis, so that fast and slow workloads are all readable
    (hatched: the contended runs; the dashed line is ``numpy.sum`` itself, 1 by
    definition, always in view).  Top right: the absolute median times behind
    the bars.  Below (when the study measured accuracy): RMSE against stream
    length on log-log axes with the independent-stream model, and the time
    per call on a second axis; then (when it compared stream generators) each
    generator's RMSE against length, with the independent-stream line.  Last
    (when it compared prepared layers): time per call against stream length,
    packed and prepared, per layer shape.
    Legends sit outside the data.

    Parameters
    ----------
    study : Study
        What to draw.
    path : Path
        The PNG file to write.
    source : str, optional
        Stored in the PNG's ``Source`` metadata (see ``chart_source``).

    Returns
    -------
    Path or None
        ``path``, or ``None`` when matplotlib is missing.
    """
    figure = chart_figure(study)
    if figure is None:
        return None
    import matplotlib.pyplot as plt

    figure.savefig(path, dpi=110, metadata={"Source": source} if source else None)
    plt.close(figure)
    return path


def chart_figure(study: Study) -> Any:
    """The matplotlib figure ``write_chart`` saves (``None`` without matplotlib).

    Its axes, in order: the bandwidth bars, the medians table, (when the
    study measured accuracy) the accuracy panel and its time axis, (when it
    compared stream generators) the generator panel, and (when it compared
    prepared layers) time per call against length, packed and prepared.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    works = list(study.workloads or WORKLOADS)
    acc_rows = study.accuracy.get("rows") or []
    gen = study.accuracy.get("generators") or {}
    sweep = study.prepared.get("sweep") or []
    panels = 1 + bool(acc_rows) + bool(gen.get("rows")) + bool(sweep)
    fig = plt.figure(figsize=(11, 5.2 + 4.3 * (panels - 1)), layout="constrained")
    grid = fig.add_gridspec(panels, 2, width_ratios=(3, 2))
    fig.suptitle(f"sc_forward timing study — {study.host.get('key', '?')}"
                 f"{' (SMOKE: tiny shapes, figures meaningless)' if study.smoke else ''}",
                 fontsize=12)
    _draw_bandwidth(fig.add_subplot(grid[0, 0]), study, works)
    _draw_medians(fig.add_subplot(grid[0, 1]), study, works)
    if acc_rows:
        _draw_accuracy(fig.add_subplot(grid[1, :]), study, acc_rows, matplotlib)
    if gen.get("rows"):
        _draw_generators(fig.add_subplot(grid[1 + bool(acc_rows), :]), gen, matplotlib)
    if sweep:
        _draw_prepared(fig.add_subplot(grid[panels - 1, :]), study, sweep, matplotlib)
    return fig


def _draw_bandwidth(ax: Any, study: Study, works: list[Workload]) -> None:
    series = _bar_values(study, works)
    names = [name for name, busy, _ in series if not busy]
    width = 0.8 / max(1, len(series))
    shown = [v for _, _, values in series for v in values if v > 0 and math.isfinite(v)]
    for k, (name, busy, values) in enumerate(series):
        xs = [i + (k - (len(series) - 1) / 2) * width for i in range(len(works))]
        color = f"C{names.index(name) % 10}" if name in names else "gray"
        ax.bar(xs, [v if v > 0 and math.isfinite(v) else 0.0 for v in values], width,
               label=f"{name} (contended)" if busy else name, color=color,
               hatch="//" if busy else None, alpha=0.5 if busy else 1.0)
    ax.set_yscale("log")
    low = min(shown + [1.0]) / 2.0
    high = max(shown + [1.0]) * 2.0
    ax.set_ylim(low, high)  # the numpy.sum line (1.0) always lies inside
    ax.axhline(1.0, color="black", linewidth=1.0, linestyle="--", label="numpy.sum (= 1)")
    ax.set_xticks(range(len(works)), [workload_label(w) for w in works])
    ax.set_ylabel("bandwidth / numpy.sum bandwidth (log)")
    ax.set_title("streaming rate of the weights, per workload", fontsize=10)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17), ncol=4, fontsize=8,
              frameon=False)


def _draw_medians(ax: Any, study: Study, works: list[Workload]) -> None:
    ax.axis("off")
    rows = _median_rows(study, works)
    ax.set_title("median ms per call", fontsize=10)
    if not rows:
        return
    table = ax.table(cellText=rows, colLabels=["workload", "backend", "quiet", "contended"],
                     loc="upper center", cellLoc="right", colLoc="right")
    table.auto_set_font_size(False)
    table.set_fontsize(8.5)
    table.scale(1.0, 1.25)


def _draw_accuracy(ax: Any, study: Study, acc_rows: list[dict[str, Any]],
                   matplotlib: Any) -> None:
    lengths = [r["length"] for r in acc_rows]
    ax.loglog(lengths, [r["rmse"] for r in acc_rows], "ko-", label="sc_forward RMSE")
    ax.loglog(lengths, [r["bernoulli_rmse"] for r in acc_rows], "--", color="gray",
              linewidth=0.8, label="independent Bernoulli streams")
    ax.set_ylabel("RMSE of (W @ p) / n_in")
    ax.set_title(f"accuracy and time against stream length, {study.accuracy['n_out']} x "
                 f"{study.accuracy['n_in']} layer", fontsize=10)
    names = list(dict.fromkeys(r.backend for r in study.rows))
    times = ax.twinx()
    for label, key, name in accuracy_time_columns(study.accuracy):
        color = f"C{names.index(name) % 10}" if name in names else "gray"
        points = [(r["length"], r[key][name] * 1e3) for r in acc_rows
                  if r.get(key, {}).get(name) is not None]
        if points:
            times.loglog(*zip(*points), "s:" if key == "times_s" else "^--", color=color,
                         alpha=0.8, label=label.replace(" ms", " ms per call"))
    times.set_ylabel("time per call (ms)")
    _length_axis(ax, lengths, matplotlib, times)


def _length_axis(ax: Any, lengths: list[int], matplotlib: Any, *twins: Any) -> None:
    """Stream lengths as the x ticks of a log-log panel, with the legend of it and its
    ``twins`` (second y axes) below."""
    ax.set_xticks(lengths, [str(n) for n in lengths])  # after a twin's log scale
    ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    ax.set_xlabel("stream length (bits)")
    handles, labels = ax.get_legend_handles_labels()
    for twin in twins:
        more, more_labels = twin.get_legend_handles_labels()
        handles, labels = handles + more, labels + more_labels
    ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=4,
              fontsize=8, frameon=False)


def _draw_generators(ax: Any, gen: dict[str, Any], matplotlib: Any) -> None:
    """Each generator's RMSE against length, with the independent-stream line, and the
    time per call of the run's first (fastest) backend, prepared and packed, on a second
    axis."""
    fastest = gen["backends"][0]
    times = ax.twinx()
    for k, name in enumerate(gen["generators"]):
        mine = sorted((r for r in gen["rows"] if r["generator"] == name),
                      key=lambda r: r["length"])
        color = f"C{k % 10}"
        ax.loglog([r["length"] for r in mine], [r["rmse"] for r in mine], "os^v"[k % 4] + "-",
                  color=color, label=f"{name} RMSE")
        for key, style, path in (("times_s", ":", "prepared"), ("packed_times_s", "--",
                                                                 "packed")):
            points = [(r["length"], r[key][fastest] * 1e3) for r in mine
                      if r.get(key, {}).get(fastest) is not None]
            if points:
                times.loglog(*zip(*points), style, color=color, alpha=0.6, linewidth=1.0,
                             label=f"{name} {fastest} {path} ms per call")
    lengths = [r["length"] for r in gen["independent"]]
    ax.loglog(lengths, [r["rmse"] for r in gen["independent"]], "--", color="gray",
              linewidth=0.8, label="independent Bernoulli streams (computed)")
    ax.set_ylabel("RMSE of (W @ p) / n_in")
    times.set_ylabel("time per call (ms)")
    ax.set_title(f"stream generators against stream length, {gen['n_out']} x {gen['n_in']} "
                 "layer", fontsize=10)
    _length_axis(ax, lengths, matplotlib, times)


def _draw_prepared(ax: Any, study: Study, sweep: list[dict[str, Any]], matplotlib: Any) -> None:
    """Time per call against stream length, packed (dashed) and prepared (solid), per shape."""
    shapes = list(dict.fromkeys(r["workload"] for r in sweep))
    for k, shape in enumerate(shapes):
        rows = [r for r in sweep if r["workload"] == shape]
        label = f"{shape} {rows[0]['n_out']}x{rows[0]['n_in']}"
        ax.loglog([r["length"] for r in rows], [r["prepared_s"] * 1e3 for r in rows], "o-",
                  color=f"C{k}", label=f"{label} prepared")
        packed = [(r["length"], r["packed_s"] * 1e3) for r in rows
                  if math.isfinite(r["packed_s"])]
        if packed:
            ax.loglog(*zip(*packed), "s--", color=f"C{k}", alpha=0.7,
                      label=f"{label} packed")
    ax.set_ylabel("time per call (ms)")
    ax.set_title(f"prepared layers against packed weights, one input, on "
                 f"{study.prepared['backend']} (packed weights over "
                 f"{study.prepared['packed_budget'] / 2**30:g} GiB not built)", fontsize=10)
    _length_axis(ax, sorted({r["length"] for r in sweep}), matplotlib)


def main(argv: list[str] | None = None) -> int:
    """Redraw the chart of each results file given, next to it (no study is run).

    ``python -m sc_neurocore.accel.bench chart benchmarks/results/bench-<host>.json``
    writes ``bench-<host>.png`` beside the JSON from the JSON alone.

    Parameters
    ----------
    argv : list of str, optional
        The JSON files (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0, or 1 when matplotlib is missing or no file was given.
    """
    import sys

    paths = [Path(a) for a in (sys.argv[1:] if argv is None else argv)]
    if not paths:
        print("usage: python -m sc_neurocore.accel.bench chart RESULTS.json [...]",
              file=sys.stderr)
        return 1
    for path in paths:
        study, data = read_results(path)
        chart = write_chart(study, path.with_suffix(".png"), source=chart_source(path, data))
        if chart is None:
            print("chart skipped: matplotlib is not installed (pip install matplotlib)",
                  file=sys.stderr)
            return 1
        print(chart)
    return 0
