"""SplitMix64: the one random generator the Python surfaces and their Rust mirrors share.

Every random number that both sides must reproduce (designed DNA sequences,
random state-space models, ...) comes from this generator, in the exact
consumption order written here and in ``docs/safety-mirrors.md`` ("Shared
randomness"). The Rust mirror's ``sc_neurocore_mirror::splitmix::SplitMix64``
is the same generator; ``parity/golden/splitmix.txt`` checks both against the
same golden vectors.

Definitions (all integer arithmetic mod 2**64):

* state: ``s`` starts at ``seed``; ``next_u64()`` does
  ``s += 0x9E3779B97F4A7C15; z = s; z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EB; return z ^ (z >> 31)``.
  (The first output of seed ``x`` therefore uses state ``x + 0x9E37...``; the
  same generator as parity/FORMAT.md's ``bench`` inputs, seed ``0x5C0DE``.)
* ``uniform()``: one ``next_u64()`` ``x``, returns ``(x >> 11) * 2**-53``, a
  double in ``[0, 1)`` (exact: every step is exact in IEEE-754).
* ``normal()``: two uniforms, ``u1`` first, then ``u2``; returns
  ``sqrt(-2.0 * log(1.0 - u1)) * cos(TAU * u2)`` with ``TAU = 2*pi`` as a
  double (6.283185307179586), each operation one IEEE-754 double operation in
  that order (``1.0 - u1`` is in ``(0, 1]``, so the log is finite). The second
  Box-Muller value (the ``sin`` one) is discarded: every ``normal()`` consumes
  exactly two ``next_u64()``. ``log`` and ``cos`` come from the platform's
  math library, which is not correctly rounded: compare normals within a
  relative tolerance (golden files declare ``rtol``), never bit for bit.
* ``below(bound)``: unbiased integer in ``[0, bound)`` for ``1 <= bound <
  2**64``, by rejection: ``limit = 2**64 - (2**64 mod bound)``; draw
  ``x = next_u64()`` until ``x < limit``; return ``x mod bound``. (A bound
  that divides ``2**64``, such as a power of two, never rejects.)
* array helpers: ``u64s(n)``, ``uniforms(n)``, ``normals(n)``,
  ``integers_below(n, bound)`` return exactly what ``n`` successive scalar
  calls would return, in order, and leave the generator in the same state.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from sc_neurocore._validation import check_int

__all__ = ["SplitMix64", "GAMMA", "TAU", "U64_LIMIT"]

GAMMA = 0x9E3779B97F4A7C15
"""The state increment (the golden ratio's 64-bit fraction)."""
TAU = 6.283185307179586
"""``2 * pi`` as a double: the Box-Muller angle factor."""
U64_LIMIT = 1 << 64
"""``2**64``: seeds and bounds are below it."""

_MASK = U64_LIMIT - 1
_MUL1 = 0xBF58476D1CE4E5B9
_MUL2 = 0x94D049BB133111EB
_UNIT = 2.0**-53


def _mix(z: int) -> int:
    """The output function of SplitMix64 on one state value (Python ints)."""
    z = ((z ^ (z >> 30)) * _MUL1) & _MASK
    z = ((z ^ (z >> 27)) * _MUL2) & _MASK
    return z ^ (z >> 31)


class SplitMix64:
    """The shared deterministic generator (see the module docstring for the exact rules).

    Parameters
    ----------
    seed : int
        The initial state, an int in ``[0, 2**64)`` (Python or NumPy integer;
        ``bool`` is refused).

    Raises
    ------
    TypeError
        If ``seed`` is not an integer.
    ValueError
        If ``seed`` is outside ``[0, 2**64)``.

    Examples
    --------
    >>> g = SplitMix64(1234567)
    >>> g.next_u64()
    6457827717110365317
    """

    __slots__ = ("_state",)

    def __init__(self, seed: int) -> None:
        self._state = check_int(seed, "seed", minimum=0, below=U64_LIMIT)

    @property
    def state(self) -> int:
        """The current state (the seed before the first draw)."""
        return self._state

    def __repr__(self) -> str:
        return f"SplitMix64(state={self._state:#018x})"

    # ---------------------------------------------------------------- scalar draws

    def next_u64(self) -> int:
        """The next 64 random bits, as a Python int in ``[0, 2**64)``."""
        self._state = (self._state + GAMMA) & _MASK
        return _mix(self._state)

    def uniform(self) -> float:
        """A double in ``[0, 1)``: ``(next_u64() >> 11) * 2**-53`` (one draw)."""
        return float(self.next_u64() >> 11) * _UNIT

    def normal(self) -> float:
        """A standard normal by Box-Muller (two draws: ``u1`` then ``u2``).

        Returns
        -------
        float
            ``sqrt(-2.0 * log(1.0 - u1)) * cos(TAU * u2)``; the ``sin`` partner
            is discarded.
        """
        u1 = self.uniform()
        u2 = self.uniform()
        return _box_muller(u1, u2)

    def below(self, bound: int) -> int:
        """An unbiased int in ``[0, bound)`` by rejection (one or more draws).

        Parameters
        ----------
        bound : int
            The exclusive upper end, in ``[1, 2**64)``.

        Raises
        ------
        TypeError, ValueError
            If ``bound`` is not an integer in ``[1, 2**64)``.
        """
        bound = check_int(bound, "bound", minimum=1, below=U64_LIMIT)
        return self._below(bound, U64_LIMIT - U64_LIMIT % bound)

    def _below(self, bound: int, limit: int) -> int:
        while True:
            x = self.next_u64()
            if x < limit:
                return x % bound

    # ---------------------------------------------------------------- array draws

    def u64s(self, n: int) -> npt.NDArray[np.uint64]:
        """``n`` successive [`next_u64`][sc_neurocore.splitmix.SplitMix64.next_u64] values as a
        ``uint64`` array.

        Parameters
        ----------
        n : int
            How many words, ``>= 0`` (one draw each).

        Raises
        ------
        TypeError, ValueError
            If ``n`` is not an int ``>= 0``.
        """
        n = check_int(n, "n", minimum=0)
        k = np.arange(1, n + 1, dtype=np.uint64)
        with np.errstate(over="ignore"):
            z = np.uint64(self._state) + k * np.uint64(GAMMA)
            z = (z ^ (z >> np.uint64(30))) * np.uint64(_MUL1)
            z = (z ^ (z >> np.uint64(27))) * np.uint64(_MUL2)
        self._state = (self._state + n * GAMMA) & _MASK
        out: npt.NDArray[np.uint64] = z ^ (z >> np.uint64(31))
        return out

    def uniforms(self, n: int) -> npt.NDArray[np.float64]:
        """``n`` successive [`uniform`][sc_neurocore.splitmix.SplitMix64.uniform] values as a
        ``float64`` array.

        Parameters
        ----------
        n : int
            How many doubles, ``>= 0`` (as for ``u64s``).
        """
        words = self.u64s(n)
        out: npt.NDArray[np.float64] = (words >> np.uint64(11)).astype(np.float64) * _UNIT
        return out

    def normals(self, n: int) -> npt.NDArray[np.float64]:
        """``n`` successive [`normal`][sc_neurocore.splitmix.SplitMix64.normal] values (``2 n``
        draws) as a ``float64`` array.

        The math-library calls are the scalar ones of
        [`normal`][sc_neurocore.splitmix.SplitMix64.normal] (not NumPy's vectorised
        ``log``/``cos``), so this equals ``n`` calls of
        [`normal`][sc_neurocore.splitmix.SplitMix64.normal] bit for bit.

        Parameters
        ----------
        n : int
            How many values, ``>= 0``.
        """
        n = check_int(n, "n", minimum=0)
        u = self.uniforms(2 * n).tolist()
        return np.array([_box_muller(u[2 * k], u[2 * k + 1]) for k in range(n)],
                        dtype=np.float64)

    def integers_below(self, n: int, bound: int) -> npt.NDArray[np.uint64]:
        """``n`` successive [`below`][sc_neurocore.splitmix.SplitMix64.below] values as a
        ``uint64`` array.

        Parameters
        ----------
        n : int
            How many values, ``>= 0``.
        bound : int
            The exclusive upper bound, in ``[1, 2**64)``.

        Raises
        ------
        TypeError, ValueError
            If ``n`` is not an int ``>= 0`` or ``bound`` not an int in ``[1, 2**64)``.
        """
        n = check_int(n, "n", minimum=0)
        bound = check_int(bound, "bound", minimum=1, below=U64_LIMIT)
        limit = U64_LIMIT - U64_LIMIT % bound
        return np.array([self._below(bound, limit) for _ in range(n)], dtype=np.uint64)


def _box_muller(u1: float, u2: float) -> float:
    return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(TAU * u2)
