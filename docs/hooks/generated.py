"""mkdocs hook: the parts of pages that are generated from the repository at build time.

A page asks for a generated part with a marker alone on a line::

    <!-- generated: bench-results -->

and the hook replaces the marker with Markdown built from the committed files,
so no figure on the site is copied by hand:

* ``workloads``: the study's standard workloads, from the code;
* ``bench-results``: every committed timing study
  (``benchmarks/results/bench-*.json``): its chart, drawn from the JSON while
  the site builds, and its tables;
* ``parity-bench``: ``sc_forward`` per language, from
  ``benchmarks/results/parity-bench-*.json``;
* ``mpi-rows``: the MPI rows of the committed timing studies;
* ``safety-mirrors``: the safety mirrors with their Rust tests (``#[test]``
  functions in the sources) and golden cases (``parity/golden/*.txt``).

An unknown marker, or a results folder without results, fails the build.
"""

from __future__ import annotations

import json
import logging
import math
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "benchmarks" / "results"
GOLDEN = REPO / "parity" / "golden"
MIRROR = REPO / "rust" / "mirror"
CHART_DIR = "results"  # where the charts sit in the site, next to the pages
MARKER = re.compile(r"^<!--\s*generated:\s*([\w-]+)\s*-->\s*$", re.M)

log = logging.getLogger("mkdocs.hooks.generated")


# ------------------------------------------------------------------------- formatting

def _ms(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "–"
    return f"{seconds * 1e3:.3f}"


def _num(value: float | None, digits: int = 2) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:.{digits}f}"


def _table(header: list[str], rows: list[list[str]], align: str = "") -> str:
    """A Markdown table; ``align`` holds one ``l``/``r`` per column (default: text left)."""
    marks = ["---:" if a == "r" else "---" for a in (align or "l" * len(header))]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(marks) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |"
              for row in rows]
    return "\n".join(lines)


def _identical(flag: object) -> str:
    return "✓" if flag else "✗"


# ------------------------------------------------------------------- timing studies

def study_files() -> list[Path]:
    """The committed timing-study results, one per host."""
    return sorted(RESULTS.glob("bench-*.json"))


def chart_uri(json_path: Path) -> str:
    """Where a study's chart sits in the site."""
    return f"{CHART_DIR}/{json_path.with_suffix('.png').name}"


def _workload_text(work: Any) -> str:
    inputs = "1 input" if work.batch is None else f"a batch of {work.batch}"
    return f"{work.name} = {work.n_out} × {work.n_in} × {work.length} bits, {inputs}"


def workloads_markdown() -> str:
    """The standard workloads, from ``sc_neurocore.accel.bench.WORKLOADS``."""
    from sc_neurocore.accel.bench import WORKLOADS

    return _table(["workload", "`n_out`", "`n_in`", "`length`", "input", "`weights_packed`"],
                  [[w.name, str(w.n_out), str(w.n_in), str(w.length),
                    "one `(n_in,)` vector" if w.batch is None else f"a batch of {w.batch}",
                    f"{w.weight_bytes / 2**20:g} MiB"] for w in WORKLOADS], "lrrrll")


