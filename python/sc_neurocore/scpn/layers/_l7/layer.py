"""``L7_SymbolicLayer``: the stochastic geometric-symbolic layer and one step of it."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any, ClassVar, Final, TypedDict

import numpy as np
import numpy.typing as npt

from sc_neurocore._validation import InputTypeError, check_real
from sc_neurocore.splitmix import SplitMix64

from .arith import clip01_scalar, clip_unit_ball
from .checks import check_dt, state_array
from .e8 import E8_DIM, alignment_of, e8_roots
from .geometry import (
    FIBONACCI,
    NEUTRAL,
    PLATONIC_VERTICES,
    fibonacci_of,
    metatron_of,
    phi_of,
    platonic_of,
)
from .glyph import health_of, normalize_glyph
from .meridians import (
    acupoint_map,
    check_acupoint_stimulus,
    check_meridian,
    flow_qi,
    l6_drive,
    qi_gain,
    stimulate_acupoints,
)
from .params import L7_StochasticParameters
from .symbols import add_drive, bernoulli_bitstreams, check_symbol_input, diffuse

INITIAL_SYMBOL_SCALE: Final = 0.3
"""Initial symbol activations are uniforms in ``[0, 1)`` times this."""
INITIAL_E8_SCALE: Final = 0.5
"""Initial E8 state components are uniforms in ``[0, 1)`` times this."""
E8_NOISE: Final = 0.1
"""Standard deviation (per second) of the E8 state's random walk."""
INITIAL_QI: Final = 0.5
"""Initial Qi of every meridian."""


class L7StepResult(TypedDict):
    """What [`L7_SymbolicLayer.step`][sc_neurocore.scpn.layers.l7_symbolic.L7_SymbolicLayer.step]
    returns (fresh arrays and floats, in this key order)."""

    glyph_vector: npt.NDArray[np.float64]
    phi_alignment: float
    fibonacci_alignment: float
    metatron_flow: float
    platonic_coherence: float
    e8_alignment: float
    symbolic_health: float
    cosmic_phase_drive: float
    meridian_qi: npt.NDArray[np.float64]
    acupoint_activations: npt.NDArray[np.float64]
    e8_state: npt.NDArray[np.float64]
    output_bitstreams: npt.NDArray[np.uint8]


