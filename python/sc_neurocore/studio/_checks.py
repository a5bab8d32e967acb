"""Argument checks of ``sc_neurocore.studio`` that no other module needs.

Integers, real numbers, real arrays and names go through the package's shared
checks in ``sc_neurocore._validation``; this module adds the interval,
index-array, callable and configuration checks of the analysis functions, so
each rule and its message exist once. Every check raises ``TypeError`` for a
value of the wrong kind and ``ValueError`` for a value out of range, each
message starting with the argument's name.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np
import numpy.typing as npt

from sc_neurocore._validation import c_contiguous, check_real

__all__ = ["finite_span", "index_array", "callable_arg", "config_mapping"]


def finite_span(lo: object, hi: object, lo_name: str, hi_name: str) -> tuple[float, float]:
    """Two finite reals whose difference ``hi - lo`` is finite (either order).

    Raises
    ------
    TypeError
        If either bound is not a real number.
    ValueError
        If a bound is not finite or ``hi - lo`` overflows (naming ``hi_name``).
    """
    low, high = check_real(lo, lo_name), check_real(hi, hi_name)
    if not math.isfinite(high - low):
        raise ValueError(f"{hi_name} - {lo_name} must be finite, got {high!r} - {low!r}")
    return low, high


def index_array(value: object, name: str, length: int) -> npt.NDArray[np.int64]:
    """``value`` as a 1-D ``int64`` array of indices in ``[0, length)``.

    An empty sequence of any dtype is accepted (``np.asarray([])`` is float).

    Raises
    ------
    TypeError
        If the values are not integers.
    ValueError
        If the array is not 1-D or an index is outside ``[0, length)``.
    """
    arr = np.asarray(value)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer step indices, got dtype {arr.dtype}")
    inside = (arr >= 0) & (arr < length)
    if not inside.all():
        k = int(np.argwhere(~inside)[0][0])
        raise ValueError(f"{name} must hold indices in [0, {length}), got {arr[k]} at index {k}")
    return c_contiguous(arr, np.int64)


def callable_arg(value: object, name: str) -> Callable[..., object]:
    """``value`` itself after checking it is callable (``TypeError`` naming ``name``)."""
    if not callable(value):
        raise TypeError(f"{name} must be callable, got {type(value).__name__}")
    return value


def config_mapping(value: object, name: str = "base_config") -> dict[str, object]:
    """A copy of a keyword configuration (``None`` -> ``{}``), keys checked to be ``str``.

    Raises
    ------
    TypeError
        If ``value`` is not a mapping or a key is not a ``str``.
    """
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a mapping of parameter names to values, "
                        f"got {type(value).__name__}")
    out: dict[str, object] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise TypeError(f"{name} keys must be str, got {key!r}")
        out[key] = item
    return out

