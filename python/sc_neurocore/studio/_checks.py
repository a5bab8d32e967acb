"""Argument checks shared by every public function of ``sc_neurocore.studio``.

Integers go through ``sc_neurocore.accel._validation.check_int`` (the
package's one integer check); this module adds the real-number, range and
array checks the analysis functions need, so each rule and its message exist
once. Every check raises ``TypeError`` for a value of the wrong kind and
``ValueError`` for a value out of range, each message starting with the
argument's name.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping

import numpy as np
import numpy.typing as npt

from sc_neurocore.accel._validation import c_contiguous, check_int  # check_int re-exported

__all__ = ["check_int", "real", "positive", "real_range", "real_array", "index_array",
           "callable_arg", "config_mapping", "name_arg"]


def real(value: object, name: str) -> float:
    """``value`` as a finite ``float``.

    Parameters
    ----------
    value : object
        A Python or NumPy real number (``bool``, strings and arrays are refused).
    name : str
        Argument name used in error messages.

    Raises
    ------
    TypeError
        If ``value`` is not a real number.
    ValueError
        If it is NaN or infinite.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number!r}")
    return number


def positive(value: object, name: str) -> float:
    """``value`` as a finite ``float`` > 0 (``TypeError``/``ValueError`` naming ``name``)."""
    number = real(value, name)
    if number <= 0.0:
        raise ValueError(f"{name} must be > 0, got {number!r}")
    return number


def real_range(lo: object, hi: object, lo_name: str, hi_name: str) -> tuple[float, float]:
    """A checked interval ``lo <= hi`` of finite reals whose width ``hi - lo`` is finite.

    Raises
    ------
    TypeError
        If either bound is not a real number.
    ValueError
        If a bound is not finite, ``lo > hi`` or ``hi - lo`` overflows (naming ``hi_name``).
    """
    low, high = real(lo, lo_name), real(hi, hi_name)
    if low > high:
        raise ValueError(f"{hi_name} must be >= {lo_name} = {low!r}, got {high!r}")
    if not math.isfinite(high - low):
        raise ValueError(f"{hi_name} - {lo_name} must be finite, got {high!r} - {low!r}")
    return low, high


def real_array(value: object, name: str, ndim: int) -> npt.NDArray[np.float64]:
    """``value`` as a C-contiguous ``float64`` array of rank ``ndim``, every value finite.

    Raises
    ------
    TypeError
        If the values are not real numbers (bool, complex, object, strings).
    ValueError
        If the rank is not ``ndim`` or a value is NaN or infinite.
    """
    arr = np.asarray(value)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {arr.shape}")
    out = c_contiguous(arr, np.float64)  # keeps 0-D arrays 0-D
    finite = np.isfinite(out)
    if not finite.all():
        bad = tuple(int(i) for i in np.argwhere(~finite)[0])
        raise ValueError(f"{name} must be finite, got {out[bad]} at index {bad}")
    return out


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


def name_arg(value: object, name: str) -> str:
    """``value`` as a non-empty ``str`` (``TypeError``/``ValueError`` naming ``name``)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must be a non-empty str")
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

