"""Leaky integrate-and-fire dynamics on NumPy: the reference for [design: spike order][spike-order].

The JAX backend and the research mirrors are checked against
[`lif_step`][sc_neurocore.accel.lif.lif_step] and
[`forward_pass_numpy`][sc_neurocore.accel.lif.forward_pass_numpy]; every
backend checks its arguments by the same rules.
"""

from __future__ import annotations

from sc_neurocore._public import publish

from ._backends.on_numpy import forward_pass as forward_pass_numpy
from ._backends.on_numpy import lif_step

__all__ = ["lif_step", "forward_pass_numpy"]

publish(__name__, globals(), __all__)
