"""Checks of array arguments: dtype and rank (static), values, and conversions.

The checks come in two kinds, so that traced (JAX) values can share them:
*static* checks read only a dtype or a shape (``check_packed_dtype``,
``check_real_dtype``, ``check_bits_dtype``, ``check_rank``), and
*value* checks read the numbers themselves (``check_finite``,
``check_unit_interval``, ``check_binary``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .errors import InputTypeError

__all__ = ["WORD_BITS", "as_bits", "as_packed", "as_probabilities", "as_real_array",
           "c_contiguous", "check_binary", "check_bits_dtype", "check_finite",
           "check_non_empty", "check_output", "check_packed_dtype", "check_rank",
           "check_real_dtype", "check_unit_interval", "check_unmasked", "n_words_for",
           "same_shape"]

WORD_BITS = 64
"""Bits per packed ``uint64`` word."""


def n_words_for(length: int) -> int:
    """Number of ``uint64`` words that hold ``length`` bits."""
    return (length + WORD_BITS - 1) // WORD_BITS


def c_contiguous(arr: npt.ArrayLike, dtype: npt.DTypeLike | None = None) -> np.ndarray:
    """``arr`` as a C-contiguous array of ``dtype``, copying only when needed.

    Unlike ``np.ascontiguousarray`` it keeps 0-D arrays 0-D.
    """
    out = np.asarray(arr, dtype=dtype)
    return out if out.flags.c_contiguous else out.copy(order="C")


def _forms(ndims: tuple[int, ...]) -> str:
    return " or ".join(f"{d}-D" for d in ndims)


def _first_bad(mask: np.ndarray) -> tuple[int, ...]:
    """Index of the first ``True`` of ``mask`` (which has one)."""
    return tuple(int(i) for i in np.argwhere(mask)[0])


# ----------------------------------------------------------------------- static checks
# These read a dtype or a shape only, so they hold for JAX tracers as well.

def check_rank(shape: tuple[int, ...], name: str, ndims: tuple[int, ...]) -> None:
    """Raise ``ValueError`` unless an array of ``shape`` has one of the ranks ``ndims``."""
    if len(shape) not in ndims:
        raise ValueError(f"{name} must be {_forms(ndims)}, got shape {tuple(shape)}")


def check_packed_dtype(dtype: npt.DTypeLike, name: str) -> None:
    """Raise ``InputTypeError`` unless ``dtype`` is ``uint64`` (either byte order)."""
    dt = np.dtype(dtype)
    if dt.kind != "u" or dt.itemsize != 8:
        raise InputTypeError(f"{name} must have dtype uint64, got {dt}")


def check_real_dtype(dtype: npt.DTypeLike, name: str, expected: str = "real numbers") -> None:
    """Raise ``InputTypeError`` unless ``dtype`` holds real numbers (int or float, not bool)."""
    dt = np.dtype(dtype)
    if dt.kind not in "iuf":
        raise InputTypeError(f"{name} must hold {expected}, got dtype {dt}")


def check_bits_dtype(dtype: npt.DTypeLike, name: str) -> None:
    """Raise ``InputTypeError`` unless ``dtype`` is an integer or bool (no floats).

    Floats are rejected so that 0.5 is never silently folded into a bit.
    """
    dt = np.dtype(dtype)
    if dt.kind not in "biu":
        raise InputTypeError(f"{name} must hold integers 0/1 (or bool), got dtype {dt}")


def same_shape(name_a: str, a: Any, name_b: str, b: Any) -> None:
    """Raise ``ValueError`` unless two operand arrays have the same shape."""
    if tuple(a.shape) != tuple(b.shape):
        raise ValueError(f"{name_a} and {name_b} must have the same shape, "
                         f"got {tuple(a.shape)} and {tuple(b.shape)}")


def check_non_empty(shape: tuple[int, ...], name: str) -> None:
    """Raise ``ValueError`` if an array of ``shape`` has no elements."""
    if int(np.prod(shape, dtype=np.int64)) == 0:
        raise ValueError(f"{name} must be non-empty, got shape {tuple(shape)}")


# ------------------------------------------------------------------------ value checks

def check_finite(arr: np.ndarray, name: str) -> None:
    """Raise ``ValueError`` naming the first non-finite value of a real array."""
    finite = np.isfinite(arr)
    if not finite.all():
        bad = _first_bad(~finite)
        raise ValueError(f"{name} must be finite, got {arr[bad]} at index {bad}")


def check_unit_interval(arr: np.ndarray, name: str) -> None:
    """Raise ``ValueError`` naming the first value of a finite array outside ``[0, 1]``."""
    inside = (arr >= 0.0) & (arr <= 1.0)
    if not inside.all():
        bad = _first_bad(~inside)
        raise ValueError(f"{name} must be in [0, 1], got {arr[bad]} at index {bad}")


def check_binary(arr: np.ndarray, name: str) -> None:
    """Raise ``ValueError`` naming the first value of an integer array that is not 0 or 1."""
    if arr.dtype.kind == "b":
        return
    binary = (arr == 0) | (arr == 1)
    if not binary.all():
        bad = _first_bad(~binary)
        raise ValueError(f"{name} must contain only 0 and 1, got {arr[bad]} at index {bad}")


# ------------------------------------------------------------------- array conversions

def check_unmasked(value: object, name: str) -> None:
    """Raise ``ValueError`` if ``value`` is a NumPy masked array with a masked entry.

    ``np.asarray`` drops a mask silently, so a function that has no meaning for
    missing values calls this before converting; a masked array whose mask is
    all ``False`` passes (its data is the array).
    """
    if isinstance(value, np.ma.MaskedArray):
        mask = np.ma.getmaskarray(value)
        if mask.any():
            bad = _first_bad(mask)
            raise ValueError(f"{name} must not hold masked (missing) values, got a masked "
                             f"entry at index {bad}; fill it (numpy.ma.filled) or drop it")


def as_real_array(value: object, name: str, ndims: tuple[int, ...] | None = None, *,
                  shape: tuple[int, ...] | None = None,
                  expected: str = "real numbers",
                  finite: bool = True) -> npt.NDArray[np.float64]:
    """``value`` as a C-contiguous ``float64`` array of finite real numbers.

    Parameters
    ----------
    value : array_like
        Real numbers (int or float; not bool, complex, object or strings).
    name : str
        Argument name used in error messages.
    ndims : tuple of int, optional
        Allowed ranks (any when omitted).
    shape : tuple of int, optional
        The one allowed shape (any when omitted).
    expected : str, default "real numbers"
        What the values must be, for the type error's message.
    finite : bool, default True
        Check that every value is finite (a caller whose own value check
        also refuses NaN and infinities passes ``False``).

    Raises
    ------
    InputTypeError
        If the values are not real numbers.
    ValueError
        If the rank or shape is not allowed or a value is NaN or infinite
        (naming the first one and its index).
    """
    arr = np.asarray(value)
    check_real_dtype(arr.dtype, name, expected)
    if ndims is not None:
        check_rank(arr.shape, name, ndims)
    if shape is not None and arr.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got shape {arr.shape}")
    out: npt.NDArray[np.float64] = c_contiguous(arr, np.float64)  # keeps 0-D arrays 0-D
    if finite:
        check_finite(out, name)
    return out


def as_probabilities(probs: object, name: str = "input_probs",
                     ndims: tuple[int, ...] = (1, 2)) -> np.ndarray:
    """Return ``probs`` as a C-contiguous ``float64`` array of checked values.

    Parameters
    ----------
    probs : array_like
        Real numbers, each finite and in ``[0, 1]``.
    name : str
        Argument name used in error messages.
    ndims : tuple of int
        Allowed ranks.

    Raises
    ------
    InputTypeError
        If the values are not real numbers (complex, object, strings, bool).
    ValueError
        If the rank is not allowed or a value is non-finite or outside [0, 1].
    """
    arr = as_real_array(probs, name, ndims, expected="real numbers (float64)", finite=False)
    # One screen for both rules (NaN fails both comparisons, an infinity
    # the bounds); the element checks run only to name what fails.
    if arr.size and not (arr.min() >= 0.0 and arr.max() <= 1.0):
        check_finite(arr, name)
        check_unit_interval(arr, name)
    return arr


def as_packed(packed: object, name: str, ndims: tuple[int, ...] | None = None) -> np.ndarray:
    """Return ``packed`` as a C-contiguous native ``uint64`` array (no copy if already one).

    A ``uint64`` array in the other byte order is a valid ``uint64`` array: it
    is converted to native order (same values).

    Raises
    ------
    InputTypeError
        If ``packed`` is not a NumPy array of dtype ``uint64``.
    ValueError
        If its rank is not in ``ndims``.
    """
    if not isinstance(packed, np.ndarray):
        raise InputTypeError(f"{name} must be a numpy.ndarray of dtype uint64, "
                             f"got {type(packed).__name__}")
    check_packed_dtype(packed.dtype, name)
    if ndims is not None:
        check_rank(packed.shape, name, ndims)
    return c_contiguous(packed, np.uint64)


def as_bits(bits: object, name: str = "bits") -> np.ndarray:
    """Return a 1-D or 2-D array of 0/1 values as C-contiguous ``uint8``.

    Raises
    ------
    InputTypeError
        If the values are not integers or booleans (floats are rejected so that
        0.5 is never silently folded into a bit).
    ValueError
        If the rank is not 1 or 2 or a value is neither 0 nor 1.
    """
    arr = np.asarray(bits)
    check_bits_dtype(arr.dtype, name)
    if arr.ndim not in (1, 2):
        raise ValueError(f"{name} must be 1-D (N,) or 2-D (B, N), got shape {arr.shape}")
    check_binary(arr, name)
    return c_contiguous(arr, np.uint8)


def check_output(arr: object, name: str, shape: tuple[int, ...],
                 dtypes: tuple[type, ...] | None, dtype_text: str | None = None) -> np.ndarray:
    """Check a caller-owned output array that a kernel fills in place.

    It must be a writeable, C-contiguous ``numpy.ndarray`` of the given shape
    and one of ``dtypes`` (a copy would be filled instead of the caller's
    array); ``dtypes=None`` leaves the dtype to the caller, ``dtype_text``
    describes it in messages.

    Raises
    ------
    InputTypeError
        If ``arr`` is not an ndarray, or its dtype is not one of ``dtypes``.
    ValueError
        If its shape differs, or it is not C-contiguous and writeable.
    """
    names = dtype_text or " or ".join(np.dtype(d).name for d in dtypes or ())
    if not isinstance(arr, np.ndarray):
        raise InputTypeError(f"{name} must be a numpy.ndarray of dtype {names} and shape "
                             f"{shape}, got {type(arr).__name__}")
    if dtypes is not None and arr.dtype not in [np.dtype(d) for d in dtypes]:
        raise InputTypeError(f"{name} must have dtype {names}, got {arr.dtype}")
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
    if not arr.flags.c_contiguous:
        raise ValueError(f"{name} must be C-contiguous (it is filled in place)")
    if not arr.flags.writeable:
        raise ValueError(f"{name} must be writeable (it is filled in place)")
    return arr
