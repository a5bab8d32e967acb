"""sc_accel: Mojo research mirror of sc_neurocore.accel (docs/design.md, encoder to spike order).

Kernels raise ``Error`` on every invalid input class of parity/FORMAT.md and
never return a result for such input.
"""
