"""One private package per backend, every one of the same shape.

``on_numpy``, ``on_rust``, ``on_numba``, ``on_jax``, ``on_cupy`` and ``on_mpi``
(named so, not after the libraries, so that no name inside the package hides
``numpy`` or ``jax``) each expose, from their ``__init__``, the operations they
implement under the same names:

===================  =============================================================
``pack``             0/1 bits to packed ``uint64`` words ([design: packing][packing])
``unpack``           packed words back to bits
``and_``             bitwise AND (unipolar multiply)
``xnor``             bitwise XNOR (bipolar multiply)
``not_``             bitwise NOT (complement)
``mux``              ``(sel & a) | (~sel & b)`` (scaled addition)
``popcount``         set bits (the total on NumPy, per word on a device)
``encode``           the streams of ``EncoderOperands`` (``sc_neurocore.accel._encoder``)
``mac``              AND-popcount counts of weights against encoded inputs
``forward``          ``sc_forward`` on validated ``ForwardArgs``: ``float64 (batch, n_out)``
``prepared_counts``  a prepared layer's counts (``Backend.prepared_counts``)
``lif_step``         one LIF step ([design: spike order][spike-order])
``forward_pass``     the layered LIF forward pass
===================  =============================================================

plus their ``Backend`` subclass.  Inside, each package is laid out the same
way: ``bitops`` (the packed vector operations), ``inference`` (``encode``,
``mac``, ``forward`` and the ``Backend`` subclass), ``prepared`` (``prepared_counts``,
[design: prepared layers][prepared-layers]), ``lif`` where it has the
LIF functions, ``runtime`` where its dependency is optional (imported once,
through ``sc_neurocore.accel._optional``).  The public modules (``vector_ops``,
``jit_kernels``, ``jax_backend``, ``gpu_backend``, ...) re-export these under
the documented names (``vec_and``, ``jit_vec_mac``, ``jax_vec_and``, ...).  A
new operation is one function of that name in each backend package that has
it; ``OPERATIONS`` lists the names,
and ``base`` holds what every backend shares (the ``Backend`` class and its one
validation route, ``counts_to_rates``).
"""

from __future__ import annotations

__all__ = ["BACKEND_PACKAGES", "OPERATIONS"]

OPERATIONS: tuple[str, ...] = ("pack", "unpack", "and_", "xnor", "not_", "mux", "popcount",
                               "encode", "mac", "forward", "prepared_counts", "lif_step",
                               "forward_pass")
"""The operation names a backend package may expose (each backend has a subset)."""

BACKEND_PACKAGES: tuple[str, ...] = ("on_numpy", "on_rust", "on_numba", "on_jax", "on_cupy",
                                     "on_mpi")
"""The backend packages under ``sc_neurocore.accel._backends``."""
