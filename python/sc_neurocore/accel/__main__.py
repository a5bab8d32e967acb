"""Command line: ``python -m sc_neurocore.accel {info,bench}`` (or ``sc-neurocore-accel``).

``info`` reports every supported backend (available or not, and why), the
Rust engine's SIMD tier and threads; ``bench`` runs the timing study.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

from . import __version__
from ._install import install_hint
from ._registry import backend_status, engine_info, with_hint
from .bench.results import COMMITTED_RESULTS_DIR, RUNS_DIR, host_key

DESCRIPTION = ("Report which sc_neurocore.accel backends work on this machine (info), or run "
               "the timing study across them (bench).")
"""The ``--help`` description: plain text (argparse prints it as is)."""

MODULE_PROG = "python -m sc_neurocore.accel"
"""How the program is named when it runs as ``python -m sc_neurocore.accel``."""

MPIEXEC_HINT = "python -m pip install mpich (or a system Open MPI / MPICH)"
"""How to get ``mpiexec`` when mpi4py is there but no launcher is."""


def cmd_info(args: argparse.Namespace) -> int:
    """Print the version, backends and engine configuration."""
    status = backend_status()
    engine = engine_info()
    if args.json:
        print(json.dumps({"version": __version__, "host": host_key(), "engine": engine,
                          "backends": {n: vars(s) for n, s in status.items()},
                          "mpi": mpi_status()}, indent=2))
        return 0
    print(f"sc_neurocore {__version__} on {host_key()}")
    print(f"rust engine: simd tier {engine['simd_tier'] or 'n/a'}, "
          f"threads {engine['threads'] or 'n/a'}")
    print("backends:")
    for name, s in status.items():
        mark = "available" if s.available else "unavailable"
        why = "" if s.available else f" — {s.reason}{with_hint(s.install_hint)}"
        print(f"  {name:<6} {mark}{why}")
    print(f"mpi driver: {mpi_status()}")
    return 0


def mpi_status() -> str:
    """Whether the MPI driver can run multi-rank here, and why not (imports MPI)."""
    from . import mpi_driver
    from ._backends.on_mpi import runtime
    from .mpi_launch import find_mpiexec

    if not mpi_driver.HAS_MPI:
        return (f"unavailable — mpi4py is not usable ({runtime.import_error()})"
                f"{with_hint(install_hint('mpi'))}")
    launcher = find_mpiexec()
    if launcher is None:
        return f"unavailable — mpi4py works but no mpiexec was found; install: {MPIEXEC_HINT}"
    return f"available (mpiexec: {launcher})"


def mpi_launch_problem() -> str | None:
    """Why ``bench --mpi`` cannot launch MPI jobs here, or ``None``.

    Checked without importing MPI (this process only launches the jobs and
    must not become an MPI process itself): ``mpi4py`` must be installed and
    ``mpiexec`` found.
    """
    from .mpi_launch import find_mpiexec

    try:
        found = importlib.util.find_spec("mpi4py") is not None
    except (ImportError, ValueError):  # a finder refused it, or a None entry in sys.modules
        found = False
    if not found:
        return f"mpi4py is not installed{with_hint(install_hint('mpi'))}"
    if find_mpiexec() is None:
        return ("no mpiexec was found next to the Python interpreter or on PATH; install: "
                f"{MPIEXEC_HINT}")
    return None


def chart_problem() -> str:
    """Why the timing study's chart could not be drawn (matplotlib missing or broken)."""
    try:
        import matplotlib.pyplot  # noqa: F401
    except Exception as exc:  # ImportError, or a broken backend
        return (f"matplotlib cannot be imported ({type(exc).__name__}: {exc})"
                f"{with_hint(install_hint('bench'))}")
    return "the chart writer returned no file"


