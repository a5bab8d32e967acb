"""sc_neurocore.accel: bit-true stochastic-computing kernels on every backend.

The everyday surface, re-exported here from the modules that define it:
[`sc_forward`][sc_neurocore.accel.backend.sc_forward] and its NumPy reference
[`sc_forward_numpy`][sc_neurocore.accel.sc_inference.sc_forward_numpy], the
encoder [`encode_packed`][sc_neurocore.accel.lfsr.encode_packed], prepared
layers ([`prepare_layer`][sc_neurocore.accel.prepared.prepare_layer],
[`PreparedLayer`][sc_neurocore.accel.prepared.PreparedLayer]), the packed
vector operations of [`vector_ops`][sc_neurocore.accel.vector_ops], backend
selection ([`get_backend`][sc_neurocore.accel.backend.get_backend],
[`available_backends`][sc_neurocore.accel.backend.available_backends],
[`backend_status`][sc_neurocore.accel.backend.backend_status]) and the error
class [`InputTypeError`][sc_neurocore.accel.InputTypeError].

The CuPy/NumPy array helpers of [`gpu_backend`][sc_neurocore.accel.gpu_backend]
are importable from here as well, as the reference project documents
(``from sc_neurocore.accel import xp, HAS_CUPY, to_device, to_host``):
``xp`` (the array namespace in use, ``cupy`` or ``numpy``), ``HAS_CUPY``,
``to_device`` and ``to_host``.  They are loaded on first access, so that
importing the package neither imports CuPy nor touches a GPU; ``xp`` is read
afresh on every access, so a switch to NumPy after a CUDA error is seen.
"""

from typing import TYPE_CHECKING, Any

from sc_neurocore._public import publish
from sc_neurocore._validation import InputTypeError

from .backend import (
    PRIORITY,
    Backend,
    BackendStatus,
    available_backends,
    backend_status,
    get_backend,
    register_backend,
    sc_forward,
)
from .lfsr import DEFAULT_SEED, encode_packed, weight_seed
from .prepared import PreparedLayer, prepare_layer
from .sc_inference import sc_forward_numpy
from .vector_ops import (
    pack_bitstream,
    unpack_bitstream,
    vec_and,
    vec_mux,
    vec_not,
    vec_popcount,
    vec_xnor,
)

if TYPE_CHECKING:
    from .gpu_backend import HAS_CUPY, to_device, to_host, xp

__version__ = "0.1.0"

_FROM_GPU_BACKEND = ("xp", "HAS_CUPY", "to_device", "to_host")

__all__ = [
    "Backend", "BackendStatus", "DEFAULT_SEED", "InputTypeError", "PRIORITY", "PreparedLayer",
    "available_backends", "backend_status", "encode_packed", "get_backend", "pack_bitstream",
    "prepare_layer",
    "register_backend", "sc_forward", "sc_forward_numpy", "unpack_bitstream", "vec_and",
    "vec_mux", "vec_not", "vec_popcount", "vec_xnor", "weight_seed", "__version__",
    "xp", "HAS_CUPY", "to_device", "to_host",
]

publish(__name__, globals(), ["InputTypeError"])


def __getattr__(name: str) -> Any:
    # The gpu_backend names, imported on first use (importing gpu_backend
    # imports CuPy and probes the GPU).
    if name in _FROM_GPU_BACKEND:
        from . import gpu_backend

        return getattr(gpu_backend, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
