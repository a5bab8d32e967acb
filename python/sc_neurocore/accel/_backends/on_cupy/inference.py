"""``sc_forward`` on the GPU ([design: forward pass][forward-pass]): encode on the device, then the fused MAC.

A CUDA error during a call switches the backend to NumPy (``runtime``) and the
call still returns the correct result.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from sc_neurocore._validation import ForwardArgs

from ..._encoder import EncoderOperands, cycle_copies, encoder_operands
from .. import on_numpy as numpy_backend
from ..base import KernelBackend, counts_to_rates
from . import kernels
from . import runtime as rt
from .bitops import launch_mac
from .prepared import prepared_counts

__all__ = ["CupyBackend", "device_cycle", "encode", "forward"]


@lru_cache(maxsize=8)
def device_cycle(copies: int, sequence: str = "lfsr") -> Any:
    """A generator's repeated sequence on the device (uploaded once per sequence and size)."""
    return rt.cupy.asarray(cycle_copies(copies, sequence))


def encode(operands: EncoderOperands, n_words: int) -> Any:
    """The packed input streams on the device: ``uint64`` ``(batch, n_in, n_words)``.

    One thread per word (kernel ``sc_encode``) compares the word's 64 values
    of the repeated sequence, XORed with the input's mask, with the input's
    threshold.
    """
    batch, n_in = operands.thresholds.shape
    start = rt.cupy.asarray(operands.start)
    mask = rt.cupy.asarray(operands.mask)
    thresh = rt.cupy.asarray(operands.thresholds)
    cycle = device_cycle(operands.copies, operands.sequence)
    enc = rt.cupy.empty((batch, n_in, n_words), dtype=np.uint64)
    if enc.size:
        kernels.compiled()["sc_encode"](
            (kernels.grid(enc.size),), (kernels.THREADS,),
            (cycle, start, mask, thresh, enc, np.int64(batch), np.int64(n_in), np.int64(n_words),
             np.int64(operands.length)))
    return enc


def _gpu_forward(args: ForwardArgs) -> np.ndarray:
    """Encode on the device, then the fused MAC; returns host ``float64`` ``(batch, n_out)``."""
    operands = encoder_operands(args.probs, args.length, args.seed, generator=args.generator)
    enc = encode(operands, args.weights.shape[2])
    counts = launch_mac(rt.cupy.asarray(args.weights), enc)
    return counts_to_rates(rt.cupy.asnumpy(counts), args.length)


def forward(args: ForwardArgs) -> np.ndarray:
    """``sc_forward`` on validated arguments: on the GPU while it works, else on NumPy."""
    return rt.dispatch(lambda: _gpu_forward(args), lambda: numpy_backend.forward(args))


class CupyBackend(KernelBackend):
    """SC forward pass on an NVIDIA GPU through CuPy raw kernels.

    Bit-identical to [`sc_forward_numpy`][sc_neurocore.accel.sc_inference.sc_forward_numpy].
    A CUDA error during a call switches the module to NumPy (with a warning)
    and the call still returns the correct result.
    """

    name = "cupy"
    extra = "gpu"

    @classmethod
    def unavailable_reason(cls) -> str | None:
        return rt.gpu_reason

    @classmethod
    def install_hint(cls) -> str:
        """How to install CuPy; empty once it is installed (the reason then says what is missing).

        Returns
        -------
        str
            The command that installs this project's ``gpu`` extra, or ``""``.
        """
        if rt.HAS_CUPY:
            return ""
        return super().install_hint()

    def _forward(self, args: ForwardArgs) -> np.ndarray:
        return forward(args)

    def prepared_counts(self, k: np.ndarray, states: np.ndarray,
                        thresholds: np.ndarray) -> np.ndarray:
        return prepared_counts(k, states, thresholds)