def study_markdown(json_path: Path) -> str:
    """One committed study: the run, its chart and its tables, all from the JSON."""
    from sc_neurocore.accel.bench.accuracy import rmse_per_doubling
    from sc_neurocore.accel.bench.report import (
        accuracy_time_columns,
        first_calls_helpers,
        first_calls_summary,
        prepared_tables,
        read_results,
        reference_summary,
    )

    study, data = read_results(json_path)
    host = study.host
    works = study.workloads
    versions = ", ".join(f"{k} {v}" for k, v in study.versions.items() if v)
    out = [
        f"### {host.get('key', json_path.stem)}",
        "",
        f"`{json_path.relative_to(REPO).as_posix()}`, written {data.get('written', '?')}: "
        f"SIMD tier `{host.get('simd_tier')}`, {host.get('threads')} engine threads, "
        f"{host.get('usable_cpus')} usable CPUs, at least {study.repeats} timed calls per "
        f"figure{' (quick run)' if study.quick else ''}; {versions}. Workloads: "
        + "; ".join(_workload_text(w) for w in works) + ".",
        "",
        f"![The timing study on {host.get('key')}: bandwidth per workload, median times, "
        f"accuracy against stream length]({chart_uri(json_path)})",
        "",
        "**Main table.** `median ms` and `per input ms` are absolute; the ratios are "
        "against NumPy and against `numpy.sum` over the same weights, in the same run.",
        "",
    ]
    rows = []
    for work in works:
        base = study.sum_baseline.get(work.name)
        if base:
            rows.append([work.name, "`np.sum`", _ms(base["median_s"]), "",
                         _num(base["bandwidth_gbs"]), "", "1.00", ""])
        for r in (r for r in study.rows if r.workload == work.name):
            rows.append([work.name, f"`{r.backend}`", _ms(r.median_s),
                         _ms(r.per_input_s), _num(r.bandwidth_gbs), _num(r.vs_numpy),
                         _num(r.vs_sum_bandwidth, 3), _identical(r.bit_identical)])
    out.append(_table(["workload", "backend", "median ms", "per input ms", "GB/s", "vs numpy",
                       "of sum bw", "bit-identical"], rows, "llrrrrrl"))
    if study.contended:
        out += ["", f"**Contended rows** ({study.contended[0].hogs} CPU-bound processes, one "
                    "per usable core; the target is contended / quiet ≤ 2):", ""]
        out.append(_table(
            ["workload", "backend", "threads", "quiet ms", "contended ms", "contended / quiet",
             "bit-identical"],
            [[c.workload, f"`{c.backend}`", str(c.threads or "–"), _ms(c.quiet_median_s),
              _ms(c.contended_median_s), _num(c.ratio), _identical(c.bit_identical)]
             for c in study.contended], "llrrrrl"))
    if study.first_calls:
        out += ["", f"**Fresh-process first calls**: {first_calls_summary(study.first_calls)}:",
                ""]
        out.append(_table(
            ["process", "threads", "first calls ms", "1 thread ms", "ratio", "regions helped",
             "helper tasks", "bit-identical"],
            [[str(f.process), str(f.threads), _ms(f.default_median_s),
              _ms(f.one_thread_median_s), _num(f.ratio), *first_calls_helpers(f),
              _identical(f.bit_identical)]
             for f in study.first_calls], "rrrrrrrl"))
    for name, ref in study.reference_numpy.items():
        out += ["", reference_summary(name, ref) + "."]
    acc = study.accuracy
    if acc.get("rows"):
        columns = accuracy_time_columns(acc)
        out += ["", f"**Accuracy against stream length** ({acc['n_out']} × {acc['n_in']} "
                    "layer; the columns are defined above):", ""]
        out.append(_table(
            ["length", "rmse", "rmse W@p", "max err", "indep. model"]
            + [f"`{label.split(' ', 1)[0]}` {label.split(' ', 1)[1]}"
               for label, _, _ in columns] + ["bit-identical"],
            [[str(r["length"]), f"{r['rmse']:.3e}", f"{r['rmse_dot']:.3f}",
              f"{r['max_abs_error']:.3e}", f"{r['bernoulli_rmse']:.3e}"]
             + [_ms(r.get(key, {}).get(n)) for _, key, n in columns]
             + [_identical(r["bit_identical"])]
             for r in acc["rows"]], "r" * (5 + len(columns)) + "l"))
        out += ["", f"RMSE falls by a factor of {rmse_per_doubling(acc['rows']):.3f} per "
                    "doubling of the length on average (independent streams: 0.707)."]
        out += _generators_markdown(acc.get("generators") or {})
    for title, header, cells in prepared_tables(study.prepared):
        out += ["", f"**{title[0].upper()}{title[1:]}:**", ""]
        out.append(_table(header, cells, "l" + "r" * (len(header) - 2) + "l"))
    extras = [e for e in study.extras if not str(e.get("name", "")).startswith("mpi ")]
    if extras:
        out += ["", "**Extra benchmarks** (`ratio` is the baseline's median over the row's):",
                ""]
        out.append(_extras_table(extras))
    if study.unavailable:
        out += ["", "Not measured: " + "; ".join(f"`{n}` ({why})" for n, why in
                                                  study.unavailable.items()) + "."]
    out += ["", "Headline ratios: " + _headline(study.headline) + ".",
            "", f"`auto` order on this host: {', '.join(f'`{n}`' for n in study.ranking)}."]
    return "\n".join(out)


