"""``L7_StochasticParameters`` and the size limits of the L7 layer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sc_neurocore._validation import InputTypeError, check_int
from sc_neurocore.splitmix import U64_LIMIT

from .checks import check_rate
from .glyph import GLYPH_DIMENSIONS, check_weights

MAX_SIZE: Final = 1 << 20
"""Largest ``n_symbols``, ``n_meridians``, ``n_acupoints`` and ``bitstream_length`` (1,048,576)."""
MAX_STEP_BITS: Final = 1 << 26
"""Largest ``n_symbols * bitstream_length``: the bits one step emits (64 MiB as ``uint8``)."""
MIN_SYMBOLS: Final = 2
"""Fewest symbols: the Phi alignment compares the two largest activations."""


def _size(value: object, name: str, minimum: int) -> int:
    """A size field: an int in ``[minimum, MAX_SIZE]`` (``bool`` refused, as a non-integer)."""
    try:
        return check_int(value, name, minimum=minimum, below=MAX_SIZE + 1)
    except InputTypeError:
        raise InputTypeError(f"{name} must be a positive integer, got "
                             f"{type(value).__name__}") from None


@dataclass
class L7_StochasticParameters:
    """Parameters of the stochastic L7 symbolic layer.

    Checked when made (and again by
    [`validate`][sc_neurocore.scpn.layers.l7_symbolic.L7_StochasticParameters.validate],
    which the layer calls at construction and at every step, so a field
    changed later is checked before it is used).

    Attributes
    ----------
    n_symbols : int, default 128
        Symbols on the ring, in ``[2, MAX_SIZE]``.
    n_meridians : int, default 12
        Meridians (TCM), in ``[1, MAX_SIZE]``.
    n_acupoints : int, default 361
        Acupoints (the classical count), in ``[1, MAX_SIZE]``.
    bitstream_length : int, default 1024
        Bits per output stream, in ``[1, MAX_SIZE]``, with
        ``n_symbols * bitstream_length <= MAX_STEP_BITS``.
    phi_alignment_weight : float, default 0.25
        Health weight of the Phi alignment. The five weights are finite,
        ``>= 0``, with a finite sum ``> 0``.
    fibonacci_weight : float, default 0.2
        Health weight of the Fibonacci alignment.
    metatron_weight : float, default 0.2
        Health weight of the Metatron flow.
    platonic_weight : float, default 0.15
        Health weight of the Platonic coherence.
    e8_weight : float, default 0.2
        Health weight of the E8 alignment.
    symbol_decay : float, default 0.05
        Decay rate of the symbols and acupoints (per second), finite, ``>= 0``.
    symbol_coupling : float, default 0.3
        Diffusion rate of the symbol ring and Qi flow rate of the meridian
        ring (per second), finite, ``>= 0``.
    glyph_dimensions : int, default 6
        Components of the glyph vector; must be 6 (Phi, Fibonacci, Metatron,
        Platonic, E8, health).
    ecological_coupling : float, default 0.1
        Gain of the drive from the ecological layer (L6) on meridian Qi,
        finite, ``>= 0``.
    cosmic_coupling : float, default 0.15
        Gain of the phase drive sent to L8 (``cosmic_phase_drive``), finite, ``>= 0``.
    rng_seed : int or None, default None
        Seed of the layer's SplitMix64 generator, in ``[0, 2**64)``; ``None``
        draws one from the operating system (a different layer each time).

    Raises
    ------
    InputTypeError
        If a field has the wrong type (an int field given a float or a
        ``bool``, a real field given a string...).
    ValueError
        If a field is NaN/inf or out of range (the message names it).
    """

    n_symbols: int = 128
    n_meridians: int = 12
    n_acupoints: int = 361
    bitstream_length: int = 1024
    phi_alignment_weight: float = 0.25
    fibonacci_weight: float = 0.2
    metatron_weight: float = 0.2
    platonic_weight: float = 0.15
    e8_weight: float = 0.2
    symbol_decay: float = 0.05
    symbol_coupling: float = 0.3
    glyph_dimensions: int = 6
    ecological_coupling: float = 0.1
    cosmic_coupling: float = 0.15
    rng_seed: int | None = None

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Check every field in declaration order and normalise its type (int, float).

        Raises
        ------
        InputTypeError, ValueError
            As the class documents.
        """
        self.n_symbols = _size(self.n_symbols, "n_symbols", MIN_SYMBOLS)
        self.n_meridians = _size(self.n_meridians, "n_meridians", 1)
        self.n_acupoints = _size(self.n_acupoints, "n_acupoints", 1)
        self.bitstream_length = _size(self.bitstream_length, "bitstream_length", 1)
        if self.n_symbols * self.bitstream_length > MAX_STEP_BITS:
            raise ValueError(
                f"bitstream_length must be <= {MAX_STEP_BITS // self.n_symbols} for n_symbols = "
                f"{self.n_symbols} (n_symbols * bitstream_length, the bits of one step, must be "
                f"<= {MAX_STEP_BITS}), got {self.bitstream_length}")
        (self.phi_alignment_weight, self.fibonacci_weight, self.metatron_weight,
         self.platonic_weight, self.e8_weight) = check_weights(self.weights)
        self.symbol_decay = check_rate(self.symbol_decay, "symbol_decay")
        self.symbol_coupling = check_rate(self.symbol_coupling, "symbol_coupling")
        dims = check_int(self.glyph_dimensions, "glyph_dimensions")
        if dims != GLYPH_DIMENSIONS:
            raise ValueError(f"glyph_dimensions must be {GLYPH_DIMENSIONS} (Phi, Fibonacci, "
                             f"Metatron, Platonic, E8, health), got {dims}")
        self.glyph_dimensions = dims
        self.ecological_coupling = check_rate(self.ecological_coupling, "ecological_coupling")
        self.cosmic_coupling = check_rate(self.cosmic_coupling, "cosmic_coupling")
        if self.rng_seed is not None:
            self.rng_seed = check_int(self.rng_seed, "rng_seed", minimum=0, below=U64_LIMIT)

    @property
    def weights(self) -> tuple[float, float, float, float, float]:
        """The five health weights in metric order (Phi, Fibonacci, Metatron, Platonic, E8)."""
        return (self.phi_alignment_weight, self.fibonacci_weight, self.metatron_weight,
                self.platonic_weight, self.e8_weight)
