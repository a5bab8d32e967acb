"""Deterministic constrained sequence design on the shared SplitMix64 generator.

Draw order (docs/safety-mirrors.md, "Consumption order"): a ``SequenceDesigner`` owns one
``SplitMix64(seed)``; nothing else draws from it. ``generate(length)`` draws candidates one
after the other, each nucleotide by one ``below(m)`` call, where ``m`` is the number of
nucleotides still allowed at that position (in ``A, C, G, T`` order):

* the base that would extend a run past ``max_homopolymer`` is not allowed;
* G and C are not allowed once the GC count has reached ``k_max``, A and T not while the
  GC count plus the positions left after this one is below ``k_min`` (``k_min``/``k_max``:
  the smallest/largest GC count ``k`` with ``k / length`` inside ``gc_target``).

So every candidate meets the GC and homopolymer rules by construction (and at least one
base is always allowed). A candidate is accepted when its *worst similarity*, the largest
fraction of equal positions (``matches / length``, one division) between it and its own
reverse complement, each earlier sequence of the same length of this designer, and their
reverse complements, is at most ``max_similarity``. After
``max_tries`` candidates without one, the candidate with the lowest worst similarity (the
first such) is returned and ``shortfalls`` counts the call: orthogonality is best effort,
the GC and run rules are not. Refused arguments draw nothing.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from sc_neurocore._readonly import read_only
from sc_neurocore._validation import check_int, check_real, check_text
from sc_neurocore.splitmix import U64_LIMIT, SplitMix64

from ._checks import check_gc_target, check_sequence
from .constants import RECOGNITION_LENGTH, TOEHOLD_LENGTH
from .sequences import BASES, revcomp

__all__ = ["SequenceDesigner", "MAX_DESIGN_LENGTH", "MAX_TRIES_LIMIT", "DEFAULT_MAX_SIMILARITY",
           "DEFAULT_MAX_TRIES", "gc_bounds"]

MAX_DESIGN_LENGTH = 1000
"""Longest sequence ``generate`` designs (nt)."""
MAX_TRIES_LIMIT = 100_000
"""Largest ``max_tries``."""
DEFAULT_MAX_SIMILARITY = 0.75
"""Default orthogonality bound."""
DEFAULT_MAX_TRIES = 200
"""Default candidates per call (the reference's attempt count)."""


def gc_bounds(length: int, gc_target: tuple[float, float]) -> tuple[int, int] | None:
    """(smallest, largest) GC count ``k`` in ``0..length`` with ``low <= k / length <= high``
    (one division each), or ``None`` when no count fits."""
    low, high = gc_target
    fits = [k for k in range(length + 1) if low <= k / length <= high]
    return (fits[0], fits[-1]) if fits else None


class _Library:
    """Earlier sequences and their reverse complements, as code rows grouped by length."""

    def __init__(self) -> None:
        self._rows: dict[int, list[npt.NDArray[np.uint8]]] = {}
        self._stacked: dict[int, npt.NDArray[np.uint8]] = {}

    def add(self, code: npt.NDArray[np.uint8]) -> None:
        rows = self._rows.setdefault(len(code), [])
        rows.append(code)
        rows.append((3 - code)[::-1].copy())
        self._stacked.pop(len(code), None)

    def most_matches(self, code: npt.NDArray[np.uint8]) -> int:
        """Most equal positions between ``code`` and a row of its length (0 if none)."""
        rows = self._rows.get(len(code))
        if not rows:
            return 0
        stack = self._stacked.get(len(code))
        if stack is None:
            stack = self._stacked[len(code)] = np.stack(rows)
        return int((stack == code).sum(axis=1).max())


class SequenceDesigner:
    """Deterministic DNA sequence generator with constraint satisfaction.

    See the module docstring of ``sc_neurocore.bridges._dna.design`` (and
    docs/safety-mirrors.md) for the exact draw order; designs depend only on ``seed`` and
    the order of the calls.

    Parameters
    ----------
    seed : int, optional
        Seed of the designer's own SplitMix64, in ``[0, 2**64)`` (default 42).
    gc_target : (float, float), optional
        Inclusive GC-fraction range, ``0 <= low <= high <= 1`` (default (0.40, 0.60)).
    max_homopolymer : int, optional
        Longest run of one nucleotide, ``>= 1`` (default 3).
    max_similarity : float, optional
        Orthogonality bound in ``(0, 1]`` (default 0.75).
    max_tries : int, optional
        Candidates per call before the best one is taken, in ``[1, 100000]`` (default 200).

    Attributes
    ----------
    gc_target : (float, float)
        The inclusive GC-fraction range (read-only).
    max_homopolymer : int
        The longest allowed run of one nucleotide (read-only).
    max_similarity : float
        The orthogonality bound (read-only).
    max_tries : int
        Candidates per call before the best one is taken (read-only).
    shortfalls : int
        How many calls returned a best-effort sequence (orthogonality not met; read-only).
    rng_state : int
        The generator's state (the seed before the first draw; read-only).

    Raises
    ------
    TypeError, ValueError
        For an argument of the wrong type or out of range (naming it).

    Examples
    --------
    >>> d = SequenceDesigner(seed=7)
    >>> toehold = d.generate_toehold("x")
    >>> len(toehold), d.generate_complement("AACG")
    (6, 'CGTT')
    """

    def __init__(self, seed: int = 42, gc_target: tuple[float, float] = (0.40, 0.60),
                 max_homopolymer: int = 3, *, max_similarity: float = 0.75,
                 max_tries: int = 200) -> None:
        self._rng = SplitMix64(check_int(seed, "seed", minimum=0, below=U64_LIMIT))
        self._gc_target = check_gc_target(gc_target)
        self._max_homopolymer = check_int(max_homopolymer, "max_homopolymer", minimum=1)
        self._max_similarity = check_real(max_similarity, "max_similarity", positive=True,
                                          maximum=1.0)
        self._max_tries = check_int(max_tries, "max_tries", minimum=1,
                                    below=MAX_TRIES_LIMIT + 1)
        self._designed: list[tuple[str, str]] = []
        self._library = _Library()
        self._shortfalls = 0

    gc_target: tuple[float, float] = read_only("_gc_target")
    max_homopolymer: int = read_only("_max_homopolymer")
    max_similarity: float = read_only("_max_similarity")
    max_tries: int = read_only("_max_tries")
    shortfalls: int = read_only("_shortfalls")
    rng_state: int = read_only("_rng.state")

    @property
    def designed(self) -> list[tuple[str, str]]:
        """Every ``(name, sequence)`` generated so far, in order (a copy)."""
        return list(self._designed)

    def _candidate(self, length: int, k_min: int, k_max: int) -> npt.NDArray[np.uint8]:
        out = np.empty(length, dtype=np.uint8)
        gc = 0
        run = 0
        for i in range(length):
            rest = length - i - 1
            allowed = []
            for code in range(4):
                is_gc = code in (1, 2)
                if run == self._max_homopolymer and i > 0 and code == out[i - 1]:
                    continue
                if is_gc and gc + 1 > k_max:
                    continue
                if not is_gc and gc + rest < k_min:
                    continue
                allowed.append(code)
            code = allowed[self._rng.below(len(allowed))]
            run = run + 1 if i > 0 and code == out[i - 1] else 1
            gc += code in (1, 2)
            out[i] = code
        return out

    def generate(self, length: int, name: str = "seq") -> str:
        """Design one sequence and remember it for the orthogonality of later ones.

        Parameters
        ----------
        length : int
            In ``[1, 1000]``, with some GC count ``k`` in ``0..length`` such that
            ``k / length`` is inside ``gc_target``.
        name : str, optional
            A non-empty label kept in ``designed`` (names may repeat; it does not seed).

        Returns
        -------
        str
            Upper-case ACGT that meets the GC and homopolymer rules.

        Raises
        ------
        TypeError, ValueError
            For a bad ``length`` or ``name``, or a length no GC count fits (no draw).
        """
        length = check_int(length, "length", minimum=1, below=MAX_DESIGN_LENGTH + 1)
        name = check_text(name, "name")
        bounds = gc_bounds(length, self._gc_target)
        if bounds is None:
            raise ValueError(f"length {length} admits no GC count k with k / {length} inside "
                             f"gc_target {self._gc_target}")
        best: tuple[float, npt.NDArray[np.uint8]] | None = None
        accepted = None
        for _ in range(self._max_tries):
            code = self._candidate(length, *bounds)
            self_matches = int((code == (3 - code)[::-1]).sum())
            matches = max(self_matches, self._library.most_matches(code))
            worst = matches / length
            if worst <= self._max_similarity:
                accepted = code
                break
            if best is None or worst < best[0]:
                best = (worst, code)
        if accepted is None:
            assert best is not None
            accepted = best[1]
            self._shortfalls += 1
        self._library.add(accepted)
        sequence = "".join(BASES[c] for c in accepted.tolist())
        self._designed.append((name, sequence))
        return sequence

    def generate_complement(self, sequence: str) -> str:
        """The Watson-Crick partner of ``sequence``, read 5' -> 3' (its reverse complement).

        Parameters
        ----------
        sequence : str
            The strand to pair, non-empty ACGT (either case).

        Returns
        -------
        str
            The reverse complement, upper case.

        Raises
        ------
        TypeError, ValueError
            If ``sequence`` is not a non-empty ACGT string.
        """
        return revcomp(check_sequence(sequence))

    def generate_toehold(self, name: str = "toehold") -> str:
        """``generate(6, name)``: a toehold domain.

        Parameters
        ----------
        name : str, optional
            Label (default ``"toehold"``).

        Returns
        -------
        str
            A domain of ``TOEHOLD_LENGTH`` nt.
        """
        return self.generate(TOEHOLD_LENGTH, name)

    def generate_recognition(self, name: str = "recog") -> str:
        """``generate(15, name)``: a recognition (branch-migration) domain.

        Parameters
        ----------
        name : str, optional
            The label it is recorded under (default ``"recog"``).

        Returns
        -------
        str
            The domain (``RECOGNITION_LENGTH`` nt).
        """
        return self.generate(RECOGNITION_LENGTH, name)
