"""The parts of [`sc_neurocore.scpn.layers.l7_symbolic`][sc_neurocore.scpn.layers.l7_symbolic],
one concept per module (private: import the public module).

* ``arith``: the exactly specified sums, means, deviations and clips;
* ``checks``: the argument checks every part shares;
* ``geometry``: the sacred-geometry metrics of the symbol activations;
* ``e8``: the E8 root system and the alignment of the E8 state;
* ``glyph``: the symbolic health and the glyph vector;
* ``meridians``: meridian Qi, the L6 drive and the acupoints;
* ``symbols``: the symbol drive, ring diffusion and decay, and the bitstreams;
* ``params``: ``L7_StochasticParameters`` and the size limits;
* ``layer``: ``L7_SymbolicLayer``.
"""
