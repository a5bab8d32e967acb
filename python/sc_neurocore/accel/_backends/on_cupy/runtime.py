"""CuPy and the GPU: imported and probed once; the array namespace in use; the switch to NumPy.

Without CuPy, without a usable GPU, or after a CUDA error during a call, every
function of the backend runs on NumPy (same results) and a ``RuntimeWarning``
is issued once, pointing at the caller's line — at the first direct call of
one of its functions, or at the moment of the switch.  Importing or probing
never warns.  ``xp`` is ``cupy`` while the GPU works, else ``numpy``; every
module of the backend reads it (and ``cupy``, ``gpu_reason``) from here at
call time, so a switch is seen everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeAlias, TypeVar

import numpy as np
from numpy.typing import ArrayLike

from ..._optional import OptionalDependency
from ..._warnings import WarnOnce, warn_at_caller

__all__ = ["CUDA_ERRORS", "CUPY", "CUPY_IMPORT_ERROR", "FALLBACK", "HAS_CUPY", "GpuArray",
           "active_namespace", "cuda_error_meaning", "cuda_versions", "cupy", "dispatch",
           "gpu_available", "gpu_reason", "gpu_unavailable_reason", "is_device_array",
           "no_gpu", "switch_to_numpy", "to_device", "to_host", "warn_fallback_once", "xp"]

T = TypeVar("T")

GpuArray: TypeAlias = Any
"""An array the ``gpu_*`` functions take and return: a ``cupy.ndarray`` while a GPU
works, a ``numpy.ndarray`` once this module runs on NumPy (no CuPy, no usable GPU).
CuPy ships no type information, so type checkers see ``Any``.
"""

CUPY = OptionalDependency("CuPy", "gpu", "cupy")
"""CuPy, imported with this module."""

cupy: Any = (CUPY.load() or (None,))[0]
"""The cupy module, or None without CuPy (CuPy ships no type information)."""
CUPY_IMPORT_ERROR: str | None = CUPY.error
"""Why CuPy failed to import, or ``None``."""
CUDA_ERRORS: tuple[type[BaseException], ...] = () if cupy is None else (
    cupy.cuda.runtime.CUDARuntimeError, cupy.cuda.driver.CUDADriverError,
    cupy.cuda.memory.OutOfMemoryError, cupy.cuda.compiler.CompileException)
"""The CUDA errors after which the backend leaves the GPU for NumPy."""

HAS_CUPY: bool = cupy is not None
"""Whether CuPy imported (a working GPU is a further condition: ``gpu_available()``)."""


def _cuda_version_code(getter: str) -> int | str:
    """``cupy.cuda.runtime.<getter>()`` (a version code), or why it could not be read."""
    try:
        return int(getattr(cupy.cuda.runtime, getter)())
    except Exception as exc:  # a broken install must still give a message
        return f"{type(exc).__name__}: {exc}"


def cuda_versions() -> str:
    """The CUDA driver and runtime versions CuPy reports, for messages.

    Returns
    -------
    str
        E.g. ``"CUDA driver 12.4, CUDA runtime 12.8"``.  A driver version of
        0, CUDA's answer when no NVIDIA driver is installed, reads ``"CUDA
        driver: none (version 0)"``; a version that cannot be read says why.
        Empty without CuPy.
    """
    if cupy is None:
        return ""
    parts = []
    for label, getter in (("driver", "driverGetVersion"), ("runtime", "runtimeGetVersion")):
        code = _cuda_version_code(getter)
        if isinstance(code, str):
            parts.append(f"CUDA {label} version unknown ({code})")
        elif label == "driver" and code == 0:
            parts.append("CUDA driver: none (version 0)")
        else:  # CUDA encodes a version as 1000 * major + 10 * minor
            parts.append(f"CUDA {label} {code // 1000}.{code % 1000 // 10}")
    return ", ".join(parts)


def cuda_error_meaning(raw: str) -> str | None:
    """What a CUDA runtime error (its ``Type: cudaErrorName: text``) means, in plain words."""
    if "cudaErrorInsufficientDriver" in raw:
        if _cuda_version_code("driverGetVersion") == 0:
            return "no NVIDIA driver is installed"
        return "the NVIDIA driver is older than the CUDA runtime CuPy uses"
    meanings = {
        "cudaErrorNoDevice": "no CUDA-capable device is present",
        "cudaErrorInvalidDevice": "the selected CUDA device does not exist",
        "cudaErrorDevicesUnavailable": "every CUDA device is busy or unavailable",
        "cudaErrorSystemDriverMismatch": "the NVIDIA kernel driver and its user-space "
                                         "libraries have different versions",
    }
    return next((text for name, text in meanings.items() if name in raw), None)


def no_gpu(what: str, exc: BaseException | None = None) -> str:
    """The reason text for a CuPy that imports but has no usable GPU (no install hint)."""
    version = getattr(cupy, "__version__", "?")
    raw = "" if exc is None else f"{type(exc).__name__}: {exc}"
    meaning = cuda_error_meaning(raw) if raw else None
    detail = f"{meaning or what}" + (f" ({raw})" if raw else "")
    return f"no usable CUDA GPU: CuPy {version} is installed, but {detail}; {cuda_versions()}"


def probe_gpu() -> str | None:
    """Why the GPU cannot be used, or ``None`` when a round trip works.

    Without CuPy: that CuPy is missing (the install hint is added where a
    message is shown).  With CuPy: what the CUDA runtime answered, in plain
    words, with the driver and runtime versions, and no install hint (nothing
    to install would help).
    """
    if cupy is None:
        return CUPY.reason()
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:
        return no_gpu("the CUDA runtime cannot list the devices", exc)
    if count < 1:
        return no_gpu("the CUDA runtime finds no device")
    try:
        sample = np.arange(3, dtype=np.uint64)
        if not np.array_equal(cupy.asnumpy(cupy.asarray(sample)), sample):
            return no_gpu("a host-device round trip returned wrong data")
    except Exception as exc:
        return no_gpu("a host-device round trip failed", exc)
    return None


gpu_reason: str | None = probe_gpu()

xp: ModuleType = np if gpu_reason is not None else cupy
"""The active array namespace: ``cupy`` while a GPU works, else ``numpy``."""

FALLBACK = WarnOnce(RuntimeWarning)
"""The notice that the functions run on NumPy (at the first direct call, or at the switch)."""


def warn_fallback_once() -> None:
    """Warn once per process, at the user's call site, that the functions run on NumPy."""
    if gpu_reason is None:
        return
    hint = f". To install CuPy: {CUPY.install_hint()}" if cupy is None else ""
    FALLBACK.warn(f"sc_neurocore.accel.gpu_backend: {gpu_reason}; its functions run on "
                  f"NumPy{hint}")


