"""Argument checks shared by the whole package ([design: errors][errors]): one home for every rule.

Every public entry point (the accel backends and the safety surfaces:
``studio``, ``bridges``, ``scpn``, ``world_model``, ``splitmix``) checks its
arguments with these helpers before any backend-specific code runs, so each
backend sees the same normalised, already-checked arrays and a user gets the
same error message whichever backend or surface they called.

Every rejection is a ``ValueError``.  When the *type* of an argument is what
is wrong, the error is an [`InputTypeError`][sc_neurocore.accel.InputTypeError],
which is both a ``TypeError`` and a ``ValueError``: code written against
either catches it.

* ``errors`` — ``InputTypeError``;
* ``scalars`` — one int, real number, str or option;
* ``arrays`` — dtype and rank (static checks that hold for JAX tracers too),
  values, and conversions to checked arrays;
* ``generators`` — the stream generator and the side (role) a stream is encoded for;
* ``forward`` — the arguments of ``sc_forward`` (``ForwardArgs``);
* ``prepared`` — the arguments of ``prepare_layer``, of a prepared
  layer's forward pass and of the backends' ``prepared_counts``;
* ``lif`` — the arguments of the LIF functions.
"""

from __future__ import annotations

from .arrays import (
    WORD_BITS,
    as_bits,
    as_packed,
    as_probabilities,
    as_real_array,
    c_contiguous,
    check_binary,
    check_bits_dtype,
    check_finite,
    check_non_empty,
    check_output,
    check_packed_dtype,
    check_rank,
    check_real_dtype,
    check_unit_interval,
    check_unmasked,
    n_words_for,
    same_shape,
)
from .errors import InputTypeError
from .forward import ForwardArgs, validate_forward
from .generators import DEFAULT_GENERATOR, GENERATORS, ROLES, check_generator, check_role
from .lif import (
    check_broadcasts_to,
    check_network_shapes,
    check_weight_list,
    validate_forward_pass,
    validate_lif_step,
)
from .prepared import (
    PREPARED_LENGTH_LIMIT,
    PREPARED_OPERAND_DTYPES,
    PrepareArgs,
    PreparedArgs,
    as_prepared_operands,
    check_prepared_operand_shapes,
    validate_prepare,
    validate_prepared_forward,
)
from .scalars import (
    SEED_LIMIT,
    check_choice,
    check_int,
    check_length,
    check_real,
    check_seed,
    check_text,
    real_scalar,
)

__all__ = [
    # errors
    "InputTypeError",
    # scalars
    "SEED_LIMIT", "check_choice", "check_int", "check_length", "check_real", "check_seed",
    "check_text", "real_scalar",
    # arrays
    "WORD_BITS", "as_bits", "as_packed", "as_probabilities", "as_real_array", "c_contiguous",
    "check_binary", "check_bits_dtype", "check_finite", "check_non_empty", "check_output",
    "check_packed_dtype", "check_rank", "check_real_dtype", "check_unit_interval",
    "check_unmasked", "n_words_for", "same_shape",
    # stream generators
    "DEFAULT_GENERATOR", "GENERATORS", "ROLES", "check_generator", "check_role",
    # the sc_forward contract
    "ForwardArgs", "validate_forward",
    # prepared layers
    "PREPARED_LENGTH_LIMIT", "PREPARED_OPERAND_DTYPES", "PrepareArgs", "PreparedArgs",
    "as_prepared_operands", "check_prepared_operand_shapes", "validate_prepare",
    "validate_prepared_forward",
    # the LIF contract
    "check_broadcasts_to", "check_network_shapes", "check_weight_list",
    "validate_forward_pass", "validate_lif_step",
]
