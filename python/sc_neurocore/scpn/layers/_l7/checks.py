"""Argument checks shared by the parts of the L7 layer (built on ``sc_neurocore._validation``)."""

from __future__ import annotations

from sc_neurocore._validation import as_probabilities, as_real_array, check_real

from .arith import F64


def unit_values(values: object, name: str, minimum_size: int = 1) -> F64:
    """A 1-D ``float64`` array of at least ``minimum_size`` values, each finite and in ``[0, 1]``.

    Raises
    ------
    InputTypeError
        If the values are not real numbers.
    ValueError
        If the array is not 1-D, is too short, or holds a value outside ``[0, 1]``.
    """
    arr: F64 = as_probabilities(values, name, ndims=(1,))
    if arr.size < minimum_size:
        raise ValueError(f"{name} must hold at least {minimum_size} value"
                         f"{'s' if minimum_size > 1 else ''}, got {arr.size}")
    return arr


def state_array(values: object, name: str, size: int, *, unit: bool) -> F64:
    """A state array of shape ``(size,)``: values in ``[0, 1]`` if ``unit``, else finite reals.

    Raises
    ------
    InputTypeError
        If the values are not real numbers.
    ValueError
        If the shape is not ``(size,)`` or a value is out of range.
    """
    arr: F64 = (as_probabilities(values, name, ndims=(1,)) if unit
                else as_real_array(values, name, (1,)))
    if arr.shape != (size,):
        raise ValueError(f"{name} must have shape ({size},), got shape {arr.shape}")
    return arr


def check_rate(value: object, name: str) -> float:
    """A rate or coupling: a finite real number ``>= 0``."""
    return check_real(value, name, minimum=0.0)


def check_dt(dt: object, *, symbol_decay: float | None = None,
             symbol_coupling: float | None = None) -> float:
    """``dt`` finite and ``> 0``, with ``symbol_decay * dt <= 1`` and ``symbol_coupling * dt <= 1``
    for the rates given (each product a double).

    These bounds keep every explicit-Euler update a convex combination: past
    them the decay factor turns negative and the ring diffusion amplifies its
    alternating mode, which clipping would hide.

    Raises
    ------
    InputTypeError
        If ``dt`` is not a real number.
    ValueError
        If ``dt`` is NaN/inf, ``<= 0``, or breaks a bound (naming ``dt``).
    """
    step = check_real(dt, "dt", positive=True)
    if symbol_decay is not None and symbol_decay * step > 1.0:
        raise ValueError(f"dt must satisfy symbol_decay * dt <= 1 (a decay factor >= 0), got "
                         f"dt = {step!r} with symbol_decay = {symbol_decay!r}")
    if symbol_coupling is not None and symbol_coupling * step > 1.0:
        raise ValueError(f"dt must satisfy symbol_coupling * dt <= 1 (stable explicit diffusion), "
                         f"got dt = {step!r} with symbol_coupling = {symbol_coupling!r}")
    return step
