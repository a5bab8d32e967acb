"""The stream-generator arguments: which generator encodes, and for which side of a product.

The names are defined here, where every entry point checks them; what each
generator computes lives in ``sc_neurocore.accel._generators``
([design: stream generators][stream-generators]).
"""

from __future__ import annotations

from .scalars import check_choice

__all__ = ["DEFAULT_GENERATOR", "GENERATORS", "ROLES", "check_generator", "check_role"]

GENERATORS: tuple[str, ...] = ("lfsr", "sobol", "lfsr_pair")
"""Every stream generator, the default (the reference LFSR) first."""
DEFAULT_GENERATOR = "lfsr"
"""The reference generator: the 16-bit LFSR comparator of [design: encoder][encoder]."""
ROLES: tuple[str, ...] = ("input", "weight")
"""The two sides of an AND product: the encoded inputs and the weights they meet."""


def check_generator(generator: object) -> str:
    """``generator`` itself after checking it names a stream generator.

    Raises
    ------
    InputTypeError
        If ``generator`` is not a ``str``.
    ValueError
        If it is not one of ``GENERATORS`` (the message lists them).
    """
    return check_choice(generator, "generator", GENERATORS)


def check_role(role: object) -> str:
    """``role`` itself after checking it is one of ``ROLES`` (``"input"`` or ``"weight"``);
    raises as ``check_generator`` does.
    """
    return check_choice(role, "role", ROLES)