def _generators_markdown(gen: dict[str, Any]) -> list[str]:
    """The stream-generator rows of one study (nothing when it has none)."""
    from sc_neurocore.accel.bench.accuracy import falls_every_doubling
    from sc_neurocore.accel.bench.report import accuracy_time_columns, generator_time_ratios

    if not gen.get("rows"):
        return []
    columns = accuracy_time_columns(gen)
    independent = {r["length"]: r["rmse"] for r in gen["independent"]}
    out = ["", f"**Stream generators** ({gen['n_out']} × {gen['n_in']} layer; the columns "
               "are defined [above](#stream-generators-compared)):", ""]
    out.append(_table(
        ["generator", "length", "rmse", "bias", "max err", "indep."]
        + [f"`{label.split(' ', 1)[0]}` {label.split(' ', 1)[1]}"
           for label, _, _ in columns] + ["bit-identical"],
        [[f"`{r['generator']}`", str(r["length"]), f"{r['rmse']:.3e}", f"{r['bias']:.2e}",
          f"{r['max_abs_error']:.3e}", f"{independent[r['length']]:.3e}"]
         + [_ms(r.get(key, {}).get(n)) for _, key, n in columns]
         + [_identical(r["bit_identical"])]
         for r in gen["rows"]], "lrrrrr" + "r" * len(columns) + "l"))
    falls = [f"`{g}`" for g in gen["generators"] if falls_every_doubling(gen["rows"], g)]
    out += ["", "RMSE falls at every doubling of the length for "
                + (", ".join(falls) if falls else "no generator") + "."]
    base = gen["generators"][0]
    for g in gen["generators"][1:]:
        ratios = generator_time_ratios(gen, g, base)
        if ratios:
            out += ["", f"`{g}` / `{base}` time per call, largest over the lengths: "
                        + ", ".join(f"`{label.split(' ', 1)[0]}` {label.split(' ', 1)[1]} "
                                    f"{worst:.2f} (at {at})" for label, worst, at in ratios)
                        + "."]
    return out


def _extras_table(extras: list[dict[str, Any]]) -> str:
    return _table(["benchmark", "median ms", "baseline", "baseline ms", "ratio", "note"],
                  [[str(e.get("name", "")), _ms(e.get("median_s")),
                    str(e.get("baseline_name") or "–"), _ms(e.get("baseline_median_s")),
                    _num(e.get("ratio")), str(e.get("note", ""))] for e in extras],
                  "lrlrrl")


def _headline(head: dict[str, Any]) -> str:
    parts = []
    for backend, values in head.get("contended_over_quiet", {}).items():
        parts.append(f"contended / quiet `{backend}` "
                     + ", ".join(f"{w} {_num(v)}" for w, v in values.items()))
    for key, label in (("numpy_vs_sum_bandwidth", "NumPy backend / `numpy.sum` bandwidth"),
                       ("numpy_vs_reference_numpy", "NumPy backend vs the reference NumPy path"),
                       ("jax_vs_numpy", "JAX vs the NumPy backend")):
        if head.get(key):
            parts.append(f"{label} " + ", ".join(f"{w} {_num(v, 3 if 'sum' in key else 2)}"
                                                 for w, v in head[key].items()))
    for key in ("mpi_w2_2ranks_vs_2threads", "mpi_w2_speedup_2ranks", "mpi_w3_speedup_2ranks"):
        if key in head:
            parts.append(f"`{key}` {_num(head[key])}")
    if head.get("first_calls_over_one_thread"):
        parts.append("fresh-process first calls / 1 thread, worst process "
                     + ", ".join(f"{w} {_num(v)}"
                                 for w, v in head["first_calls_over_one_thread"].items()))
    if head.get("prepared_over_packed"):
        parts.append("packed / prepared on the same backend "
                     + ", ".join(f"{w} {_num(v)}"
                                 for w, v in head["prepared_over_packed"].items()))
    if "prepared_scale_bit_identical" in head:
        parts.append("scale row bit-identical to the packed slices "
                     + ("yes" if head["prepared_scale_bit_identical"] else "NO"))
    return "; ".join(parts) or "none"


