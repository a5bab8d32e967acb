"""Command line of ``python -m parity``: ``list``, ``run``, ``bench``, ``regen`` and ``lower-simd``.

Exit status of ``run``: 0 every checked kernel passes; 1 any mismatch (the
first differing element is printed); 2 the language's toolchain is missing
(with the install hint), or, with ``--require``, a required language is
missing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .kernels import KERNELS
from .languages import LANGUAGES, ToolchainMissing, get_language

__all__ = ["main", "build_parser"]


def _csv(value: str, allowed: Sequence[str], what: str) -> list[str]:
    items = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [v for v in items if v not in allowed]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown {what} {', '.join(unknown)}; expected a comma-separated list of "
            f"{', '.join(allowed)}")
    return items


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and docs)."""
    parser = argparse.ArgumentParser(
        prog="python -m parity",
        description="Bit-level parity of every sc_neurocore.accel implementation against "
                    "the golden vectors of the NumPy reference (parity/FORMAT.md).")
    sub = parser.add_subparsers(dest="command", required=True)

    langs = ", ".join(LANGUAGES)
    p_list = sub.add_parser("list", help="languages, kernels and which toolchains are found")
    p_list.add_argument("--mirror-root", type=Path, default=None, help=argparse.SUPPRESS)

    p_run = sub.add_parser("run", help="run every kernel of a language against the golden files")
    p_run.add_argument("--lang", required=True, choices=[*LANGUAGES, "all"],
                       help=f"one of {langs}, or all")
    p_run.add_argument("--kernels", type=lambda v: _csv(v, KERNELS, "kernel"),
                       default=list(KERNELS), help="comma-separated subset of kernels")
    p_run.add_argument("--require", type=lambda v: _csv(v, LANGUAGES, "language"), default=[],
                       help="with --lang all: exit non-zero if any of these languages "
                            "is missing or fails")
    p_run.add_argument("--golden", type=Path, default=None,
                       help="folder of golden files (default: parity/golden)")
    p_run.add_argument("--timeout", type=float, default=600.0,
                       help="seconds per mirror build command and harness run (default 600)")
    p_run.add_argument("--mirror-root", type=Path, default=None,
                       help="folder holding the mirror folders (default: repository root)")
    p_run.add_argument("--simd-tier", default=None,
                       help="with --lang rust: force the engine's SIMD tier (a name from "
                            "sc_neurocore._engine.available_simd_tiers()), or 'all' to run "
                            "every tier this CPU supports")
    p_run.add_argument("-q", "--quiet", action="store_true", help="no progress lines")

    p_bench = sub.add_parser("bench", help="time sc_forward and check it against the reference")
    p_bench.add_argument("--lang", required=True, choices=[*LANGUAGES, "all"])
    p_bench.add_argument("--reps", type=int, default=7, help="timed repetitions (median)")
    p_bench.add_argument("--w1-only", action="store_true",
                         help="only the W1 size (n_out 128, n_in 784, length 1024)")
    p_bench.add_argument("--out", type=Path, default=None,
                         help="results folder (default: benchmarks/runs, git-ignored; "
                              "benchmarks/results holds the committed results)")
    p_bench.add_argument("--timeout", type=float, default=600.0)
    p_bench.add_argument("--mirror-root", type=Path, default=None, help=argparse.SUPPRESS)

    p_regen = sub.add_parser("regen", help="regenerate the golden files from the NumPy reference")
    p_regen.add_argument("--out", type=Path, default=None,
                         help="destination folder (default: parity/golden)")
    p_regen.add_argument("--check", action="store_true",
                         help="write nothing; exit 1 if a committed file differs (inputs and "
                              "exact outputs bit for bit, rtol outputs within their rtol)")

    p_lower = sub.add_parser(
        "lower-simd", help="run a command with NumPy's and glibc's SIMD dispatch lowered",
        description="Run COMMAND as on a CPU with fewer SIMD features: level avx2 turns "
                    "NumPy's AVX-512 dispatch targets off, level baseline turns every AVX2 "
                    "and AVX-512 target off and hides AVX2/FMA from glibc's libm "
                    "(parity/simd_levels.py).")
    p_lower.add_argument("--level", required=True, choices=["avx2", "baseline"])
    p_lower.add_argument("argv", nargs=argparse.REMAINDER, metavar="-- COMMAND",
                         help="the command to run")
    return parser


