"""JAX itself for the JAX backend: imported once, 64-bit scopes, tracers, host-device transfers.

``jax``, ``jnp``, ``lax`` and ``checkify`` are the JAX modules, or ``None``
without JAX (typed ``Any``: the code paths that use them run only when
``HAS_JAX``); without JAX every function of the backend but ``to_jax`` and
``to_host`` raises ``RuntimeError`` saying how to install it (``require_jax``).
"""

from __future__ import annotations

import contextlib
import importlib
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any, TypeAlias, TypeVar, cast

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from ..._optional import OptionalDependency

__all__ = ["HAS_JAX", "JAX", "TRACE_COUNTS", "WORD_BITS", "ZERO_COPY_ALIGN", "JaxArray",
           "any_traced", "checkify", "custom_vjp", "device_put_readonly", "is_jax_array",
           "is_jax_value", "is_tracer", "jax", "jit", "jnp", "lax", "require_jax", "to_host",
           "to_jax", "x64"]

JAX = OptionalDependency("JAX", "jax", "jax", "jax.numpy", "jax.lax", "jax.experimental.checkify")
"""JAX and the modules of it the backend uses, imported with this module."""

jax: Any
jnp: Any
lax: Any
checkify: Any
jax, jnp, lax, checkify = JAX.load() or (None, None, None, None)

HAS_JAX: bool = JAX.available
"""Whether JAX is installed (without it, every function says how to install it)."""

JaxArray: TypeAlias = Any
"""What the ``jax_*`` functions and ``to_jax`` return: a ``jax.Array`` on JAX's
default device (a tracer inside ``jax.jit``, ``jax.grad`` or ``jax.vmap``; without
JAX, ``to_jax`` hands its input back).  JAX is optional, so type checkers see ``Any``.
"""

TRACE_COUNTS: Counter[str] = Counter()
"""How many times each jit-compiled kernel has been traced (a Python side effect that runs
only while tracing); lets tests check there is no retracing.
"""

WORD_BITS = 64
"""Bits per packed ``uint64`` word."""


def require_jax() -> None:
    """Raise ``RuntimeError`` with the install hint when JAX is missing."""
    JAX.require()


_F = TypeVar("_F", bound=Callable[..., Any])


def jit(fn: _F) -> _F:
    """``jax.jit`` with the compiled function's signature kept for type checkers."""
    return cast(_F, jax.jit(fn))


def custom_vjp(fn: _F) -> Any:
    """``jax.custom_vjp`` (the result also carries ``defvjp``)."""
    return jax.custom_vjp(fn)


@contextlib.contextmanager
def x64() -> Iterator[None]:
    """Enable 64-bit JAX types for the duration of the block only.

    Uses ``jax.enable_x64`` (a scoped, thread-local config context manager in
    current JAX) or, on older JAX, ``jax.experimental.enable_x64``.
    """
    scoped = getattr(jax, "enable_x64", None)
    if scoped is None:  # pragma: no cover - JAX < 0.8
        scoped = importlib.import_module("jax.experimental").enable_x64
    with scoped(True):
        yield


def is_jax_array(value: object) -> bool:
    return HAS_JAX and isinstance(value, jax.Array)


def is_tracer(value: object) -> bool:
    """Whether ``value`` is traced by a JAX transformation (jit, grad, vmap, ...)."""
    return HAS_JAX and isinstance(value, jax.core.Tracer)


def is_jax_value(value: object) -> bool:
    """Whether ``value`` is a JAX array or a tracer (a value that lives with JAX)."""
    return is_tracer(value) or is_jax_array(value)


def any_traced(*values: object) -> bool:
    """Whether any argument (or element of a list/tuple argument) is a tracer."""
    for value in values:
        if isinstance(value, (list, tuple)):
            if any(is_tracer(v) for v in value):
                return True
        elif is_tracer(value):
            return True
    return False


ZERO_COPY_ALIGN = 64


def device_put_readonly(arr: np.ndarray) -> Any:
    """Put a host array that is only read during this call on the default device.

    On CPU, XLA aliases a host buffer aligned to 64 bytes instead of copying
    it; NumPy's large allocations are usually only 16-byte aligned, and an
    aligned NumPy copy is several times faster than XLA's own transfer copy.
    On an accelerator the transfer is a copy whatever the alignment.
    """
    if jax.default_backend() == "cpu" and arr.ctypes.data % ZERO_COPY_ALIGN:
        raw = np.empty(arr.nbytes + ZERO_COPY_ALIGN, dtype=np.uint8)
        start = -raw.ctypes.data % ZERO_COPY_ALIGN
        aligned = raw[start:start + arr.nbytes].view(arr.dtype).reshape(arr.shape)
        np.copyto(aligned, arr)
        arr = aligned
    return jax.device_put(arr)


def to_jax(value: ArrayLike, dtype: DTypeLike | None = None) -> JaxArray:
    """Move an array to the default JAX device, keeping 64-bit dtypes.

    Without JAX there is no device to move to: ``value`` comes back
    unchanged (as a NumPy array of ``dtype`` when one is asked for), as the
    reference project documents, so code written for both cases runs
    everywhere.

    Parameters
    ----------
    value : array_like or jax.Array
        Host data (or a JAX array, returned converted if ``dtype`` asks).
    dtype : numpy.dtype or str, optional
        Target dtype; by default the NumPy dtype of ``value`` (so ``float64``
        and ``uint64`` stay 64-bit even when ``jax_enable_x64`` is off).

    Returns
    -------
    jax.Array
        The data on the default device; without JAX, ``value`` itself (or
        ``numpy.asarray(value, dtype)`` when ``dtype`` is given).
    """
    if not HAS_JAX:
        return value if dtype is None else np.asarray(value, dtype=dtype)
    with x64():
        if is_jax_array(value):
            on_device: Any = value
            return on_device if dtype is None else on_device.astype(dtype)
        arr = np.asarray(value) if dtype is None else np.asarray(value, dtype=dtype)
        return jnp.asarray(arr)


def to_host(value: ArrayLike) -> np.ndarray:
    """Bring a JAX array (or anything array-like) back to host RAM as a NumPy array.

    Parameters
    ----------
    value : jax.Array or array_like
        A concrete array (not a value traced inside ``jax.jit``).

    Returns
    -------
    numpy.ndarray
        A host copy with the same dtype and shape (without JAX,
        ``numpy.asarray(value)``).
    """
    if is_jax_array(value):
        return np.asarray(jax.device_get(value))
    return np.asarray(value)

