"""Optional dependencies of the backends: one way to import them and to say they are missing.

Every backend whose dependency is optional (Numba, JAX, CuPy, mpi4py) holds one
``OptionalDependency``: it
imports the dependency once (when the backend module is imported, or on first
use for mpi4py, whose import initialises MPI), records why it failed, and
words the reason and the install hint the same way for every backend.  What a
backend then does without it is its documented choice, made with the same
object: raise (``require``: the JAX functions), or run on NumPy after a
one-time ``WarnOnce`` notice (Numba,
CuPy, MPI).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ._install import install_hint

__all__ = ["OptionalDependency"]


class OptionalDependency:
    """One optional package: imported once, on request; what is missing, and how to install it.

    Parameters
    ----------
    label : str
        How messages name it (``"JAX"``, ``"numba"``, ``"CuPy"``, ``"mpi4py"``).
    extra : str
        The optional extra of this project that installs it.
    modules : str
        The modules to import, in order (e.g. ``"jax"``, ``"jax.numpy"``).
    missing : str, default "is not installed"
        How a failed import is worded: ``"<label> <missing> (<error>)"``.
    """

    def __init__(self, label: str, extra: str, *modules: str,
                 missing: str = "is not installed") -> None:
        self.label = label
        self.extra = extra
        self.names = modules
        self.missing = missing
        self._modules: tuple[ModuleType, ...] | None = None
        self._error: str | None = None
        self._tried = False

    def load(self) -> tuple[ModuleType, ...] | None:
        """Import the modules (the first call only); ``None`` when any import fails.

        Any ``Exception`` counts as a failure (a broken install raises more than
        ``ImportError``, e.g. a missing shared library); an interrupt
        (``KeyboardInterrupt``) propagates and the next call tries again.
        """
        if not self._tried:
            try:
                self._modules = tuple(importlib.import_module(n) for n in self.names)
            except Exception as exc:  # ImportError, or a broken install
                self._error = f"{type(exc).__name__}: {exc}"
            self._tried = True
        return self._modules

    @property
    def available(self) -> bool:
        """Whether every module imported."""
        return self.load() is not None

    @property
    def error(self) -> str | None:
        """Why the import failed (``"ImportError: ..."``), or ``None``."""
        self.load()
        return self._error

    def reason(self) -> str:
        """``"<label> is not installed (<error>)"``: why a backend cannot use it."""
        return f"{self.label} {self.missing} ({self.error})"

    def install_hint(self) -> str:
        """The command that installs this project's extra for it."""
        return install_hint(self.extra)

    def require(self) -> None:
        """Raise ``RuntimeError`` saying it is missing and how to install it, if it is.

        Raises
        ------
        RuntimeError
            ``"<label> is not installed (<error>); to install it: <hint>"``.
        """
        if not self.available:
            raise RuntimeError(f"{self.reason()}; to install it: {self.install_hint()}")