def gpu_available() -> bool:
    """Whether the GPU path is active (CuPy imported, a device works, no CUDA error yet)."""
    return gpu_reason is None


def gpu_unavailable_reason() -> str | None:
    """Why the functions here run on NumPy, or ``None`` while the GPU is used."""
    return gpu_reason


def active_namespace() -> ModuleType:
    """The array module in use now (``cupy`` or ``numpy``); see ``xp``."""
    return xp


def switch_to_numpy(exc: BaseException) -> None:
    """Leave the GPU for good after a CUDA error: warn once, use NumPy from now on."""
    global xp, gpu_reason
    gpu_reason = no_gpu("a CUDA call failed", exc)
    xp = np
    FALLBACK.mark()
    warn_at_caller(f"sc_neurocore.accel.gpu_backend: {gpu_reason}; switching to NumPy",
                   RuntimeWarning)


def dispatch(on_gpu: Callable[[], T], on_numpy: Callable[[], T]) -> T:
    """Run ``on_gpu`` while the GPU works, else (or after a CUDA error) ``on_numpy``."""
    if gpu_reason is None:
        try:
            return on_gpu()
        except CUDA_ERRORS as exc:
            switch_to_numpy(exc)
    return on_numpy()


# --------------------------------------------------------------------------------------
# Host <-> device
# --------------------------------------------------------------------------------------

def is_device_array(a: object) -> bool:
    return cupy is not None and isinstance(a, cupy.ndarray)


def to_device(array: ArrayLike | GpuArray) -> GpuArray:
    """Return ``array`` in the active namespace (a CuPy array on the GPU, else NumPy).

    Parameters
    ----------
    array : array_like or GpuArray
        Any NumPy-convertible data, or a CuPy array.

    Returns
    -------
    GpuArray
        ``array`` on the GPU, or as a NumPy array without one.
    """
    warn_fallback_once()
    return dispatch(lambda: cupy.asarray(array), lambda: to_host(array))


def to_host(array: ArrayLike | GpuArray) -> np.ndarray:
    """Return ``array`` as a NumPy array (copying device data back to the host).

    Parameters
    ----------
    array : array_like or GpuArray
        Host or device data.

    Returns
    -------
    numpy.ndarray
        ``array`` itself when it is already a NumPy array, else a host copy.

    Raises
    ------
    RuntimeError
        If ``array`` lives on a GPU that can no longer be read.
    """
    if is_device_array(array):
        try:
            host: np.ndarray = cupy.asnumpy(array)
            return host
        except CUDA_ERRORS as exc:
            raise RuntimeError("array lives on a GPU that failed and cannot be copied back: "
                               f"{type(exc).__name__}: {exc}") from exc
    return np.asarray(array)
