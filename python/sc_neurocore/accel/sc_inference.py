"""The NumPy reference of stochastic-computing inference ([design: forward pass][forward-pass]).

[`sc_forward_numpy`][sc_neurocore.accel.sc_inference.sc_forward_numpy] is the
bit-true floor every other backend is checked against: it encodes the inputs
with the LFSR comparator, ANDs them with the caller's packed weight streams
and counts the surviving bits.

[`sc_forward`][sc_neurocore.accel.backend.sc_forward], which dispatches to a
backend, is defined in [`sc_neurocore.accel.backend`][sc_neurocore.accel.backend]
and is importable from here too (the same function), where the reference
project documents it: ``from sc_neurocore.accel.sc_inference import sc_forward``.
"""

from __future__ import annotations

from sc_neurocore._public import publish

from ._backends.on_numpy import sc_forward_numpy
from .backend import sc_forward

__all__ = ["sc_forward", "sc_forward_numpy"]

publish(__name__, globals(), __all__)
