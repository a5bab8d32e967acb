"""The backend registry and selection, and the ``sc_forward`` entry point ([design: selector][selector]).

A backend is one ``Backend`` subclass plus one registry entry (name -> class,
or ``"module:Class"`` imported lazily so that a missing or slow optional
dependency costs nothing until that backend is asked for).  ``sc_forward``
resolves the ``backend`` argument (a name, ``"auto"`` or a ``Backend``
instance) and runs it.  The public names are ``sc_neurocore.accel.backend``'s.

The order ``"auto"`` tries comes from this host's newest timing study, which
``sc_neurocore.accel.bench.results`` finds and reads; it is asked on the first
``"auto"`` selection, so that importing the package never imports the study.
"""

from __future__ import annotations

import functools
import importlib
import sys
import warnings
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from sc_neurocore._validation import DEFAULT_GENERATOR, InputTypeError

# _fork registers the before-fork wait for imports another thread has half done.
from . import _fork, _install  # noqa: F401
from ._backends.base import Backend, BackendStatus
from ._backends.on_numpy import NumpyBackend
from ._encoder import DEFAULT_SEED
from ._prepared import PreparedLayer, run_prepared

__all__ = ["PRIORITY", "RESEARCH_MIRRORS", "available_backends",
           "backend_class", "backend_status", "engine_info", "get_backend", "register_backend",
           "prepared_backend", "sc_forward", "selection_order", "with_hint"]

PRIORITY: tuple[str, ...] = ("rust", "numba", "cupy", "jax", "numpy")
"""Static fastest-first order of the shipped backends (used without a timing study)."""

RESEARCH_MIRRORS: tuple[str, ...] = ("julia", "go", "mojo", "wgsl")
"""Research mirrors: not in the wheel and not backends; run them with ``python -m parity``."""

_REGISTRY: dict[str, str | type[Backend]] = {
    "numpy": "sc_neurocore.accel.backend:NumpyBackend",
    "rust": "sc_neurocore.accel.backend:RustBackend",
    "numba": "sc_neurocore.accel.jit_kernels:NumbaBackend",
    "jax": "sc_neurocore.accel.jax_backend:JaxBackend",
    "cupy": "sc_neurocore.accel.gpu_backend:CupyBackend",
}


def register_backend(name: str, target: str | type[Backend]) -> None:
    """Register a backend class under ``name`` for selection by name and by ``"auto"``.

    Parameters
    ----------
    name : str
        The name to select it by (``sc_forward(..., backend=name)``).
    target : str or type
        A [`Backend`][sc_neurocore.accel.backend.Backend] subclass, or
        ``"module:Class"`` to import it lazily on first use.

    Raises
    ------
    InputTypeError
        If ``name`` is not a str or ``target`` is neither a ``"module:Class"``
        str nor a ``Backend`` subclass.
    ValueError
        If ``name`` is ``"auto"`` or the name of a research mirror.
    """
    if not isinstance(name, str):
        raise InputTypeError(f"name must be a str, got {type(name).__name__}")
    if name == "auto" or name in RESEARCH_MIRRORS:
        raise ValueError(f"name must not be 'auto' or a research mirror's name, got {name!r}")
    valid = (isinstance(target, str) and ":" in target) or (
        isinstance(target, type) and issubclass(target, Backend))
    if not valid:
        raise InputTypeError("target must be a Backend subclass or a 'module:Class' str, "
                             f"got {target!r}")
    _REGISTRY[name] = target
    _probe.cache_clear()


def backend_class(name: str) -> type[Backend]:
    """The class registered under ``name`` (imports its module)."""
    target = _REGISTRY[name]
    if not isinstance(target, str):
        return target
    module, _, cls = target.partition(":")
    found: type[Backend] = getattr(importlib.import_module(module), cls)
    return found


@functools.cache
def _probe(name: str) -> tuple[Backend | None, str]:
    """Instantiate backend ``name`` and check a tiny call against NumPy, silently.

    The verdict is cached for the process.  An interrupt (``KeyboardInterrupt``,
    ``SystemExit`` or any other ``BaseException`` that is not an ``Exception``)
    is no verdict: it propagates, nothing is cached, and the modules whose
    import it cut short are forgotten, so the next probe imports them afresh
    instead of finding them half-initialised.
    """
    imported = set(sys.modules)
    try:
        return _probe_once(name)
    except BaseException as exc:
        if not isinstance(exc, Exception):
            for module in set(sys.modules) - imported:
                sys.modules.pop(module, None)
        raise


