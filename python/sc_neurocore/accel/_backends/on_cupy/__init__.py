"""The CuPy (CUDA) backend: raw CUDA kernels, with a transparent NumPy fallback.

``bitops``: ``pack``, ``and_``, ``popcount``, ``mac`` (public as
``gpu_pack_bitstream``, ``gpu_vec_and``, ``gpu_popcount``, ``gpu_vec_mac``);
``inference``: ``encode``, ``forward`` and ``CupyBackend``; ``prepared``:
``prepared_counts`` (prepared layers, two kernels); ``runtime``: CuPy
imported and the GPU probed once, the namespace in use, the switch to NumPy;
``kernels``: the CUDA source, compiled once; ``nvrtc``: the GPU-less compile
check.  The public names are ``sc_neurocore.accel.gpu_backend``'s.
"""

from __future__ import annotations

from .bitops import and_, mac, pack, popcount
from .inference import CupyBackend, encode, forward
from .kernels import CUDA_SOURCE, KERNEL_NAMES
from .nvrtc import CudaCompileError, compile_ptx, nvrtc_library_path
from .prepared import prepared_counts
from .runtime import (
    HAS_CUPY,
    GpuArray,
    active_namespace,
    cuda_versions,
    gpu_available,
    gpu_unavailable_reason,
    to_device,
    to_host,
)

__all__ = ["CUDA_SOURCE", "HAS_CUPY", "KERNEL_NAMES", "CudaCompileError", "CupyBackend",
           "GpuArray", "active_namespace", "and_", "compile_ptx", "cuda_versions", "encode",
           "forward", "gpu_available", "gpu_unavailable_reason", "mac", "nvrtc_library_path",
           "pack", "popcount", "prepared_counts", "to_device", "to_host"]
