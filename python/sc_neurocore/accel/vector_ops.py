"""Packed-bitstream vector operations for stochastic-computing kernels, on NumPy ([design: vector operations][vector-operations]).

Streams are packed 64 bits per ``uint64`` word, least-significant bit first
(bit ``t`` is bit ``t % 64`` of word ``t // 64``).  Unipolar multiply is
[`vec_and`][sc_neurocore.accel.vector_ops.vec_and], bipolar multiply
[`vec_xnor`][sc_neurocore.accel.vector_ops.vec_xnor], scaled addition
[`vec_mux`][sc_neurocore.accel.vector_ops.vec_mux], and a dot product is AND
followed by [`vec_popcount`][sc_neurocore.accel.vector_ops.vec_popcount].
A ``uint64`` operand in either byte order is accepted.
"""

from __future__ import annotations

from sc_neurocore._public import publish

from ._backends.on_numpy import and_ as vec_and
from ._backends.on_numpy import mux as vec_mux
from ._backends.on_numpy import not_ as vec_not
from ._backends.on_numpy import pack as pack_bitstream
from ._backends.on_numpy import popcount as vec_popcount
from ._backends.on_numpy import unpack as unpack_bitstream
from ._backends.on_numpy import xnor as vec_xnor

__all__ = ["pack_bitstream", "unpack_bitstream", "vec_and", "vec_xnor", "vec_not",
           "vec_mux", "vec_popcount"]

publish(__name__, globals(), __all__)
