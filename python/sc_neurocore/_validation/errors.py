"""The error class every argument check raises for a value of the wrong type."""

from __future__ import annotations

__all__ = ["InputTypeError"]


class InputTypeError(TypeError, ValueError):
    """An argument of the wrong type: a ``TypeError`` that is also a ``ValueError``.

    Raised by every public function of ``sc_neurocore.accel`` when the type
    or dtype of an argument is wrong (a list where an array is needed,
    ``int64`` words where ``uint64`` ones are, a float where an int is).  It
    derives from both built-ins, as NumPy's ``AxisError`` derives from
    ``ValueError`` and ``IndexError``, so ``except ValueError`` (the
    documented contract) and ``except TypeError`` both catch it.  The message
    names the argument and the expected form.
    """
