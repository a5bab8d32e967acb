"""sc_neurocore.studio: tools for exploring single-neuron models.

* [`sc_neurocore.studio.analysis`][sc_neurocore.studio.analysis] — f-I curves, bifurcation diagrams,
  sensitivities, 2-D rate maps, spike-triggered averages, frequency responses,
  nullclines and Q8.8 fixed-point precision reports (NumPy only; mirrored bit
  for bit by ``rust/mirror/src/safety/analysis.rs``).
"""
