"""Backend registry, selection and the ``sc_forward`` entry point ([design: selector][selector]).

A backend is one [`Backend`][sc_neurocore.accel.backend.Backend] subclass plus
one registry entry (name -> class, or ``"module:Class"`` imported lazily so that
a missing or slow optional dependency costs nothing until that backend is asked
for).  [`sc_forward`][sc_neurocore.accel.backend.sc_forward] resolves the
``backend`` argument (a name, ``"auto"`` or a `Backend` instance) and runs it.

Whatever a backend implements, the arguments it receives have already been
validated here, once, by the shared rules of [design: errors][errors].
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import platform
import sys
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike

from . import _install
from ._validation import ForwardArgs, InputTypeError, validate_forward
from .lfsr import DEFAULT_SEED

__all__ = ["Backend", "NumpyBackend", "RustBackend", "BackendStatus", "PRIORITY",
           "RESEARCH_MIRRORS", "available_backends", "backend_status", "get_backend",
           "register_backend", "sc_forward", "host_key", "measured_order", "selection_order"]

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

_ForwardImpl = Callable[..., Any]


def _validating(impl: _ForwardImpl) -> Callable[..., np.ndarray]:
    """A subclass's own ``sc_forward``, behind the shared validation.

    The returned method validates the arguments ([design: errors][errors]), calls ``impl``
    with the normalised ones (C-contiguous native ``uint64`` weights,
    ``float64`` probabilities of the caller's rank, ``int`` length and seed)
    and checks the shape of what it returns.
    """

    def sc_forward(self: Backend, weights_packed: object, input_probs: object, *,
                   length: int, seed: int = DEFAULT_SEED) -> np.ndarray:
        args = validate_forward(weights_packed, input_probs, length, seed)
        probs = args.probs if args.batched else args.probs[0]
        result = impl(self, args.weights, probs, length=args.length, seed=args.seed)
        return _checked_result(self, result, args)

    functools.update_wrapper(sc_forward, impl)
    del sc_forward.__wrapped__  # type: ignore[attr-defined]  # keep our own signature
    sc_forward._sc_validating = True  # type: ignore[attr-defined]
    return sc_forward


def _validates_itself(method: _ForwardImpl) -> _ForwardImpl:
    """Mark an ``sc_forward`` that validates its arguments itself (not wrapped again)."""
    method._sc_validating = True  # type: ignore[attr-defined]
    return method


def _checked_result(backend: Backend, result: object, args: ForwardArgs) -> np.ndarray:
    """A backend's result as ``float64`` after checking its shape."""
    n_out = args.weights.shape[0]
    want = (args.probs.shape[0], n_out) if args.batched else (n_out,)
    out = np.asarray(result)
    if out.shape != want or out.dtype.kind not in "iuf":
        raise RuntimeError(f"backend {backend.name!r} ({type(backend).__name__}) returned "
                           f"{out.dtype} of shape {out.shape} from sc_forward; expected "
                           f"float64 of shape {want}")
    return np.asarray(out, dtype=np.float64)


class Backend(ABC):
    """Acceleration backend handle exposing the stable SC inference contract.

    To add a backend, subclass it, set [`name`][sc_neurocore.accel.backend.Backend.name]
    (and [`extra`][sc_neurocore.accel.backend.Backend.extra]), implement
    [`sc_forward`][sc_neurocore.accel.backend.Backend.sc_forward], then pass an
    instance wherever a backend is named, or register the class with
    [`register_backend`][sc_neurocore.accel.backend.register_backend].  Your
    ``sc_forward`` is wrapped so that every call is validated first
    ([design: errors][errors]): it only ever sees a C-contiguous native
    ``uint64`` ``weights_packed`` of shape ``(n_out, n_in, ceil(length / 64))``,
    ``float64`` ``input_probs`` in ``[0, 1]`` of shape ``(n_in,)`` or
    ``(batch, n_in)``, and ``int`` ``length`` and ``seed``; what it returns must have shape ``(n_out,)`` or
    ``(batch, n_out)`` and is returned as ``float64``.

    Override [`unavailable_reason`][sc_neurocore.accel.backend.Backend.unavailable_reason]
    when the backend cannot run everywhere.
    """

    name: ClassVar[str] = ""
    """The name the backend is registered and selected under."""
    extra: ClassVar[str | None] = None
    """The pip extra that installs the backend's dependencies (``None``: nothing to install)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("sc_forward")
        if (own is not None and not getattr(own, "__isabstractmethod__", False)
                and not getattr(own, "_sc_validating", False)):
            cls.sc_forward = _validating(own)  # type: ignore[method-assign]

    @classmethod
    def unavailable_reason(cls) -> str | None:
        """Why this backend cannot run here.

        Returns
        -------
        str or None
            The reason, or ``None`` when the backend can run (the default).
        """
        return None

    @classmethod
    def install_hint(cls) -> str:
        """How to install this backend.

        Returns
        -------
        str
            The command that installs this project with
            [`extra`][sc_neurocore.accel.backend.Backend.extra] from its
            checkout (e.g. ``python -m pip install -e '.[jax]'``); an empty
            string when nothing installable is missing (the reason then says
            what the machine lacks, e.g. a GPU).
        """
        if cls.extra is None:
            return "it ships with sc-neurocore"
        return _install.install_hint(cls.extra)

    @abstractmethod
    def sc_forward(self, weights_packed: np.ndarray, input_probs: ArrayLike, *, length: int,
                   seed: int = DEFAULT_SEED) -> np.ndarray:
        """Run the stochastic forward pass ([design: forward pass][forward-pass]) on this backend.

        Parameters
        ----------
        weights_packed : numpy.ndarray
            ``uint64`` ``(n_out, n_in, n_words)``, ``n_words = ceil(length / 64)``.
        input_probs : array_like
            ``(n_in,)`` or ``(batch, n_in)`` probabilities, finite, in ``[0, 1]``.
        length : int
            Stream length in bits (positive).
        seed : int, default 44257
            Encoder seed in ``[0, 2**32)``.

        Returns
        -------
        numpy.ndarray
            ``float64`` ``(n_out,)`` or ``(batch, n_out)``, bit-identical to
            [`sc_forward_numpy`][sc_neurocore.accel.sc_inference.sc_forward_numpy].

        Raises
        ------
        ValueError
            On any input that breaks [design: errors][errors]
            ([`InputTypeError`][sc_neurocore.accel.InputTypeError] when a type
            is wrong).
        """

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


class KernelBackend(Backend):
    """Base of the shipped backends: validation here, the kernel in ``_forward``.

    ``_forward`` receives the validated ``ForwardArgs`` (input always 2-D
    ``(batch, n_in)``) and returns ``float64`` ``(batch, n_out)``.
    """

    @_validates_itself
    def sc_forward(self, weights_packed: np.ndarray, input_probs: ArrayLike, *, length: int,
                   seed: int = DEFAULT_SEED) -> np.ndarray:
        """Run the stochastic forward pass ([design: forward pass][forward-pass]) on this backend (see ``Backend``)."""
        args = validate_forward(weights_packed, input_probs, length, seed)
        return args.shape_result(self._forward(args))

    @abstractmethod
    def _forward(self, args: ForwardArgs) -> np.ndarray:
        """The kernel on validated arguments: ``float64`` ``(batch, n_out)``."""


class NumpyBackend(KernelBackend):
    """NumPy fallback backend (always available, the bit-true floor)."""

    name = "numpy"

    def _forward(self, args: ForwardArgs) -> np.ndarray:
        # Imported here: sc_inference re-exports this module's sc_forward.
        from .sc_inference import forward_numpy

        return forward_numpy(args)


class RustBackend(KernelBackend):
    """Rust-accelerated backend over the compiled engine (SIMD and threads)."""

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

        out: np.ndarray = _engine.sc_forward(args.weights, args.probs, args.length, args.seed)
        return out


@dataclass(frozen=True)
class BackendStatus:
    """Whether a backend works here, and why not if it does not.

    Attributes
    ----------
    name : str
        The registered name.
    available : bool
        Whether the backend imports and passed its probe call.
    reason : str
        ``"ok"``, or why the backend cannot run here.
    install_hint : str
        How to install it; empty when nothing installable is missing.
    """

    name: str
    available: bool
    reason: str
    install_hint: str


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


def host_key() -> str:
    """Identify this host's CPU, to match timing-study results to the machine.

    Returns
    -------
    str
        The CPU model and the number of CPUs, e.g. ``"AMD EPYC x2"``.
    """
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model} x{os.cpu_count()}"


RUNS_DIR = Path("benchmarks") / "runs"
"""Where ``python -m sc_neurocore.accel bench`` writes by default, relative to the
working directory (git-ignored in the checkout, so a run leaves it as it was)."""

COMMITTED_RESULTS_DIR = Path("benchmarks") / "results"
"""Where results committed on purpose live (written with ``bench --out benchmarks/results``)."""


def results_dirs() -> list[Path]:
    """Folders searched for timing-study JSON (``bench-*.json``).

    ``$SC_NEUROCORE_RESULTS``, then ``benchmarks/runs`` and ``benchmarks/results``
    under the working directory and under the source checkout.
    """
    dirs = []
    if os.environ.get("SC_NEUROCORE_RESULTS"):
        dirs.append(Path(os.environ["SC_NEUROCORE_RESULTS"]))
    checkout = Path(__file__).resolve().parents[3]
    for root in (Path.cwd(), checkout):
        dirs.extend(root / sub for sub in (RUNS_DIR, COMMITTED_RESULTS_DIR))
    return dirs


def measured_order() -> list[str]:
    """Backends fastest first, from this host's newest timing study.

    Looks for ``bench-*.json`` written by ``python -m sc_neurocore.accel
    bench`` in the folders of ``results_dirs()``
    (``$SC_NEUROCORE_RESULTS``, ``benchmarks/runs`` and ``benchmarks/results``
    under the working directory and the source checkout), and uses the newest
    one whose host key is [`host_key`][sc_neurocore.accel.backend.host_key]'s.

    Returns
    -------
    list of str
        Its ``ranking``, or an empty list when there is none.
    """
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
    """The order in which ``"auto"`` tries the registered backends.

    Returns
    -------
    list of str
        [`measured_order`][sc_neurocore.accel.backend.measured_order] first,
        then the others in [`PRIORITY`][sc_neurocore.accel.backend.PRIORITY]
        order, then any other registered names, and ``"numpy"`` last.
    """
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


def sc_forward(weights_packed: np.ndarray, input_probs: ArrayLike, *, length: int,
               backend: str | Backend = "auto", seed: int = DEFAULT_SEED) -> np.ndarray:
    """SC forward pass on the chosen backend; bit-identical on every backend.

    ``out[b, o] = sum over i, w of popcount(weights_packed[o, i, w] & X[b, i, w]) / length``
    with ``X`` the LFSR-encoded inputs ([design: encoder][encoder]).

    Parameters
    ----------
    weights_packed : numpy.ndarray
        ``uint64`` ``(n_out, n_in, n_words)``, ``n_words = ceil(length / 64)``.
    input_probs : array_like
        ``(n_in,)`` or ``(batch, n_in)`` probabilities, finite, in ``[0, 1]``.
    length : int
        Stream length in bits (positive).
    backend : str or Backend, default "auto"
        A backend name (see [`available_backends`][sc_neurocore.accel.backend.available_backends]),
        ``"auto"`` for the fastest working one, or a
        [`Backend`][sc_neurocore.accel.backend.Backend] instance.
    seed : int, default 44257
        Encoder seed in ``[0, 2**32)``; input ``i`` uses register ``seed + i``.

    Returns
    -------
    numpy.ndarray
        ``float64`` ``(n_out,)`` or ``(batch, n_out)``.

    Raises
    ------
    ValueError
        On an unknown backend name or invalid inputs
        ([`InputTypeError`][sc_neurocore.accel.InputTypeError] when a type is wrong).
    RuntimeError
        If the named backend is not available here (the message says how to
        install it).
    """
    return get_backend(backend).sc_forward(weights_packed, input_probs, length=length,
                                           seed=seed)
