"""The symbolic health (the weighted mean of the five metrics) and the glyph vector."""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import numpy.typing as npt
from numpy.typing import ArrayLike

from sc_neurocore._validation import InputTypeError, as_real_array, check_real

from .arith import F64

GLYPH_DIMENSIONS: Final = 6
"""Components of the glyph vector: Phi, Fibonacci, Metatron, Platonic, E8, health."""
GLYPH_GUARD: Final = 1e-8
"""Added to the largest glyph component before dividing by it."""
WEIGHT_NAMES: Final = ("phi_alignment_weight", "fibonacci_weight", "metatron_weight",
                       "platonic_weight", "e8_weight")
"""The health weights, in the order of the metrics they weigh."""
DEFAULT_WEIGHTS: Final = (0.25, 0.2, 0.2, 0.15, 0.2)
"""The reference's default health weights (their sum is exactly 1.0)."""
_WEIGHTS_RULE: Final = "weights must be finite, non-negative and sum to a finite value > 0"
_METRIC_NAMES: Final = ("phi_alignment", "fibonacci_alignment", "metatron_flow",
                        "platonic_coherence", "e8_alignment")


def check_weights(weights: tuple[object, ...]) -> tuple[float, ...]:
    """The five health weights, each finite and ``>= 0``, with a finite sum ``> 0``.

    The sum is taken left to right in ``WEIGHT_NAMES`` order; an overflow is
    blamed on the weight that makes it overflow, a zero sum on
    ``phi_alignment_weight``.

    Raises
    ------
    InputTypeError
        If a weight is not a real number.
    ValueError
        If one is NaN/inf or negative, or their sum is 0 or overflows (each
        message names a weight and says ``weights must ...``).
    """
    checked: list[float] = []
    total = 0.0
    for name, value in zip(WEIGHT_NAMES, weights, strict=True):
        try:
            w = check_real(value, name, minimum=0.0)
        except InputTypeError:
            raise
        except ValueError as exc:
            raise ValueError(f"{exc} ({_WEIGHTS_RULE})") from None
        total = w if not checked else total + w
        if not math.isfinite(total):
            raise ValueError(f"{name} makes the sum of the weights overflow ({_WEIGHTS_RULE}), "
                             f"got {w!r}")
        checked.append(w)
    if not total > 0.0:
        raise ValueError(f"{WEIGHT_NAMES[0]}: weights must sum to a value > 0, got "
                         f"{', '.join(map(repr, checked))}")
    return tuple(checked)


def health_of(metrics: tuple[float, ...], weights: tuple[float, ...]) -> float:
    """The weighted mean of checked metrics with checked weights (see ``symbolic_health``)."""
    t = weights[0] * metrics[0]
    total = weights[0]
    for m, w in zip(metrics[1:], weights[1:], strict=True):
        t += w * m
        total += w
    return min(1.0, t / total)


def symbolic_health(phi_alignment: float, fibonacci_alignment: float, metatron_flow: float,
                    platonic_coherence: float, e8_alignment: float, *,
                    phi_alignment_weight: float = 0.25, fibonacci_weight: float = 0.2,
                    metatron_weight: float = 0.2, platonic_weight: float = 0.15,
                    e8_weight: float = 0.2) -> float:
    """The symbolic health: the weighted mean of the five metrics.

    ``t = ((((w1 * m1) + (w2 * m2)) + (w3 * m3)) + (w4 * m4)) + (w5 * m5)``,
    ``W = (((w1 + w2) + w3) + w4) + w5``, health ``= min(1.0, t / W)``, with
    the metrics and weights in the order of the signature. With weights that
    sum to 1 (the defaults do, exactly) it is the weighted sum ``t``.

    Parameters
    ----------
    phi_alignment : float
        The Phi alignment, finite and in ``[0, 1]`` (as every metric).
    fibonacci_alignment : float
        The Fibonacci alignment.
    metatron_flow : float
        The Metatron flow.
    platonic_coherence : float
        The Platonic coherence.
    e8_alignment : float
        The E8 alignment.
    phi_alignment_weight : float, default 0.25
        Weight of the Phi alignment; the five weights are finite, ``>= 0``,
        with a finite sum ``> 0``.
    fibonacci_weight : float, default 0.2
        Weight of the Fibonacci alignment.
    metatron_weight : float, default 0.2
        Weight of the Metatron flow.
    platonic_weight : float, default 0.15
        Weight of the Platonic coherence.
    e8_weight : float, default 0.2
        Weight of the E8 alignment.

    Returns
    -------
    float
        The weighted mean of the five metrics, in ``[0, 1]``.

    Raises
    ------
    InputTypeError
        If an argument is not a real number.
    ValueError
        If a metric is NaN/inf or outside ``[0, 1]``, or the weights are not as above.
    """
    metrics = tuple(check_real(v, name, minimum=0.0, maximum=1.0) for name, v in zip(
        _METRIC_NAMES, (phi_alignment, fibonacci_alignment, metatron_flow, platonic_coherence,
                        e8_alignment), strict=True))
    weights = check_weights((phi_alignment_weight, fibonacci_weight, metatron_weight,
                             platonic_weight, e8_weight))
    return health_of(metrics, weights)


def normalize_glyph(glyph_vector: ArrayLike) -> npt.NDArray[np.float64]:
    """The glyph vector scaled by its largest component: ``g / (max(g) + 1e-8)``.

    Parameters
    ----------
    glyph_vector : array_like
        1-D, at least one value, each finite and ``>= 0``.

    Returns
    -------
    ndarray
        ``float64`` of the same shape, each in ``[0, 1)``; all zeros for a zero vector.

    Raises
    ------
    InputTypeError
        If the values are not real numbers.
    ValueError
        If the array is not 1-D, is empty, or holds a value that is NaN/inf or negative.
    """
    g = as_real_array(glyph_vector, "glyph_vector", (1,))
    if g.size == 0:
        raise ValueError("glyph_vector must hold at least one value, got 0")
    if np.any(g < 0.0):
        k = int(np.argmax(g < 0.0))
        raise ValueError(f"glyph_vector must be >= 0, got {g[k]!r} at index ({k},)")
    out: F64 = g / (float(np.max(g)) + GLYPH_GUARD)
    return out
