"""How a thin public module names the objects it re-exports: itself as their home.

The package's public modules (``sc_neurocore.accel.jax_backend``, ...) only
re-export what private modules define.  ``publish`` then records the public
module as each object's ``__module__`` (and a backend operation published
under its contract name, e.g. the JAX backend's ``and_`` as ``jax_vec_and``,
gets that name as ``__name__``), so that ``help()``, ``repr`` and pickling
show the documented path instead of the private one.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Callable, Iterable, Mapping

__all__ = ["lazy_reexport", "publish"]


def _is_private(module: str) -> bool:
    return any(part.startswith("_") for part in module.split("."))


def publish(module_name: str, namespace: Mapping[str, object], names: Iterable[str]) -> None:
    """Make ``module_name`` the home of each function and class of this package in ``names``.

    Only objects still homed in a private module are changed, so the first
    public module that exports an object (the one documented for it) keeps it.

    Parameters
    ----------
    module_name : str
        The public module (its ``__name__``).
    namespace : mapping
        Its globals.
    names : iterable of str
        The names it exports (its ``__all__``).
    """
    for name in names:
        obj = namespace[name]
        if inspect.isfunction(obj):
            if obj.__module__.startswith("sc_neurocore.") and _is_private(obj.__module__):
                obj.__module__ = module_name
                obj.__name__ = obj.__qualname__ = name
        elif inspect.isclass(obj):
            if obj.__module__.startswith("sc_neurocore.") and _is_private(obj.__module__):
                obj.__module__ = module_name


def lazy_reexport(package: str, submodule: str, names: Iterable[str]
                  ) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """A package's ``__getattr__`` and ``__dir__`` that re-export ``names`` from ``submodule`` on first use.

    ``from package import Name`` then works as the reference project's
    package-level re-exports do, while importing the package itself imports
    nothing more (PEP 562).

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    submodule : str
        The submodule, relative to the package (``"dna_mapper"``).
    names : iterable of str
        The names to re-export.

    Returns
    -------
    tuple of callable
        ``(__getattr__, __dir__)`` for the package's globals.
    """
    exported = frozenset(names)

    def __getattr__(name: str) -> object:
        if name in exported:
            return getattr(importlib.import_module(f"{package}.{submodule}"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | exported)

    return __getattr__, __dir__
