"""sc_neurocore: stochastic-computing spiking networks. See :mod:`sc_neurocore.accel`."""
