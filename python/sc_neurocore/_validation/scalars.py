"""Checks of one scalar argument: an int, a real number, a non-empty str, one of a few options."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np

from .errors import InputTypeError

__all__ = ["SEED_LIMIT", "check_choice", "check_int", "check_length", "check_real",
           "check_seed", "check_text", "real_scalar"]

SEED_LIMIT = 2**32
"""Encoder seeds lie in ``[0, SEED_LIMIT)``."""


def check_int(value: object, name: str, *, minimum: int | None = None,
              below: int | None = None) -> int:
    """Return ``value`` as a Python int after checking type and range.

    Parameters
    ----------
    value : object
        The candidate; a Python or NumPy integer (``bool`` is rejected).
    name : str
        Argument name used in error messages.
    minimum, below : int, optional
        Inclusive lower bound and exclusive upper bound.

    Raises
    ------
    InputTypeError
        If ``value`` is not an integer.
    ValueError
        If ``value`` is outside ``[minimum, below)``.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise InputTypeError(f"{name} must be an int, got {type(value).__name__}")
    value = int(value)
    if minimum is not None and value < minimum:
        bound = f"in [{minimum}, {below})" if below is not None else f">= {minimum}"
        raise ValueError(f"{name} must be an int {bound}, got {value}")
    if below is not None and value >= below:
        lower = minimum if minimum is not None else "-inf"
        raise ValueError(f"{name} must be an int in [{lower}, {below}), got {value}")
    return value


def check_length(length: object) -> int:
    """Validate the stream ``length`` (a positive int)."""
    return check_int(length, "length", minimum=1)


def check_seed(seed: object) -> int:
    """Validate the encoder ``seed`` (an int in ``[0, 2**32)``)."""
    return check_int(seed, "seed", minimum=0, below=SEED_LIMIT)


def real_scalar(value: object, name: str, expected: str = "a real number") -> float:
    """``value`` as a float after checking it is one real number.

    Accepted: a Python or NumPy int or float, or a 0-D array of one. Refused:
    ``bool``, strings and bytes, complex and object values, arrays with
    elements.

    Raises
    ------
    InputTypeError
        If ``value`` is not one real number (the message names ``name`` and
        ``expected``).
    """
    arr = None
    if not isinstance(value, (str, bytes, bool, np.bool_)):
        try:
            arr = np.asarray(value)
        except (TypeError, ValueError):  # ragged sequences and the like
            arr = None
    if arr is None or arr.ndim != 0 or arr.dtype.kind not in "iuf":
        raise InputTypeError(f"{name} must be {expected}, got {type(value).__name__} "
                             f"{value!r:.60}")
    return float(arr)


def check_real(value: object, name: str, *, minimum: float | None = None,
               maximum: float | None = None, positive: bool = False) -> float:
    """``value`` as a finite float in ``[minimum, maximum]`` (and ``> 0`` if ``positive``).

    Parameters
    ----------
    value : object
        The candidate, one real number as ``real_scalar`` accepts it.
    name : str
        Argument name used in error messages.
    minimum, maximum : float, optional
        Inclusive bounds.
    positive : bool, default False
        Also require ``value > 0``.

    Raises
    ------
    InputTypeError
        If ``value`` is not one real number.
    ValueError
        If it is NaN, infinite or out of range.
    """
    x = real_scalar(value, name, "a positive real number" if positive else "a real number")
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite, got {x!r}")
    if positive and not x > 0.0:
        raise ValueError(f"{name} must be > 0, got {x!r}")
    if minimum is not None and x < minimum:
        raise ValueError(f"{name} must be >= {minimum!r}, got {x!r}")
    if maximum is not None and x > maximum:
        raise ValueError(f"{name} must be <= {maximum!r}, got {x!r}")
    return x


def check_text(value: object, name: str) -> str:
    """``value`` itself after checking it is a non-empty ``str``.

    Raises
    ------
    InputTypeError
        If ``value`` is not a ``str``.
    ValueError
        If it is empty.
    """
    if not isinstance(value, str):
        raise InputTypeError(f"{name} must be a str, got {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must be a non-empty str")
    return value


def check_choice(value: object, name: str, choices: Sequence[str]) -> str:
    """``value`` itself after checking it is one of the ``str`` options ``choices``.

    Raises
    ------
    InputTypeError
        If ``value`` is not a ``str``.
    ValueError
        If it is not in ``choices`` (the message lists them).
    """
    if not isinstance(value, str):
        raise InputTypeError(f"{name} must be a str, one of {', '.join(choices)}; "
                             f"got {type(value).__name__}")
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value
