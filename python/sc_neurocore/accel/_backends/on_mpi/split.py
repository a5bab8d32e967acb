"""How rows are split across ranks: counts, each rank's block, and which axis to split."""

from __future__ import annotations

import math
from collections.abc import Sequence

from sc_neurocore._validation import check_int

__all__ = ["block_range", "choose_split", "displacements", "split_counts"]


def split_counts(n: int, size: int) -> list[int]:
    """Rows per rank when ``n`` rows are split across ``size`` ranks.

    Counts differ by at most one and the low ranks get the extra rows:
    ``split_counts(7, 3) == [3, 2, 2]``.

    Parameters
    ----------
    n : int
        Number of rows (>= 0).
    size : int
        Number of ranks (>= 1).

    Returns
    -------
    list of int
        ``size`` counts summing to ``n``.

    Raises
    ------
    ValueError
        If ``n < 0`` or ``size < 1``.
    """
    n = check_int(n, "n", minimum=0)
    size = check_int(size, "size", minimum=1)
    base, extra = divmod(n, size)
    return [base + (1 if r < extra else 0) for r in range(size)]


def block_range(n: int, size: int, rank: int) -> tuple[int, int]:
    """The rows rank ``rank`` owns when ``n`` rows are split across ``size`` ranks.

    The split of [`split_counts`][sc_neurocore.accel.mpi_driver.split_counts];
    use it to load each rank's own block of weight rows for
    [`mpi_sc_forward_sharded`][sc_neurocore.accel.mpi_driver.mpi_sc_forward_sharded].

    Parameters
    ----------
    n : int
        Rows of the whole matrix (>= 0).
    size : int
        Ranks sharing them (>= 1).
    rank : int
        This rank, in ``[0, size)``.

    Returns
    -------
    tuple of int
        ``(start, stop)``: rows ``start`` to ``stop - 1``.

    Raises
    ------
    ValueError
        If ``rank`` is not in ``[0, size)`` (or ``n``/``size`` are invalid).
    """
    counts = split_counts(n, size)
    rank = check_int(rank, "rank", minimum=0, below=size)
    start = sum(counts[:rank])
    return start, start + counts[rank]


def displacements(counts: Sequence[int]) -> list[int]:
    out, total = [], 0
    for c in counts:
        out.append(total)
        total += c
    return out


def choose_split(n_out: int, batch: int, size: int) -> str:
    """Which axis ``mpi_sc_forward`` splits across ``size`` ranks.

    ``"rows"`` splits the weight rows (every rank gets all inputs); ``"batch"``
    splits the batch (every rank gets all weights).  The batch is chosen only
    when it gives a strictly smaller largest per-rank share of
    ``rows x inputs`` work, e.g. few outputs and a large batch.  Note the cost
    difference in communication: a row split sends each rank ``1/size`` of the
    weights, a batch split broadcasts all of them.

    Parameters
    ----------
    n_out : int
        Rows of the weights (outputs).
    batch : int
        Rows of the input.
    size : int
        Number of ranks.

    Returns
    -------
    str
        ``"rows"`` or ``"batch"``.
    """
    rows_load = math.ceil(n_out / size) * batch
    batch_load = math.ceil(batch / size) * n_out
    return "batch" if batch > 1 and batch_load < rows_load else "rows"
