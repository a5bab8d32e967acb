"""Type stub of ``sc_neurocore._engine``, the compiled Rust engine (rust/engine, PyO3).

Every function validates its arguments in Rust and raises ``ValueError`` or
``TypeError`` naming the argument; array arguments must be C-contiguous NumPy
arrays of exactly the stated dtype (the Python façade converts for you).
"""

import numpy as np
import numpy.typing as npt

__all__ = ["available_simd_tiers", "encode_packed", "force_simd_tier", "get_num_threads",
           "pack_bitstream", "pool_counters", "popcount", "popcount_per_word", "prepared_counts",
           "sc_forward", "set_num_threads",
           "simd_tier", "unpack_bitstream", "vec_and", "vec_mux", "vec_not", "vec_xnor",
           "lgssm_filter", "lgssm_smooth", "lgssm_em_fit", "__version__"]

_F64 = npt.NDArray[np.float64]
_Model = tuple[_F64, _F64, _F64, _F64, _F64, _F64, _F64, _F64]

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

def pool_counters() -> dict[str, int]:
    """The pool's counters since the process started: ``regions`` (parallel regions run),
    ``regions_helped`` (those in which a helper ran a task), ``tasks`` (tasks they held) and
    ``helper_tasks`` (tasks helpers ran)."""

def encode_packed(probs: npt.NDArray[np.float64], length: int, seed: int,
                  generator: str | None = None,
                  role: str | None = None) -> npt.NDArray[np.uint64]:
    """Encode ``(n,)`` or ``(B, n)`` probabilities into ``(..., n, n_words)`` words with the
    ``role`` side (``"input"`` when ``None``) of ``generator`` (``"lfsr"`` when ``None``)."""

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
               length: int, seed: int, generator: str | None = None) -> npt.NDArray[np.float64]:
    """SC forward pass (docs/design.md#forward-pass): ``(n_out,)`` or ``(batch, n_out)`` float64,
    the inputs encoded by ``generator``'s input side (``"lfsr"`` when ``None``)."""

def prepared_counts(k: npt.NDArray[np.uint32], states: npt.NDArray[np.uint16],
                    thresholds: npt.NDArray[np.int64]) -> npt.NDArray[np.uint64]:
    """A prepared layer's counts (docs/design.md#prepared-layers): ``(batch, n_out)`` uint64."""

# The linear-Gaussian state-space mirror (rust/mirror, safety/predictive_model) behind
# ``backend="rust"`` of sc_neurocore.world_model.predictive_model; ``model`` is the tuple
# of the constructor's arrays ``(A, B, C, D, Q, R, mu_0, Sigma_0)``. Refusals: ValueError /
# TypeError / MemoryError naming the argument, numpy.linalg.LinAlgError for a matrix
# that must be positive definite and is not.

def lgssm_filter(model: _Model, observations: _F64, controls: _F64,
                 mask: npt.NDArray[np.uint8] | None = None
                 ) -> tuple[_F64, _F64, _F64, _F64, float]:
    """The Kalman filter: ``(means, covariances, pred_means, pred_covariances, log_likelihood)``."""

def lgssm_smooth(model: _Model, means: _F64, covariances: _F64, pred_means: _F64,
                 pred_covariances: _F64, log_likelihood: float) -> tuple[_F64, _F64, _F64]:
    """The RTS smoother of a filter result: ``(means, covariances, cross_covariances)``."""

def lgssm_em_fit(model: _Model, observations: _F64, controls: _F64,
                 mask: npt.NDArray[np.uint8] | None, max_iter: int, tol: float
                 ) -> tuple[_F64, _F64, _F64, _F64, _F64, _F64, _F64, tuple[str, str] | None]:
    """EM: ``(A, C, Q, R, mu_0, Sigma_0, history, failure)`` (``failure``: ``(kind, message)``)."""
