"""The Rust backend: the compiled engine ``sc_neurocore._engine`` (SIMD popcount, its own threads).

The engine is part of the wheel, not an optional extra: a build without it
(the pure-Python install) reports the backend unavailable.  Its operation
here are ``forward`` (``sc_forward`` on validated ``ForwardArgs``) and
``prepared_counts`` (a prepared layer's counts, ``prepared``); the engine's
own entry points (``pack_bitstream``, ``vec_and``, ...) are what the parity
runner calls.
"""

from __future__ import annotations

import importlib

import numpy as np

from sc_neurocore._validation import ForwardArgs

from ..base import KernelBackend
from .prepared import prepared_counts

__all__ = ["RustBackend", "forward", "prepared_counts"]


def forward(args: ForwardArgs) -> np.ndarray:
    """``sc_forward`` on the engine, on validated arguments: ``float64`` ``(batch, n_out)``."""
    from sc_neurocore import _engine

    out: np.ndarray = _engine.sc_forward(args.weights, args.probs, args.length, args.seed,
                                         args.generator)
    return out


class RustBackend(KernelBackend):
    """Rust-accelerated backend over the compiled engine (SIMD and threads)."""

    name = "rust"
    extra = None

    @classmethod
    def unavailable_reason(cls) -> str | None:
        try:
            importlib.import_module("sc_neurocore._engine")
        except ImportError as exc:
            return f"the compiled engine sc_neurocore._engine is missing ({exc})"
        return None

    @classmethod
    def install_hint(cls) -> str:
        return "build it with `make install` (maturin develop --release) or install the wheel"

    def _forward(self, args: ForwardArgs) -> np.ndarray:
        return forward(args)

    def prepared_counts(self, k: np.ndarray, states: np.ndarray,
                        thresholds: np.ndarray) -> np.ndarray:
        return prepared_counts(k, states, thresholds)
