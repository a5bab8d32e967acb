"""How arrays travel between ranks: as raw bytes, one MPI datatype per row, with their dtype and shape."""

from __future__ import annotations

from typing import Any

import numpy as np

from sc_neurocore._validation import InputTypeError, c_contiguous

from .runtime import ROOT

__all__ = ["RowType", "allocate", "as_bytes", "as_sendable", "check_sendable", "describe",
           "dtype_from", "single_rank"]


def as_bytes(arr: np.ndarray) -> np.ndarray:
    """The raw bytes of a C-contiguous array as a flat ``uint8`` view (any dtype)."""
    return arr.reshape(-1).view(np.uint8)


def describe(arr: np.ndarray) -> tuple[Any, tuple[int, ...]]:
    """Picklable dtype descriptor and shape (plain Python data, no NumPy objects)."""
    return np.lib.format.dtype_to_descr(arr.dtype), tuple(int(s) for s in arr.shape)


def dtype_from(descr: Any) -> np.dtype:
    return np.lib.format.descr_to_dtype(descr)


def check_sendable(arr: np.ndarray, name: str) -> None:
    if arr.dtype.hasobject:
        raise InputTypeError(f"{name} must have a fixed-size dtype whose values are plain "
                             "bytes (numbers, bool, fixed-width strings, records), got dtype "
                             f"{arr.dtype}")
    if arr.ndim < 1:
        raise ValueError(f"{name} must have at least one dimension (axis 0 is split across "
                         f"ranks), got a 0-D array")


def as_sendable(value: object, name: str, where: str = f"on the root rank (rank {ROOT})"
                 ) -> np.ndarray:
    """``value`` as a C-contiguous array with at least one axis and a byte-copyable dtype."""
    if value is None:
        raise ValueError(f"{name} must be an array {where}, got None")
    arr = np.asarray(value)
    check_sendable(arr, name)
    return c_contiguous(arr)


def single_rank(value: object, name: str, where: str = f"on the root rank (rank {ROOT})"
                ) -> np.ndarray:
    """What a collective returns without a communicator: the caller's array itself, once checked.

    ``value`` must be sendable (as ``as_sendable`` checks); an ndarray comes
    back as it is, anything else as the array it converts to.
    """
    arr = as_sendable(value, name, where)
    return value if isinstance(value, np.ndarray) else arr


def allocate(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """A receive buffer (one place, so a test can make one rank's allocation fail)."""
    return np.empty(shape, dtype=dtype)


class RowType:
    """A committed MPI datatype of ``row_bytes`` contiguous bytes (one array row)."""

    def __init__(self, mpi: Any, row_bytes: int) -> None:
        self.datatype = mpi.BYTE.Create_contiguous(row_bytes)
        self.datatype.Commit()

    def __enter__(self) -> Any:
        return self.datatype

    def __exit__(self, *exc: object) -> None:
        self.datatype.Free()