class L7_SymbolicLayer:
    """The stochastic geometric-symbolic layer (SCPN L7).

    Models sacred-geometry patterns of a ring of symbol activations, an 8-D
    state aligned with the E8 root system, meridian Qi and acupoint
    activations, and emits each symbol's activation as a stochastic bitstream.
    The exact rules are in the module documentation; one
    [`SplitMix64`][sc_neurocore.splitmix.SplitMix64] generator per layer
    supplies every random number, in the documented order.

    Parameters
    ----------
    params : L7_StochasticParameters, optional
        Defaults to ``L7_StochasticParameters()``. The layer keeps this object
        (``layer.params is params``) and checks it again at every step, so a
        field changed between steps takes effect, and an invalid one is refused.

    Attributes
    ----------
    params : L7_StochasticParameters
        The parameters.
    symbol_activations : ndarray
        ``(n_symbols,)`` in ``[0, 1]``; initially uniforms times 0.3.
    phi_alignment, fibonacci_alignment, metatron_flow, platonic_coherence, e8_alignment : float
        The metrics of the last step (``0.5`` before the first).
    symbolic_health : float
        Their weighted mean at the last step (``0.5`` before the first).
    meridian_qi : ndarray
        ``(n_meridians,)`` in ``[0, 1]``; initially 0.5.
    acupoint_activations : ndarray
        ``(n_acupoints,)`` in ``[0, 1]``; initially 0.
    glyph_vector : ndarray
        ``(6,)``: the five metrics and the health of the last step (zeros before the first).
    e8_state : ndarray
        ``(8,)`` finite; initially uniforms times 0.5, then a random walk clipped to ``[-1, 1]``.
    time : float
        Seconds simulated (the sum of the steps' ``dt``).

    The state attributes may be reassigned or changed in place between steps
    (as the reference allows); every step checks them first (shape, finite,
    range) and refuses, naming the attribute, rather than compute with garbage.

    Raises
    ------
    InputTypeError
        If ``params`` is not an ``L7_StochasticParameters``, or a field has the wrong type.
    ValueError
        If a field of ``params`` is out of range.
    """

    PLATONIC_VERTICES: ClassVar[dict[str, int]] = dict(PLATONIC_VERTICES)
    """Vertex count of each Platonic solid (the Platonic coherence uses the module's constant)."""
    FIBONACCI: ClassVar[list[int]] = list(FIBONACCI)
    """The first twelve Fibonacci numbers (the Fibonacci alignment uses the module's constant)."""

    def __init__(self, params: L7_StochasticParameters | None = None) -> None:
        if params is None:
            params = L7_StochasticParameters()
        if not isinstance(params, L7_StochasticParameters):
            raise InputTypeError("params must be an L7_StochasticParameters or None, got "
                                 f"{type(params).__name__}")
        params.validate()
        self.params = params
        self._seed: int = params.rng_seed if params.rng_seed is not None else secrets.randbits(64)
        self._rng = SplitMix64(self._seed)
        self.symbol_activations: npt.NDArray[np.float64] = self._rng.uniforms(params.n_symbols) * INITIAL_SYMBOL_SCALE
        self.phi_alignment = NEUTRAL
        self.fibonacci_alignment = NEUTRAL
        self.metatron_flow = NEUTRAL
        self.platonic_coherence = NEUTRAL
        self.e8_alignment = NEUTRAL
        self.symbolic_health = NEUTRAL
        self.meridian_qi: npt.NDArray[np.float64] = np.full(params.n_meridians, INITIAL_QI)
        self.acupoint_activations: npt.NDArray[np.float64] = np.zeros(params.n_acupoints)
        self.glyph_vector: npt.NDArray[np.float64] = np.zeros(params.glyph_dimensions)
        self.e8_state: npt.NDArray[np.float64] = self._rng.uniforms(E8_DIM) * INITIAL_E8_SCALE
        self.time = 0.0

    @property
    def seed(self) -> int:
        """The seed of this layer's generator: ``params.rng_seed``, or the one drawn from the
        operating system when that was ``None`` (to replay the layer)."""
        return self._seed

    @staticmethod
    def _e8_roots() -> npt.NDArray[np.float64]:
        """The 240 E8 roots ([`e8_roots`][sc_neurocore.scpn.layers.l7_symbolic.e8_roots])."""
        return e8_roots()

    def _checked_state(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64], float]:
        p = self.params
        return (state_array(self.symbol_activations, "symbol_activations", p.n_symbols,
                            unit=True),
                state_array(self.meridian_qi, "meridian_qi", p.n_meridians, unit=True),
                state_array(self.acupoint_activations, "acupoint_activations", p.n_acupoints,
                            unit=True),
                state_array(self.e8_state, "e8_state", E8_DIM, unit=False),
                check_real(self.time, "time"))

    def _qi_gain(self, l6_input: object) -> float:
        """The Qi gain of a checked ``l6_input`` (``1.0``: no drive)."""
        if l6_input is None:
            return 1.0
        effect, source = l6_drive(l6_input)
        if effect == 0.0:
            return 1.0
        return qi_gain(effect, self.params.ecological_coupling, source)

    def step(self, dt: float, l6_input: Mapping[str, Any] | None = None,
             symbol_input: npt.ArrayLike | None = None,
             acupoint_stimulus: Mapping[int, float] | None = None) -> L7StepResult:
        """Advance the layer by one time step.

        Everything is checked first (parameters, ``dt``, the state attributes,
        the inputs); a refused step changes nothing. Then, in order: time; the
        symbol drive; the Phi, Fibonacci, Metatron (one uniform draw),
        Platonic and E8 metrics; the E8 random walk (8 normals); the health;
        meridian Qi with the L6 drive; the acupoints; the glyph vector; the
        symbol ring's diffusion and decay; the bitstreams of the new
        activations (``n_symbols * bitstream_length`` uniforms).

        Parameters
        ----------
        dt : float
            Time step in seconds: finite, ``> 0``, with ``symbol_decay * dt <= 1``
            and ``symbol_coupling * dt <= 1``.
        l6_input : mapping, optional
            The ecological layer's output: ``symbolic_drive`` (values in
            ``[0, 1]``) is used when present, else ``schumann_field`` (finite
            values); other keys are ignored.
        symbol_input : array_like, optional
            External symbolic input: real numbers, at least ``n_symbols`` of
            them (flattened in C order; the first ``n_symbols`` are used, and
            must be finite).
        acupoint_stimulus : mapping of int to float, optional
            ``{point_id: intensity}`` with ids in ``[0, n_acupoints)`` and finite
            intensities.

        Returns
        -------
        L7StepResult
            ``glyph_vector``, the five metrics, ``symbolic_health``,
            ``cosmic_phase_drive`` (``cosmic_coupling * symbolic_health``, the
            drive sent to L8), copies of ``meridian_qi``,
            ``acupoint_activations`` and ``e8_state``, and
            ``output_bitstreams`` (``uint8`` of shape ``(n_symbols,
            bitstream_length)``, the symbols' new activations as bitstreams).

        Raises
        ------
        InputTypeError, ValueError
            On a bad argument or state attribute (naming it).
        """
        p = self.params
        p.validate()
        step = check_dt(dt, symbol_decay=p.symbol_decay, symbol_coupling=p.symbol_coupling)
        a, qi, acupoints, e8, time = self._checked_state()
        drive = None if symbol_input is None else check_symbol_input(symbol_input, p.n_symbols)
        gain = self._qi_gain(l6_input)
        stimulus = check_acupoint_stimulus(acupoint_stimulus, p.n_acupoints)

        if drive is not None:
            a = add_drive(a, drive)
        phi = phi_of(a)
        fib = fibonacci_of(a)
        metatron = metatron_of(a, self._rng.uniform())
        platonic = platonic_of(a)
        e8_align = alignment_of(e8)
        e8 = clip_unit_ball(e8 + (E8_NOISE * self._rng.normals(E8_DIM)) * step)
        health = health_of((phi, fib, metatron, platonic, e8_align), p.weights)
        qi = flow_qi(qi, step, p.symbol_coupling, gain)
        acupoints = stimulate_acupoints(acupoints, stimulus, step, p.symbol_decay)
        glyph = np.array([phi, fib, metatron, platonic, e8_align, health], dtype=np.float64)
        a = diffuse(a, step, p.symbol_decay, p.symbol_coupling)
        bits = bernoulli_bitstreams(a, p.bitstream_length, self._rng)

        self.time = time + step
        self.symbol_activations = a
        (self.phi_alignment, self.fibonacci_alignment, self.metatron_flow,
         self.platonic_coherence, self.e8_alignment, self.symbolic_health) = (
            phi, fib, metatron, platonic, e8_align, health)
        self.e8_state = e8
        self.meridian_qi = qi
        self.acupoint_activations = acupoints
        self.glyph_vector = glyph
        return L7StepResult(
            glyph_vector=glyph.copy(), phi_alignment=phi, fibonacci_alignment=fib,
            metatron_flow=metatron, platonic_coherence=platonic, e8_alignment=e8_align,
            symbolic_health=health, cosmic_phase_drive=p.cosmic_coupling * health,
            meridian_qi=qi.copy(), acupoint_activations=acupoints.copy(), e8_state=e8.copy(),
            output_bitstreams=bits)

    def get_global_metric(self) -> float:
        """The global symbolic coherence metric: the symbolic health of the last step
        (``0.5`` before the first)."""
        return float(self.symbolic_health)

    def get_glyph_vector_normalized(self) -> npt.NDArray[np.float64]:
        """The glyph vector scaled by its largest component, ``g / (max(g) + 1e-8)``
        ([`normalize_glyph`][sc_neurocore.scpn.layers.l7_symbolic.normalize_glyph]).

        Returns
        -------
        ndarray
            ``float64`` of shape ``(6,)``, each in ``[0, 1)``; zeros before the first step.

        Raises
        ------
        InputTypeError, ValueError
            If ``glyph_vector`` was set to something that is not finite values ``>= 0``.
        """
        return normalize_glyph(self.glyph_vector)

    def stimulate_meridian(self, meridian_id: int, intensity: float) -> None:
        """Add ``intensity`` to the Qi of one meridian, clipped to ``[0, 1]``.

        Parameters
        ----------
        meridian_id : int
            In ``[0, n_meridians)``.
        intensity : float
            Finite (negative values drain Qi).

        Raises
        ------
        InputTypeError
            If ``meridian_id`` is not an int or ``intensity`` not a real number.
        ValueError
            If ``meridian_id`` is out of range or ``intensity`` is NaN/inf (or
            ``meridian_qi`` was set to an invalid array).
        """
        p = self.params
        p.validate()
        qi = state_array(self.meridian_qi, "meridian_qi", p.n_meridians, unit=True)
        index, x = check_meridian(meridian_id, intensity, p.n_meridians)
        if not qi.flags.writeable:
            qi = qi.copy()
        qi[index] = clip01_scalar(float(qi[index]) + x)
        self.meridian_qi = qi

    def get_acupoint_map(self) -> dict[str, float]:
        """The activations of the clinically common named acupoints
        ([`acupoint_map`][sc_neurocore.scpn.layers.l7_symbolic.acupoint_map]).

        Returns
        -------
        dict of str to float
            ``{name: activation}`` for the named points whose id is below ``n_acupoints``.

        Raises
        ------
        InputTypeError, ValueError
            If ``acupoint_activations`` was set to an invalid array.
        """
        self.params.validate()
        return acupoint_map(state_array(self.acupoint_activations, "acupoint_activations",
                                        self.params.n_acupoints, unit=True))