def bench_results_markdown() -> str:
    files = study_files()
    if not files:
        raise FileNotFoundError(f"no committed timing study (bench-*.json) in {RESULTS}")
    return "\n\n".join(study_markdown(p) for p in files)


def mpi_rows_markdown() -> str:
    """The MPI rows of every committed study that has them."""
    from sc_neurocore.accel.bench.report import read_results

    parts = []
    for path in study_files():
        study, data = read_results(path)
        rows = [e for e in study.extras if str(e.get("name", "")).startswith("mpi ")]
        if rows:
            parts.append(f"`{path.relative_to(REPO).as_posix()}` "
                         f"({study.host.get('key')}, written {data.get('written', '?')}):\n\n"
                         + _extras_table(rows))
    if not parts:
        return "No committed timing study has MPI rows yet (`bench --mpi` adds them)."
    return "\n\n".join(parts)


def parity_bench_markdown() -> str:
    """``sc_forward`` per language from ``parity-bench-*.json``."""
    files = sorted(RESULTS.glob("parity-bench-*.json"))
    if not files:
        raise FileNotFoundError(f"no committed parity-bench-*.json in {RESULTS}")
    rows = []
    shapes: list[str] = []
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        for r in data["results"]:
            shape = f"{r['n_out']} × {r['n_in']} × {r['length']}"
            if shape not in shapes:
                shapes.append(shape)
            rows.append([f"`{data['language']}`", data.get("description", ""), shape,
                         _ms(r["median_ns"] * 1e-9), _num(r.get("gbytes_per_s")),
                         _num(r.get("speedup_vs_numpy")),
                         "identical" if r.get("bit_identical") else "DIFFER"])
    rows.sort(key=lambda row: (shapes.index(row[2]), row[0]))
    hosts = sorted({json.loads(p.read_text(encoding="utf-8"))["host"]["key"] for p in files})
    return (f"Measured on {', '.join(hosts)} (`benchmarks/results/parity-bench-<lang>.json`):"
            "\n\n" + _table(["language", "implementation", "shape", "median ms", "GB/s",
                             "vs numpy", "bits"], rows, "lllrrrl"))


# ------------------------------------------------------------------- safety mirrors

SAFETY = (  # (mirror: `<name>.rs` or folder `<name>/`, Python surface, golden file, tests)
    ("safety/analysis", "sc_neurocore.studio.analysis", "analysis.txt",
     "tests/safety/test_studio_analysis*.py"),
    ("safety/dna_mapper", "sc_neurocore.bridges.dna_mapper", "dna_mapper.txt",
     "tests/safety/test_dna_mapper*.py"),
    ("safety/l7_symbolic", "sc_neurocore.scpn.layers.l7_symbolic", "l7_symbolic.txt",
     "tests/safety/test_l7_*.py"),
    ("safety/predictive_model", "sc_neurocore.world_model.predictive_model",
     "predictive_model.txt", "tests/safety/test_predictive_model*.py"),
    ("splitmix", "sc_neurocore.splitmix", "splitmix.txt", "tests/safety/test_splitmix.py"),
)
KERNEL_FILES = ("pack", "unpack", "popcount", "and", "xnor", "not", "mux", "encode",
                "sc_forward", "lif_step")
TEST_ATTRIBUTE = re.compile(r"^\s*#\[test\]", re.M)


def rust_tests(path: Path) -> int:
    """``#[test]`` functions in one Rust source file."""
    return len(TEST_ATTRIBUTE.findall(path.read_text(encoding="utf-8")))


def mirror_sources(src: Path, name: str) -> tuple[str, list[Path]]:
    """A mirror's label and Rust files: ``<name>.rs``, or every ``.rs`` under folder ``<name>/``."""
    folder = src / name
    if folder.is_dir():
        return f"{name}/", sorted(folder.rglob("*.rs"))
    return f"{name}.rs", [src / f"{name}.rs"]


