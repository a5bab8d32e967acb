"""``python -m parity regen``: write (or check) the golden files from the NumPy reference.

A committed file and the one built here are compared with
:func:`parity.golden_diff.diff_golden`: inputs, structure and bit-exact
outputs must be identical, outputs with a tolerance (``rtol``) may differ
within it, as they do between CPUs and SIMD tiers.  Writing keeps a committed
file that agrees within tolerance, so regenerating on another host changes
nothing unless a case really changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import safety_cases
from .cases import build_all
from .golden_diff import diff_golden
from .golden_format import FormatError, GoldenFile, dumps_golden, loads_golden

__all__ = ["GOLDEN_DIR", "STATES", "FileStatus", "build_goldens", "golden_path", "regenerate",
           "regenerate_files"]

#: Where the committed golden files live.
GOLDEN_DIR = Path(__file__).resolve().parent / "golden"

#: What :func:`regenerate_files` may report for a file.
STATES = ("written", "unchanged", "within rtol", "differs", "missing")


@dataclass
class FileStatus:
    """One golden file after :func:`regenerate_files`.

    Attributes
    ----------
    name : str
        The kernel or safety module (``parity/golden/<name>.txt``).
    state : str
        ``"unchanged"`` (byte for byte), ``"within rtol"`` (only outputs with
        a tolerance differ, within it; the committed file is kept),
        ``"written"``, and with ``check`` ``"differs"`` or ``"missing"``.
    details : list of str
        What differs (for ``"differs"``) or what moved within tolerance.
    """

    name: str
    state: str
    details: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True unless the file differs or is missing."""
        return self.state not in ("differs", "missing")


def golden_path(kernel: str, folder: Path | None = None) -> Path:
    """``<folder>/<kernel>.txt`` (``folder`` defaults to :data:`GOLDEN_DIR`)."""
    return (folder or GOLDEN_DIR) / f"{kernel}.txt"


def _compare(name: str, old: bytes, golden: GoldenFile) -> FileStatus:
    try:
        committed = loads_golden(old.decode("ascii"), source=f"{name}.txt")
    except (FormatError, UnicodeDecodeError) as exc:
        return FileStatus(name, "differs", [f"the committed file cannot be read: {exc}"])
    diff = diff_golden(committed, golden)
    if diff.same:
        return FileStatus(name, "within rtol", diff.within_rtol)
    return FileStatus(name, "differs", diff.differences)


def build_goldens() -> dict[str, GoldenFile]:
    """Every golden file as built here: the kernels, then the safety-mirror files."""
    return {**build_all(), **safety_cases.build_all()}


def regenerate_files(folder: Path | None = None, *, check: bool = False,
                     goldens: dict[str, GoldenFile] | None = None) -> list[FileStatus]:
    """Build every golden file and write it to ``folder`` (or compare with it).

    The kernel files (:data:`parity.kernels.KERNELS`) come first, then the
    safety-mirror files of :mod:`parity.safety_cases` (``splitmix`` and the
    registered surfaces).

    Parameters
    ----------
    folder : Path, optional
        Destination, default :data:`GOLDEN_DIR`; created when missing.
    check : bool, default False
        Do not write: compare the regenerated files with those in ``folder``.
    goldens : dict of str to GoldenFile, optional
        The files to write or compare, default :func:`build_goldens` (a few
        seconds; tests build them once).

    Returns
    -------
    list of FileStatus
        One per file, in build order. Without ``check``, a file that differs
        only within tolerance is left as it is (``"within rtol"``); any other
        difference rewrites it (``"written"``).
    """
    folder = Path(folder) if folder is not None else GOLDEN_DIR
    if not check:
        folder.mkdir(parents=True, exist_ok=True)
    result = []
    for name, golden in (build_goldens() if goldens is None else goldens).items():
        data = dumps_golden(golden).encode("ascii")
        path = golden_path(name, folder)
        old = path.read_bytes() if path.exists() else None
        if old == data:
            status = FileStatus(name, "unchanged")
        elif old is None:
            status = FileStatus(name, "missing")
        else:
            status = _compare(name, old, golden)
        if not check and not status.ok:
            path.write_bytes(data)
            status = FileStatus(name, "written", status.details)
        result.append(status)
    return result


def regenerate(folder: Path | None = None, *, check: bool = False) -> dict[str, str]:
    """:func:`regenerate_files` as a mapping: file name -> state.

    Returns
    -------
    dict of str to str
        File name (kernel or safety module) -> one of :data:`STATES`
        (``"differs"`` and ``"missing"`` only with ``check``).
    """
    return {s.name: s.state for s in regenerate_files(folder, check=check)}
