"""Sequence functions: reverse complement, GC count, runs, complementary stretches.

Every function takes validated upper-case ACGT text; the public ones validate first.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ._checks import check_sequence

__all__ = ["reverse_complement", "revcomp", "gc_count", "longest_run", "codes",
           "longest_common_substring"]

_COMPLEMENT = str.maketrans("ACGT", "TGCA")
_TO_CODE = str.maketrans("ACGT", "0123")
BASES = "ACGT"


def revcomp(seq: str) -> str:
    """The reverse complement of checked upper-case ACGT text."""
    return seq.translate(_COMPLEMENT)[::-1]


def gc_count(seq: str) -> int:
    """Number of G and C in checked text."""
    return seq.count("G") + seq.count("C")


def longest_run(seq: str) -> int:
    """Length of the longest run of one nucleotide (0 for empty text)."""
    best = run = 0
    previous = ""
    for base in seq:
        run = run + 1 if base == previous else 1
        previous = base
        if run > best:
            best = run
    return best


def codes(seq: str) -> npt.NDArray[np.uint8]:
    """``A, C, G, T -> 0, 1, 2, 3`` as a ``uint8`` array."""
    return np.frombuffer(seq.translate(_TO_CODE).encode("ascii"), dtype=np.uint8) - ord("0")


def longest_common_substring(a: str, b: str) -> int:
    """Length of the longest common contiguous substring of two texts (0 if either is empty)."""
    best = 0
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0] * (len(b) + 1)
        for j, y in enumerate(b):
            if x == y:
                run = previous[j] + 1
                current[j + 1] = run
                if run > best:
                    best = run
        previous = current
    return best


def reverse_complement(sequence: str) -> str:
    """The complementary strand read 5' -> 3' (A<->T, C<->G, reversed).

    Parameters
    ----------
    sequence : str
        A DNA sequence, 5' -> 3', A/C/G/T in either case.

    Returns
    -------
    str
        Upper-case, the same length.

    Raises
    ------
    TypeError, ValueError
        If ``sequence`` is not a non-empty ACGT string.
    """
    return revcomp(check_sequence(sequence))
