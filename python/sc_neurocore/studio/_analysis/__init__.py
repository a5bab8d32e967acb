"""The parts of :mod:`sc_neurocore.studio.analysis`, one concept per module.

Nothing here is public on its own: ``sc_neurocore.studio.analysis`` re-exports
every public name, and the documentation lives there.
"""
