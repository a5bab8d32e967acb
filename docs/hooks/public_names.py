"""Griffe extension: the API pages name only public objects.

mkdocstrings renders what the source says, so a public class derived from a
private base shows that base ("Bases: KernelBackend"), and a default taken
from a private constant shows the constant's name, which the page does not
document.  After the package is loaded this extension rewrites, for the
documentation only:

* the bases of every class: a base that is not public (a name starting with
  ``_`` or left out of its module's ``__all__``) is replaced by its own bases,
  recursively, so ``NumpyBackend`` shows ``Bases: Backend``;
* every parameter default (and dataclass field default) that names a private
  module constant: the constant's value is shown instead
  (``max_tries: int = 10000``).

Private type aliases are not rewritten here: the source spells public
signatures with public types (tests/docs/test_api_docs.py checks the built page).
"""

from __future__ import annotations

from typing import Any

import griffe

PACKAGE = "sc_neurocore"


def _target(expr: object, scope: griffe.Object) -> griffe.Object | griffe.Alias | None:
    """The object of this package an expression names, or ``None``."""
    if not isinstance(expr, griffe.ExprName):
        return None
    path = expr.canonical_path
    if not path.startswith(f"{PACKAGE}."):
        return None
    try:
        found = scope.modules_collection.get_member(path)
    except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None
    return found.final_target if isinstance(found, griffe.Alias) else found


def _public_bases(cls: griffe.Class, seen: frozenset[str] = frozenset()) -> list[Any]:
    """``cls``'s bases with every non-public class of the package replaced by its bases."""
    bases: list[Any] = []
    for base in cls.bases:
        target = _target(base, cls)
        if (isinstance(target, griffe.Class) and not target.is_public
                and target.path not in seen):
            bases += _public_bases(target, seen | {target.path})
        else:
            bases.append(base)
    return bases


def _walk(obj: griffe.Object) -> list[griffe.Object]:
    """``obj`` and every object defined under it (aliases not followed)."""
    found = [obj]
    for member in obj.members.values():
        if not isinstance(member, griffe.Alias):
            found += _walk(member)
    return found


def _shown_value(value: Any, scope: griffe.Object) -> Any:
    """``value``, or the value of the private constant it names."""
    target = _target(value, scope)
    if isinstance(target, griffe.Attribute) and not target.is_public and target.value is not None:
        return target.value
    return value


class PublicNames(griffe.Extension):
    """Show public bases and literal defaults in place of private names."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        if pkg.name != PACKAGE:
            return
        for obj in _walk(pkg):
            if isinstance(obj, griffe.Class):
                obj.bases = _public_bases(obj)
            if isinstance(obj, griffe.Function):
                for parameter in obj.parameters:
                    parameter.default = _shown_value(parameter.default, obj)
            if isinstance(obj, griffe.Attribute) and isinstance(obj.parent, griffe.Class):
                obj.value = _shown_value(obj.value, obj)  # a dataclass field's default
