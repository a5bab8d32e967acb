"""The SCPN layers; [`l7_symbolic`][sc_neurocore.scpn.layers.l7_symbolic] is the symbolic layer
(L7).

As in the reference project, the package re-exports the layer's classes
(``from sc_neurocore.scpn.layers import L7_SymbolicLayer``), importing
``l7_symbolic`` on their first use.
"""

from sc_neurocore._public import lazy_reexport

__all__ = ["L7_StochasticParameters", "L7_SymbolicLayer", "l7_symbolic"]

__getattr__, __dir__ = lazy_reexport(__name__, "l7_symbolic",
                                     ("L7_StochasticParameters", "L7_SymbolicLayer"))
