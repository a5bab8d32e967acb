"""The symbol ring: external drive, ring diffusion and decay, and the output bitstreams."""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
from numpy.typing import ArrayLike

from sc_neurocore._validation import c_contiguous, check_real_dtype
from sc_neurocore.splitmix import SplitMix64

from .arith import F64, clip01
from .checks import check_dt, check_rate, unit_values

SYMBOL_DRIVE_GAIN: Final = 0.2
"""External symbol input is scaled by this before it is added to the activations."""
_CHUNK_WORDS: Final = 1 << 20  # uniforms drawn at once while making bitstreams


def check_symbol_input(symbol_input: object, n_symbols: int) -> F64:
    """The first ``n_symbols`` values of ``symbol_input`` flattened in C order, checked finite.

    Raises
    ------
    InputTypeError
        If the values are not real numbers.
    ValueError
        If there are fewer than ``n_symbols`` of them or one of the first
        ``n_symbols`` is NaN/inf.
    """
    arr = np.asarray(symbol_input)
    check_real_dtype(arr.dtype, "symbol_input")
    values = arr.reshape(-1)
    if values.size < n_symbols:
        raise ValueError(f"symbol_input must contain at least n_symbols = {n_symbols} values, "
                         f"got {values.size}")
    used: F64 = c_contiguous(values[:n_symbols], np.float64)
    finite = np.isfinite(used)
    if not finite.all():
        k = int(np.argmin(finite))
        raise ValueError(f"symbol_input must contain only finite values (the first n_symbols), "
                         f"got {used[k]!r} at index ({k},)")
    return used


def add_drive(a: F64, x: F64) -> F64:
    """``clip01(a + 0.2 * x)`` of checked arrays."""
    return clip01(a + SYMBOL_DRIVE_GAIN * x)


def drive_symbols(symbol_activations: ArrayLike, symbol_input: ArrayLike) -> npt.NDArray[np.float64]:
    """External input added to the symbol activations: ``clip01(a + 0.2 * x)``.

    ``x`` is the first ``n`` values of ``symbol_input`` flattened in C order
    (``n`` the number of activations; more values are allowed and ignored).

    Parameters
    ----------
    symbol_activations : array_like
        1-D, at least 1 value, each finite and in ``[0, 1]``.
    symbol_input : array_like
        Real numbers, at least ``n`` of them, the first ``n`` finite.

    Returns
    -------
    ndarray
        ``float64`` of shape ``(n,)``, each in ``[0, 1]``.

    Raises
    ------
    InputTypeError, ValueError
        On an argument outside the above (naming it).
    """
    a = unit_values(symbol_activations, "symbol_activations")
    return add_drive(a, check_symbol_input(symbol_input, a.size))


def diffuse(a: F64, dt: float, decay: float, coupling: float) -> F64:
    """Checked ring diffusion and decay (see ``diffuse_symbols``)."""
    m = np.roll(a, 1) + np.roll(a, -1)
    out = a + (coupling * (m / 2.0 - a)) * dt
    out = out * (1.0 - decay * dt)
    return clip01(out)


def diffuse_symbols(symbol_activations: ArrayLike, dt: float, *, symbol_decay: float = 0.05,
                    symbol_coupling: float = 0.3) -> npt.NDArray[np.float64]:
    """One step of the symbol ring: diffusion to the two neighbours, decay, clip.

    Every ``i`` from the old ``a`` (indices mod ``n``):
    ``b[i] = a[i] + (symbol_coupling * ((a[i-1] + a[i+1]) / 2 - a[i])) * dt``,
    then ``b[i] = b[i] * (1.0 - symbol_decay * dt)``, then ``clip01``.

    Parameters
    ----------
    symbol_activations : array_like
        The activation of each symbol around the ring: 1-D, non-empty, each finite
        and in ``[0, 1]``.
    dt : float
        Finite, ``> 0``, with ``symbol_decay * dt <= 1`` and ``symbol_coupling * dt <= 1``.
    symbol_decay : float, default 0.05
        Decay rate, finite and ``>= 0``.
    symbol_coupling : float, default 0.3
        Diffusion rate, finite and ``>= 0``.

    Returns
    -------
    ndarray
        The new activations, ``float64`` of the same shape, each in ``[0, 1]``.

    Raises
    ------
    InputTypeError, ValueError
        On an argument outside the above (naming it).
    """
    a = unit_values(symbol_activations, "symbol_activations")
    decay = check_rate(symbol_decay, "symbol_decay")
    coupling = check_rate(symbol_coupling, "symbol_coupling")
    step = check_dt(dt, symbol_decay=decay, symbol_coupling=coupling)
    return diffuse(a, step, decay, coupling)


def bernoulli_bitstreams(probabilities: F64, length: int,
                         rng: SplitMix64) -> npt.NDArray[np.uint8]:
    """Bit ``t`` of stream ``i`` is ``1`` when uniform ``i * length + t`` of ``rng`` is
    ``< probabilities[i]`` (``n * length`` uniforms drawn in row-major order)."""
    n = probabilities.size
    bits = np.empty((n, length), dtype=np.uint8)
    rows = max(1, _CHUNK_WORDS // length)
    for start in range(0, n, rows):
        stop = min(n, start + rows)
        u = rng.uniforms((stop - start) * length).reshape(stop - start, length)
        bits[start:stop] = u < probabilities[start:stop, None]
    return bits
