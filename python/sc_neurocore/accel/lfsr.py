"""The 16-bit Fibonacci LFSR comparator encoder ([design: encoder][encoder]).

The register (taps 16, 14, 13, 11) visits all 65535 non-zero states in one
cycle, so the stream of every input is a rotation of one shared sequence.  The
reference therefore precomputes that sequence once and encodes by gather and
compare, with no Python loop over the stream length.
"""

from __future__ import annotations

from sc_neurocore._public import publish

from ._backends.on_numpy import encode_packed
from ._encoder import DEFAULT_SEED, weight_seed

__all__ = ["DEFAULT_SEED", "encode_packed", "weight_seed"]

publish(__name__, globals(), __all__)
