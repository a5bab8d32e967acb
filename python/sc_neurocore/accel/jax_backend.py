"""JAX backend: packed SC kernels, LIF dynamics and surrogate-gradient training.

Everything here runs through XLA (CPU, GPU or TPU, whichever JAX was installed
for) and keeps arrays on the device until [`to_host`][sc_neurocore.accel.jax_backend.to_host]
is called.

* Packed vector operations ([design: vector operations][vector-operations]):
  [`jax_pack_bitstream`][sc_neurocore.accel.jax_backend.jax_pack_bitstream],
  [`jax_vec_and`][sc_neurocore.accel.jax_backend.jax_vec_and] (and ``xnor``/``not``/``mux``),
  [`jax_popcount`][sc_neurocore.accel.jax_backend.jax_popcount] (per element) and
  [`jax_vec_mac`][sc_neurocore.accel.jax_backend.jax_vec_mac] (AND, popcount and reduce).
* Prepared layers ([design: prepared layers][prepared-layers]):
  [`jax_prepared_counts`][sc_neurocore.accel.jax_backend.jax_prepared_counts], the
  counts behind ``sc_forward`` of a prepared layer on ``backend="jax"``, for the
  caller's ``jax.jit`` and ``jax.vmap``.
* [`JaxBackend`][sc_neurocore.accel.jax_backend.JaxBackend] runs ``sc_forward``
  ([design: forward pass][forward-pass]) bit-identically to the NumPy reference.
* LIF dynamics ([design: spike order][spike-order]): [`jax_lif_step`][sc_neurocore.accel.jax_backend.jax_lif_step]
  and [`jax_forward_pass`][sc_neurocore.accel.jax_backend.jax_forward_pass]
  (time runs in one ``lax.scan``, so compile time does not grow with ``n_steps``).
* Surrogate training: [`jax_surrogate_loss`][sc_neurocore.accel.jax_backend.jax_surrogate_loss]
  and [`jax_surrogate_gradient_step`][sc_neurocore.accel.jax_backend.jax_surrogate_gradient_step].

**Composing with JAX transformations.** Every ``jax_*`` function can be called
eagerly or inside the caller's ``jax.jit``, ``jax.grad`` /
``jax.value_and_grad`` (where differentiable) and ``jax.vmap``, in any
nesting.  Checks of shape, rank and dtype read static information and run in
both cases.  Checks of values (NaN/inf, ranges, 0/1 bits, class labels) run on
concrete inputs (NumPy arrays, Python numbers, JAX arrays outside a
transformation); on traced inputs they are skipped, unless the caller wraps
the computation in ``jax.experimental.checkify.checkify`` (with
``errors=checkify.user_checks``), which turns them into run-time checks.
Arguments that set the shape of the computation (``n_steps``,
``surrogate_path``) must be concrete Python values (``static_argnames`` under
``jax.jit``).

**64-bit types.** Eager calls enable 64-bit JAX types for their own duration
only, with JAX's scoped ``enable_x64`` context manager; the user's global
``jax_enable_x64`` setting is never changed.  Traced calls run in the caller's
setting: float computations then use the dtypes JAX gives the traced values,
and the ``uint64`` kernels need the caller to trace inside
``jax.enable_x64(True)`` (they raise a clear error, instead of truncating
words to 32 bits, when 64-bit types are off).

Every rejection is a ``ValueError`` naming the argument (an
[`InputTypeError`][sc_neurocore.accel.InputTypeError] when a type is wrong).
When JAX is not installed this module still imports:
[`HAS_JAX`][sc_neurocore.accel.jax_backend.HAS_JAX] is ``False``,
[`to_jax`][sc_neurocore.accel.jax_backend.to_jax] returns its input unchanged
and [`to_host`][sc_neurocore.accel.jax_backend.to_host] converts with NumPy (as
the reference project documents), and every other function raises
``RuntimeError`` saying how to install JAX.
"""

from __future__ import annotations

from sc_neurocore._public import publish

from ._backends.on_jax import HAS_JAX, JAX_SURROGATE_PATHS, JaxArray, JaxBackend, to_host, to_jax
from ._backends.on_jax import and_ as jax_vec_and
from ._backends.on_jax import forward_pass as jax_forward_pass
from ._backends.on_jax import lif_step as jax_lif_step
from ._backends.on_jax import mac as jax_vec_mac
from ._backends.on_jax import mux as jax_vec_mux
from ._backends.on_jax import not_ as jax_vec_not
from ._backends.on_jax import pack as jax_pack_bitstream
from ._backends.on_jax import popcount as jax_popcount
from ._backends.on_jax import prepared_counts as jax_prepared_counts
from ._backends.on_jax import surrogate_gradient_step as jax_surrogate_gradient_step
from ._backends.on_jax import surrogate_loss as jax_surrogate_loss
from ._backends.on_jax import xnor as jax_vec_xnor

__all__ = [
    "HAS_JAX", "to_jax", "to_host", "jax_pack_bitstream", "jax_vec_and", "jax_vec_xnor",
    "jax_vec_not", "jax_vec_mux", "jax_popcount", "jax_vec_mac", "jax_prepared_counts",
    "jax_lif_step", "jax_forward_pass", "jax_surrogate_loss", "jax_surrogate_gradient_step",
    "JAX_SURROGATE_PATHS", "JaxBackend", "JaxArray",
]

publish(__name__, globals(), __all__)
