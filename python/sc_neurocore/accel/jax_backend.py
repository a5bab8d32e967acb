"""JAX backend: packed SC kernels, LIF dynamics and surrogate-gradient training.

Everything here runs through XLA (CPU, GPU or TPU, whichever JAX was installed
for) and keeps arrays on the device until [`to_host`][sc_neurocore.accel.jax_backend.to_host]
is called.

* Packed vector operations ([design: vector operations][vector-operations]):
  [`jax_pack_bitstream`][sc_neurocore.accel.jax_backend.jax_pack_bitstream],
  [`jax_vec_and`][sc_neurocore.accel.jax_backend.jax_vec_and] (and ``xnor``/``not``/``mux``),
  [`jax_popcount`][sc_neurocore.accel.jax_backend.jax_popcount] (per element) and
  [`jax_vec_mac`][sc_neurocore.accel.jax_backend.jax_vec_mac] (AND, popcount and reduce).
* [`JaxBackend`][sc_neurocore.accel.jax_backend.JaxBackend] runs ``sc_forward``
  ([design: forward pass][forward-pass]) bit-identically to the NumPy reference.
* LIF dynamics ([design: spike order][spike-order]): [`jax_lif_step`][sc_neurocore.accel.jax_backend.jax_lif_step]
  and [`jax_forward_pass`][sc_neurocore.accel.jax_backend.jax_forward_pass]
  (time runs in one ``lax.scan``, so compile time does not grow with ``n_steps``).
* Surrogate training: [`jax_surrogate_loss`][sc_neurocore.accel.jax_backend.jax_surrogate_loss]
  and [`jax_surrogate_gradient_step`][sc_neurocore.accel.jax_backend.jax_surrogate_gradient_step].

**Composing with JAX transformations.** Every ``jax_*`` function can be called
eagerly or inside the caller's ``jax.jit``, ``jax.grad`` /
``jax.value_and_grad`` (where differentiable) and ``jax.vmap``, in any
nesting.  Checks of shape, rank and dtype read static information and run in
both cases.  Checks of values (NaN/inf, ranges, 0/1 bits, class labels) run on
concrete inputs (NumPy arrays, Python numbers, JAX arrays outside a
transformation); on traced inputs they are skipped, unless the caller wraps
the computation in ``jax.experimental.checkify.checkify`` (with
``errors=checkify.user_checks``), which turns them into run-time checks.
Arguments that set the shape of the computation (``n_steps``,
``surrogate_path``) must be concrete Python values (``static_argnames`` under
``jax.jit``).

**64-bit types.** Eager calls enable 64-bit JAX types for their own duration
only, with JAX's scoped ``enable_x64`` context manager; the user's global
``jax_enable_x64`` setting is never changed.  Traced calls run in the caller's
setting: float computations then use the dtypes JAX gives the traced values,
and the ``uint64`` kernels need the caller to trace inside
``jax.enable_x64(True)`` (they raise a clear error, instead of truncating
words to 32 bits, when 64-bit types are off).

Every rejection is a ``ValueError`` naming the argument (an
[`InputTypeError`][sc_neurocore.accel.InputTypeError] when a type is wrong).
When JAX is not installed this module still imports:
[`HAS_JAX`][sc_neurocore.accel.jax_backend.HAS_JAX] is ``False``,
[`to_jax`][sc_neurocore.accel.jax_backend.to_jax] returns its input unchanged
and [`to_host`][sc_neurocore.accel.jax_backend.to_host] converts with NumPy (as
the reference project documents), and every other function raises
``RuntimeError`` saying how to install JAX.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any, TypeAlias, TypeVar, cast

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from ._install import install_hint
from ._validation import (
    ForwardArgs,
    InputTypeError,
    as_bits,
    as_packed,
    as_real_array,
    check_bits_dtype,
    check_choice,
    check_finite,
    check_int,
    check_non_empty,
    check_packed_dtype,
    check_rank,
    check_real,
    check_real_dtype,
    check_unit_interval,
    same_shape,
)
from .backend import KernelBackend
from .lfsr import PERIOD, _cycle_copies, lfsr_tables, quantize, start_states
from .lif import (
    check_broadcasts_to,
    check_network_shapes,
    check_weight_list,
    validate_forward_pass,
    validate_lif_step,
)
from .sc_inference import counts_to_rates

# The JAX modules, or None without JAX (typed Any: the code paths that use
# them run only when HAS_JAX is True).
jax: Any
jnp: Any
lax: Any
checkify: Any
try:
    import jax as _jax
    import jax.numpy as _jnp
    from jax import lax as _lax
    from jax.experimental import checkify as _checkify
except ImportError as _exc:  # pragma: no cover - exercised by a test that hides jax
    jax = jnp = lax = checkify = None
    _IMPORT_ERROR: str | None = f"{type(_exc).__name__}: {_exc}"
else:
    jax, jnp, lax, checkify = _jax, _jnp, _lax, _checkify
    _IMPORT_ERROR = None

HAS_JAX: bool = jax is not None
"""Whether JAX is installed (without it, every function says how to install it)."""

JaxArray: TypeAlias = Any
"""What the ``jax_*`` functions and ``to_jax`` return: a ``jax.Array`` on JAX's
default device (a tracer inside ``jax.jit``, ``jax.grad`` or ``jax.vmap``; without
JAX, ``to_jax`` hands its input back).  JAX is optional, so type checkers see ``Any``.
"""

__all__ = [
    "HAS_JAX", "to_jax", "to_host", "jax_pack_bitstream", "jax_vec_and", "jax_vec_xnor",
    "jax_vec_not", "jax_vec_mux", "jax_popcount", "jax_vec_mac", "jax_lif_step",
    "jax_forward_pass", "jax_surrogate_loss", "jax_surrogate_gradient_step",
    "JAX_SURROGATE_PATHS", "JaxBackend", "JaxArray",
]

JAX_SURROGATE_PATHS: tuple[str, ...] = ("custom_vjp", "legacy_stop_gradient")
"""The surrogate-gradient implementations the training functions accept."""

TRACE_COUNTS: Counter[str] = Counter()
"""How many times each jit-compiled kernel has been traced (a Python side effect that runs
only while tracing); lets tests check there is no retracing.
"""

_WORD_BITS = 64


# --------------------------------------------------------------------------- helpers

def _require_jax() -> None:
    """Raise ``RuntimeError`` with the install hint when JAX is missing."""
    if not HAS_JAX:
        raise RuntimeError(f"JAX is not installed ({_IMPORT_ERROR}); to install it: "
                           f"{install_hint('jax')}")


_F = TypeVar("_F", bound=Callable[..., Any])


def _jit(fn: _F) -> _F:
    """``jax.jit`` with the compiled function's signature kept for type checkers."""
    return cast(_F, jax.jit(fn))


def _custom_vjp(fn: _F) -> Any:
    """``jax.custom_vjp`` (the result also carries ``defvjp``)."""
    return jax.custom_vjp(fn)


@contextlib.contextmanager
def _x64() -> Iterator[None]:
    """Enable 64-bit JAX types for the duration of the block only.

    Uses ``jax.enable_x64`` (a scoped, thread-local config context manager in
    current JAX) or, on older JAX, ``jax.experimental.enable_x64``.
    """
    scoped = getattr(jax, "enable_x64", None)
    if scoped is None:  # pragma: no cover - JAX < 0.8
        scoped = importlib.import_module("jax.experimental").enable_x64
    with scoped(True):
        yield


def _is_jax_array(value: object) -> bool:
    return HAS_JAX and isinstance(value, jax.Array)


def _is_tracer(value: object) -> bool:
    """Whether ``value`` is traced by a JAX transformation (jit, grad, vmap, ...)."""
    return HAS_JAX and isinstance(value, jax.core.Tracer)


def _any_traced(*values: object) -> bool:
    """Whether any argument (or element of a list/tuple argument) is a tracer."""
    for value in values:
        if isinstance(value, (list, tuple)):
            if any(_is_tracer(v) for v in value):
                return True
        elif _is_tracer(value):
            return True
    return False


