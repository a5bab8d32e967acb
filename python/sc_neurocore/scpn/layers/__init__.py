"""The SCPN layers; :mod:`.l7_symbolic` is the symbolic layer (L7)."""