def _cmd_list(args: argparse.Namespace) -> int:
    from .runner import load_goldens

    print("languages:")
    for name in LANGUAGES:
        lang = get_language(name, args.mirror_root)
        try:
            lang.check_available()
            found = "toolchain found"
        except ToolchainMissing as exc:
            found = f"{exc.what.upper()} ({exc.reason})" + (
                f"; install: {exc.hint}" if exc.hint else "")
        kernels = lang.implemented() if found == "toolchain found" else ()
        print(f"  {name:7s} {lang.description}")
        print(f"          {found}")
        if kernels:
            print(f"          kernels: {', '.join(kernels)}")
    print("kernels (golden cases: valid + invalid):")
    try:
        goldens = load_goldens(KERNELS)
    except FileNotFoundError as exc:
        print(f"  {exc}")
        return 1
    for kernel, golden in goldens.items():
        valid = sum(c.valid for c in golden.cases)
        print(f"  {kernel:10s} {len(golden.cases):3d} cases ({valid} valid, "
              f"{len(golden.cases) - valid} invalid)")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from .runner import exit_code, format_matrix, format_report, load_goldens, run_language

    if args.require and args.lang != "all":
        print("--require only applies to --lang all", file=sys.stderr)
        return 2
    try:
        goldens = load_goldens(args.kernels, args.golden)
    except (FileNotFoundError, ValueError) as exc:
        print(f"cannot read the golden files: {exc}", file=sys.stderr)
        return 1
    progress = None if args.quiet else (lambda line: print(f"... {line}", file=sys.stderr,
                                                           flush=True))
    if args.simd_tier is not None:
        return _run_rust_tiers(args, goldens, progress)
    names = list(LANGUAGES) if args.lang == "all" else [args.lang]
    reports = [run_language(n, goldens, args.golden, mirror_root=args.mirror_root,
                            timeout=args.timeout, progress=progress) for n in names]
    if args.lang == "all":
        print(format_matrix(reports, args.kernels))
        missing_required = [r.language for r in reports
                            if r.language in args.require and r.status == "missing"]
        if missing_required:
            print(f"required but missing: {', '.join(missing_required)}")
    else:
        print(format_report(reports[0], goldens))
    return exit_code(reports, args.require, single=args.lang != "all")


def _run_rust_tiers(args: argparse.Namespace, goldens: dict,
                    progress: Callable[[str], None] | None) -> int:
    """``run --lang rust --simd-tier T|all``: the engine with its SIMD tier forced."""
    from .runner import exit_code, format_report, run_language

    if args.lang != "rust":
        print("--simd-tier only applies to --lang rust", file=sys.stderr)
        return 2
    try:
        from sc_neurocore import _engine
    except ImportError as exc:
        print(f"rust: the engine is not built ({exc}); build it with `make install`",
              file=sys.stderr)
        return 2
    available = list(_engine.available_simd_tiers())
    tiers = available if args.simd_tier == "all" else [args.simd_tier]
    unknown = [t for t in tiers if t not in available]
    if unknown:
        print(f"--simd-tier must be 'all' or a tier this CPU supports "
              f"({', '.join(available)}), got {unknown[0]!r}", file=sys.stderr)
        return 2
    status = 0
    try:
        for tier in tiers:
            _engine.force_simd_tier(tier)
            report = run_language("rust", goldens, args.golden, timeout=args.timeout,
                                  progress=progress)
            print(f"SIMD tier {_engine.simd_tier()} (forced {tier}):")
            print(format_report(report, goldens))
            status = max(status, exit_code([report], single=True))
    finally:
        _engine.force_simd_tier(None)
    return status


def _cmd_bench(args: argparse.Namespace) -> int:
    from .bench import SIZES, W1, bench_language, format_bench, write_results

    if args.reps < 1:
        print("--reps must be >= 1", file=sys.stderr)
        return 2
    sizes = [W1] if args.w1_only else list(SIZES)
    names = list(LANGUAGES) if args.lang == "all" else [args.lang]
    status = 0
    for name in names:
        try:
            data = bench_language(name, sizes, args.reps, mirror_root=args.mirror_root,
                                  timeout=args.timeout)
        except ToolchainMissing as exc:
            print(f"{name}: {exc.what} ({exc.reason})"
                  + (f"\n  install: {exc.hint}" if exc.hint else ""))
            if args.lang != "all":
                return 2
            continue
        path = write_results(data, args.out)
        print(format_bench(data))
        print(f"  -> {path}")
        if not all(r.get("bit_identical") for r in data["results"]):
            status = 1
    return status


#: Detail lines printed per golden file by ``regen``.
_DETAIL_LINES = 8


def _cmd_regen(args: argparse.Namespace) -> int:
    from .regen import regenerate_files
    from .simd_levels import dispatch_targets

    used = [name for name, on in dispatch_targets().items() if on]
    print(f"NumPy SIMD dispatch targets in use: {', '.join(used) or 'none (baseline only)'}")
    files = regenerate_files(args.out, check=args.check)
    for status in files:
        print(f"{status.name:16s} {status.state}")
        for line in status.details[:_DETAIL_LINES]:
            print(f"    {line}")
        if len(status.details) > _DETAIL_LINES:
            print(f"    ... and {len(status.details) - _DETAIL_LINES} more")
    bad = [s.name for s in files if not s.ok]
    if bad:
        print(f"{len(bad)} golden file(s) differ from this host's build: {', '.join(bad)} "
              "(inputs and exact outputs must match bit for bit, rtol outputs within rtol)")
        return 1
    return 0


def _cmd_lower(args: argparse.Namespace) -> int:
    from .simd_levels import run_lowered

    command = list(args.argv)
    if command[:1] == ["--"]:
        command = command[1:]
    return run_lowered(args.level, command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    args = build_parser().parse_args(argv)
    handler = {"list": _cmd_list, "run": _cmd_run, "bench": _cmd_bench,
               "regen": _cmd_regen, "lower-simd": _cmd_lower}[args.command]
    return handler(args)
