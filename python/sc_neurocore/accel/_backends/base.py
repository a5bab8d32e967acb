"""The class every backend derives from, the one route by which its calls are validated, its status.

Whatever a backend implements, the arguments it receives have already been
validated, once, by the shared rules of [design: errors][errors]: every
subclass's own ``sc_forward`` is wrapped (in ``Backend.__init_subclass__``) by
``validating``, which checks the arguments, hands the backend normalised ones
and checks the shape of what it returns.  The shipped backends derive from
``KernelBackend``, whose ``sc_forward`` passes the validated arguments on to a
kernel; a user's backend implements ``sc_forward`` itself.  Both go through
the same wrapper.
"""

from __future__ import annotations

import functools
import inspect
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike

from sc_neurocore._validation import DEFAULT_GENERATOR, ForwardArgs, validate_forward

from .. import _install
from .._encoder import DEFAULT_SEED

__all__ = ["Backend", "BackendStatus", "KernelBackend", "counts_to_rates", "validating"]

_ForwardImpl = Callable[..., Any]


def validating(impl: _ForwardImpl) -> Callable[..., np.ndarray]:
    """A subclass's own ``sc_forward``, behind the shared validation.

    The returned method validates the arguments ([design: errors][errors]), calls ``impl``
    with the normalised ones (C-contiguous native ``uint64`` weights,
    ``float64`` probabilities of the caller's rank, ``int`` length and seed,
    and ``generator`` when ``impl`` takes it) and checks the shape of what it
    returns.  An ``impl`` without a ``generator`` parameter encodes with the
    reference LFSR only: asked for another generator, the call raises
    ``ValueError``.
    """
    takes_generator = _takes_generator(impl)

    def sc_forward(self: Backend, weights_packed: object, input_probs: object, *,
                   length: int, seed: int = DEFAULT_SEED,
                   generator: str = DEFAULT_GENERATOR) -> np.ndarray:
        args = validate_forward(weights_packed, input_probs, length, seed, generator)
        probs = args.probs if args.batched else args.probs[0]
        if takes_generator:
            result = impl(self, args.weights, probs, length=args.length, seed=args.seed,
                          generator=args.generator)
        elif args.generator != DEFAULT_GENERATOR:
            raise ValueError(f"backend {self.name!r} ({type(self).__name__}) encodes with the "
                             f"reference generator only: its sc_forward takes no generator, "
                             f"got generator={args.generator!r}")
        else:
            result = impl(self, args.weights, probs, length=args.length, seed=args.seed)
        return _checked_result(self, result, args)

    functools.update_wrapper(sc_forward, impl)
    del sc_forward.__wrapped__  # type: ignore[attr-defined]  # keep our own signature
    sc_forward._sc_validating = True  # type: ignore[attr-defined]
    return sc_forward


