"""sc_neurocore.accel: bit-true stochastic-computing kernels on every backend.

The public surface: :func:`sc_forward` (and its NumPy reference), the encoder
:func:`encode_packed`, the packed vector operations, and backend selection.
"""

from .backend import (PRIORITY, Backend, BackendStatus, available_backends, get_backend,
                      register_backend)
from .lfsr import DEFAULT_SEED, encode_packed, weight_seed
from .sc_inference import sc_forward, sc_forward_numpy
from .vector_ops import (pack_bitstream, unpack_bitstream, vec_and, vec_mux, vec_not,
                         vec_popcount, vec_xnor)

__version__ = "0.1.0"

__all__ = [
    "Backend", "BackendStatus", "DEFAULT_SEED", "PRIORITY", "available_backends",
    "encode_packed", "get_backend", "pack_bitstream", "register_backend", "sc_forward",
    "sc_forward_numpy", "unpack_bitstream", "vec_and", "vec_mux", "vec_not", "vec_popcount",
    "vec_xnor", "weight_seed", "__version__",
]
