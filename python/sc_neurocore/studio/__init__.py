"""sc_neurocore.studio: tools for exploring single-neuron models.

* [`sc_neurocore.studio.analysis`][sc_neurocore.studio.analysis] — the reference
  project's Studio analyses: f-I curves, extrema (bifurcation) sweeps, rate
  elasticities, rate maps, spike-triggered averages, frequency responses,
  nullclines of equation systems and float-versus-bit-true fixed-point
  comparisons, each with its metric contract (NumPy only; mirrored by
  ``rust/mirror/src/safety/analysis/``).
"""
