"""The NumPy backend: the bit-true reference every other backend is checked against.

``bitops``: ``pack``, ``unpack``, ``and_``, ``xnor``, ``not_``, ``mux``,
``popcount`` (public as ``sc_neurocore.accel.vector_ops``) and ``mac``
(AND-popcount counts of validated operands); ``inference``: ``encode`` (the
streams of ``EncoderOperands``), ``encode_packed`` (public in
``sc_neurocore.accel.lfsr``), ``forward`` (``sc_forward`` on validated
``ForwardArgs``), ``sc_forward_numpy`` and ``NumpyBackend``; ``prepared``: ``prepared_counts``
(the prepared layers' reference); ``lif``:
``lif_step`` and ``forward_pass`` (public as ``sc_neurocore.accel.lif``).
"""

from __future__ import annotations

from .bitops import and_, mac, mux, not_, pack, pack_rows, popcount, unpack, unpack_rows, xnor
from .inference import NumpyBackend, encode, encode_packed, forward, sc_forward_numpy
from .lif import forward_pass, lif_step
from .prepared import prepared_counts

__all__ = ["NumpyBackend", "and_", "encode", "encode_packed", "forward", "forward_pass",
           "lif_step", "mac", "mux", "not_", "pack", "pack_rows", "popcount",
           "prepared_counts", "sc_forward_numpy", "unpack", "unpack_rows", "xnor"]