def golden_cases(name: str) -> tuple[int, int]:
    """``(valid, invalid)`` cases of ``parity/golden/<name>``."""
    text = (GOLDEN / name).read_text(encoding="utf-8")
    return (len(re.findall(r"^result valid\s*$", text, re.M)),
            len(re.findall(r"^result invalid\s*$", text, re.M)))


def safety_mirrors_markdown() -> str:
    src = MIRROR / "src"
    rows = []
    for mirror, surface, golden, _ in SAFETY:
        valid, invalid = golden_cases(golden)
        label, files = mirror_sources(src, mirror)
        rows.append([f"`{label}`", f"`{surface}`", str(sum(map(rust_tests, files))),
                     f"{valid + invalid} ({valid} + {invalid})"])
    kernel_rs = sorted((src / "kernels").glob("*.rs"))
    integration = sorted((MIRROR / "tests").glob("*.rs"))
    counts = [golden_cases(f"{k}.txt") for k in KERNEL_FILES]
    rows.append(["`kernels/`", "`sc_neurocore.accel` kernels",
                 f"{sum(map(rust_tests, kernel_rs))} lib + "
                 f"{sum(map(rust_tests, integration))} integration",
                 f"{sum(v + i for v, i in counts)} in {len(KERNEL_FILES)} files"])
    shared = [p for p in sorted(src.glob("*.rs")) if p.name not in ("splitmix.rs", "lib.rs")]
    table = _table(["mirror (`rust/mirror/src/`)", "Python surface", "Rust tests",
                    "golden cases (valid + invalid)"], rows, "llrr")
    python_tests = ", ".join(f"`{t}`" for *_, t in SAFETY)
    return (table + "\n\nCounted from the sources when this site was built. Each mirror "
            "and its surface share one golden file, `parity/golden/<name>.txt` (`splitmix.txt`"
            " for the shared generator; one file per kernel for `kernels/`). Rust tests are "
            "`#[test]` functions (each golden test runs every case of its file); the shared "
            "golden reader, field access and comparison "
            f"({', '.join(f'`{p.name}`' for p in shared if rust_tests(p))}) have "
            f"{sum(map(rust_tests, shared))} more lib tests of their own. On the Python side "
            f"each surface has its own test module ({python_tests}) plus its cases in "
            "`tests/parity/test_safety_golden.py`; the kernels are checked by "
            "`tests/parity/test_parity.py`.")


# ---------------------------------------------------------------------------- hooks

GENERATORS = {
    "workloads": workloads_markdown,
    "bench-results": bench_results_markdown,
    "parity-bench": parity_bench_markdown,
    "mpi-rows": mpi_rows_markdown,
    "safety-mirrors": safety_mirrors_markdown,
}

_chart_dir: Path | None = None


def draw_charts(out_dir: Path) -> dict[Path, Path]:
    """Each committed study's chart drawn from its JSON into ``out_dir`` (JSON -> PNG).

    Without matplotlib the committed chart beside the JSON is used instead.
    """
    from sc_neurocore.accel.bench.report import chart_source, read_results, write_chart

    charts = {}
    for path in study_files():
        study, data = read_results(path)
        png = write_chart(study, out_dir / path.with_suffix(".png").name,
                          source=chart_source(path, data))
        if png is None:
            log.info("matplotlib is missing: using the committed %s", path.with_suffix(".png"))
            png = path.with_suffix(".png")
        charts[path] = png
    return charts


def on_files(files: Files, config: Any) -> Files:
    global _chart_dir
    if _chart_dir is not None:
        shutil.rmtree(_chart_dir, ignore_errors=True)
    _chart_dir = Path(tempfile.mkdtemp(prefix="sc-neurocore-charts-"))
    for json_path, png in draw_charts(_chart_dir).items():
        files.append(File.generated(config, chart_uri(json_path), abs_src_path=str(png)))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match[1]
        if name not in GENERATORS:
            raise ValueError(f"{page.file.src_uri}: unknown generated part {name!r} "
                             f"(known: {', '.join(GENERATORS)})")
        return GENERATORS[name]()

    return MARKER.sub(replace, markdown)


def on_post_build(config: Any) -> None:
    global _chart_dir
    if _chart_dir is not None:
        shutil.rmtree(_chart_dir, ignore_errors=True)
        _chart_dir = None
