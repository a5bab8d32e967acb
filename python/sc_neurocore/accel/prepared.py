"""Prepared layers ([design: prepared layers][prepared-layers]): bit-exact forward passes without packed weights.

[`prepare_layer`][sc_neurocore.accel.prepared.prepare_layer] turns a weight
matrix (probabilities, or packed weights the encoder made) into a
[`PreparedLayer`][sc_neurocore.accel.prepared.PreparedLayer]: per weight, the
number of set bits of its stream, and per input, its stream positions in the
order of the weight-side states.  Its forward pass, and
[`sc_forward`][sc_neurocore.accel.backend.sc_forward] given the layer in
place of ``weights_packed``, is bit-identical to the packed path, reading
``O(n_out · n_in + n_in · length)`` memory instead of ``O(n_out · n_in ·
length / 8)``.
"""

from __future__ import annotations

from sc_neurocore._public import publish

from ._prepared import PreparedLayer, prepare_layer

__all__ = ["PreparedLayer", "prepare_layer"]

publish(__name__, globals(), __all__)
