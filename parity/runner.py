"""``python -m parity run``: every kernel of one or more languages against the golden files."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .compare import KernelResult
from .golden_format import GoldenFile, read_golden
from .kernels import KERNELS
from .languages import ToolchainMissing, get_language
from .regen import GOLDEN_DIR, golden_path

__all__ = ["LanguageReport", "run_language", "run_languages", "exit_code", "format_report",
           "format_matrix", "EXIT_OK", "EXIT_MISMATCH", "EXIT_MISSING"]

EXIT_OK, EXIT_MISMATCH, EXIT_MISSING = 0, 1, 2


@dataclass
class LanguageReport:
    """The outcome of one language.

    Attributes
    ----------
    language : str
    status : str
        ``"pass"`` (nothing failed), ``"fail"`` or ``"missing"`` (toolchain
        not found: see ``reason`` and ``hint``).
    results : list of KernelResult
    reason, hint : str
        Why the language is missing and how to install it (``hint`` empty
        when installing software would not help).
    what : str
        The problem's name in reports (``"toolchain missing"``, or e.g.
        ``"no usable CUDA GPU"``).
    """

    language: str
    status: str
    results: list[KernelResult] = field(default_factory=list)
    reason: str = ""
    hint: str = ""
    what: str = "toolchain missing"


def load_goldens(kernels: Sequence[str], folder: Path | None = None) -> dict[str, GoldenFile]:
    """Read the golden files of ``kernels`` from ``folder`` (default parity/golden)."""
    folder = Path(folder) if folder is not None else GOLDEN_DIR
    goldens = {}
    for kernel in kernels:
        path = golden_path(kernel, folder)
        if not path.is_file():
            raise FileNotFoundError(f"golden file {path} is missing; run `python -m parity regen`")
        goldens[kernel] = read_golden(path)
    return goldens


def run_language(name: str, goldens: dict[str, GoldenFile], folder: Path | None = None, *,
                 mirror_root: Path | None = None, timeout: float | None = 600.0,
                 progress: Callable[[str], None] | None = None) -> LanguageReport:
    """Run every kernel in ``goldens`` on language ``name``.

    Parameters
    ----------
    name : str
        One of :data:`parity.languages.LANGUAGES`.
    goldens : dict of str to GoldenFile
        The kernels to check.
    folder : Path, optional
        Where the golden files are (mirrors read them by path).
    mirror_root : Path, optional
        Folder holding the mirror folders (default: the repository root).
    timeout : float, optional
        Seconds allowed per harness run and per build command.
    progress : callable, optional
        Called with a short line before each kernel.
    """
    folder = Path(folder) if folder is not None else GOLDEN_DIR
    language = get_language(name, mirror_root)
    try:
        language.check_available()
    except ToolchainMissing as exc:
        return LanguageReport(name, "missing", reason=exc.reason, hint=exc.hint, what=exc.what)
    results = []
    for kernel, golden in goldens.items():
        if progress is not None:
            progress(f"{name}: {kernel} ({len(golden.cases)} cases)")
        try:
            results.append(language.run_kernel(golden, golden_path(kernel, folder), timeout))
        except ToolchainMissing as exc:
            return LanguageReport(name, "missing", results, reason=exc.reason, hint=exc.hint,
                                  what=exc.what)
    status = "pass" if all(r.ok for r in results) else "fail"
    return LanguageReport(name, status, results)


def run_languages(names: Sequence[str], kernels: Sequence[str] = KERNELS,
                  folder: Path | None = None, **kwargs) -> list[LanguageReport]:
    """:func:`run_language` for each of ``names`` (golden files read once)."""
    goldens = load_goldens(kernels, folder)
    return [run_language(n, goldens, folder, **kwargs) for n in names]


def exit_code(reports: Sequence[LanguageReport], require: Sequence[str] = (),
              single: bool = False) -> int:
    """The CLI exit status.

    * 1 if any language failed (any mismatch, crash or unreadable output);
    * else 2 if ``single`` and that language is missing, or if a language
      named in ``require`` is missing (or was not run);
    * else 0.
    """
    by_name = {r.language: r for r in reports}
    if any(r.status == "fail" for r in reports):
        return EXIT_MISMATCH
    if single and reports and reports[0].status == "missing":
        return EXIT_MISSING
    for name in require:
        report = by_name.get(name)
        if report is None or report.status == "missing":
            return EXIT_MISSING
    return EXIT_OK


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _details(report: LanguageReport) -> list[str]:
    lines = []
    for r in report.results:
        if r.status == "fail" and r.first is not None:
            lines.append(f"  {report.language} {r.kernel}: {r.failures} failing case(s); first: "
                         f"{r.first.describe()}")
        elif r.status == "error":
            lines.append(f"  {report.language} {r.kernel}: could not run: {r.note}")
    return lines


def format_report(report: LanguageReport, goldens: dict[str, GoldenFile]) -> str:
    """The table of one language: kernel, result, cases."""
    if report.status == "missing":
        return (f"{report.language}: {report.what} ({report.reason})"
                + (f"\n  install: {report.hint}" if report.hint else ""))
    rows = [["kernel", "result", "cases"]]
    for r in report.results:
        if r.status in ("n/a", "error"):
            rows.append([r.kernel, "ERROR" if r.status == "error" else "n/a", "-"])
            continue
        cases = f"{r.passed}/{r.total}"
        if r.not_applicable:
            cases += f" ({r.not_applicable} n/a)"
        rows.append([r.kernel, r.status if r.status == "pass" else "FAIL", cases])
    lines = [f"parity: {report.language}", _table(rows)]
    lines += _details(report)
    lines.append(f"{report.language}: {'all pass' if report.status == 'pass' else 'FAILED'}")
    return "\n".join(lines)


def format_matrix(reports: Sequence[LanguageReport], kernels: Sequence[str]) -> str:
    """The kernel x language table of ``run --lang all`` plus failures and missing toolchains."""
    rows = [["kernel", *[r.language for r in reports]]]
    cells = {r.language: {k.kernel: k.cell() for k in r.results} for r in reports}
    for kernel in kernels:
        row = [kernel]
        for r in reports:
            row.append("missing" if r.status == "missing" and kernel not in cells[r.language]
                       else cells[r.language].get(kernel, "-"))
        rows.append(row)
    lines = [_table(rows)]
    for r in reports:
        lines += _details(r)
    missing = [r for r in reports if r.status == "missing"]
    for what in dict.fromkeys(r.what for r in missing):  # one heading per problem, in order
        lines.append("missing toolchains:" if what == "toolchain missing" else f"{what}:")
        lines += [f"  {r.language}: {r.reason}" + (f"; install: {r.hint}" if r.hint else "")
                  for r in missing if r.what == what]
    failed = [r.language for r in reports if r.status == "fail"]
    lines.append("failed: " + ", ".join(failed) if failed else "no mismatches")
    return "\n".join(lines)

