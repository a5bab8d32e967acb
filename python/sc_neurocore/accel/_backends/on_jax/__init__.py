"""The JAX backend, split by concern.

``bitops``: ``pack``, ``and_``, ``xnor``, ``not_``, ``mux``, ``popcount``,
``mac``; ``inference``: ``encode``, ``forward`` (``sc_forward`` on validated
``ForwardArgs``) and ``JaxBackend``; ``prepared``: ``prepared_counts``
(prepared layers, jit- and vmap-able); ``lif``: ``lif_step``, ``forward_pass``;
``training``: ``surrogate_loss``, ``surrogate_gradient_step``; ``runtime``:
JAX itself (imported once; ``to_jax``, ``to_host``, the 64-bit scope);
``checks``: the tracer-aware argument checks.  The public names are
``sc_neurocore.accel.jax_backend``'s.
"""

from __future__ import annotations

from .bitops import and_, mac, mux, not_, pack, popcount, xnor
from .inference import JaxBackend, encode, forward
from .lif import forward_pass, lif_step
from .prepared import prepared_counts
from .runtime import HAS_JAX, TRACE_COUNTS, JaxArray, to_host, to_jax
from .training import JAX_SURROGATE_PATHS, surrogate_gradient_step, surrogate_loss

__all__ = ["HAS_JAX", "JAX_SURROGATE_PATHS", "TRACE_COUNTS", "JaxArray", "JaxBackend", "and_",
           "encode", "forward", "forward_pass", "lif_step", "mac", "mux", "not_", "pack",
           "popcount", "prepared_counts", "surrogate_gradient_step", "surrogate_loss", "to_host",
           "to_jax", "xnor"]
