"""CuPy (CUDA) SC kernels and the ``cupy`` backend ([design: forward pass][forward-pass], [design: vector operations][vector-operations]).

The hot kernels are raw CUDA kernels kept in ``CUDA_SOURCE``, a
module-level string, so they can be compiled to PTX with NVRTC on a machine
without a GPU (``compile_ptx``; the test-suite does this in CI):

* ``sc_vec_mac`` — AND, ``__popcll`` and the block reduction in one pass: each
  block streams one weight row against one input row and writes one count, so
  the ``(n_out, n_in, n_words)`` product array never exists;
* ``sc_encode`` — the LFSR comparator encoder, one packed word per thread;
* ``sc_pack_bits`` and ``sc_popcount64`` — packing and per-element popcount.

Transparent fallback: without CuPy, without a usable GPU, or after a CUDA
error during a call, every function here runs on NumPy (same results) and a
``RuntimeWarning`` is issued once, pointing at the caller's line — at the
first direct call of one of this module's functions, or at the moment of the
switch.  Importing the module or probing backends never warns.  The array
namespace in use is ``xp`` (``cupy`` while the GPU works, else ``numpy``);
read it as ``gpu_backend.xp`` or via
[`active_namespace`][sc_neurocore.accel.gpu_backend.active_namespace] so that
a mid-run switch is seen.
[`CupyBackend`][sc_neurocore.accel.gpu_backend.CupyBackend] counts as
unavailable for backend selection whenever no GPU works.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from sc_neurocore._public import publish

from ._backends.on_cupy import (
    CUDA_SOURCE,
    HAS_CUPY,
    KERNEL_NAMES,
    CudaCompileError,
    CupyBackend,
    GpuArray,
    active_namespace,
    compile_ptx,
    cuda_versions,
    gpu_available,
    gpu_unavailable_reason,
    nvrtc_library_path,
    to_device,
    to_host,
)
from ._backends.on_cupy import and_ as gpu_vec_and
from ._backends.on_cupy import mac as gpu_vec_mac
from ._backends.on_cupy import pack as gpu_pack_bitstream
from ._backends.on_cupy import popcount as gpu_popcount
from ._backends.on_cupy import runtime as _runtime

__all__ = ["HAS_CUPY", "xp", "CUDA_SOURCE", "KERNEL_NAMES", "CudaCompileError", "CupyBackend",
           "active_namespace", "cuda_versions", "gpu_available", "gpu_unavailable_reason",
           "to_device", "to_host",
           "gpu_pack_bitstream", "gpu_vec_and", "gpu_popcount", "gpu_vec_mac", "compile_ptx",
           "nvrtc_library_path", "GpuArray"]

xp: ModuleType
"""The active array namespace: ``cupy`` while a GPU works, else ``numpy``.

It changes when a CUDA error switches the backend to NumPy, so it is not a
fixed attribute of this module: every read of it is answered afresh.
"""

publish(__name__, globals(), [n for n in __all__ if n != "xp"])


def __getattr__(name: str) -> Any:
    if name == "xp":
        return _runtime.xp
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
