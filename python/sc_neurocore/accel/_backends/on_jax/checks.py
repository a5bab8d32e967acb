"""The JAX backend's argument checks: the shared rules, applied to tracers as well.

Checks of shape, rank and dtype read static information and run whether or not
a value is traced.  Checks of values (NaN/inf, ranges, 0/1 bits, class labels)
run on concrete inputs; on traced inputs they become ``checkify`` checks,
active only when the caller wraps the computation in
``jax.experimental.checkify.checkify``.  Arguments that set the shape of the
computation must be concrete (``static_int``).  The rules themselves are
``sc_neurocore._validation``'s; this module only decides when and on what they
run, and moves checked values to the device in the compute dtype.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable, Iterator, Sequence
from typing import Any, cast

import numpy as np
from numpy.typing import DTypeLike

from sc_neurocore._validation import (
    InputTypeError,
    as_packed,
    as_real_array,
    check_finite,
    check_int,
    check_network_shapes,
    check_non_empty,
    check_packed_dtype,
    check_rank,
    check_real,
    check_real_dtype,
    check_unit_interval,
    check_weight_list,
)

from .runtime import (
    HAS_JAX,
    any_traced,
    checkify,
    device_put_readonly,
    is_jax_array,
    is_jax_value,
    is_tracer,
    jax,
    jnp,
    lax,
    x64,
)

__all__ = ["check_float_potentials", "check_packable", "check_targets", "device_network",
           "device_packed", "float_dtype", "on_device", "packed_scope", "require_x64",
           "static_int", "traced_array", "traced_check", "traced_dtype", "traced_network",
           "traced_operands", "traced_scalar"]


# ``checkify.check(..., debug=True)`` is removed when the caller does not
# checkify and becomes a run-time check when they do (JAX >= 0.4.31).
_HAS_DEBUG_CHECK = HAS_JAX and "debug" in inspect.signature(checkify.check).parameters


def traced_check(predicate: Callable[[], Any], message: str) -> None:
    """A value check on traced data: active only under ``checkify.checkify``."""
    if _HAS_DEBUG_CHECK:
        checkify.check(jnp.all(predicate()), message, debug=True)


def _x64_enabled() -> bool:
    """Whether 64-bit JAX types are enabled in the current (caller's) context."""
    return bool(jax.dtypes.canonicalize_dtype(np.uint64) == np.uint64)


def require_x64(func: str) -> None:
    """Raise a clear error for a ``uint64`` kernel traced with 64-bit types off."""
    if not _x64_enabled():
        raise InputTypeError(
            f"{func} works on uint64 words, but 64-bit types are disabled in this traced "
            "context (jax_enable_x64 is off), where JAX turns uint64 into uint32 and drops "
            "the high 32 bits of every word. Trace it inside `with jax.enable_x64(True):` "
            "(or set jax_enable_x64) so the words stay 64-bit")


def static_int(value: object, name: str) -> int:
    """A shape-setting int argument: it must be concrete even inside a transformation."""
    if is_tracer(value):
        raise InputTypeError(
            f"{name} must be a concrete Python int: it sets the shape of the computation, "
            "so it cannot be traced; close over it or mark it static "
            f"(jax.jit(f, static_argnames=[{name!r}]))")
    return check_int(value, name, minimum=1)


def traced_array(value: Any, name: str) -> Any:
    """A real array argument of a traced call, checked; tracers stay tracers.

    Tracers get their dtype checked now and finiteness under checkify;
    concrete arrays are fully checked now (and returned as ``float64`` NumPy).
    """
    if is_tracer(value):
        check_real_dtype(value.dtype, name)
        traced_check(lambda: jnp.isfinite(value), f"{name} must be finite")
        return value
    return as_real_array(value, name)


def traced_scalar(value: Any, name: str, positive: bool = False) -> Any:
    """A real scalar argument of a traced call (``> 0`` when ``positive``), checked."""
    if not is_tracer(value):
        return check_real(value, name, positive=positive)
    shape = tuple(value.shape)
    if shape:
        raise ValueError(f"{name} must be a scalar, got shape {shape}")
    check_real_dtype(value.dtype, name, "a real number")
    if positive:
        traced_check(lambda: jnp.isfinite(value) & (value > 0),
                      f"{name} must be a finite number > 0")
    else:
        traced_check(lambda: jnp.isfinite(value), f"{name} must be finite")
    return value


def traced_dtype(*values: object) -> np.dtype:
    """The compute dtype of a traced call: ``_float_dtype`` in the caller's x64 mode."""
    dtype: np.dtype = np.dtype(jax.dtypes.canonicalize_dtype(float_dtype(*values)))
    return dtype


def _cast(value: Any, dtype: np.dtype) -> Any:
    """A checked argument (tracer, JAX array, NumPy array or float) as ``dtype`` on the device."""
    if is_jax_value(value):
        return value if value.dtype == dtype else value.astype(dtype)
    return jnp.asarray(value, dtype)


def traced_operands(values: Sequence[Any], dtype: np.dtype) -> list[Any]:
    """Arguments of a traced call as ``dtype``, the concrete ones made opaque to XLA.

    A concrete value (a Python float, a NumPy array) would otherwise enter the
    caller's program as a constant that XLA folds into the arithmetic, which
    can change the rounding; behind ``lax.optimization_barrier`` it is an
    ordinary operand, so a traced call computes exactly what an eager one does.
    """
    cast = [_cast(v, dtype) for v in values]
    constant = [k for k, v in enumerate(values) if not is_tracer(v)]
    if constant:
        opaque = lax.optimization_barrier([cast[k] for k in constant])
        for k, v in zip(constant, opaque):
            cast[k] = v
    return cast


def float_dtype(*values: object) -> np.dtype:
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


def on_device(original: Any, checked: np.ndarray, dtype: np.dtype) -> Any:
    """The device array for a validated argument (reusing it if already there)."""
    if is_jax_array(original) and original.dtype == dtype and original.shape == checked.shape:
        return original
    return jnp.asarray(checked.astype(dtype, copy=False))


def device_packed(value: Any, name: str, ndims: tuple[int, ...] | None = None,
                  non_empty: bool = False) -> Any:
    """Validate a packed ``uint64`` operand (NumPy, JAX array or tracer); return it on the device.

    Call it with 64-bit types enabled (eagerly inside ``_x64``; traced
    after ``_require_x64``).
    """
    if is_jax_value(value):
        check_packed_dtype(value.dtype, name)
        if ndims is not None:
            check_rank(value.shape, name, ndims)
        if non_empty:
            check_non_empty(value.shape, name)
        return value
    checked = as_packed(value, name, ndims)
    if non_empty:
        check_non_empty(checked.shape, name)
    return device_put_readonly(checked)


@contextlib.contextmanager
def packed_scope(func: str, *operands: object) -> Iterator[None]:
    """Scope of a ``uint64`` kernel: x64 on for an eager call; the caller's (checked) if traced."""
    if any_traced(*operands):
        require_x64(func)
        yield
    else:
        with x64():
            yield


def check_packable(dtype: DTypeLike, shape: tuple[int, ...]) -> None:
    """The rules ``jax_pack_bitstream`` adds to ``as_bits``: no booleans, not empty."""
    if np.dtype(dtype) == np.bool_:
        raise InputTypeError("bits must hold the integers 0 and 1 (e.g. uint8), got dtype bool; "
                             "convert with bits.astype(numpy.uint8)")
    check_non_empty(shape, "bits")


def check_float_potentials(v: object) -> None:
    """Refuse a ``v`` of ``jax_lif_step`` whose dtype is not floating (int, bool, ...)."""
    given = getattr(v, "dtype", None)  # NumPy and JAX arrays, tracers
    dtype = np.asarray(v).dtype if given is None else np.dtype(given)
    if dtype.kind != "f":
        raise InputTypeError(f"v must hold floating-point potentials, got dtype {dtype}; "
                             "convert with v.astype(numpy.float64) (or float32)")


def check_targets(targets: object, batch: int, n_classes: int) -> Any:
    """Training targets, checked: class labels or class probabilities.

    Integer labels ``(batch,)`` in ``[0, n_classes)`` come back as ``int32``;
    probabilities ``(batch, n_classes)`` (one-hot or soft: finite, in
    ``[0, 1]``, each row summing to 1) as ``float64`` (NumPy) or as the tracer.
    Values are checked now when concrete, under checkify when traced.
    """
    traced = is_tracer(targets)
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
            traced_check(lambda: (arr >= 0) & (arr < n_classes),
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
        traced_check(lambda: jnp.isfinite(arr) & (arr >= 0) & (arr <= 1), message)
        traced_check(lambda: jnp.abs(jnp.sum(arr, axis=-1) - 1) <= tolerance, message)
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


def device_network(weights: object, x: object, checked_w: list[np.ndarray],
                   checked_x: np.ndarray, dtype: np.dtype) -> tuple[list[Any], Any]:
    """Validated weights and input on the device in the compute dtype."""
    originals = list(cast(Sequence[object], weights))
    return ([on_device(o, c, dtype) for o, c in zip(originals, checked_w)],
            on_device(x, checked_x, dtype))


def traced_network(weights: object, x: object, n_steps: object
                    ) -> tuple[list[Any], Any, int, np.dtype]:
    """Weights, input and ``n_steps`` of a traced forward pass or loss, checked.

    The same rules as ``validate_forward_pass``:
    shapes and dtypes now, values now where concrete (else under checkify).
    Returns the arrays cast to the compute dtype, on the device.
    """
    layers = check_weight_list(weights)
    mats = [traced_array(w, f"weights[{k}]") for k, w in enumerate(layers)]
    x_d = traced_array(x, "x")
    steps = static_int(n_steps, "n_steps")
    check_network_shapes([tuple(m.shape) for m in mats], tuple(x_d.shape), steps)
    dtype = traced_dtype(x, *layers)
    *w_d, x_d = traced_operands([*mats, x_d], dtype)
    return w_d, x_d, steps, dtype
