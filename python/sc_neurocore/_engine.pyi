"""Type stub of ``sc_neurocore._engine``, the compiled Rust engine (rust/engine, PyO3).

Every function validates its arguments in Rust and raises ``ValueError`` or
``TypeError`` naming the argument; array arguments must be C-contiguous NumPy
arrays of exactly the stated dtype (the Python façade converts for you).
"""

import numpy as np
import numpy.typing as npt

__all__ = ["available_simd_tiers", "encode_packed", "force_simd_tier", "get_num_threads",
           "pack_bitstream", "popcount", "popcount_per_word", "sc_forward", "set_num_threads",
           "simd_tier", "unpack_bitstream", "vec_and", "vec_mux", "vec_not", "vec_xnor",
           "__version__"]

__version__: str

def simd_tier() -> str:
    """The SIMD tier dispatch uses now: ``"avx512-vpopcntdq"``, ``"avx2"`` or ``"portable"``."""

def available_simd_tiers() -> list[str]:
    """The SIMD tiers this CPU supports, best first (always includes ``"portable"``)."""

def force_simd_tier(name: str | None) -> None:
    """Force every kernel onto ``name``; ``None`` restores automatic dispatch."""

def set_num_threads(n: int) -> None:
    """Set the number of threads of the engine's private pool (``n >= 1``)."""

def get_num_threads() -> int:
    """The number of threads the engine uses (default: the number of CPUs)."""

def encode_packed(probs: npt.NDArray[np.float64], length: int,
                  seed: int) -> npt.NDArray[np.uint64]:
    """LFSR-encode ``(n,)`` or ``(B, n)`` probabilities into ``(..., n, n_words)`` words."""

def pack_bitstream(bits: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint64]:
    """Pack ``(N,)`` or ``(B, N)`` 0/1 bits into ``(..., ceil(N / 64))`` words."""

def unpack_bitstream(packed: npt.NDArray[np.uint64], n_bits: int) -> npt.NDArray[np.uint8]:
    """Unpack ``(W,)`` or ``(B, W)`` words into ``n_bits`` bits per row."""

def popcount(packed: npt.NDArray[np.uint64]) -> int:
    """Total number of set bits of a ``uint64`` array of any shape."""

def popcount_per_word(packed: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """Per-word popcounts, same shape."""

def vec_and(a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """``a & b``."""

def vec_xnor(a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """``~(a ^ b)``."""

def vec_not(a: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """``~a``."""

def vec_mux(sel: npt.NDArray[np.uint64], a: npt.NDArray[np.uint64],
            b: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """``(sel & a) | (~sel & b)``."""

def sc_forward(weights_packed: npt.NDArray[np.uint64], input_probs: npt.NDArray[np.float64],
               length: int, seed: int) -> npt.NDArray[np.float64]:
    """SC forward pass (docs/design.md#forward-pass): ``(n_out,)`` or ``(batch, n_out)`` float64."""
