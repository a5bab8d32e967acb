"""sc_neurocore: stochastic-computing spiking networks.

See [`sc_neurocore.accel`][sc_neurocore.accel].
"""