# ``checkify.check(..., debug=True)`` is removed when the caller does not
# checkify and becomes a run-time check when they do (JAX >= 0.4.31).
_HAS_DEBUG_CHECK = HAS_JAX and "debug" in inspect.signature(checkify.check).parameters


def _traced_check(predicate: Callable[[], Any], message: str) -> None:
    """A value check on traced data: active only under ``checkify.checkify``."""
    if _HAS_DEBUG_CHECK:
        checkify.check(jnp.all(predicate()), message, debug=True)


def _x64_enabled() -> bool:
    """Whether 64-bit JAX types are enabled in the current (caller's) context."""
    return bool(jax.dtypes.canonicalize_dtype(np.uint64) == np.uint64)


def _require_x64(func: str) -> None:
    """Raise a clear error for a ``uint64`` kernel traced with 64-bit types off."""
    if not _x64_enabled():
        raise InputTypeError(
            f"{func} works on uint64 words, but 64-bit types are disabled in this traced "
            "context (jax_enable_x64 is off), where JAX turns uint64 into uint32 and drops "
            "the high 32 bits of every word. Trace it inside `with jax.enable_x64(True):` "
            "(or set jax_enable_x64) so the words stay 64-bit")


def _static_int(value: object, name: str) -> int:
    """A shape-setting int argument: it must be concrete even inside a transformation."""
    if _is_tracer(value):
        raise InputTypeError(
            f"{name} must be a concrete Python int: it sets the shape of the computation, "
            "so it cannot be traced; close over it or mark it static "
            f"(jax.jit(f, static_argnames=[{name!r}]))")
    return check_int(value, name, minimum=1)


def _traced_array(value: Any, name: str) -> Any:
    """A real array argument of a traced call, checked; tracers stay tracers.

    Tracers get their dtype checked now and finiteness under checkify;
    concrete arrays are fully checked now (and returned as ``float64`` NumPy).
    """
    if _is_tracer(value):
        check_real_dtype(value.dtype, name)
        _traced_check(lambda: jnp.isfinite(value), f"{name} must be finite")
        return value
    return as_real_array(value, name)


def _traced_scalar(value: Any, name: str, positive: bool = False) -> Any:
    """A real scalar argument of a traced call (``> 0`` when ``positive``), checked."""
    if not _is_tracer(value):
        return check_real(value, name, positive=positive)
    shape = tuple(value.shape)
    if shape:
        raise ValueError(f"{name} must be a scalar, got shape {shape}")
    check_real_dtype(value.dtype, name, "a real number")
    if positive:
        _traced_check(lambda: jnp.isfinite(value) & (value > 0),
                      f"{name} must be a finite number > 0")
    else:
        _traced_check(lambda: jnp.isfinite(value), f"{name} must be finite")
    return value


def _traced_dtype(*values: object) -> np.dtype:
    """The compute dtype of a traced call: ``_float_dtype`` in the caller's x64 mode."""
    dtype: np.dtype = np.dtype(jax.dtypes.canonicalize_dtype(_float_dtype(*values)))
    return dtype


def _cast(value: Any, dtype: np.dtype) -> Any:
    """A checked argument (tracer, JAX array, NumPy array or float) as ``dtype`` on the device."""
    if _is_tracer(value) or _is_jax_array(value):
        return value if value.dtype == dtype else value.astype(dtype)
    return jnp.asarray(value, dtype)


def _operands(values: Sequence[Any], dtype: np.dtype) -> list[Any]:
    """Arguments of a traced call as ``dtype``, the concrete ones made opaque to XLA.

    A concrete value (a Python float, a NumPy array) would otherwise enter the
    caller's program as a constant that XLA folds into the arithmetic, which
    can change the rounding; behind ``lax.optimization_barrier`` it is an
    ordinary operand, so a traced call computes exactly what an eager one does.
    """
    cast = [_cast(v, dtype) for v in values]
    constant = [k for k, v in enumerate(values) if not _is_tracer(v)]
    if constant:
        opaque = lax.optimization_barrier([cast[k] for k in constant])
        for k, v in zip(constant, opaque):
            cast[k] = v
    return cast


def _float_dtype(*values: object) -> np.dtype:
    """Compute dtype: float32 when every floating input is at most 32-bit, else float64.

    Inputs without a floating dtype (ints, Python scalars, lists) do not vote;
    with no floating input at all the result is float64.
    """
    floating = []
    for value in values:
        dtype = getattr(value, "dtype", None)
        if dtype is not None and np.issubdtype(np.dtype(dtype), np.floating):
            floating.append(np.dtype(dtype))
    if floating and all(d.itemsize <= 4 for d in floating):
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def _on_device(original: Any, checked: np.ndarray, dtype: np.dtype) -> Any:
    """The device array for a validated argument (reusing it if already there)."""
    if _is_jax_array(original) and original.dtype == dtype and original.shape == checked.shape:
        return original
    return jnp.asarray(checked.astype(dtype, copy=False))


_ZERO_COPY_ALIGN = 64


def _device_put_readonly(arr: np.ndarray) -> Any:
    """Put a host array that is only read during this call on the default device.

    On CPU, XLA aliases a host buffer aligned to 64 bytes instead of copying
    it; NumPy's large allocations are usually only 16-byte aligned, and an
    aligned NumPy copy is several times faster than XLA's own transfer copy.
    On an accelerator the transfer is a copy whatever the alignment.
    """
    if jax.default_backend() == "cpu" and arr.ctypes.data % _ZERO_COPY_ALIGN:
        raw = np.empty(arr.nbytes + _ZERO_COPY_ALIGN, dtype=np.uint8)
        start = -raw.ctypes.data % _ZERO_COPY_ALIGN
        aligned = raw[start:start + arr.nbytes].view(arr.dtype).reshape(arr.shape)
        np.copyto(aligned, arr)
        arr = aligned
    return jax.device_put(arr)


def _device_packed(value: Any, name: str, ndims: tuple[int, ...] | None = None,
                   non_empty: bool = False) -> Any:
    """Validate a packed ``uint64`` operand (NumPy, JAX array or tracer); return it on the device.

    Call it with 64-bit types enabled (eagerly inside ``_x64``; traced
    after ``_require_x64``).
    """
    if _is_jax_array(value) or _is_tracer(value):
        check_packed_dtype(value.dtype, name)
        if ndims is not None:
            check_rank(value.shape, name, ndims)
        if non_empty:
            check_non_empty(value.shape, name)
        return value
    checked = as_packed(value, name, ndims)
    if non_empty:
        check_non_empty(checked.shape, name)
    return _device_put_readonly(checked)


@contextlib.contextmanager
def _packed_scope(func: str, *operands: object) -> Iterator[None]:
    """Scope of a ``uint64`` kernel: x64 on for an eager call; the caller's (checked) if traced."""
    if _any_traced(*operands):
        _require_x64(func)
        yield
    else:
        with _x64():
            yield


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
    with _x64():
        if _is_jax_array(value):
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
    if _is_jax_array(value):
        return np.asarray(jax.device_get(value))
    return np.asarray(value)


# --------------------------------------------------------------- packed vector operations

