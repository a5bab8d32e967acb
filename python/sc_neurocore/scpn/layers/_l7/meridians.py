"""Meridian Qi (a ring of TCM meridians), the drive it takes from the ecological
layer (L6), and the acupoint activations."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

import numpy as np
import numpy.typing as npt
from numpy.typing import ArrayLike

from sc_neurocore._validation import (
    InputTypeError,
    as_real_array,
    check_int,
    check_real,
    check_unit_interval,
    real_scalar,
)

from .arith import F64, clip01, clip01_scalar, mean
from .checks import check_dt, check_rate, unit_values

ACUPOINT_INDICES: Final[Mapping[str, int]] = MappingProxyType({
    "LI4_Hegu": 4, "ST36_Zusanli": 36, "SP6_Sanyinjiao": 60, "PC6_Neiguan": 96,
    "LV3_Taichong": 120, "GV20_Baihui": 200, "CV4_Guanyuan": 250, "BL23_Shenshu": 300})
"""The named acupoints of ``get_acupoint_map`` and their point ids (the reference's own ids,
not positions in the WHO channel order)."""
SYMBOLIC_DRIVE: Final = "symbolic_drive"
"""The L6 output read first: values in ``[0, 1]``, effect = their mean."""
SCHUMANN_FIELD: Final = "schumann_field"
"""The L6 output read when there is no symbolic drive: effect = its mean minus 1."""


def _flat_mean(value: object, name: str, unit: bool) -> float:
    values = as_real_array(value, name).reshape(-1)
    if values.size == 0:
        raise ValueError(f"{name} must contain at least one value, got 0")
    if unit:
        check_unit_interval(values, name)
    return mean(values)


def l6_symbolic_effect(l6_input: ArrayLike) -> float:
    """The drive the ecological layer's output exerts on meridian Qi.

    ``mean(l6_input["symbolic_drive"])`` when that key is present (values in
    ``[0, 1]``); otherwise ``mean(l6_input["schumann_field"]) - 1.0`` when that
    key is present (finite values; a field of mean 1 is neutral); otherwise
    ``0.0``. Values are flattened in C order; only the key used is checked.

    Parameters
    ----------
    l6_input : mapping
        The L6 layer's output, e.g. ``{"schumann_field": array}``.

    Returns
    -------
    float
        The effect (``0.0``: no drive).

    Raises
    ------
    InputTypeError
        If ``l6_input`` is not a mapping or the value used is not real numbers.
    ValueError
        If the value used is empty, holds NaN/inf, or (``symbolic_drive``) a
        value outside ``[0, 1]``.
    """
    return l6_drive(l6_input)[0]


def l6_drive(l6_input: object) -> tuple[float, str]:
    """``(effect, key)``: [`l6_symbolic_effect`][sc_neurocore.scpn.layers.l7_symbolic.l6_symbolic_effect]
    and the key it came from (``""`` when neither key is present)."""
    if not isinstance(l6_input, Mapping):
        raise InputTypeError(f"l6_input must be a mapping (dict) of L6 outputs, got "
                             f"{type(l6_input).__name__}")
    if SYMBOLIC_DRIVE in l6_input:
        return _flat_mean(l6_input[SYMBOLIC_DRIVE], SYMBOLIC_DRIVE, unit=True), SYMBOLIC_DRIVE
    if SCHUMANN_FIELD in l6_input:
        return (_flat_mean(l6_input[SCHUMANN_FIELD], SCHUMANN_FIELD, unit=False) - 1.0,
                SCHUMANN_FIELD)
    return 0.0, ""


def qi_gain(l6_effect: float, ecological_coupling: float, name: str) -> float:
    """``1.0 + ecological_coupling * l6_effect``, refused (naming ``name``) when it overflows."""
    gain = 1.0 + ecological_coupling * l6_effect
    if not math.isfinite(gain):
        raise ValueError(f"{name}: the Qi gain 1 + ecological_coupling * effect overflows "
                         f"(effect {l6_effect!r}, ecological_coupling {ecological_coupling!r})")
    return gain


def flow_qi(qi: F64, dt: float, coupling: float, gain: float) -> F64:
    """One checked Qi update (see ``update_meridian_qi``); ``gain == 1.0`` means no L6 drive."""
    q = qi + ((np.roll(qi, 1) - qi) * coupling) * dt
    if gain != 1.0:
        q = q * gain
    return clip01(q)


def update_meridian_qi(meridian_qi: ArrayLike, dt: float, *, symbol_coupling: float = 0.3,
                       l6_effect: float = 0.0, ecological_coupling: float = 0.1) -> npt.NDArray[np.float64]:
    """One step of meridian Qi: flow around the ring, the L6 drive, clip.

    Qi flows from each meridian to the next: ``q[i] = qi[i] + ((qi[i-1] -
    qi[i]) * symbol_coupling) * dt`` (indices mod ``n``, every ``i`` from the
    old ``qi``); when ``l6_effect != 0`` every ``q[i]`` is multiplied by
    ``1.0 + ecological_coupling * l6_effect``; then ``clip01``.

    Parameters
    ----------
    meridian_qi : array_like
        The Qi of each meridian around the ring: 1-D, non-empty, each finite and in
        ``[0, 1]``.
    dt : float
        Finite, ``> 0``, with ``symbol_coupling * dt <= 1``.
    symbol_coupling : float, default 0.3
        Flow rate, finite and ``>= 0``.
    l6_effect : float, default 0.0
        The L6 drive
        ([`l6_symbolic_effect`][sc_neurocore.scpn.layers.l7_symbolic.l6_symbolic_effect]), finite.
    ecological_coupling : float, default 0.1
        Finite and ``>= 0``.

    Returns
    -------
    ndarray
        The new Qi, ``float64`` of the same shape, each in ``[0, 1]``.

    Raises
    ------
    InputTypeError, ValueError
        On an argument outside the above (naming it), or a gain that overflows
        (naming ``l6_effect``).
    """
    qi = unit_values(meridian_qi, "meridian_qi")
    coupling = check_rate(symbol_coupling, "symbol_coupling")
    step = check_dt(dt, symbol_coupling=coupling)
    effect = check_real(l6_effect, "l6_effect")
    eco = check_rate(ecological_coupling, "ecological_coupling")
    gain = qi_gain(effect, eco, "l6_effect") if effect != 0.0 else 1.0
    return flow_qi(qi, step, coupling, gain)


def check_acupoint_stimulus(acupoint_stimulus: object, n_acupoints: int) -> list[tuple[int, float]]:
    """``(point_id, intensity)`` pairs of a checked ``{point_id: intensity}`` mapping (or ``None``).

    Raises
    ------
    InputTypeError
        If it is not a mapping, a key is not an int (``bool`` included) or an
        intensity not a real number.
    ValueError
        If a point id is outside ``[0, n_acupoints)`` or an intensity is NaN/inf.
    """
    if acupoint_stimulus is None:
        return []
    if not isinstance(acupoint_stimulus, Mapping):
        raise InputTypeError("acupoint_stimulus must be a mapping {point_id: intensity}, got "
                             f"{type(acupoint_stimulus).__name__}")
    pairs = []
    for key, value in acupoint_stimulus.items():
        if isinstance(key, (bool, np.bool_)) or not isinstance(key, numbers.Integral):
            raise InputTypeError("acupoint_stimulus keys must be integer point ids, got "
                                 f"{type(key).__name__} {key!r}")
        if not 0 <= int(key) < n_acupoints:
            raise ValueError(f"acupoint_stimulus point id out of range: got {int(key)}, must be "
                             f"in [0, {n_acupoints})")
        x = real_scalar(value, "acupoint_stimulus intensities", "real numbers")
        if not math.isfinite(x):
            raise ValueError(f"acupoint_stimulus intensities must be finite, got {x!r} for "
                             f"point {int(key)}")
        pairs.append((int(key), x))
    return pairs


def stimulate_acupoints(activations: F64, stimulus: list[tuple[int, float]], dt: float,
                        decay: float) -> F64:
    """Checked acupoint update (see ``update_acupoints``)."""
    out = activations.copy()
    for point, x in stimulus:
        out[point] = clip01_scalar(float(out[point]) + x)
    result: F64 = out * (1.0 - decay * dt)
    return result


def update_acupoints(acupoint_activations: ArrayLike, dt: float, *, symbol_decay: float = 0.05,
                     acupoint_stimulus: Mapping[int, float] | None = None) -> npt.NDArray[np.float64]:
    """One step of the acupoints: stimulation, then decay.

    For each ``(point_id, intensity)`` of ``acupoint_stimulus`` in its order:
    ``a[point_id] = clip01(a[point_id] + intensity)``; then every
    ``a[i] = a[i] * (1.0 - symbol_decay * dt)``.

    Parameters
    ----------
    acupoint_activations : array_like
        The activation of each acupoint (index = point id): 1-D, non-empty, each
        finite and in ``[0, 1]``.
    dt : float
        Finite, ``> 0``, with ``symbol_decay * dt <= 1``.
    symbol_decay : float, default 0.05
        Decay rate, finite and ``>= 0``.
    acupoint_stimulus : mapping of int to float, optional
        ``{point_id: intensity}``: ids in ``[0, len(acupoint_activations))``,
        finite intensities (negative ones inhibit).

    Returns
    -------
    ndarray
        The new acupoint activations, ``float64`` of the same shape, each in ``[0, 1]``.

    Raises
    ------
    InputTypeError, ValueError
        On an argument outside the above (naming it), a ``point_id`` out of range
        included.
    """
    act = unit_values(acupoint_activations, "acupoint_activations")
    decay = check_rate(symbol_decay, "symbol_decay")
    step = check_dt(dt, symbol_decay=decay)
    stimulus = check_acupoint_stimulus(acupoint_stimulus, act.size)
    return stimulate_acupoints(act, stimulus, step, decay)


def acupoint_map(acupoint_activations: ArrayLike) -> dict[str, float]:
    """The activations of the named acupoints that exist among ``acupoint_activations``.

    Parameters
    ----------
    acupoint_activations : array_like
        The activations by point id, as for ``update_acupoints``.

    Returns
    -------
    dict of str to float
        ``{name: acupoint_activations[i]}`` for each ``(name, i)`` of
        ``ACUPOINT_INDICES`` (in its order) with ``i < len(acupoint_activations)``.

    Raises
    ------
    InputTypeError, ValueError
        If the activations are not as above.
    """
    act = unit_values(acupoint_activations, "acupoint_activations")
    return {name: float(act[i]) for name, i in ACUPOINT_INDICES.items() if i < act.size}


def check_meridian(meridian_id: object, intensity: object, n_meridians: int) -> tuple[int, float]:
    """A checked ``(meridian_id, intensity)``: id in ``[0, n_meridians)``, finite intensity."""
    index = check_int(meridian_id, "meridian_id")
    if not 0 <= index < n_meridians:
        raise ValueError(f"meridian_id must be in range [0, {n_meridians}), got {index}")
    return index, check_real(intensity, "intensity")