def _takes_generator(impl: _ForwardImpl) -> bool:
    """Whether ``impl`` accepts a ``generator`` keyword (by name or through ``**kwargs``)."""
    try:
        params = inspect.signature(impl).parameters.values()
    except (TypeError, ValueError):  # a callable without a signature: assume the contract
        return False
    return any(p.name == "generator" or p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


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
    ``(batch, n_out)`` and is returned as ``float64``.  A ``sc_forward``
    that also takes a ``generator`` keyword receives the checked stream
    generator name ([design: stream generators][stream-generators]); one
    without it serves the default generator only.

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
            cls.sc_forward = validating(own)  # type: ignore[method-assign]

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
                   seed: int = DEFAULT_SEED, generator: str = DEFAULT_GENERATOR) -> np.ndarray:
        """Run the stochastic forward pass ([design: forward pass][forward-pass]) on this backend.

        An implementation receives its arguments already checked (see the
        class docstring); callers pass them as to
        [`sc_forward`][sc_neurocore.accel.backend.sc_forward].

        Parameters
        ----------
        weights_packed : numpy.ndarray
            ``uint64`` ``(n_out, n_in, n_words)`` with ``n_words = ceil(length / 64)``
            (C-contiguous, native byte order, once checked).
        input_probs : array_like
            ``(n_in,)`` or ``(batch, n_in)`` probabilities, finite, in ``[0, 1]``
            (``float64`` once checked).
        length : int
            Stream length in bits (positive).
        seed : int, default 44257
            Encoder seed in ``[0, 2**32)``.
        generator : str, default "lfsr"
            The stream generator that encodes the inputs
            ([design: stream generators][stream-generators]); an
            implementation may leave this parameter out (see the class
            docstring).

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

    def prepared_counts(self, k: np.ndarray, states: np.ndarray,
                        thresholds: np.ndarray) -> np.ndarray:
        """The counts of a prepared layer's forward pass ([design: prepared layers][prepared-layers]).

        ``counts[b, o] = sum over i of #{ j < k[o, i] : states[i, j] <
        thresholds[b, i] }``: input ``i``'s bits laid out in the layer's order
        (``states < threshold``, every bit set for a threshold of 65536), of
        which weight ``(o, i)`` keeps the first ``k[o, i]``.  A backend that
        has the prepared path overrides this (every shipped backend package
        exposes it as its ``prepared_counts`` operation); ``sc_forward`` of a
        [`PreparedLayer`][sc_neurocore.accel.prepared.PreparedLayer] calls it
        with checked, consistent arguments, never with an empty batch,
        ``n_out`` or ``n_in``, and divides the counts by ``length``.  The
        layer's stream generator only changes the ``states`` it passes, so
        one implementation serves every generator.

        Parameters
        ----------
        k : numpy.ndarray
            ``uint32`` ``(n_out, n_in)``, C-contiguous, each in ``[0, length]``.
        states : numpy.ndarray
            ``uint16`` ``(n_in, length)``, C-contiguous: input ``i``'s
            input-side states in the layer's order.
        thresholds : numpy.ndarray
            ``int64`` ``(batch, n_in)``, C-contiguous, each in ``[0, 65536]``:
            the quantised input probabilities.

        Returns
        -------
        numpy.ndarray
            Integer (``uint64``) counts ``(batch, n_out)``, equal to the
            NumPy backend's (the bit-true reference).

        Raises
        ------
        NotImplementedError
            This backend has no prepared path (the default).
        """
        raise NotImplementedError(
            f"backend {self.name!r} ({type(self).__name__}) has no prepared-layer path; run "
            "the layer with backend='auto' or a backend that has it")

    @classmethod
    def has_prepared_path(cls) -> bool:
        """Whether this backend implements ``prepared_counts`` (runs prepared layers).

        Returns
        -------
        bool
            ``True`` when the class overrides ``prepared_counts``.
        """
        return cls.prepared_counts is not Backend.prepared_counts

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


class KernelBackend(Backend):
    """Base of the shipped backends: the validated call goes on to the kernel ``_forward``.

    ``sc_forward`` is validated like every backend's (see ``validating``);
    ``_forward`` then receives ``ForwardArgs`` with the input always 2-D
    ``(batch, n_in)`` and returns ``float64`` ``(batch, n_out)``.
    """

    def sc_forward(self, weights_packed: np.ndarray, input_probs: ArrayLike, *, length: int,
                   seed: int = DEFAULT_SEED, generator: str = DEFAULT_GENERATOR) -> np.ndarray:
        """Run the stochastic forward pass ([design: forward pass][forward-pass]) on this backend (see ``Backend``)."""
        probs = np.asarray(input_probs)
        batched = probs.ndim == 2
        args = ForwardArgs(weights_packed, probs if batched else probs[None, :], length, seed,
                           batched, generator)
        return args.shape_result(self._forward(args))

    @abstractmethod
    def _forward(self, args: ForwardArgs) -> np.ndarray:
        """The kernel on validated arguments: ``float64`` ``(batch, n_out)``."""


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


def counts_to_rates(counts: np.ndarray, length: int) -> np.ndarray:
    """``count / length`` in float64: the single division every backend performs."""
    rates: np.ndarray = counts.astype(np.float64) / np.float64(length)
    return rates
