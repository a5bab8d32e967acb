"""How to install this project with an optional extra: the one source of every install hint.

This project's distribution name, ``sc-neurocore``, is also the name under
which another project publishes its releases on PyPI, so a hint that asks pip
for that name with an extra would install the other project.  Every message
that tells a user how to get an optional dependency (the backends'
``install_hint``, ``info``, errors, warnings, the parity runner) is built here
instead: it installs the extra from this project's own source checkout.
"""

from __future__ import annotations

import shlex
from functools import lru_cache
from pathlib import Path

__all__ = ["EXTRAS", "install_hint", "source_checkout"]

EXTRAS: tuple[str, ...] = ("numba", "jax", "gpu", "mpi", "bench", "test", "docs")
"""The optional extras of ``pyproject.toml`` a hint may name."""


@lru_cache(maxsize=1)
def source_checkout() -> Path | None:
    """The root of the source checkout this package runs from, if it runs from one.

    Returns
    -------
    pathlib.Path or None
        The folder holding ``pyproject.toml`` and ``python/sc_neurocore`` (an
        editable install, or ``PYTHONPATH=python``); ``None`` when the package
        was installed from a wheel.
    """
    root = Path(__file__).resolve().parents[3]
    if (root / "pyproject.toml").is_file() and (root / "python" / "sc_neurocore").is_dir():
        return root
    return None


def install_hint(extra: str | None = None) -> str:
    """The command that installs this project (with ``extra``) from its checkout.

    Parameters
    ----------
    extra : str, optional
        One of [`EXTRAS`][sc_neurocore.accel._install.EXTRAS]; ``None`` for the
        package alone.

    Returns
    -------
    str
        E.g. ``cd /path/to/checkout && python -m pip install -e '.[jax]' (or
        `make install` there: every extra)``.  Without a checkout (a wheel
        install) the folder is described instead of named.

    Raises
    ------
    ValueError
        If ``extra`` is not one of ``EXTRAS``.
    """
    if extra is not None and extra not in EXTRAS:
        raise ValueError(f"extra must be one of {', '.join(EXTRAS)} or None, got {extra!r}")
    target = "." if extra is None else f".[{extra}]"
    command = f"python -m pip install -e '{target}'"
    root = source_checkout()
    if root is None:
        return (f"{command} in the root folder of a checkout of this project (or `make "
                "install` there: every extra)")
    return f"cd {shlex.quote(str(root))} && {command} (or `make install` there: every extra)"
