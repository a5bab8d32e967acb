"""Command line: ``python -m sc_neurocore.accel {info,bench}``.

``info`` reports every supported backend (available or not, and why), the
Rust engine's SIMD tier and threads; ``bench`` runs the timing study.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import __version__
from .backend import backend_status, engine_info, host_key


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
        why = "" if s.available else f" — {s.reason}; install: {s.install_hint}"
        print(f"  {name:<6} {mark}{why}")
    print(f"mpi driver: {mpi_status()}")
    return 0


def mpi_status() -> str:
    """Whether the MPI driver can run multi-rank here, and why not."""
    from . import mpi_driver
    from .mpi_launch import find_mpiexec

    if not mpi_driver.HAS_MPI:
        return "unavailable — mpi4py is not installed; install: pip install 'sc-neurocore[mpi]'"
    launcher = find_mpiexec()
    if launcher is None:
        return "mpi4py present but no mpiexec found; install: pip install mpich (or Open MPI)"
    return f"available (mpiexec: {launcher})"


def cmd_bench(args: argparse.Namespace) -> int:
    """Run the timing study, print the table and write JSON + PNG."""
    from .bench import format_table, run_study, write_results

    if args.threads is not None:
        from sc_neurocore import _engine

        _engine.set_num_threads(args.threads)
    backends = args.backends.split(",") if args.backends else None
    study = run_study(quick=args.quick, backends=backends, repeats=args.repeats,
                      extras=not args.no_extras, smoke=args.smoke,
                      contended=not args.no_contended, hogs=args.hogs,
                      accuracy=not args.no_accuracy, mpi=args.mpi)
    print(format_table(study))
    json_path, png_path = write_results(study, Path(args.out))
    print(f"results: {json_path}" + (f", chart: {png_path}" if png_path else ""))
    bad = [f"{r.workload}/{r.backend}" for r in study.rows if not r.bit_identical]
    bad += [f"{c.workload}/{c.backend} (contended)" for c in study.contended
            if not c.bit_identical]
    bad += [f"{w}/reference numpy path" for w, ref in study.reference_numpy.items()
            if not ref["bit_identical"]]
    bad += [f"accuracy length {r['length']}" for r in study.accuracy.get("rows", [])
            if not r["bit_identical"]]
    if bad:
        print(f"NOT bit-identical to numpy: {', '.join(bad)}", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the CLI."""
    parser = argparse.ArgumentParser(prog="python -m sc_neurocore.accel",
                                     description=__doc__.splitlines()[0])
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
    bench.add_argument("--no-extras", action="store_true",
                       help="skip the extra benchmarks (Numba, JAX, the LGSSM Rust backend)")
    bench.add_argument("--no-contended", action="store_true",
                       help="skip the contended rows (parallel backends with every core busy)")
    bench.add_argument("--hogs", type=int,
                       help="CPU-bound processes for the contended rows (default: one per "
                            "usable core)")
    bench.add_argument("--no-accuracy", action="store_true",
                       help="skip the accuracy-against-stream-length table")
    bench.add_argument("--smoke", action="store_true",
                       help="tiny shapes everywhere: checks the whole study in seconds; the "
                            "figures mean nothing (written as smoke-bench-<host>.json)")
    bench.add_argument("--out", default="benchmarks/results", help="folder for JSON and PNG")
    bench.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m sc_neurocore.accel`` and ``sc-neurocore-accel``."""
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
