"""sc_neurocore.scpn: the layers of the stochastic SCPN stack (see ``layers``)."""
