"""The Numba backend: compiled kernels with hardware popcount, shared between threads by chunks.

``bitops``: ``pack`` and ``mac`` (public as ``jit_pack_bits`` and
``jit_vec_mac``); ``inference``: ``forward_counts``, ``forward`` and
``NumbaBackend``; ``prepared``: ``prepared_counts`` (prepared layers);
``runtime``: Numba imported or not, the one-time NumPy
notice; ``kernels``: the compiled code (imported only with Numba);
``scheduling``: threads, chunks, Ctrl-C.  The public names are
``sc_neurocore.accel.jit_kernels``'s.
"""

from __future__ import annotations

from .bitops import mac, pack
from .inference import NumbaBackend, forward, forward_counts
from .prepared import prepared_counts
from .runtime import HAS_NUMBA, NUMBA_IMPORT_ERROR

__all__ = ["HAS_NUMBA", "NUMBA_IMPORT_ERROR", "NumbaBackend", "forward", "forward_counts",
           "mac", "pack", "prepared_counts"]
