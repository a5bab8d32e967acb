"""The NVRTC compile check: the CUDA source compiled to PTX without a GPU or a driver."""

from __future__ import annotations

import ctypes
import importlib.util
from functools import lru_cache
from pathlib import Path
from types import ModuleType

from . import runtime as rt
from .kernels import CUDA_SOURCE, NVRTC_OPTIONS

__all__ = ["CudaCompileError", "compile_ptx", "nvrtc_library_path"]


class CudaCompileError(RuntimeError):
    """NVRTC rejected a CUDA source; the message carries the compiler log."""


def nvrtc_library_path() -> Path | None:
    """``libnvrtc.so*`` shipped by the ``nvidia-cuda-nvrtc-cu12`` wheel, if installed.

    The wheel installs it under ``site-packages/nvidia/cuda_nvrtc/lib/``
    (no CUDA toolkit needed).
    """
    try:
        spec = importlib.util.find_spec("nvidia.cuda_nvrtc")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        lib = Path(folder) / "lib"
        for pattern in ("libnvrtc.so.*[0-9]", "libnvrtc.so", "nvrtc64_*.dll"):
            found = sorted(p for p in lib.glob(pattern) if "alt" not in p.name)
            if found:
                return found[0]
    return None


@lru_cache(maxsize=1)
def _nvrtc() -> ModuleType:
    """CuPy's NVRTC binding, with the wheel's ``libnvrtc`` preloaded when present.

    CuPy 14 finds the wheel's library by itself (via ``cuda-pathfinder``);
    preloading it ``RTLD_GLOBAL`` first makes older CuPy find it too without a
    CUDA toolkit or ``CUDA_PATH``.

    Raises
    ------
    RuntimeError
        If CuPy (which provides the binding) or NVRTC itself cannot be loaded.
    """
    if rt.cupy is None:
        raise RuntimeError(f"compiling CUDA needs CuPy's NVRTC binding: {rt.CUPY.reason()}; "
                           f"to install it: {rt.CUPY.install_hint()}")
    lib = nvrtc_library_path()
    if lib is not None:
        try:
            ctypes.CDLL(str(lib), mode=ctypes.RTLD_GLOBAL)
        except OSError:
            pass  # let CuPy try its own search below and report the failure
    from cupy_backends.cuda.libs import nvrtc

    try:
        nvrtc.getVersion()
    except Exception as exc:
        raise RuntimeError(f"NVRTC cannot be loaded ({type(exc).__name__}: {exc}); install "
                           "nvidia-cuda-nvrtc-cu12 or a CUDA toolkit") from exc
    binding: ModuleType = nvrtc
    return binding


def compile_ptx(source: str = CUDA_SOURCE, arch: str = "compute_80",
                options: tuple[str, ...] = NVRTC_OPTIONS, name: str = "sc_kernels.cu") -> str:
    """Compile CUDA C++ to PTX with NVRTC alone — no GPU or driver needed.

    Parameters
    ----------
    source : str, default ``CUDA_SOURCE``
        CUDA source text.
    arch : str, default "compute_80"
        Virtual architecture passed as ``-arch``.
    options : tuple of str
        Further NVRTC options.
    name : str
        File name used in compiler messages.

    Returns
    -------
    str
        The PTX text.

    Raises
    ------
    CudaCompileError
        If NVRTC rejects the source (the message carries its log).
    RuntimeError
        If NVRTC cannot be loaded.
    """
    nvrtc = _nvrtc()
    prog = nvrtc.createProgram(source, name, [], [])
    try:
        try:
            nvrtc.compileProgram(prog, [f"-arch={arch}", *options])
        except nvrtc.NVRTCError as exc:
            log = nvrtc.getProgramLog(prog)
            raise CudaCompileError(f"NVRTC failed to compile {name} for {arch}: {exc}\n{log}") \
                from exc
        ptx: str = nvrtc.getPTX(prog).decode().rstrip("\x00")
        return ptx
    finally:
        nvrtc.destroyProgram(prog)
