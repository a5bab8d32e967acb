"""One place that attributes the library's warnings to the user's line.

A warning issued deep inside the package (the one-time note that an optional
dependency is missing, say) should name the line of *the user's* code that
led to it, however many of the package's own frames lie in between.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

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
