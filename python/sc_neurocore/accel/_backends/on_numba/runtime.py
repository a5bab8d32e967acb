"""Whether Numba imported, and the one-time notice that the Numba functions run on NumPy."""

from __future__ import annotations

from ..._optional import OptionalDependency
from ..._warnings import WarnOnce

__all__ = ["FALLBACK", "HAS_NUMBA", "NUMBA", "NUMBA_IMPORT_ERROR", "warn_fallback_once"]

NUMBA = OptionalDependency("numba", "numba", "numba", "numba.extending")
"""Numba (``numba`` and ``numba.extending``), imported with this module."""

HAS_NUMBA: bool = NUMBA.available
"""Whether Numba imported (without it the kernels run on NumPy, with the same results)."""
NUMBA_IMPORT_ERROR: str | None = NUMBA.error
"""Why Numba failed to import (``"ImportError: ..."``), or ``None``."""

FALLBACK = WarnOnce(RuntimeWarning)
"""The notice, at the first direct call without Numba, that the kernels run on NumPy."""


def warn_fallback_once() -> None:
    """Warn once per process, at the user's call site, that the kernels run on NumPy."""
    if HAS_NUMBA:
        return
    FALLBACK.warn(f"numba is not installed (or failed to import: {NUMBA_IMPORT_ERROR}); "
                  "sc_neurocore.accel.jit_kernels runs its kernels on NumPy. "
                  f"To install Numba: {NUMBA.install_hint()}")
