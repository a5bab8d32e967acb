"""``GF4ErrorCorrection``: a single-error-correcting linear code over GF(4) for DNA.

Nucleotides are GF(4) symbols, ``A, C, G, T = 0, 1, w, w^2`` (``w^2 = w + 1``): addition is
XOR of the 2-bit codes, multiplication the field's. A block of ``m <= block_size`` data
symbols ``d`` gets ``r = n_parity`` parity symbols ``p_i = sum_j H[i][j] d_j``, so the
codeword ``d p`` satisfies ``[H | I] (d p) = 0``. Column ``j`` of ``H`` is the ``j``-th
vector of ``GF(4)^r`` (counting ``v = 1, 2, ...`` with coordinate ``i`` the base-4 digit
``(v >> 2 i) & 3``) whose last non-zero coordinate is 1 and that is not a unit vector. The
columns of ``[H | I]`` are pairwise independent, so the minimum distance is 3: this is a
shortened quaternary Hamming code, which corrects any one substituted nucleotide per
block and detects many double substitutions (a syndrome no single error explains).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from sc_neurocore._readonly import read_only
from sc_neurocore._validation import check_int

from ._checks import check_sequence

__all__ = ["GF4ErrorCorrection", "GF4_MUL", "GF4_INV", "MAX_PARITY"]

GF4_MUL = ((0, 0, 0, 0), (0, 1, 2, 3), (0, 2, 3, 1), (0, 3, 1, 2))
"""GF(4) multiplication table on the codes ``0, 1, w, w^2 = 0, 1, 2, 3``."""
GF4_INV = (0, 1, 3, 2)
"""GF(4) inverses (index 0 unused)."""
MAX_PARITY = 8
"""Most parity symbols per block."""
_BASES = "ACGT"


def _columns(r: int, count: int) -> list[tuple[int, ...]]:
    out: list[tuple[int, ...]] = []
    v = 1
    while len(out) < count:
        coords = tuple((v >> (2 * i)) & 3 for i in range(r))
        nonzero = [c for c in coords if c]
        if nonzero[-1] == 1 and len(nonzero) > 1:
            out.append(coords)
        v += 1
    return out


class GF4ErrorCorrection:
    """Single-error-correcting GF(4) block code for DNA sequences (see the module docstring
    of ``sc_neurocore.bridges._dna.coding``).

    Parameters
    ----------
    n_parity : int, optional
        Parity nucleotides per block, in ``[2, 8]`` (default 4).
    block_size : int, optional
        Data nucleotides per block, in ``[1, (4**n_parity - 1) / 3 - n_parity]`` (default 12;
        at most 81 with 4 parity symbols).

    Attributes
    ----------
    n_parity : int
        Parity symbols per block (read-only).
    block_size : int
        Data symbols per block (read-only).

    Raises
    ------
    TypeError, ValueError
        For an argument of the wrong type or out of range.

    Examples
    --------
    >>> code = GF4ErrorCorrection()
    >>> word = code.encode("ACGTACGTAC")
    >>> bad = word[:3] + ("A" if word[3] != "A" else "C") + word[4:]
    >>> code.decode(bad)
    ('ACGTACGTAC', 1)
    """

    NUC_TO_GF4: Mapping[str, int] = MappingProxyType({"A": 0, "C": 1, "G": 2, "T": 3})
    """Nucleotide -> GF(4) symbol code."""
    GF4_TO_NUC: Mapping[int, str] = MappingProxyType({0: "A", 1: "C", 2: "G", 3: "T"})
    """GF(4) symbol code -> nucleotide."""

    def __init__(self, n_parity: int = 4, block_size: int = 12) -> None:
        self._r = check_int(n_parity, "n_parity", minimum=2, below=MAX_PARITY + 1)
        self._m = check_int(block_size, "block_size", minimum=1,
                            below=self.max_block_size(self._r) + 1)
        self._columns = _columns(self._r, self._m)
        self._column_of = {c: j for j, c in enumerate(self._columns)}

    @staticmethod
    def max_block_size(n_parity: int) -> int:
        """Largest ``block_size`` for ``n_parity`` parity symbols: ``(4**r - 1) / 3 - r``.

        Parameters
        ----------
        n_parity : int
            In ``[2, 8]``.

        Returns
        -------
        int
        """
        r = check_int(n_parity, "n_parity", minimum=2, below=MAX_PARITY + 1)
        return int((4**r - 1) // 3 - r)

    n_parity: int = read_only("_r")
    block_size: int = read_only("_m")

    @property
    def parity_check_matrix(self) -> npt.NDArray[np.uint8]:
        """``[H | I]``, shape ``(n_parity, block_size + n_parity)``, symbol codes."""
        h = np.array(self._columns, dtype=np.uint8).T.reshape(self._r, self._m)
        return np.hstack([h, np.eye(self._r, dtype=np.uint8)])

    def _parity(self, data: list[int]) -> list[int]:
        parity = [0] * self._r
        for j, symbol in enumerate(data):
            for i, h in enumerate(self._columns[j]):
                parity[i] ^= GF4_MUL[h][symbol]
        return parity

    def encode(self, sequence: str) -> str:
        """Append parity to every block of ``block_size`` nucleotides (the last may be
        shorter).

        Parameters
        ----------
        sequence : str
            ACGT (either case); may be empty.

        Returns
        -------
        str
            Upper-case; each block followed by its ``n_parity`` parity nucleotides.

        Raises
        ------
        TypeError, ValueError
            If ``sequence`` is not ACGT text.
        """
        seq = check_sequence(sequence, allow_empty=True)
        out = []
        for start in range(0, len(seq), self._m):
            block = seq[start:start + self._m]
            parity = self._parity([self.NUC_TO_GF4[b] for b in block])
            out.append(block + "".join(_BASES[p] for p in parity))
        return "".join(out)

    def decode(self, encoded_sequence: str) -> tuple[str, int]:
        """Check every block, correct single substitutions and strip the parity.

        Parameters
        ----------
        encoded_sequence : str
            Output of ``encode`` (either case), possibly with substitutions.

        Returns
        -------
        tuple of (str, int)
            The data, and the number of blocks in which one substitution was corrected
            (in the data or in the parity).

        Raises
        ------
        TypeError, ValueError
            If the text is not ACGT, its last block holds no data symbol, or a block has
            an error no single substitution explains (naming the block).
        """
        seq = check_sequence(encoded_sequence, "encoded_sequence", allow_empty=True)
        total = self._m + self._r
        data_out = []
        corrections = 0
        for k, start in enumerate(range(0, len(seq), total)):
            block = seq[start:start + total]
            m = len(block) - self._r
            if m < 1:
                raise ValueError(f"encoded_sequence ends with a truncated block of {len(block)} "
                                 f"nt (a block holds at least 1 + {self._r} nt)")
            data = [self.NUC_TO_GF4[b] for b in block[:m]]
            syndrome = [p ^ q for p, q in zip(self._parity(data),
                                                (self.NUC_TO_GF4[b] for b in block[m:]))]
            nonzero = [i for i, s in enumerate(syndrome) if s]
            if nonzero:
                corrections += 1
                if len(nonzero) > 1:
                    e = syndrome[nonzero[-1]]
                    scaled = tuple(GF4_MUL[GF4_INV[e]][s] for s in syndrome)
                    j = self._column_of.get(scaled)
                    if j is None or j >= m:
                        last = start + len(block) - 1
                        raise ValueError(f"encoded_sequence block {k} (nt {start}..{last}) has "
                                         "an error no single substitution explains")
                    data[j] ^= e
            data_out.append("".join(_BASES[s] for s in data))
        return "".join(data_out), corrections
