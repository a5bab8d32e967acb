"""Errors across MPI ranks: every rank agrees on the outcome, and raises the same error.

The rank that failed raises its own exception; the others raise an exception
of the same built-in type with the same message (or ``MPIRankError`` for a
non-built-in type), noting which rank it came from.
"""

from __future__ import annotations

import builtins
from typing import Any

from sc_neurocore._validation import InputTypeError

__all__ = ["MPIFallbackWarning", "MPIRankError", "agree", "rebuild_error"]


class MPIFallbackWarning(RuntimeWarning):
    """Issued (once per process) when the driver falls back to a single rank."""


class MPIRankError(RuntimeError):
    """Raised on every rank when another rank failed with a non-built-in exception.

    Attributes
    ----------
    rank : int
        The rank whose exception is being re-raised here.
    error_type : str
        The name of that exception's class.
    message : str
        ``str()`` of that exception.
    phase : str
        What the ranks were doing (e.g. ``"local compute"``).
    """

    def __init__(self, rank: int, error_type: str, message: str, phase: str) -> None:
        super().__init__(f"rank {rank} failed during {phase}: {error_type}: {message}")
        self.rank = rank
        self.error_type = error_type
        self.message = message
        self.phase = phase


def _error_report(error: BaseException | None) -> tuple[str, str] | None:
    return None if error is None else (type(error).__name__, str(error))


def rebuild_error(rank: int, name: str, message: str, phase: str) -> Exception:
    """An exception like the one rank ``rank`` raised: same built-in type and message."""
    cls = InputTypeError if name == InputTypeError.__name__ else getattr(builtins, name, None)
    if isinstance(cls, type) and issubclass(cls, Exception):
        try:
            exc = cls(message)
        except Exception:  # a built-in whose constructor wants other arguments
            return MPIRankError(rank, name, message, phase)
        if str(exc) == message:
            if hasattr(exc, "add_note"):
                exc.add_note(f"(raised on MPI rank {rank} during {phase}; re-raised on every "
                             "rank so that none is left waiting)")
            return exc
    return MPIRankError(rank, name, message, phase)


def agree(comm: Any, error: Exception | None, phase: str) -> None:
    """Collective: raise on every rank if any rank reports an error.

    Every rank passes the exception it hit in ``phase`` (or ``None``).  When all
    are ``None`` this returns; otherwise every rank raises the error of the
    lowest failing rank: that rank its own exception object, the others a
    rebuilt one of the same type and message (chained to their own error, if
    they had one).
    """
    reports = comm.allgather(_error_report(error))
    failed = [(r, rep) for r, rep in enumerate(reports) if rep is not None]
    if not failed:
        return
    first, (name, message) = failed[0]
    if error is not None and first == comm.Get_rank():
        raise error
    raise rebuild_error(first, name, message, phase) from error
