"""Input validation shared by every backend ([design: errors][errors]).

Every public entry point calls these helpers before any backend-specific code
runs, so each backend sees the same normalised, already-checked arrays and a
user gets the same error message whichever backend they picked.

Every rejection is a ``ValueError``.  When the *type* of an argument is what
is wrong, the error is an ``InputTypeError``, which is both a
``TypeError`` and a ``ValueError``: code written against either catches it.

The checks come in two kinds, so that traced (JAX) values can share them:
*static* checks read only a dtype or a shape (``check_packed_dtype``,
``check_real_dtype``, ``check_bits_dtype``, ``check_rank``), and
*value* checks read the numbers themselves (``check_finite``,
``check_unit_interval``, ``check_binary``).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["InputTypeError"]

SEED_LIMIT = 2**32
WORD_BITS = 64


class InputTypeError(TypeError, ValueError):
    """An argument of the wrong type: a ``TypeError`` that is also a ``ValueError``.

    Raised by every public function of ``sc_neurocore.accel`` when the type
    or dtype of an argument is wrong (a list where an array is needed,
    ``int64`` words where ``uint64`` ones are, a float where an int is).  It
    derives from both built-ins, as NumPy's ``AxisError`` derives from
    ``ValueError`` and ``IndexError``, so ``except ValueError`` (the
    documented contract) and ``except TypeError`` both catch it.  The message
    names the argument and the expected form.
    """


def n_words_for(length: int) -> int:
    """Number of ``uint64`` words that hold ``length`` bits."""
    return (length + WORD_BITS - 1) // WORD_BITS


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
                  expected: str = "real numbers") -> npt.NDArray[np.float64]:
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
    arr = as_real_array(probs, name, ndims, expected="real numbers (float64)")
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


@dataclass(frozen=True)
class ForwardArgs:
    """Validated, normalised arguments of ``sc_forward``.

    Attributes
    ----------
    weights : ndarray
        ``uint64`` ``(n_out, n_in, n_words)``, C-contiguous.
    probs : ndarray
        ``float64`` ``(batch, n_in)``, C-contiguous (1-D input becomes batch 1).
    length, seed : int
        Checked stream length and encoder seed.
    batched : bool
        Whether the caller passed 2-D input (result keeps the batch axis).
    """

    weights: np.ndarray
    probs: np.ndarray
    length: int
    seed: int
    batched: bool

    def shape_result(self, out: np.ndarray) -> np.ndarray:
        """Drop the batch axis of a ``(batch, n_out)`` result for 1-D input."""
        return out if self.batched else out[0]


def validate_forward(weights_packed: object, input_probs: object, length: object,
                     seed: object) -> ForwardArgs:
    """Check every rule of [design: forward pass][forward-pass] for ``sc_forward`` arguments.

    Raises
    ------
    InputTypeError
        Wrong types (non-``uint64`` weights, non-real probabilities, non-int
        length or seed).
    ValueError
        Wrong ranks or shapes, wrong ``n_words``, probabilities that are
        non-finite or outside [0, 1], ``length <= 0``, seed outside [0, 2**32).
    """
    length = check_length(length)
    seed = check_seed(seed)
    weights = as_packed(weights_packed, "weights_packed", ndims=(3,))
    probs = as_probabilities(input_probs, "input_probs")
    n_out, n_in, n_words = weights.shape
    expected_words = n_words_for(length)
    if n_words != expected_words:
        raise ValueError(
            "weights_packed must have shape (n_out, n_in, n_words) with n_words = "
            f"ceil(length / 64) = {expected_words}, got shape {weights.shape}")
    if probs.shape[-1] != n_in:
        raise ValueError(
            f"input_probs must have n_in = {n_in} values per row to match weights_packed "
            f"{weights.shape}, got shape {probs.shape}")
    batched = probs.ndim == 2
    return ForwardArgs(weights, probs if batched else probs[None, :], length, seed, batched)
