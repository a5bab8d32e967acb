"""``python -m parity regen``: write (or check) the golden files from the NumPy reference."""

from __future__ import annotations

from pathlib import Path

from . import safety_cases
from .cases import build_all
from .golden_format import dumps_golden

__all__ = ["GOLDEN_DIR", "golden_path", "regenerate"]

#: Where the committed golden files live.
GOLDEN_DIR = Path(__file__).resolve().parent / "golden"


def golden_path(kernel: str, folder: Path | None = None) -> Path:
    """``<folder>/<kernel>.txt`` (``folder`` defaults to :data:`GOLDEN_DIR`)."""
    return (folder or GOLDEN_DIR) / f"{kernel}.txt"


def regenerate(folder: Path | None = None, *, check: bool = False) -> dict[str, str]:
    """Build every golden file and write it to ``folder`` (or compare with it).

    The kernel files (:data:`parity.kernels.KERNELS`) come first, then the
    safety-mirror files of :mod:`parity.safety_cases` (``splitmix`` and the
    registered surfaces).

    Parameters
    ----------
    folder : Path, optional
        Destination, default :data:`GOLDEN_DIR`; created when missing.
    check : bool, default False
        Do not write: compare the regenerated text with the files in ``folder``.

    Returns
    -------
    dict of str to str
        file name (kernel or safety module) -> ``"written"``, ``"unchanged"``, ``"differs"`` or ``"missing"``
        (the last two only with ``check``).
    """
    folder = Path(folder) if folder is not None else GOLDEN_DIR
    if not check:
        folder.mkdir(parents=True, exist_ok=True)
    status = {}
    for kernel, golden in {**build_all(), **safety_cases.build_all()}.items():
        data = dumps_golden(golden).encode("ascii")
        path = golden_path(kernel, folder)
        old = path.read_bytes() if path.exists() else None
        if check:
            status[kernel] = ("missing" if old is None else
                              "unchanged" if old == data else "differs")
        elif old == data:
            status[kernel] = "unchanged"
        else:
            path.write_bytes(data)
            status[kernel] = "written"
    return status
