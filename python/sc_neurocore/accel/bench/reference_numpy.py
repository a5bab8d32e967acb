"""The reference release's NumPy ``sc_forward``, modelled as a timing baseline.

The NumPy backend is the floor every user without a compiler gets; the study
compares it, in the same run, with the NumPy path of the reference release
(the public repository ``anulum/sc-neurocore``).  That path is not a
dependency, so this module re-implements its algorithm for timing only.
"""

from __future__ import annotations

import numpy as np

from sc_neurocore._validation import validate_forward

from ..lfsr import DEFAULT_SEED

__all__ = ["reference_numpy_sc_forward", "REFERENCE_SOURCE"]

# Where the modelled algorithm comes from (the files read, at the commits read).
REFERENCE_SOURCE = (
    "anulum/sc-neurocore: src/sc_neurocore/accel/backend.py (NumpyBackend.sc_forward, "
    "commit 4a76d05) -> src/sc_neurocore/accel/sc_inference.py (sc_forward_numpy, "
    "_lfsr_encode_bits, commit bbc3d49) -> src/sc_neurocore/accel/vector_ops.py "
    "(pack_bitstream, commit 0a47543)")

def reference_numpy_sc_forward(weights_packed: np.ndarray, input_probs: object, *,
                               length: int, seed: int = DEFAULT_SEED) -> np.ndarray:
    """The reference release's NumPy ``sc_forward`` algorithm (a timing baseline).

    What it models: the reference release's ``NumpyBackend.sc_forward``
    (``src/sc_neurocore/accel/backend.py``), which calls ``sc_forward_numpy``
    in ``src/sc_neurocore/accel/sc_inference.py``, which packs with
    ``pack_bitstream`` from ``src/sc_neurocore/accel/vector_ops.py`` (public
    repository ``anulum/sc-neurocore``; see ``REFERENCE_SOURCE`` for the
    commits read).  This is our own code for the same data flow with the same
    class of NumPy operations, step for step:

    1. **Encode** with a Python loop over the ``length`` time steps: at each
       step one vectorised comparison of all ``n_in`` 16-bit LFSR registers
       (``uint32`` arrays) with the quantised thresholds (``rint(p * 65536)``
       clipped to ``[0, 65536]``) fills one column of an ``(n_in, length)``
       ``uint8`` bit matrix, then every register advances with four shifts,
       three XORs and a mask.
    2. **Pack** with a Python loop over the ``n_in`` inputs: each stream,
       zero-padded to a multiple of 64 bits, is reshaped to ``(n_words, 64)``,
       multiplied by the 64 place values ``2**q`` (``uint64``, built per
       stream) and summed along the bit axis; the packed rows are stacked
       into ``(n_in, n_words)``.
    3. **Multiply-accumulate** in three whole-array steps: one broadcast AND
       of the full ``(n_out, n_in, n_words)`` weight tensor with the packed
       inputs (a weight-sized temporary), ``numpy.bitwise_count`` of that
       whole product (a second temporary), and a sum over the last two axes
       in ``int64``; then ``counts / length``.

    Its result is bit-identical to
    [`sc_neurocore.accel.sc_forward_numpy`][sc_neurocore.accel.sc_inference.sc_forward_numpy]
    (same encoder, same packing, exact integer counts, one division); the study checks that on
    every call it times.

    Parameters
    ----------
    weights_packed : ndarray
        ``uint64`` ``(n_out, n_in, n_words)``, ``n_words = ceil(length / 64)``.
    input_probs : array_like
        ``float64`` ``(n_in,)`` in ``[0, 1]`` (the reference path takes one
        input vector; batches are not modelled).
    length : int
        Stream length in bits.
    seed : int, default 44257
        Encoder seed; input ``i`` starts at register ``(seed + i) mod 65536``
        (0 replaced by 1).

    Returns
    -------
    ndarray
        ``float64`` ``(n_out,)``.

    Raises
    ------
    TypeError, ValueError
        On inputs that break [design: errors][errors], or a 2-D ``input_probs``.
    """
    args = validate_forward(weights_packed, input_probs, length, seed)
    if args.batched:
        raise ValueError("input_probs must be 1-D (n_in,) for the reference NumPy path, "
                         f"got shape {args.probs.shape}")
    weights, probs = args.weights, args.probs[0]
    n_in, n_words = weights.shape[1], weights.shape[2]

    # 1. Encode: one time step per Python iteration, all inputs at once (a
    #    uint8 copy of each comparison and a uint32 copy of each new register
    #    state, as the modelled loop makes).
    thresholds = np.clip(np.rint(probs * 65536.0), 0, 65536).astype(np.int64)
    registers = ((np.uint32(args.seed % 2**32) + np.arange(n_in, dtype=np.uint32))
                 & np.uint32(0xFFFF))
    registers[registers == 0] = 1
    registers = registers.astype(np.uint32)
    bits = np.empty((n_in, args.length), dtype=np.uint8)
    one, mask = np.uint32(1), np.uint32(0xFFFF)
    for t in range(args.length):
        bits[:, t] = (registers < thresholds).astype(np.uint8)
        feedback = ((registers >> 15) ^ (registers >> 13) ^ (registers >> 12)
                    ^ (registers >> 10)) & one
        registers = (((registers << one) | feedback) & mask).astype(np.uint32)

    # 2. Pack: one input stream per Python iteration (padded when the length
    #    is not a multiple of 64, place values built per call, as the modelled
    #    packing function does), stacked and converted at the end.
    pad = n_words * 64 - args.length
    words = []
    for i in range(n_in):
        stream = np.asarray(bits[i], dtype=np.uint8)
        if pad:
            stream = np.concatenate([stream, np.zeros(pad, dtype=np.uint8)])
        place_values = np.left_shift(np.uint64(1), np.arange(64, dtype=np.uint64))
        words.append((stream.reshape(-1, 64) * place_values).sum(axis=1, dtype=np.uint64))
    packed_inputs = np.stack(words).astype(np.uint64)

    # 3. Multiply-accumulate over the whole weight tensor at once.
    product = weights & packed_inputs[np.newaxis, :, :]
    counts = np.bitwise_count(product).sum(axis=(1, 2), dtype=np.int64)
    result: np.ndarray = counts.astype(np.float64) / float(args.length)
    return result
