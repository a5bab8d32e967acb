"""Read-only public attributes that show an object's private state: one descriptor for all.

In a class body, ``n_parity: int = read_only("_r")`` followed by the
attribute's docstring gives every instance a public ``n_parity`` that reads
``self._r`` (a dotted path such as ``"_model.state_dim"`` reads through),
and refuses assignment and deletion as a property without a setter does.
The annotation types the attribute for mypy and the documentation.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

__all__ = ["read_only"]


class _ReadOnly:
    """The descriptor behind :func:`read_only`."""

    __slots__ = ("_get", "_name")

    def __init__(self, path: str) -> None:
        self._get: Callable[[object], Any] = operator.attrgetter(path)
        self._name = path

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, obj: object | None, owner: type | None = None) -> Any:
        return self if obj is None else self._get(obj)

    def _refuse(self, obj: object, what: str) -> AttributeError:
        return AttributeError(f"property {self._name!r} of {type(obj).__name__!r} object "
                              f"has no {what}")

    def __set__(self, obj: object, value: object) -> None:
        raise self._refuse(obj, "setter")

    def __delete__(self, obj: object) -> None:
        raise self._refuse(obj, "deleter")


def read_only(path: str) -> Any:
    """A read-only attribute that reads ``path`` (``"_r"``, ``"_model.state_dim"``) on the instance.

    Parameters
    ----------
    path : str
        The attribute, or dotted chain of attributes, the public one shows.

    Returns
    -------
    Any
        The descriptor; typed ``Any`` so that the class body's annotation gives
        the attribute its type.
    """
    return _ReadOnly(path)
