"""The SCPN layers; [`l7_symbolic`][sc_neurocore.scpn.layers.l7_symbolic] is the symbolic layer
(L7).
"""
