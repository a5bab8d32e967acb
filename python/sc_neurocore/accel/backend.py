"""Backend registry and selection (DESIGN §7).

A backend is one :class:`Backend` subclass plus one entry in ``_REGISTRY``
(name -> ``"module:Class"``, imported lazily so that a missing or slow optional
dependency costs nothing until that backend is asked for).
"""

from __future__ import annotations

import importlib
import json
import os
import platform
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

import numpy as np

from ._validation import ForwardArgs, validate_forward
from .lfsr import DEFAULT_SEED

__all__ = ["Backend", "NumpyBackend", "RustBackend", "BackendStatus", "PRIORITY",
           "available_backends", "get_backend", "register_backend", "host_key", "engine_info"]

# Static fastest-first order, used when no timing study exists for this host.
PRIORITY: tuple[str, ...] = ("rust", "numba", "cupy", "jax", "numpy")

_REGISTRY: dict[str, str] = {
    "numpy": "sc_neurocore.accel.backend:NumpyBackend",
    "rust": "sc_neurocore.accel.backend:RustBackend",
    "numba": "sc_neurocore.accel.jit_kernels:NumbaBackend",
    "jax": "sc_neurocore.accel.jax_backend:JaxBackend",
    "cupy": "sc_neurocore.accel.gpu_backend:CupyBackend",
}


class Backend(ABC):
    """One way of running the SC kernels.

    Subclasses set ``name`` and ``extra`` (the pip extra that installs them),
    implement :meth:`unavailable_reason` and :meth:`_forward`.  Validation is
    done once, here, for every backend.
    """

    name: ClassVar[str]
    extra: ClassVar[str | None] = None

    @classmethod
    def unavailable_reason(cls) -> str | None:
        """Why this backend cannot run here, or ``None`` when it can."""
        return None

    @classmethod
    def install_hint(cls) -> str:
        """How to install this backend."""
        if cls.extra is None:
            return "it ships with sc-neurocore"
        return f"pip install 'sc-neurocore[{cls.extra}]'"

    def sc_forward(self, weights_packed: np.ndarray, input_probs: object, *, length: int,
                   seed: int = DEFAULT_SEED) -> np.ndarray:
        """SC forward pass (DESIGN §3) on this backend.

        Parameters
        ----------
        weights_packed : ndarray
            ``uint64`` ``(n_out, n_in, n_words)``.
        input_probs : array_like
            ``(n_in,)`` or ``(batch, n_in)`` probabilities in [0, 1].
        length : int
            Stream length in bits.
        seed : int, default 44257
            Encoder seed in ``[0, 2**32)``.

        Returns
        -------
        ndarray
            ``float64`` ``(n_out,)`` or ``(batch, n_out)``, bit-identical to
            :func:`sc_neurocore.accel.sc_inference.sc_forward_numpy`.
        """
        args = validate_forward(weights_packed, input_probs, length, seed)
        return args.shape_result(self._forward(args))

    @abstractmethod
    def _forward(self, args: ForwardArgs) -> np.ndarray:
        """Kernel on validated arguments; returns ``float64`` ``(batch, n_out)``."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


class NumpyBackend(Backend):
    """The NumPy reference: always available, the bit-true floor."""

    name = "numpy"

    def _forward(self, args: ForwardArgs) -> np.ndarray:
        from .sc_inference import forward_numpy

        return forward_numpy(args)


class RustBackend(Backend):
    """The compiled Rust engine (``sc_neurocore._engine``): SIMD and threads."""

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
        from sc_neurocore import _engine

        return _engine.sc_forward(args.weights, args.probs, args.length, args.seed)


@dataclass(frozen=True)
class BackendStatus:
    """Whether a backend works here, and why not if it does not."""

    name: str
    available: bool
    reason: str
    install_hint: str


def register_backend(name: str, target: str) -> None:
    """Register a backend class given as ``"module:Class"`` under ``name``."""
    _REGISTRY[name] = target
    _probe.cache_clear()


def backend_class(name: str) -> type[Backend]:
    """The class registered under ``name`` (imports its module)."""
    module, _, cls = _REGISTRY[name].partition(":")
    return getattr(importlib.import_module(module), cls)


@lru_cache(maxsize=None)
def _probe(name: str) -> tuple[Backend | None, str]:
    """Instantiate backend ``name`` and check a tiny call against NumPy."""
    try:
        cls = backend_class(name)
    except ImportError as exc:
        return None, f"import failed: {exc}"
    reason = cls.unavailable_reason()
    if reason is not None:
        return None, reason
    try:
        instance = cls()
        weights = np.array([[[0x0123456789ABCDEF, 0xF0F0]], [[~0 & 0xFFFFFFFFFFFFFFFF, 1]]],
                           dtype=np.uint64)
        probs = np.array([0.3])
        got = instance.sc_forward(weights, probs, length=80)
        want = NumpyBackend().sc_forward(weights, probs, length=80)
        if not np.array_equal(got, want):
            return None, f"probe call gave {got}, expected {want}"
    except Exception as exc:  # a broken install must not break selection
        return None, f"probe call failed: {type(exc).__name__}: {exc}"
    return instance, "ok"


def available_backends() -> dict[str, BackendStatus]:
    """Availability of every registered backend, probing each with a tiny call.

    Returns
    -------
    dict
        name -> :class:`BackendStatus` in :data:`PRIORITY` order (then any
        other registered names).
    """
    names = [n for n in PRIORITY if n in _REGISTRY] + [n for n in _REGISTRY if n not in PRIORITY]
    result = {}
    for name in names:
        instance, reason = _probe(name)
        try:
            hint = backend_class(name).install_hint()
        except ImportError:
            hint = "reinstall sc-neurocore"
        result[name] = BackendStatus(name, instance is not None, reason, hint)
    return result


def engine_info() -> dict:
    """SIMD tier and thread count of the Rust engine (``None`` when absent)."""
    try:
        from sc_neurocore import _engine
    except ImportError:
        return {"simd_tier": None, "threads": None}
    return {"simd_tier": _engine.simd_tier(), "threads": _engine.get_num_threads()}


def host_key() -> str:
    """Identifies this host's CPU for matching timing-study results."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model} x{os.cpu_count()}"


