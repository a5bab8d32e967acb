"""Argument checks shared by the DNA mapper modules (on top of ``sc_neurocore._validation``)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from sc_neurocore._validation import InputTypeError, check_real

from .constants import MAX_SEQUENCE_LENGTH, NA_RANGE_M, TEMPERATURE_RANGE_C

__all__ = ["check_sequence", "check_signal_name", "check_strand_name", "check_temperature",
           "check_sodium", "check_gc_target", "check_str_list"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_VALID_BASES = frozenset("ACGTacgt")


def check_sequence(value: object, name: str = "sequence", *, allow_empty: bool = False) -> str:
    """``value`` upper-cased after checking it is a string of A, C, G, T (either case).

    Raises
    ------
    InputTypeError
        If it is not a ``str``.
    ValueError
        If it is empty (unless ``allow_empty``), longer than ``MAX_SEQUENCE_LENGTH`` or holds
        another character (the message gives the first bad character and its 0-based
        position).
    """
    if not isinstance(value, str):
        raise InputTypeError(f"{name} must be a str of A, C, G, T, got {type(value).__name__}")
    if not value and not allow_empty:
        raise ValueError(f"{name} must be a non-empty string of A, C, G, T")
    if len(value) > MAX_SEQUENCE_LENGTH:
        raise ValueError(f"{name} must be at most {MAX_SEQUENCE_LENGTH} nt, got {len(value)}")
    for position, char in enumerate(value):
        if char not in _VALID_BASES:
            raise ValueError(f"{name} must contain only A, C, G, T (either case); got "
                             f"{char!r} at position {position}")
    return value.upper()


def check_signal_name(value: object, name: str) -> str:
    """A signal name: an ASCII identifier ``[A-Za-z_][A-Za-z0-9_]*``."""
    if not isinstance(value, str):
        raise InputTypeError(f"{name} must be a str, got {type(value).__name__}")
    if not _IDENTIFIER.fullmatch(value):
        raise ValueError(f"{name} must be an identifier (ASCII letters, digits and _, not "
                         f"starting with a digit), got {value!r}")
    return value


def check_strand_name(value: object, name: str = "name") -> str:
    """A strand name: a non-empty ``str`` of printable ASCII without whitespace (so that it
    is one token of a FASTA or GenBank header)."""
    if not isinstance(value, str):
        raise InputTypeError(f"{name} must be a str, got {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must be a non-empty str")
    for position, char in enumerate(value):
        if not ("!" <= char <= "~"):
            raise ValueError(f"{name} must be printable ASCII without whitespace; got "
                             f"{char!r} at position {position}")
    return value


def check_temperature(value: object, name: str = "temperature_c") -> float:
    """A temperature (°C) in ``TEMPERATURE_RANGE_C``."""
    return check_real(value, name, minimum=TEMPERATURE_RANGE_C[0],
                      maximum=TEMPERATURE_RANGE_C[1])


def check_sodium(value: object, name: str = "na_conc_M") -> float:
    """A sodium concentration (M) in ``NA_RANGE_M``, where the salt corrections hold."""
    na = check_real(value, name, positive=True)
    low, high = NA_RANGE_M
    if not low <= na <= high:
        raise ValueError(f"{name} must be in [{low}, {high}] M (the range the nearest-neighbour "
                         f"salt correction was fitted on), got {na!r}")
    return na


def check_gc_target(value: object, name: str = "gc_target") -> tuple[float, float]:
    """``(low, high)`` with ``0 <= low <= high <= 1``."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise InputTypeError(f"{name} must be a pair (low, high), got {type(value).__name__}")
    if len(value) != 2:
        raise ValueError(f"{name} must be a pair (low, high), got {len(value)} values")
    low = check_real(value[0], name, minimum=0.0, maximum=1.0)
    high = check_real(value[1], name, minimum=0.0, maximum=1.0)
    if low > high:
        raise ValueError(f"{name} must have low <= high, got ({low!r}, {high!r})")
    return low, high


def check_str_list(value: object, name: str) -> list[str]:
    """A sequence of ``str`` (not one ``str``) as a new list."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise InputTypeError(f"{name} must be a sequence of str, got {type(value).__name__}")
    items = list(value.tolist() if isinstance(value, np.ndarray) else value)
    for k, item in enumerate(items):
        if not isinstance(item, str):
            raise InputTypeError(f"{name}[{k}] must be a str, got {type(item).__name__}")
    return items
