"""The library's warnings: attributed to the user's line, and issued once where they say so.

A warning issued deep inside the package (the one-time note that an optional
dependency is missing, say) should name the line of *the user's* code that
led to it, however many of the package's own frames lie in between.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

__all__ = ["WarnOnce", "warn_at_caller"]

_PACKAGE_DIR = str(Path(__file__).resolve().parents[1])  # .../sc_neurocore


def warn_at_caller(message: str, category: type[Warning]) -> None:
    """Issue ``message`` as ``category``, located at the first frame outside sc_neurocore.

    Parameters
    ----------
    message : str
        The warning text.
    category : type
        A ``Warning`` subclass (e.g. ``RuntimeWarning``).
    """
    level = 1  # stacklevel 1 is this function's own frame
    frame = sys._getframe(0)
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(
            _PACKAGE_DIR):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    warnings.warn(message, category, stacklevel=level)


class WarnOnce:
    """A warning a process sees at most once (every backend's "runs on NumPy" notice).

    Parameters
    ----------
    category : type, default RuntimeWarning
        The ``Warning`` subclass it is issued as.

    Attributes
    ----------
    issued : bool
        Whether it has been issued (or marked as such) in this process.
    """

    def __init__(self, category: type[Warning] = RuntimeWarning) -> None:
        self.category = category
        self.issued = False

    def warn(self, message: str) -> None:
        """Issue ``message`` at the user's line, unless this warning was already issued."""
        if self.issued:
            return
        self.issued = True
        warn_at_caller(message, self.category)

    def mark(self) -> None:
        """Count the warning as issued (another message has told the user already)."""
        self.issued = True
