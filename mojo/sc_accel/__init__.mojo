"""sc_accel: Mojo research mirror of sc_neurocore.accel (DESIGN §3-§5).

Kernels raise ``Error`` on every invalid input class of parity/FORMAT.md and
never return a result for such input.
"""
