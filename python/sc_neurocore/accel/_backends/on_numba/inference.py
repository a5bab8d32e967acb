"""``sc_forward`` on Numba ([design: forward pass][forward-pass]): encode and AND-popcount in one parallel region."""

from __future__ import annotations

import numpy as np

from sc_neurocore._validation import ForwardArgs

from ..._encoder import encoder_operands
from .. import on_numpy as numpy_backend
from ..base import KernelBackend, counts_to_rates
from . import runtime, scheduling
from .prepared import prepared_counts

if runtime.HAS_NUMBA:
    from . import kernels

__all__ = ["NumbaBackend", "forward", "forward_counts"]


def forward_counts(args: ForwardArgs) -> np.ndarray:
    """Encode the inputs, then AND-popcount them with the weights: ``int64 (batch, n_out)``.

    One parallel region (``kernels.forward_kernel``).  Only the packed input
    words (``n_in * batch * n_words``, small) are materialised; neither
    unpacked bits nor any weight-sized product exist.
    """
    operands = encoder_operands(args.probs, args.length, args.seed, generator=args.generator)
    n_out, n_in, n_words = args.weights.shape
    batch = operands.thresholds.shape[0]
    enc = np.empty((n_in, batch, n_words), dtype=np.uint64)
    counts = np.empty((batch, n_out), dtype=np.int64)
    per_input = batch * n_words
    per_row = n_in * n_words * batch
    enc_chunk = scheduling.chunk_size(n_in, 8 * per_input)
    row_chunk = scheduling.chunk_size(n_out, per_row)
    enc_n, row_n = -(-n_in // enc_chunk), -(-n_out // row_chunk)
    threads = scheduling.threads_for(n_out * per_row + 8 * n_in * per_input, row_n)
    enc_claims, row_claims = (np.zeros(1 + threads, dtype=np.int64) for _ in range(2))
    enc_done, row_done = np.zeros(enc_n, dtype=np.int64), np.zeros(row_n, dtype=np.int64)

    def run(takeover: bool, stop: np.ndarray, cursor: np.ndarray, budget: int) -> bool:
        finished: bool = kernels.forward_kernel(
            enc_claims, enc_done, row_claims, row_done, takeover, stop, cursor, budget,
            operands.cycle, operands.start, operands.mask, operands.thresholds, args.length, enc,
            enc_chunk, args.weights, counts, row_chunk)
        return finished

    scheduling.run_region(run, threads)
    return counts


class NumbaBackend(KernelBackend):
    """SC forward pass compiled by Numba: encode, AND and popcount in one kernel.

    Bit-identical to [`sc_forward_numpy`][sc_neurocore.accel.sc_inference.sc_forward_numpy].
    """

    name = "numba"
    extra = "numba"

    @classmethod
    def unavailable_reason(cls) -> str | None:
        return None if runtime.HAS_NUMBA else runtime.NUMBA.reason()

    def _forward(self, args: ForwardArgs) -> np.ndarray:
        return forward(args)

    def prepared_counts(self, k: np.ndarray, states: np.ndarray,
                        thresholds: np.ndarray) -> np.ndarray:
        return prepared_counts(k, states, thresholds)


def forward(args: ForwardArgs) -> np.ndarray:
    """``sc_forward`` on validated arguments: ``float64 (batch, n_out)`` (NumPy without Numba)."""
    if not runtime.HAS_NUMBA:
        return numpy_backend.forward(args)
    return counts_to_rates(forward_counts(args), args.length)