def _probe_once(name: str) -> tuple[Backend | None, str]:
    """The probe itself: ``(instance, "ok")`` or ``(None, reason)``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # probing is silent (docs/design.md#selector)
        try:
            cls = backend_class(name)
        except ImportError as exc:
            return None, f"import failed: {exc}"
        reason = cls.unavailable_reason()
        if reason is not None:
            return None, reason
        try:
            instance = cls()
            weights = np.array([[[0x0123456789ABCDEF, 0xF0F0]],
                                [[~0 & 0xFFFFFFFFFFFFFFFF, 1]]], dtype=np.uint64)
            probs = np.array([0.3])
            got = instance.sc_forward(weights, probs, length=80)
            want = NumpyBackend().sc_forward(weights, probs, length=80)
            if not np.array_equal(got, want):
                return None, f"probe call gave {got}, expected {want}"
        except Exception as exc:  # a broken install must not break selection
            return None, f"probe call failed: {type(exc).__name__}: {exc}"
    return instance, "ok"


def _names() -> list[str]:
    """Registered names in ``PRIORITY`` order, then the others as registered."""
    return [n for n in PRIORITY if n in _REGISTRY] + [n for n in _REGISTRY if n not in PRIORITY]


def with_hint(hint: str, form: str = "; install: {}") -> str:
    """``form`` filled with ``hint``, or nothing when there is no hint."""
    return form.format(hint) if hint else ""


def _hint(name: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return backend_class(name).install_hint()
        except ImportError:
            return _install.install_hint()


def available_backends() -> dict[str, bool]:
    """Report which SC inference backends work here, in fastest-first order.

    Each backend is probed once per process with a tiny call that must match
    NumPy's result; probing never prints or warns.

    Returns
    -------
    dict of str to bool
        Backend name -> whether it works here, in
        [`PRIORITY`][sc_neurocore.accel.backend.PRIORITY] order (then any other
        registered names); ``"numpy"`` is always ``True``.  The reasons and
        install hints are in [`backend_status`][sc_neurocore.accel.backend.backend_status].
    """
    return {name: status.available for name, status in backend_status().items()}


def backend_status() -> dict[str, BackendStatus]:
    """Why each backend works here or not, and how to install it.

    The report behind ``python -m sc_neurocore.accel info``; probing never
    prints or warns.

    Returns
    -------
    dict of str to BackendStatus
        Backend name -> [`BackendStatus`][sc_neurocore.accel.backend.BackendStatus],
        in the order of [`available_backends`][sc_neurocore.accel.backend.available_backends].
    """
    result = {}
    for name in _names():
        instance, reason = _probe(name)
        result[name] = BackendStatus(name, instance is not None, reason, _hint(name))
    return result


def engine_info() -> dict[str, Any]:
    """SIMD tier and thread count of the Rust engine (``None`` when absent)."""
    try:
        from sc_neurocore import _engine
    except ImportError:
        return {"simd_tier": None, "threads": None}
    return {"simd_tier": _engine.simd_tier(), "threads": _engine.get_num_threads()}


def selection_order() -> list[str]:
    """The order in which ``"auto"`` tries the registered backends.

    Returns
    -------
    list of str
        [`measured_order`][sc_neurocore.accel.bench.measured_order] first,
        then the others in [`PRIORITY`][sc_neurocore.accel.backend.PRIORITY]
        order, then any other registered names, and ``"numpy"`` last.
    """
    from .bench.results import measured_order  # imported on first use: see the module docstring

    measured = [n for n in measured_order() if n in _REGISTRY and n != "numpy"]
    rest = [n for n in PRIORITY if n in _REGISTRY and n not in measured and n != "numpy"]
    extra = [n for n in _REGISTRY if n not in measured + rest + ["numpy"]]
    return measured + rest + extra + ["numpy"]


def get_backend(name: str | Backend = "auto") -> Backend:
    """Return an SC inference backend handle.

    Parameters
    ----------
    name : str or Backend, default "auto"
        ``"auto"`` for the fastest backend that is available and passes a
        probe call (in the order of a timing study for this host, else
        [`PRIORITY`][sc_neurocore.accel.backend.PRIORITY]); a registered name
        (``"rust"``, ``"numpy"``, ...) to force that backend; or a
        [`Backend`][sc_neurocore.accel.backend.Backend] instance, returned as is.

    Returns
    -------
    Backend
        A handle whose ``sc_forward`` follows the documented contract.

    Raises
    ------
    ValueError
        If ``name`` is not ``"auto"`` or a known backend name (a research
        mirror's name says how to run it with the parity runner);
        [`InputTypeError`][sc_neurocore.accel.InputTypeError] if it is neither
        a str nor a ``Backend``.
    RuntimeError
        If an explicitly requested backend is unavailable (with an install hint).
    """
    if isinstance(name, Backend):
        return name
    if not isinstance(name, str):
        raise InputTypeError("backend must be a str (a backend name or 'auto') or a Backend "
                             f"instance, got {type(name).__name__}")
    if name == "auto":
        for candidate in selection_order():
            instance, _ = _probe(candidate)
            if instance is not None:
                return instance
        raise RuntimeError("no backend works, not even numpy")  # pragma: no cover
    if name in RESEARCH_MIRRORS and name not in _REGISTRY:
        raise ValueError(
            f"backend {name!r} is a research mirror, not a backend of the wheel: it "
            "re-implements the kernels for parity checks and timing studies only. Run it "
            f"against the golden vectors with `python -m parity run --lang {name}`")
    if name not in _REGISTRY:
        known = ", ".join(["auto", *_REGISTRY])
        raise ValueError(f"backend must be one of {known} or a Backend instance; got {name!r}")
    instance, reason = _probe(name)
    if instance is None:
        raise RuntimeError(f"backend {name!r} is not available: {reason}"
                           + with_hint(_hint(name), ". To install: {}"))
    return instance


def prepared_backend(name: str | Backend = "auto") -> Backend:
    """The backend that runs a prepared layer: ``get_backend(name)``, where ``"auto"``
    is the first working backend, in the selection order, that has the prepared path.

    Raises
    ------
    ValueError, RuntimeError
        As [`get_backend`][sc_neurocore.accel.backend.get_backend].
    """
    if isinstance(name, str) and name == "auto":
        for candidate in selection_order():
            try:
                if not backend_class(candidate).has_prepared_path():
                    continue
            except ImportError:
                continue
            instance, _ = _probe(candidate)
            if instance is not None:
                return instance
    return get_backend(name)


def sc_forward(weights_packed: np.ndarray | PreparedLayer, input_probs: ArrayLike, *,
               length: int, backend: str | Backend = "auto", seed: int = DEFAULT_SEED,
               generator: str | None = None) -> np.ndarray:
    """SC forward pass on the chosen backend; bit-identical on every backend.

    ``out[b, o] = sum over i, w of popcount(weights_packed[o, i, w] & X[b, i, w]) / length``
    with ``X`` the encoded inputs: by the reference LFSR ([design: encoder][encoder]),
    or by another stream generator ([design: stream generators][stream-generators]),
    whose weight side ``weights_packed`` should then be encoded with (see
    [`encode_packed`][sc_neurocore.accel.lfsr.encode_packed]).  A
    [`PreparedLayer`][sc_neurocore.accel.prepared.PreparedLayer] in place of
    ``weights_packed`` gives the same result without packed weights
    ([design: prepared layers][prepared-layers]), with the generator it was
    prepared with.

    Parameters
    ----------
    weights_packed : numpy.ndarray or PreparedLayer
        ``uint64`` ``(n_out, n_in, n_words)``, ``n_words = ceil(length / 64)``;
        or a layer from [`prepare_layer`][sc_neurocore.accel.prepared.prepare_layer],
        whose ``length`` must then equal ``length``.
    input_probs : array_like
        ``(n_in,)`` or ``(batch, n_in)`` probabilities, finite, in ``[0, 1]``.
    length : int
        Stream length in bits (positive).
    backend : str or Backend, default "auto"
        A backend name (see [`available_backends`][sc_neurocore.accel.backend.available_backends]),
        ``"auto"`` for the fastest working one (for a prepared layer: the
        fastest that has the prepared path), or a
        [`Backend`][sc_neurocore.accel.backend.Backend] instance.
    seed : int, default 44257
        Encoder seed in ``[0, 2**32)``; input ``i`` uses register ``seed + i``.
    generator : str, optional
        The stream generator that encodes the inputs (on its input side):
        ``"lfsr"`` (the reference), ``"sobol"`` or ``"lfsr_pair"``.  Default:
        ``"lfsr"``, or for a prepared layer the generator it was prepared
        with (a different name raises ``ValueError``).

    Returns
    -------
    numpy.ndarray
        ``float64`` ``(n_out,)`` or ``(batch, n_out)``.

    Raises
    ------
    ValueError
        On an unknown backend name or invalid inputs
        ([`InputTypeError`][sc_neurocore.accel.InputTypeError] when a type is wrong),
        or a ``generator`` other than a prepared layer's (naming both).
    RuntimeError
        If the named backend is not available here (the message says how to
        install it).
    NotImplementedError
        If ``weights_packed`` is a prepared layer and the named backend has no
        prepared path.
    """
    if isinstance(weights_packed, PreparedLayer):
        return run_prepared(prepared_backend(backend), weights_packed, input_probs, length, seed,
                            generator)
    return get_backend(backend).sc_forward(
        weights_packed, input_probs, length=length, seed=seed,
        generator=DEFAULT_GENERATOR if generator is None else generator)