def _pack_last(bits: Any) -> Any:
    """Pack the last axis of a 0/1 array into ``uint64`` words (traceable, x64 on).

    Bit ``t`` goes to word ``t // 64`` at position ``t % 64``; the tail of the
    last word is zero.  The 64 shifted bits of a word never overlap, so their
    sum is their OR.
    """
    n_bits = bits.shape[-1]
    n_words = -(-n_bits // _WORD_BITS)
    pad = n_words * _WORD_BITS - n_bits
    if pad:
        bits = jnp.pad(bits, [(0, 0)] * (bits.ndim - 1) + [(0, pad)])
    grouped = bits.reshape(bits.shape[:-1] + (n_words, _WORD_BITS)).astype(jnp.uint64)
    shifts = jnp.arange(_WORD_BITS, dtype=jnp.uint64)
    return jnp.sum(jnp.left_shift(grouped, shifts), axis=-1, dtype=jnp.uint64)


def _count_dtype(bits_per_row: int) -> Any:
    """``uint32`` accumulators when a row's total cannot overflow them, else ``uint64``."""
    return jnp.uint32 if bits_per_row < 2**32 else jnp.uint64


def _mac_counts(weights: Any, inputs: Any) -> Any:
    """``counts[o] = sum_{i,w} popcount(weights[o,i,w] & inputs[i,w])`` as ``uint64``."""
    n_out, n_in, n_words = weights.shape
    acc = _count_dtype(n_in * n_words * _WORD_BITS)
    # One flat axis per output row reduces much faster on XLA:CPU than two axes.
    flat_w = weights.reshape(n_out, n_in * n_words)
    ones = lax.population_count(jnp.bitwise_and(flat_w, inputs.reshape(1, n_in * n_words)))
    return jnp.sum(ones.astype(acc), axis=1, dtype=acc).astype(jnp.uint64)


if HAS_JAX:
    @_jit
    def _pack_jit(bits: Any) -> Any:
        TRACE_COUNTS["pack"] += 1
        return _pack_last(bits)

    @_jit
    def _mac_jit(weights: Any, inputs: Any) -> Any:
        TRACE_COUNTS["mac"] += 1
        return lax.map(lambda row: _mac_counts(weights, row), inputs)


def _check_packable(dtype: DTypeLike, shape: tuple[int, ...]) -> None:
    """The rules ``jax_pack_bitstream`` adds to ``as_bits``: no booleans, not empty."""
    if np.dtype(dtype) == np.bool_:
        raise InputTypeError("bits must hold the integers 0 and 1 (e.g. uint8), got dtype bool; "
                             "convert with bits.astype(numpy.uint8)")
    check_non_empty(shape, "bits")


def jax_pack_bitstream(bits: ArrayLike) -> JaxArray:
    """Pack a 0/1 stream into ``uint64`` words on the device ([design: packing][packing]).

    Parameters
    ----------
    bits : array_like or jax.Array
        Non-empty 1-D ``(N,)`` or 2-D ``(B, N)`` array of the integers 0 and 1
        (``uint8`` or any other integer dtype).  Booleans are refused, as the
        reference project refuses them: convert with ``bits.astype(np.uint8)``.

    Returns
    -------
    jax.Array
        ``uint64`` ``(ceil(N/64),)`` or ``(B, ceil(N/64))``, identical to
        [`pack_bitstream`][sc_neurocore.accel.vector_ops.pack_bitstream].

    Raises
    ------
    ValueError
        If ``bits`` is empty, its rank is not 1 or 2 or a value is not 0 or 1;
        [`InputTypeError`][sc_neurocore.accel.InputTypeError] if ``bits`` does
        not hold integers (booleans included), or if traced with 64-bit types off.
    RuntimeError
        If JAX is not installed.
    """
    _require_jax()
    if _is_tracer(bits):
        traced: Any = bits
        check_bits_dtype(traced.dtype, "bits")
        check_rank(traced.shape, "bits", (1, 2))
        _check_packable(traced.dtype, traced.shape)
        _traced_check(lambda: (traced == 0) | (traced == 1), "bits must contain only 0 and 1")
        _require_x64("jax_pack_bitstream")
        return _pack_jit(traced)
    given = np.asarray(bits)
    checked = as_bits(given)
    _check_packable(given.dtype, checked.shape)
    with _x64():
        return _pack_jit(jnp.asarray(checked))


def jax_vec_and(a: ArrayLike, b: ArrayLike) -> JaxArray:
    """Bitwise AND of packed ``uint64`` streams (SC unipolar multiply), on the device.

    Parameters
    ----------
    a : numpy.ndarray or jax.Array
        Non-empty ``uint64`` array.
    b : numpy.ndarray or jax.Array
        ``uint64`` array of ``a``'s shape.

    Returns
    -------
    jax.Array
        ``a & b``, ``uint64``, same shape.

    Raises
    ------
    ValueError
        If an operand is empty or the shapes differ;
        [`InputTypeError`][sc_neurocore.accel.InputTypeError] if an operand
        is not a ``uint64`` array, or if traced with 64-bit types off.
    RuntimeError
        If JAX is not installed.
    """
    _require_jax()
    with _packed_scope("jax_vec_and", a, b):
        a, b = (_device_packed(a, "a", non_empty=True), _device_packed(b, "b", non_empty=True))
        same_shape("a", a, "b", b)
        return jnp.bitwise_and(a, b)


def jax_vec_xnor(a: ArrayLike, b: ArrayLike) -> JaxArray:
    """Bitwise XNOR of packed ``uint64`` streams (SC bipolar multiply), on the device.

    Parameters
    ----------
    a : numpy.ndarray or jax.Array
        Non-empty ``uint64`` array.
    b : numpy.ndarray or jax.Array
        ``uint64`` array of ``a``'s shape.

    Returns
    -------
    jax.Array
        ``~(a ^ b)``, ``uint64``, same shape (all 64 bits of each word).

    Raises
    ------
    ValueError
        As [`jax_vec_and`][sc_neurocore.accel.jax_backend.jax_vec_and].
    RuntimeError
        If JAX is not installed.
    """
    _require_jax()
    with _packed_scope("jax_vec_xnor", a, b):
        a, b = (_device_packed(a, "a", non_empty=True), _device_packed(b, "b", non_empty=True))
        same_shape("a", a, "b", b)
        return jnp.invert(jnp.bitwise_xor(a, b))


def jax_vec_not(a: ArrayLike) -> JaxArray:
    """Bitwise complement of packed ``uint64`` streams (``1 - p``), on the device.

    Parameters
    ----------
    a : numpy.ndarray or jax.Array
        Non-empty ``uint64`` array.

    Returns
    -------
    jax.Array
        ``~a``, ``uint64``, same shape (all 64 bits of each word).

    Raises
    ------
    ValueError
        If ``a`` is empty; [`InputTypeError`][sc_neurocore.accel.InputTypeError]
        if it is not a ``uint64`` array, or if traced with 64-bit types off.
    RuntimeError
        If JAX is not installed.
    """
    _require_jax()
    with _packed_scope("jax_vec_not", a):
        return jnp.invert(_device_packed(a, "a", non_empty=True))


def jax_vec_mux(sel: ArrayLike, a: ArrayLike, b: ArrayLike) -> JaxArray:
    """``(sel & a) | (~sel & b)``: SC scaled addition, on the device.

    Parameters
    ----------
    sel : numpy.ndarray or jax.Array
        Non-empty ``uint64`` select streams.
    a : numpy.ndarray or jax.Array
        ``uint64`` array of ``sel``'s shape, taken where ``sel`` is 1.
    b : numpy.ndarray or jax.Array
        ``uint64`` array of ``sel``'s shape, taken where ``sel`` is 0.

    Returns
    -------
    jax.Array
        ``uint64``, same shape.

    Raises
    ------
    ValueError
        If an operand is empty or the shapes differ;
        [`InputTypeError`][sc_neurocore.accel.InputTypeError] if an operand
        is not a ``uint64`` array, or if traced with 64-bit types off.
    RuntimeError
        If JAX is not installed.
    """
    _require_jax()
    with _packed_scope("jax_vec_mux", sel, a, b):
        sel, a, b = (_device_packed(sel, "sel", non_empty=True),
                     _device_packed(a, "a", non_empty=True),
                     _device_packed(b, "b", non_empty=True))
        same_shape("sel", sel, "a", a)
        same_shape("sel", sel, "b", b)
        return jnp.bitwise_or(jnp.bitwise_and(sel, a), jnp.bitwise_and(jnp.invert(sel), b))


def jax_popcount(a: ArrayLike) -> JaxArray:
    """Per-element popcount of packed words, kept on the device ([design: vector operations][vector-operations]).

    Parameters
    ----------
    a : numpy.ndarray or jax.Array
        Non-empty ``uint64`` array of any shape.

    Returns
    -------
    jax.Array
        ``uint64`` of the same shape, each value in ``[0, 64]``; sum it for
        the total that [`vec_popcount`][sc_neurocore.accel.vector_ops.vec_popcount]
        returns.

    Raises
    ------
    ValueError
        If ``a`` is empty; [`InputTypeError`][sc_neurocore.accel.InputTypeError]
        if it is not a ``uint64`` array, or if traced with 64-bit types off.
    RuntimeError
        If JAX is not installed.
    """
    _require_jax()
    with _packed_scope("jax_popcount", a):
        return lax.population_count(_device_packed(a, "a", non_empty=True))


def jax_vec_mac(weights_packed: ArrayLike, inputs_packed: ArrayLike) -> JaxArray:
    """SC multiply-accumulate: AND, popcount and reduce over inputs and words.

    ``counts[..., o] = sum over i, w of
    popcount(weights_packed[o, i, w] & inputs_packed[..., i, w])``.

    Parameters
    ----------
    weights_packed : numpy.ndarray or jax.Array
        ``uint64`` ``(n_out, n_in, n_words)``.
    inputs_packed : numpy.ndarray or jax.Array
        ``uint64`` ``(n_in, n_words)`` or ``(batch, n_in, n_words)``.

    Returns
    -------
    jax.Array
        ``uint64`` counts ``(n_out,)`` or ``(batch, n_out)``.

    Raises
    ------
    ValueError
        If the ranks are wrong or ``(n_in, n_words)`` differ;
        [`InputTypeError`][sc_neurocore.accel.InputTypeError] if an operand
        is not a ``uint64`` array, or if traced with 64-bit types off.
    RuntimeError
        If JAX is not installed.
    """
    _require_jax()
    with _packed_scope("jax_vec_mac", weights_packed, inputs_packed):
        weights = _device_packed(weights_packed, "weights_packed", ndims=(3,))
        inputs = _device_packed(inputs_packed, "inputs_packed", ndims=(2, 3))
        if inputs.shape[-2:] != weights.shape[1:]:
            raise ValueError(f"inputs_packed must end in (n_in, n_words) = {weights.shape[1:]} "
                             f"to match weights_packed {weights.shape}, got shape {inputs.shape}")
        batched = inputs.ndim == 3
        counts = _mac_jit(weights, inputs if batched else inputs[None])
        return counts if batched else counts[0]


# ------------------------------------------------------------------------ sc_forward

_CYCLE_ON_DEVICE: dict[Any, Any] = {}

_SC_BLOCK_BYTES = 1 << 18
"""Weight bytes reduced per step of the blocked AND-popcount: a block stays in cache while
every batch row meets it, and no weight-sized temporary exists.
"""
_SC_EDGE_WORDS = _ZERO_COPY_ALIGN // 8
"""Words left out at the end of the weights' aligned body (see ``_sc_weight_operands``)."""


def _cycle_table(length: int = 1) -> Any:
    """The shared LFSR cycle as ``uint16`` on the default device, repeated so that
    every window of ``ceil(length / 64) * 64`` states is one contiguous slice."""
    device = jax.config.jax_default_device or jax.devices()[0]
    copies = 1 + -(-(-(-length // _WORD_BITS) * _WORD_BITS) // PERIOD)
    key = (device, copies)
    if key not in _CYCLE_ON_DEVICE:
        _CYCLE_ON_DEVICE[key] = jax.device_put(_cycle_copies(copies))
    return _CYCLE_ON_DEVICE[key]


def _sc_block_rows(n_rows: int, k: int) -> int:
    """Weight rows per block: about ``_SC_BLOCK_BYTES`` of ``k``-word rows (1..n_rows)."""
    return max(1, min(n_rows, _SC_BLOCK_BYTES // max(1, 8 * k)))


def _sc_encode(thresholds: Any, offsets: Any, cycle: Any, length: int) -> Any:
    """Packed input streams ``(batch, n_in * n_words)`` (traceable, x64 on).

    Bit ``t`` of input ``i`` in batch row ``b`` is ``cycle[offsets[i] + t] <
    thresholds[b, i]`` (a threshold of 65536 exceeds every state: always 1);
    bits past ``length`` are 0.  Each input's states are one contiguous slice
    of the repeated cycle; the bits are packed into bytes, and eight bytes
    reinterpreted as a little-endian ``uint64`` word.
    """
    batch, n_in = thresholds.shape
    n_words = -(-length // _WORD_BITS)
    padded = n_words * _WORD_BITS
    states = jax.vmap(lambda start: lax.dynamic_slice_in_dim(cycle, start, padded))(offsets)
    states = states.astype(jnp.int32)                              # (n_in, padded)
    if padded != length:
        # Past the stream's end no state is below any threshold: those bits are 0.
        states = jnp.where(jnp.arange(padded) < length, states, 65536)
    bits = (states[None, :, :] < thresholds[:, :, None]).astype(jnp.uint8)
    bits = bits.reshape(batch, n_in, n_words * 8, 8)
    as_bytes = jnp.sum(bits << jnp.arange(8, dtype=jnp.uint8), axis=-1, dtype=jnp.uint8)
    words = lax.bitcast_convert_type(as_bytes.reshape(batch, n_in, n_words, 8), jnp.uint64)
    return words.reshape(batch, n_in * n_words)


def _sc_row_counts(rows: Any, x: Any, acc: Any) -> Any:
    """``counts[b, r] = sum_j popcount(rows[r, j] & x[b, j])`` in ``acc``."""
    ones = lax.population_count(jnp.bitwise_and(rows[None, :, :], x[:, None, :]))
    return jnp.sum(ones.astype(acc), axis=2, dtype=acc)


def _sc_blocked_counts(body: Any, shift: Any, k: int, first: int, stop: int, x: Any,
                       acc: Any, block_rows: int) -> Any:
    """Counts of weight rows ``first .. stop-1`` against ``x``: ``(batch, stop - first)``.

    Row ``o`` is the ``k`` words at ``body[o * k - shift:]``.  A loop takes
    ``block_rows`` rows at a time (dynamic slices that XLA reads in place), so
    the AND array is never held for more than one block.  The last block is
    moved back to end at ``stop``; rows it shares with the block before it are
    computed twice, with identical values.
    """
    n_rows = stop - first
    size = max(1, min(block_rows, n_rows))
    n_blocks = -(-n_rows // size)

    def block(b: Any, out: Any) -> Any:
        row = jnp.minimum(b * size, n_rows - size)
        start = (row + first).astype(jnp.int64) * k - shift
        rows = lax.dynamic_slice_in_dim(body, start, size * k).reshape(size, k)
        return lax.dynamic_update_slice_in_dim(out, _sc_row_counts(rows, x, acc), row, axis=1)

    zeros = jnp.zeros((x.shape[0], n_rows), dtype=acc)
    if n_blocks == 1:
        return block(0, zeros)
    return lax.fori_loop(0, n_blocks, block, zeros)


if HAS_JAX:
    @partial(jax.jit, static_argnames=("length", "n_out", "block_rows"))
    def _sc_counts_jit(body: Any, edges: Any, shift: Any, thresholds: Any, offsets: Any,
                       cycle: Any, *, length: int, n_out: int, block_rows: int) -> Any:
        """Encode every batch row on the device, then AND-popcount it with the weights.

        The weights come as in ``_sc_weight_operands``: ``body`` holds
        weight word ``j`` at ``body[j - shift]`` for ``shift <= j < n_out * k -
        8 + shift``; ``edges[0, 8 - shift:]`` are the words before that and
        ``edges[1, :8 - shift]`` those after it.  With no edges (``edges`` of
        shape ``(0, 8)``) ``body`` holds every word and ``shift`` is 0.
        ``offsets[i]`` is the position of input ``i``'s start state in
        ``cycle``; ``block_rows`` weight rows are reduced per loop step.
        Returns counts ``(batch, n_out)`` (``uint32`` or ``uint64``).
        """
        TRACE_COUNTS["sc_forward"] += 1
        k = offsets.shape[0] * (-(-length // _WORD_BITS))
        acc = _count_dtype(k * _WORD_BITS)
        x = _sc_encode(thresholds, offsets, cycle, length)
        if edges.shape[0] == 0:
            return _sc_blocked_counts(body, shift, k, 0, n_out, x, acc, block_rows)
        # The first and last `ends` rows are rebuilt from the body and the edge
        # words (a copy of a few rows); every other row is read from the body.
        ends = -(-_SC_EDGE_WORDS // k)
        head = jnp.concatenate([edges[0], body[:ends * k]])
        tail = jnp.concatenate([body[body.shape[0] - ends * k:], edges[1]])
        skip = _SC_EDGE_WORDS - shift
        first = lax.dynamic_slice_in_dim(head, skip, ends * k).reshape(ends, k)
        last = lax.dynamic_slice_in_dim(tail, skip, ends * k).reshape(ends, k)
        middle = _sc_blocked_counts(body, shift, k, ends, n_out - ends, x, acc, block_rows)
        return jnp.concatenate([_sc_row_counts(first, x, acc), middle,
                                _sc_row_counts(last, x, acc)], axis=1)


def _sc_weight_operands(weights: np.ndarray) -> tuple[Any, np.ndarray, np.int64]:
    """``(body, edges, shift)`` of ``weights`` for ``_sc_counts_jit``.

    On CPU, XLA reads a host buffer in place only if it starts on a 64-byte
    boundary, and NumPy's large arrays usually start 16 bytes past one, so
    handing XLA the array itself would copy every weight (for a large layer,
    longer than the whole forward pass).  Instead ``body`` is a view of the
    flat words from the first 64-byte boundary on, ``shift`` (0..7) words in,
    and 8 words shorter than the weights, so its shape does not depend on the
    alignment and one compiled kernel serves every array; the at most 8 words
    it leaves out travel in ``edges`` (2, 8).  Layers too small for that
    (under two edge rows at each end) are copied whole, with no edges.
    """
    n_out, n_in, n_words = weights.shape
    k = n_in * n_words
    flat = weights.reshape(-1)
    address = flat.ctypes.data
    ends = -(-_SC_EDGE_WORDS // max(1, k))
    if n_out < 2 * ends + 1 or address % 8:
        return (_device_put_readonly(flat), np.zeros((0, _SC_EDGE_WORDS), dtype=np.uint64),
                np.int64(0))
    shift = (-address % _ZERO_COPY_ALIGN) // 8
    body = flat[shift:shift + flat.size - _SC_EDGE_WORDS]
    edges = np.zeros((2, _SC_EDGE_WORDS), dtype=np.uint64)
    edges[0, _SC_EDGE_WORDS - shift:] = flat[:shift]
    edges[1, :_SC_EDGE_WORDS - shift] = flat[flat.size - _SC_EDGE_WORDS + shift:]
    return body, edges, np.int64(shift)


def _jax_forward(args: ForwardArgs) -> np.ndarray:
    """``sc_forward`` kernel on validated arguments: ``float64`` ``(batch, n_out)``."""
    _, position = lfsr_tables()
    n_out, n_in, n_words = args.weights.shape
    batch = args.probs.shape[0]
    if n_out == 0 or n_in == 0 or batch == 0:
        return counts_to_rates(np.zeros((batch, n_out), dtype=np.uint64), args.length)
    thresholds = quantize(args.probs).astype(np.int32)           # (batch, n_in), <= 65536
    offsets = position[start_states(n_in, args.seed)].astype(np.int32)
    with _x64():
        # NumPy operands go to the kernel as they are: on CPU, jit reads an
        # aligned host array in place, faster than an explicit device_put.
        body, edges, shift = _sc_weight_operands(args.weights)
        counts = _sc_counts_jit(body, edges, shift, thresholds, offsets,
                                _cycle_table(args.length), length=args.length, n_out=n_out,
                                block_rows=_sc_block_rows(n_out, n_in * n_words))
        counts = np.asarray(jax.device_get(counts))
    return counts_to_rates(counts, args.length)


class JaxBackend(KernelBackend):
    """The ``jax`` backend: ``sc_forward`` on JAX/XLA, bit-identical to the NumPy reference."""

    name = "jax"
    extra = "jax"

    @classmethod
    def unavailable_reason(cls) -> str | None:
        """``None`` when JAX imports, else why not (``install_hint`` says how to install it)."""
        if HAS_JAX:
            return None
        return f"JAX is not installed ({_IMPORT_ERROR})"

    def _forward(self, args: ForwardArgs) -> np.ndarray:
        _require_jax()
        return _jax_forward(args)


# ------------------------------------------------------------------------- LIF dynamics

if HAS_JAX:
    @_jit
    def _lif_step_jit(v: Any, I_t: Any, noise: Any, v_rest: Any, v_reset: Any,
                      v_threshold: Any, alpha: Any, resistance: Any) -> tuple[Any, Any]:
        TRACE_COUNTS["lif_step"] += 1
        v_new = v + (v_rest - v) * alpha + I_t * resistance + noise
        spike = v_new >= v_threshold
        return jnp.where(spike, v_reset, v_new), spike.astype(jnp.uint8)


def _check_float_potentials(v: object) -> None:
    """Refuse a ``v`` of ``jax_lif_step`` whose dtype is not floating (int, bool, ...)."""
    given = getattr(v, "dtype", None)  # NumPy and JAX arrays, tracers
    dtype = np.asarray(v).dtype if given is None else np.dtype(given)
    if dtype.kind != "f":
        raise InputTypeError(f"v must hold floating-point potentials, got dtype {dtype}; "
                             "convert with v.astype(numpy.float64) (or float32)")


def jax_lif_step(v: ArrayLike, I_t: ArrayLike, v_rest: float = 0.0, v_reset: float = 0.0,
                 v_threshold: float = 1.0, alpha: float = 0.1, resistance: float = 1.0,
                 noise: ArrayLike = 0.0) -> tuple[JaxArray, JaxArray]:
    """One LIF step on the device ([design: spike order][spike-order]).

    ``v' = v + (v_rest - v) * alpha + I_t * resistance + noise``; neurons with
    ``v' >= v_threshold`` spike and are reset to ``v_reset``.  Works eagerly
    and under ``jax.jit``, ``jax.vmap`` and ``jax.grad`` (any argument may be
    traced).

    Parameters
    ----------
    v : array_like or jax.Array
        Membrane potentials, floating point (an integer or boolean ``v`` is
        refused, as the reference project refuses it).
    I_t : array_like or jax.Array
        Input currents (broadcast to ``v``).
    v_rest : float
        Resting potential.
    v_reset : float
        Potential a neuron is reset to after a spike.
    v_threshold : float
        Firing threshold.
    alpha : float
        Leak factor (> 0).
    resistance : float
        Membrane resistance.
    noise : array_like or jax.Array
        Additive noise (broadcast to ``v``).

    Returns
    -------
    tuple of jax.Array
        New potentials (float32 when every floating input is float32, else
        float64; in a traced call, what the caller's x64 mode allows) and
        spikes (``uint8`` 0/1), shaped like ``v``.

    Raises
    ------
    ValueError
        Non-finite values, ``alpha <= 0``, shapes that do not broadcast to
        ``v`` ([`InputTypeError`][sc_neurocore.accel.InputTypeError] for
        non-real values, and for a ``v`` that is not floating point).
    RuntimeError
        If JAX is not installed.
    """
    _require_jax()
    _check_float_potentials(v)
    if _any_traced(v, I_t, v_rest, v_reset, v_threshold, alpha, resistance, noise):
        return _lif_step_traced(v, I_t, v_rest, v_reset, v_threshold, alpha, resistance, noise)
    dtype = _float_dtype(v, I_t, noise)
    v_c, I_c, v_rest, v_reset, v_threshold, alpha, resistance, noise_c = validate_lif_step(
        v, I_t, v_rest, v_reset, v_threshold, alpha, resistance, noise)
    with _x64():
        scalars = [jnp.asarray(s, dtype) for s in (v_rest, v_reset, v_threshold, alpha,
                                                   resistance)]
        out: tuple[Any, Any] = _lif_step_jit(
            _on_device(v, v_c, dtype), _on_device(I_t, I_c, dtype),
            _on_device(noise, noise_c, dtype), *scalars)
        return out


def _lif_step_traced(v: object, I_t: object, v_rest: object, v_reset: object,
                     v_threshold: object, alpha: object, resistance: object,
                     noise: object) -> tuple[Any, Any]:
    """``jax_lif_step`` inside a transformation: the same rules, values checked where concrete."""
    dtype = _traced_dtype(v, I_t, noise)
    v_d, I_d, noise_d = (_traced_array(val, name) for val, name in
                         ((v, "v"), (I_t, "I_t"), (noise, "noise")))
    check_broadcasts_to(I_d.shape, v_d.shape, "I_t")
    check_broadcasts_to(noise_d.shape, v_d.shape, "noise")
    scalars = [_traced_scalar(val, name) for val, name in
               ((v_rest, "v_rest"), (v_reset, "v_reset"), (v_threshold, "v_threshold"))]
    scalars.append(_traced_scalar(alpha, "alpha", positive=True))
    scalars.append(_traced_scalar(resistance, "resistance"))
    out: tuple[Any, Any] = _lif_step_jit(*_operands([v_d, I_d, noise_d, *scalars], dtype))
    return out


def _spike_hard(d: Any) -> Any:
    """Heaviside ``H(d)`` with ``H(0) = 1``, in ``d``'s dtype."""
    return (d >= 0).astype(d.dtype)


def _run_layers(weights: Sequence[Any], x: Any, n_steps: int, v_rest: Any, v_reset: Any,
                v_threshold: Any, alpha: Any, spike: Callable[[Any], Any],
                unroll: bool = False) -> tuple[list[Any], Any]:
    """The layered LIF dynamics of [design: spike order][spike-order], traceable.

    ``spike(d)`` maps ``v - v_threshold`` to spikes (hard Heaviside, or one
    carrying a surrogate gradient).  Time runs in one ``lax.scan`` (body traced
    and compiled once) or, with ``unroll=True``, in a Python loop (the
    benchmark's baseline: the same math, traced ``n_steps`` times).
    """
    dtype = x.dtype
    batch = x.shape[-2]
    v0 = [jnp.full((batch, w.shape[0]), v_rest, dtype=dtype) for w in weights]
    highest = lax.Precision.HIGHEST
    # Layer 0's input current does not depend on the state, so it is computed
    # before the time loop: once for constant input, or for every step in one
    # batched product for time-major input.  Its gradient then needs a single
    # product too, instead of one per step.
    drive = jnp.matmul(x, weights[0].T, precision=highest)

    def step(vs: list[Any], drive_t: Any) -> tuple[list[Any], list[Any]]:
        current = drive if drive_t is None else drive_t
        new_vs: list[Any] = []
        spikes: list[Any] = []
        for k, (v, w) in enumerate(zip(vs, weights)):
            if k:
                current = jnp.matmul(spikes[-1], w.T, precision=highest)
            s = spike(v - v_threshold)
            v = v_rest + alpha * ((1 - s) * v + s * v_reset - v_rest) + current
            new_vs.append(v)
            spikes.append(spike(v - v_threshold))
        return new_vs, spikes

    if unroll:
        vs, per_step = v0, []
        for t in range(n_steps):
            vs, spikes = step(vs, None if x.ndim == 2 else drive[t])
            per_step.append(spikes)
        trains = [jnp.stack([s[k] for s in per_step]) for k in range(len(weights))]
        return trains, vs[-1]
    vs, trains = lax.scan(step, v0, None if x.ndim == 2 else drive, length=n_steps)
    return list(trains), vs[-1]


if HAS_JAX:
    @partial(jax.jit, static_argnames=("n_steps",))
    def _forward_pass_jit(weights: list[Any], x: Any, v_rest: Any, v_reset: Any,
                          v_threshold: Any, alpha: Any, *, n_steps: int) -> tuple[list[Any], Any]:
        TRACE_COUNTS["forward_pass"] += 1
        return _run_layers(weights, x, n_steps, v_rest, v_reset, v_threshold, alpha,
                           _spike_hard)


def _device_network(weights: object, x: object, checked_w: list[np.ndarray],
                    checked_x: np.ndarray, dtype: np.dtype) -> tuple[list[Any], Any]:
    """Validated weights and input on the device in the compute dtype."""
    originals = list(cast(Sequence[object], weights))
    return ([_on_device(o, c, dtype) for o, c in zip(originals, checked_w)],
            _on_device(x, checked_x, dtype))


def _traced_network(weights: object, x: object, n_steps: object
                    ) -> tuple[list[Any], Any, int, np.dtype]:
    """Weights, input and ``n_steps`` of a traced forward pass or loss, checked.

    The same rules as ``validate_forward_pass``:
    shapes and dtypes now, values now where concrete (else under checkify).
    Returns the arrays cast to the compute dtype, on the device.
    """
    layers = check_weight_list(weights)
    mats = [_traced_array(w, f"weights[{k}]") for k, w in enumerate(layers)]
    x_d = _traced_array(x, "x")
    steps = _static_int(n_steps, "n_steps")
    check_network_shapes([tuple(m.shape) for m in mats], tuple(x_d.shape), steps)
    dtype = _traced_dtype(x, *layers)
    *w_d, x_d = _operands([*mats, x_d], dtype)
    return w_d, x_d, steps, dtype


def jax_forward_pass(weights: Sequence[ArrayLike], x: ArrayLike, n_steps: int,
                     v_rest: float = 0.0,
                     v_reset: float = 0.0, v_threshold: float = 1.0,
                     alpha: float = 0.9) -> tuple[list[JaxArray], JaxArray]:
    """Multi-layer SNN forward pass with LIF neurons, on the device ([design: spike order][spike-order]).

    Per step ``t`` and layer ``k`` (``s_prev``: layer ``k - 1``'s spikes at
    this step, or the input for layer 0)::

        s = H(v - v_threshold)                    # the spike emitted last step
        v = v_rest + alpha * ((1 - s) * v + s * v_reset - v_rest) + s_prev @ W.T
        spikes[k][t] = H(v - v_threshold)

    with ``v`` starting at ``v_rest`` and ``H(0) = 1``; with
    ``v_rest = v_reset = 0`` this is ``v = alpha * v * (1 - s) + W @ s_prev``.
    Time runs in one ``lax.scan``, compiled once per shape, dtype and
    ``n_steps``.  Works eagerly and inside ``jax.jit`` / ``jax.vmap`` /
    ``jax.grad`` (``n_steps`` must stay a concrete int).

    Parameters
    ----------
    weights : list or tuple of array_like
        Per layer ``(n_out, n_in)``; consecutive layers must chain.
    x : array_like or jax.Array
        ``(batch, n_in)`` (the same input every step) or time-major
        ``(n_steps, batch, n_in)``.
    n_steps : int
        Time steps (>= 1).
    v_rest : float, default 0.0
        Resting potential (and the initial potential).
    v_reset : float, default 0.0
        Potential a neuron is reset to after a spike.
    v_threshold : float, default 1.0
        Firing threshold.
    alpha : float, default 0.9
        Leak factor (> 0).

    Returns
    -------
    tuple of (list of jax.Array, jax.Array)
        Spike trains per layer, each ``(n_steps, batch, n_out)`` (0.0/1.0), and
        the last layer's final potentials ``(batch, n_out)``; float32 when
        every floating input is float32, else float64 (in a traced call, what
        the caller's x64 mode allows).

    Raises
    ------
    ValueError
        Non-finite values, empty or mismatched shapes, ``n_steps < 1``,
        ``alpha <= 0`` ([`InputTypeError`][sc_neurocore.accel.InputTypeError]
        for non-real values, ``weights`` not a list or tuple, a non-int or
        traced ``n_steps``).
    RuntimeError
        If JAX is not installed.
    """
    _require_jax()
    if _any_traced(weights, x, n_steps, v_rest, v_reset, v_threshold, alpha):
        w_d, x_d, steps, dtype = _traced_network(weights, x, n_steps)
        scalars = [_traced_scalar(val, name) for val, name in
                   ((v_rest, "v_rest"), (v_reset, "v_reset"), (v_threshold, "v_threshold"))]
        scalars.append(_traced_scalar(alpha, "alpha", positive=True))
        traced: tuple[list[Any], Any] = _forward_pass_jit(
            w_d, x_d, *_operands(scalars, dtype), n_steps=steps)
        return traced
    dtype = _float_dtype(x, *(weights if isinstance(weights, (list, tuple)) else ()))
    w_c, x_c, n_steps, v_rest, v_reset, v_threshold, alpha = validate_forward_pass(
        weights, x, n_steps, v_rest, v_reset, v_threshold, alpha)
    with _x64():
        w_d, x_d = _device_network(weights, x, w_c, x_c, dtype)
        scalars = [jnp.asarray(s, dtype) for s in (v_rest, v_reset, v_threshold, alpha)]
        eager: tuple[list[Any], Any] = _forward_pass_jit(w_d, x_d, *scalars, n_steps=n_steps)
        return eager


# ------------------------------------------------------------------- surrogate training

if HAS_JAX:
    @_custom_vjp
    def _spike_fast_sigmoid(d: Any, beta: Any) -> Any:
        """Hard spike ``H(d)`` forward; fast-sigmoid derivative backward."""
        return _spike_hard(d)

    def _spike_fast_sigmoid_fwd(d: Any, beta: Any) -> tuple[Any, tuple[Any, Any]]:
        return _spike_hard(d), (d, beta)

    def _spike_fast_sigmoid_bwd(residual: tuple[Any, Any], g: Any) -> tuple[Any, None]:
        d, beta = residual
        return g / jnp.square(1 + beta * jnp.abs(d)), None

    _spike_fast_sigmoid.defvjp(_spike_fast_sigmoid_fwd, _spike_fast_sigmoid_bwd)


def _spike_straight_through(d: Any, beta: Any) -> Any:
    """Hard spike forward; the fast sigmoid's gradient reached through ``stop_gradient``.

    The straight-through construction ``H(d) + (soft - stop_gradient(soft))``
    with ``soft = d / (1 + beta * |d|)``: the bracket is exactly 0 forward, so
    the value is exactly ``H(d)``, and autodiff differentiates ``soft`` alone,
    whose derivative is ``1 / (1 + beta * |d|)^2`` — the same surrogate the
    ``custom_vjp`` rule states directly (equal up to rounding).
    """
    soft = d / (1 + beta * jnp.abs(d))
    return _spike_hard(d) + (soft - lax.stop_gradient(soft))


def _spike_for(path: str, beta: Any) -> Callable[[Any], Any]:
    if path == "custom_vjp":
        return lambda d: _spike_fast_sigmoid(d, beta)
    return lambda d: _spike_straight_through(d, beta)


def _surrogate_loss(weights: list[Any], x: Any, targets: Any, threshold: Any, alpha: Any,
                    beta: Any, n_steps: int, path: str, unroll: bool = False) -> Any:
    """Cross-entropy of the last layer's mean firing rates (used as logits)."""
    zero = jnp.zeros((), x.dtype)
    trains, _ = _run_layers(weights, x, n_steps, zero, zero, threshold, alpha,
                            _spike_for(path, beta), unroll=unroll)
    rates = jnp.mean(trains[-1], axis=0)                     # (batch, n_classes)
    log_p = jax.nn.log_softmax(rates, axis=-1)
    if targets.ndim == 2:  # class probabilities (one-hot or soft); (batch, 1) like labels
        picked = jnp.sum(targets * log_p, axis=-1, keepdims=True)
    else:
        picked = jnp.take_along_axis(log_p, targets[:, None], axis=-1)
    return -jnp.mean(lax.optimization_barrier(picked))


def _surrogate_step(weights: list[Any], x: Any, targets: Any, lr: Any, beta: Any,
                    threshold: Any, alpha: Any, n_steps: int, path: str,
                    unroll: bool = False) -> tuple[list[Any], Any]:
    loss, grads = jax.value_and_grad(_surrogate_loss)(weights, x, targets, threshold, alpha,
                                                      beta, n_steps, path, unroll)
    return [w - lr * g for w, g in zip(weights, grads)], loss


if HAS_JAX:
    @partial(jax.jit, static_argnames=("n_steps", "path"))
    def _surrogate_loss_jit(weights: list[Any], x: Any, targets: Any, threshold: Any,
                            alpha: Any, beta: Any, *, n_steps: int, path: str) -> Any:
        TRACE_COUNTS["surrogate_loss"] += 1
        return _surrogate_loss(weights, x, targets, threshold, alpha, beta, n_steps, path)

    @partial(jax.jit, static_argnames=("n_steps", "path"))
    def _surrogate_step_jit(weights: list[Any], x: Any, targets: Any, lr: Any, beta: Any,
                            threshold: Any, alpha: Any, *, n_steps: int,
                            path: str) -> tuple[list[Any], Any]:
        TRACE_COUNTS["surrogate_step"] += 1
        return _surrogate_step(weights, x, targets, lr, beta, threshold, alpha, n_steps, path)


def _check_targets(targets: object, batch: int, n_classes: int) -> Any:
    """Training targets, checked: class labels or class probabilities.

    Integer labels ``(batch,)`` in ``[0, n_classes)`` come back as ``int32``;
    probabilities ``(batch, n_classes)`` (one-hot or soft: finite, in
    ``[0, 1]``, each row summing to 1) as ``float64`` (NumPy) or as the tracer.
    Values are checked now when concrete, under checkify when traced.
    """
    traced = _is_tracer(targets)
    arr: Any = targets if traced else np.asarray(targets)
    shape, dtype = tuple(arr.shape), np.dtype(arr.dtype)
    if len(shape) == 1:
        if dtype.kind not in "iu":
            raise InputTypeError("targets of shape (batch,) must hold integer class labels, "
                                 f"got dtype {dtype} (pass class probabilities as "
                                 "(batch, n_classes))")
        if shape != (batch,):
            raise ValueError(f"targets must have shape (batch,) = ({batch},) to match x, "
                             f"got shape {shape}")
        if traced:
            _traced_check(lambda: (arr >= 0) & (arr < n_classes),
                          f"targets must be class labels in [0, {n_classes})")
            return arr.astype(jnp.int32)
        outside = (arr < 0) | (arr >= n_classes)
        if outside.any():
            bad = int(np.argwhere(outside)[0][0])
            raise ValueError(f"targets must be class labels in [0, {n_classes}), "
                             f"got {arr[bad]} at index {bad}")
        return arr.astype(np.int32)
    if len(shape) != 2:
        raise ValueError("targets must be integer class labels (batch,) or class "
                         f"probabilities (batch, n_classes), got shape {shape}")
    check_real_dtype(dtype, "targets", "class probabilities (real numbers)")
    if shape != (batch, n_classes):
        raise ValueError(f"targets must have shape (batch, n_classes) = ({batch}, {n_classes}) "
                         f"to match x and the last layer, got shape {shape}")
    tolerance = max(1e-6, 4 * n_classes * float(np.finfo(np.result_type(dtype, np.float32)).eps))
    message = ("targets must hold class probabilities: finite, in [0, 1], each row summing "
               f"to 1 (within {tolerance:.1e})")
    if traced:
        _traced_check(lambda: jnp.isfinite(arr) & (arr >= 0) & (arr <= 1), message)
        _traced_check(lambda: jnp.abs(jnp.sum(arr, axis=-1) - 1) <= tolerance, message)
        return arr
    probs = np.asarray(arr, dtype=np.float64)
    check_finite(probs, "targets")
    check_unit_interval(probs, "targets")
    sums = probs.sum(axis=-1)
    off = np.abs(sums - 1.0) > tolerance
    if off.any():
        row = int(np.argwhere(off)[0][0])
        raise ValueError(f"{message}; row {row} sums to {float(sums[row])!r}")
    return probs


class _Training:
    """Checked arguments of the training functions, on the device in the compute dtype."""

    def __init__(self, weights: Sequence[object], x: object, targets: object, n_steps: object,
                 beta: object, threshold: object, alpha: object, surrogate_path: object,
                 extra: dict[str, object]) -> None:
        """Check every argument (``extra``: name -> further positive scalars, e.g. ``lr``).

        Eagerly (no tracer among the arguments) the checks are the host checks
        of the forward pass; traced, those of ``_traced_network``.
        """
        self.path = check_choice(surrogate_path, "surrogate_path", JAX_SURROGATE_PATHS)
        self.traced = _any_traced(weights, x, targets, n_steps, beta, threshold, alpha,
                                  *extra.values())
        if self.traced:
            threshold_v = _traced_scalar(threshold, "threshold")
            self.w, self.x, self.n_steps, self.dtype = _traced_network(weights, x, n_steps)
            alpha_v = _traced_scalar(alpha, "alpha", positive=True)
            beta_v = _traced_scalar(beta, "beta", positive=True)
            y = _check_targets(targets, self.x.shape[-2], self.w[-1].shape[0])
            extra_v = {k: _traced_scalar(v, k, positive=True) for k, v in extra.items()}
            self.targets = y if y.ndim == 1 else _operands([y], self.dtype)[0]
            scalars = {"threshold": threshold_v, "alpha": alpha_v, "beta": beta_v, **extra_v}
            self.scalars = dict(zip(scalars, _operands(list(scalars.values()), self.dtype)))
            return
        threshold_f = check_real(threshold, "threshold")
        w_c, x_c, self.n_steps, _, _, threshold_f, alpha_f = validate_forward_pass(
            weights, x, n_steps, 0.0, 0.0, threshold_f, alpha)
        beta_f = check_real(beta, "beta", positive=True)
        y_c = _check_targets(targets, x_c.shape[-2], w_c[-1].shape[0])
        extra_f = {k: check_real(v, k, positive=True) for k, v in extra.items()}
        self.dtype = _float_dtype(x, *weights)
        with _x64():
            self.w, self.x = _device_network(weights, x, w_c, x_c, self.dtype)
            self.targets = jnp.asarray(y_c) if y_c.ndim == 1 else jnp.asarray(y_c, self.dtype)
            scalars = {"threshold": threshold_f, "alpha": alpha_f, "beta": beta_f, **extra_f}
            self.scalars = {k: jnp.asarray(v, self.dtype) for k, v in scalars.items()}

    def scope(self) -> contextlib.AbstractContextManager[None]:
        """x64 for an eager call; the caller's settings for a traced one."""
        return contextlib.nullcontext() if self.traced else _x64()


def jax_surrogate_loss(weights: Sequence[ArrayLike], x: ArrayLike, targets: ArrayLike,
                       n_steps: int = 25,
                       beta: float = 10.0, threshold: float = 1.0,
                       surrogate_path: str = "custom_vjp", alpha: float = 0.9) -> JaxArray:
    """Cross-entropy loss for JAX SNN training with explicit surrogate paths.

    The network runs the dynamics of
    [`jax_forward_pass`][sc_neurocore.accel.jax_backend.jax_forward_pass] with
    ``v_rest = v_reset = 0`` and ``v_threshold = threshold`` (hard spikes
    forward); the per-class mean firing rates over ``n_steps`` are the logits
    of a softmax cross-entropy, averaged over the batch.  Differentiate it
    with ``jax.grad`` / ``jax.value_and_grad`` (the surrogate defines the
    backward pass), use it under ``jax.jit`` and ``jax.vmap``, and train with
    any optimiser (e.g. optax).

    Parameters
    ----------
    weights : list or tuple of array_like
        Per layer ``(n_out, n_in)``; the last layer has one neuron per class.
    x : array_like or jax.Array
        ``(batch, n_in)`` constant input or time-major ``(n_steps, batch, n_in)``.
    targets : array_like or jax.Array
        Integer class labels ``(batch,)`` in ``[0, n_classes)``, or class
        probabilities ``(batch, n_classes)`` (one-hot or soft; finite, in
        ``[0, 1]``, each row summing to 1).  Labels and their one-hot rows give
        the same loss.
    n_steps : int, default 25
        Time steps (>= 1); a concrete int even under ``jax.jit``.
    beta : float, default 10.0
        Surrogate sharpness (> 0); used by the backward pass only.
    threshold : float, default 1.0
        Firing threshold.
    surrogate_path : str, default "custom_vjp"
        One of [`JAX_SURROGATE_PATHS`][sc_neurocore.accel.jax_backend.JAX_SURROGATE_PATHS]:
        ``"custom_vjp"`` (fast-sigmoid derivative as a custom VJP rule) or
        ``"legacy_stop_gradient"`` (straight-through); the forward value is
        the same for both.
    alpha : float, default 0.9
        Leak factor (> 0).

    Returns
    -------
    jax.Array
        0-D loss (float32 when every floating input is float32, else float64;
        in a traced call, what the caller's x64 mode allows).

    Raises
    ------
    ValueError
        Non-finite values, empty or mismatched shapes, labels out of range,
        non-positive ``n_steps``/``beta``/``alpha``, unknown ``surrogate_path``
        ([`InputTypeError`][sc_neurocore.accel.InputTypeError] for wrong types).
    RuntimeError
        If JAX is not installed.
    """
    _require_jax()
    t = _Training(weights, x, targets, n_steps, beta, threshold, alpha, surrogate_path, {})
    with t.scope():
        sc = t.scalars
        return _surrogate_loss_jit(t.w, t.x, t.targets, sc["threshold"], sc["alpha"],
                                   sc["beta"], n_steps=t.n_steps, path=t.path)


def jax_surrogate_gradient_step(weights: Sequence[ArrayLike], x: ArrayLike, targets: ArrayLike,
                                n_steps: int = 25, lr: float = 1e-3, beta: float = 10.0,
                                threshold: float = 1.0, surrogate_path: str = "custom_vjp",
                                alpha: float = 0.9) -> tuple[list[JaxArray], JaxArray]:
    """One training step with surrogate gradient over an explicit JAX path.

    Plain gradient descent, ``new_w = w - lr * d loss / d w``, with the loss of
    [`jax_surrogate_loss`][sc_neurocore.accel.jax_backend.jax_surrogate_loss]
    (so ``jax.grad(jax_surrogate_loss)`` gives the same gradient).  Spikes
    are hard (Heaviside) forward.  Backward, ``"custom_vjp"`` uses the
    fast-sigmoid derivative ``1 / (1 + beta * |v - threshold|)^2`` as a
    custom VJP rule; ``"legacy_stop_gradient"`` is the straight-through
    variant: the spike is ``H(d) + (f(d) - stop_gradient(f(d)))`` with the
    fast sigmoid ``f(d) = d / (1 + beta * |d|)``, ``d = v - threshold``, so
    autodiff reaches the same derivative (up to rounding) without a custom
    rule.  The gradient flows through the membrane recurrence and the reset
    term.

    Jit-compiled once per shapes/dtypes, ``n_steps`` and ``surrogate_path``:
    ``lr``, ``beta``, ``threshold`` and ``alpha`` are traced values, so changing
    them never retraces.

    Parameters
    ----------
    weights : list or tuple of array_like
        Per layer ``(n_out, n_in)``; the last layer has one neuron per class.
    x : array_like or jax.Array
        ``(batch, n_in)`` constant input or time-major ``(n_steps, batch, n_in)``.
    targets : array_like or jax.Array
        Class labels ``(batch,)`` or class probabilities ``(batch, n_classes)``,
        as in [`jax_surrogate_loss`][sc_neurocore.accel.jax_backend.jax_surrogate_loss].
    n_steps : int, default 25
        Time steps (>= 1).
    lr : float, default 1e-3
        Learning rate (> 0).
    beta : float, default 10.0
        Surrogate sharpness (> 0).
    threshold : float, default 1.0
        Firing threshold.
    surrogate_path : str, default "custom_vjp"
        ``"custom_vjp"`` or ``"legacy_stop_gradient"``.
    alpha : float, default 0.9
        Leak factor (> 0).

    Returns
    -------
    tuple of (list of jax.Array, jax.Array)
        The updated weights (in the compute dtype) and the loss *before* the
        update.

    Raises
    ------
    ValueError
        As [`jax_surrogate_loss`][sc_neurocore.accel.jax_backend.jax_surrogate_loss],
        plus ``lr <= 0``.
    RuntimeError
        If JAX is not installed.
    """
    _require_jax()
    t = _Training(weights, x, targets, n_steps, beta, threshold, alpha, surrogate_path,
                  {"lr": lr})
    with t.scope():
        sc = t.scalars
        out: tuple[list[Any], Any] = _surrogate_step_jit(
            t.w, t.x, t.targets, sc["lr"], sc["beta"], sc["threshold"], sc["alpha"],
            n_steps=t.n_steps, path=t.path)
        return out