def results_dirs() -> list[Path]:
    """Folders searched for timing-study JSON (``bench-*.json``)."""
    dirs = []
    if os.environ.get("SC_NEUROCORE_RESULTS"):
        dirs.append(Path(os.environ["SC_NEUROCORE_RESULTS"]))
    dirs.append(Path.cwd() / "benchmarks" / "results")
    dirs.append(Path(__file__).resolve().parents[3] / "benchmarks" / "results")
    return dirs


def measured_order() -> list[str]:
    """Backends fastest first from this host's newest timing study, or []."""
    newest: tuple[float, list[str]] | None = None
    for folder in results_dirs():
        for path in folder.glob("bench-*.json"):
            try:
                data = json.loads(path.read_text())
                if data.get("host", {}).get("key") != host_key():
                    continue
                order = list(data["ranking"])
            except (OSError, ValueError, KeyError, TypeError):
                continue
            stamp = path.stat().st_mtime
            if newest is None or stamp > newest[0]:
                newest = (stamp, order)
    return newest[1] if newest else []


def selection_order() -> list[str]:
    """The order ``auto`` tries: measured (NumPy last) or :data:`PRIORITY`."""
    measured = [n for n in measured_order() if n in _REGISTRY and n != "numpy"]
    rest = [n for n in PRIORITY if n in _REGISTRY and n not in measured and n != "numpy"]
    extra = [n for n in _REGISTRY if n not in measured + rest + ["numpy"]]
    return measured + rest + extra + ["numpy"]


def get_backend(name: str = "auto") -> Backend:
    """Return a working backend.

    Parameters
    ----------
    name : str, default "auto"
        A registered backend name, or ``"auto"`` for the fastest one that is
        available and passes a probe call.

    Returns
    -------
    Backend

    Raises
    ------
    TypeError
        If ``name`` is not a str.
    ValueError
        If ``name`` is not a known backend.
    RuntimeError
        If the named backend is not available here (with an install hint).
    """
    if not isinstance(name, str):
        raise TypeError(f"backend must be a str, got {type(name).__name__}")
    if name == "auto":
        for candidate in selection_order():
            instance, _ = _probe(candidate)
            if instance is not None:
                return instance
        raise RuntimeError("no backend works, not even numpy")  # pragma: no cover
    if name not in _REGISTRY:
        known = ", ".join(["auto", *_REGISTRY])
        raise ValueError(f"backend must be one of {known}; got {name!r}")
    instance, reason = _probe(name)
    if instance is None:
        try:
            hint = backend_class(name).install_hint()
        except ImportError:
            hint = "reinstall sc-neurocore"
        raise RuntimeError(f"backend {name!r} is not available: {reason}. To install: {hint}")
    return instance
