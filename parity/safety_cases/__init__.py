"""Registry of the safety-mirror golden files (docs/safety-mirrors.md).

Every module ``parity/safety_cases/<name>.py`` (names starting with ``_`` are
helpers, not entries) is one golden file ``parity/golden/<name>.txt``. It is
found by listing this folder: adding a surface means adding its one module,
no line in a shared file. Each module defines ``run_case(inputs) -> outputs``
and ``build() -> GoldenFile`` (see :mod:`parity.safety_cases._builder`).

``python -m parity regen`` writes these files next to the kernel files;
``tests/parity/test_safety_golden.py`` runs each one through its ``run_case``, and
``rust/mirror``'s lib tests read the same files. ``python -m parity run``
never hands them to a language: it runs the kernels of
:data:`parity.kernels.KERNELS` only.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

from ..golden_format import GoldenFile
from ..kernels import KERNELS

__all__ = ["names", "load", "build", "build_all"]

_FOLDER = Path(__file__).resolve().parent


def names() -> tuple[str, ...]:
    """The registered safety golden files, sorted (module names without a leading ``_``)."""
    found = sorted(m.name for m in pkgutil.iter_modules([str(_FOLDER)])
                   if not m.name.startswith("_"))
    clash = [n for n in found if n in KERNELS]
    if clash:
        raise RuntimeError(f"safety case modules {clash} clash with kernel names")
    return tuple(found)


def load(name: str) -> ModuleType:
    """The case module ``name``, checked to define ``run_case`` and ``build``.

    Raises
    ------
    ValueError
        If ``name`` is not registered.
    RuntimeError
        If the module lacks ``run_case`` or ``build``.
    """
    if name not in names():
        raise ValueError(f"safety golden file must be one of {', '.join(names())}; got {name!r}")
    module = importlib.import_module(f"{__name__}.{name}")
    for attr in ("run_case", "build"):
        if not callable(getattr(module, attr, None)):
            raise RuntimeError(f"{module.__name__} must define {attr}()")
    return module


def build(name: str) -> GoldenFile:
    """The golden file of ``name`` (its ``kernel`` line must be ``name``)."""
    golden = load(name).build()
    if not isinstance(golden, GoldenFile) or golden.kernel != name:
        raise RuntimeError(f"parity.safety_cases.{name}.build() must return a GoldenFile "
                           f"whose kernel is {name!r}")
    return golden


def build_all() -> dict[str, GoldenFile]:
    """Every registered safety golden file, in :func:`names` order."""
    return {name: build(name) for name in names()}