def cmd_bench(args: argparse.Namespace) -> int:
    """Run the timing study, print the table and write JSON + PNG."""
    from .bench import StudyOptions, format_table, run_study, write_results

    if args.threads is not None:
        from sc_neurocore import _engine

        _engine.set_num_threads(args.threads)
    backends = args.backends.split(",") if args.backends else None
    mpi = args.mpi
    if mpi:
        problem = mpi_launch_problem()
        if problem is not None:
            print(f"MPI is unavailable: {problem}. The MPI rows are left out.", file=sys.stderr)
            mpi = False
    study = run_study(StudyOptions(quick=args.quick, backends=backends, repeats=args.repeats,
                                   extras=not args.no_extras, smoke=args.smoke,
                                   contended=not args.no_contended, hogs=args.hogs,
                                   accuracy=not args.no_accuracy, mpi=mpi,
                                   first_calls=not args.no_first_calls,
                                   prepared=not args.no_prepared, scale=not args.no_scale))
    print(format_table(study))
    json_path, png_path = write_results(study, Path(args.out))
    print(f"results: {json_path}")
    if png_path is not None:
        print(f"chart: {png_path}")
    else:
        print(f"chart skipped: {chart_problem()}")
    bad = [f"{r.workload}/{r.backend}" for r in study.rows if not r.bit_identical]
    bad += [f"{c.workload}/{c.backend} (contended)" for c in study.contended
            if not c.bit_identical]
    bad += [f"{w}/reference numpy path" for w, ref in study.reference_numpy.items()
            if not ref["bit_identical"]]
    bad += [f"{f.workload}/rust first calls, fresh process {f.process}"
            for f in study.first_calls if not f.bit_identical]
    bad += [f"accuracy length {r['length']}" for r in study.accuracy.get("rows", [])
            if not r["bit_identical"]]
    bad += [f"prepared {r['workload']} shape, length {r['length']}"
            for r in study.prepared.get("sweep", []) if r["bit_identical"] is False]
    bad += [f"prepared {c['workload']}" for c in study.prepared.get("workloads", [])
            if not c["bit_identical"]]
    scale = study.prepared.get("scale")
    if scale and not scale["bit_identical"]:
        bad.append("prepared scale row")
    if bad:
        print(f"NOT bit-identical to numpy: {', '.join(bad)}", file=sys.stderr)
        return 1
    return 0


def program_name(argv0: str | None = None) -> str:
    """The program's name as it was invoked, for ``usage:`` lines.

    Parameters
    ----------
    argv0 : str, optional
        The command's ``argv[0]`` (default ``sys.argv[0]``).

    Returns
    -------
    str
        ``"python -m sc_neurocore.accel"`` when run as a module (``argv[0]``
        is this ``__main__.py``), else the file name it was started by, e.g.
        ``"sc-neurocore-accel"``.
    """
    path = Path(sys.argv[0] if argv0 is None else argv0)
    if path.name == "__main__.py" or not path.name:
        return MODULE_PROG
    return path.name


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The argument parser of the CLI (``prog``: see ``program_name``)."""
    parser = argparse.ArgumentParser(prog=prog or program_name(), description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=__version__)
    sub = parser.add_subparsers(dest="command", required=True)
    info = sub.add_parser("info", help="backends, SIMD tier and threads")
    info.add_argument("--json", action="store_true", help="machine-readable output")
    info.set_defaults(func=cmd_info)
    bench = sub.add_parser("bench", help="timing study across every available backend")
    bench.add_argument("--quick", action="store_true", help="fewer repeats, a short run")
    bench.add_argument("--backends", help="comma-separated subset (numpy is always measured)")
    bench.add_argument("--repeats", type=int, help="timed runs per measurement")
    bench.add_argument("--threads", type=int, help="Rust engine threads")
    bench.add_argument("--mpi", action="store_true",
                       help="also time W2 and W3 on 1 and 2 MPI ranks, and W2 on 1 rank x 2 "
                            "threads (needs mpiexec)")

    def skip(flag: str, part: str) -> None:
        bench.add_argument(flag, action="store_true", help=f"skip {part}")

    skip("--no-extras", "the extra benchmarks (Numba, JAX, the LGSSM Rust backend)")
    skip("--no-contended", "the contended rows (parallel backends with every core busy)")
    bench.add_argument("--hogs", type=int,
                       help="CPU-bound processes for the contended rows (default: one per "
                            "usable core)")
    skip("--no-first-calls", "the Rust engine's first calls in fresh processes")
    skip("--no-accuracy", "the accuracy-against-stream-length table")
    skip("--no-prepared", "prepared layers against packed weights (and the scale row)")
    skip("--no-scale", "the scale row (a 4096 x 4096 layer at 32768 bits)")
    bench.add_argument("--smoke", action="store_true",
                       help="tiny shapes everywhere: checks the whole study in seconds; the "
                            "figures mean nothing (written as smoke-bench-<host>.json)")
    bench.add_argument("--out", default=str(RUNS_DIR),
                       help=f"folder for JSON and PNG (default {RUNS_DIR}, git-ignored; "
                            f"--out {COMMITTED_RESULTS_DIR} updates the committed results)")
    bench.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m sc_neurocore.accel`` and ``sc-neurocore-accel``."""
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
