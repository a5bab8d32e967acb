//! `L7_SymbolicLayer` and one step of it (Python: `_l7/layer.py`).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

use super::arith::{clip_unit_ball, clip01};
use super::checks::{check_dt, state_values};
use super::e8::{E8_DIM, alignment_of};
use super::geometry::{NEUTRAL, fibonacci_of, metatron_of, phi_of, platonic_of};
use super::glyph::{GLYPH_DIMENSIONS, health_of, normalize_glyph};
use super::meridians::{
    L6Input, check_stimulus, flow_qi, l6_drive, named_points, qi_gain, stimulate_acupoints,
};
use super::params::{L7Params, Sizes};
use super::symbols::{add_drive, bernoulli_bitstreams, check_symbol_input, diffuse};
use crate::array::NdArray;
use crate::checks::{Bounds, check_int, check_real};
use crate::error::{Result, zeroed};
use crate::splitmix::SplitMix64;

/// Initial symbol activations are uniforms times this.
pub const INITIAL_SYMBOL_SCALE: f64 = 0.3;
/// Initial E8 state components are uniforms times this.
pub const INITIAL_E8_SCALE: f64 = 0.5;
/// Standard deviation (per second) of the E8 random walk.
pub const E8_NOISE: f64 = 0.1;
/// Initial Qi of every meridian.
pub const INITIAL_QI: f64 = 0.5;

/// The five metrics of a step and their weighted mean (the Python layer's
/// attributes and step-dict entries of the same names); all `0.5` before the
/// first step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metrics {
    /// Phi alignment.
    pub phi_alignment: f64,
    /// Fibonacci alignment.
    pub fibonacci_alignment: f64,
    /// Metatron flow.
    pub metatron_flow: f64,
    /// Platonic coherence.
    pub platonic_coherence: f64,
    /// E8 alignment (of the state before the step's walk).
    pub e8_alignment: f64,
    /// Weighted mean of the five metrics.
    pub symbolic_health: f64,
}

impl Metrics {
    /// Every metric at the neutral `0.5`.
    pub const NEUTRAL: Metrics = Metrics {
        phi_alignment: NEUTRAL,
        fibonacci_alignment: NEUTRAL,
        metatron_flow: NEUTRAL,
        platonic_coherence: NEUTRAL,
        e8_alignment: NEUTRAL,
        symbolic_health: NEUTRAL,
    };

    /// `(name, value)` of each, in the order above (the glyph vector's).
    pub fn named(&self) -> [(&'static str, f64); 6] {
        [
            ("phi_alignment", self.phi_alignment),
            ("fibonacci_alignment", self.fibonacci_alignment),
            ("metatron_flow", self.metatron_flow),
            ("platonic_coherence", self.platonic_coherence),
            ("e8_alignment", self.e8_alignment),
            ("symbolic_health", self.symbolic_health),
        ]
    }
}

/// What one [`L7SymbolicLayer::step`] returns (the Python dict's keys).
#[derive(Debug, Clone, PartialEq)]
pub struct StepOutput {
    /// Phi, Fibonacci, Metatron, Platonic, E8, health.
    pub glyph_vector: Vec<f64>,
    /// The step's metrics.
    pub metrics: Metrics,
    /// `cosmic_coupling * symbolic_health`, the drive sent to L8.
    pub cosmic_phase_drive: f64,
    /// Qi after the step.
    pub meridian_qi: Vec<f64>,
    /// Acupoints after the step.
    pub acupoint_activations: Vec<f64>,
    /// E8 state after the walk.
    pub e8_state: Vec<f64>,
    /// `(n_symbols, bitstream_length)` bits.
    pub output_bitstreams: NdArray<u8>,
}

/// The geometric-symbolic layer (mirror of `L7_SymbolicLayer`). The state
/// fields are public, as the Python attributes are; every step checks them
/// first and refuses invalid ones by name.
#[derive(Debug, Clone)]
pub struct L7SymbolicLayer {
    /// The parameters (checked again at every step).
    pub params: L7Params,
    /// `(n_symbols,)` in `[0, 1]`.
    pub symbol_activations: Vec<f64>,
    /// The metrics of the last step.
    pub metrics: Metrics,
    /// `(n_meridians,)` in `[0, 1]`.
    pub meridian_qi: Vec<f64>,
    /// `(n_acupoints,)` in `[0, 1]`.
    pub acupoint_activations: Vec<f64>,
    /// `(6,)`, finite and `>= 0`.
    pub glyph_vector: Vec<f64>,
    /// `(8,)`, finite.
    pub e8_state: Vec<f64>,
    /// Seconds simulated.
    pub time: f64,
    seed: u64,
    rng: SplitMix64,
}

/// 64 bits of the process's hash-seed entropy (std only).
fn entropy_seed() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u64(0x4c37_5359_4d42_4f4c);
    h.finish()
}

impl L7SymbolicLayer {
    /// A layer: `n_symbols` uniforms times 0.3, then 8 uniforms times 0.5,
    /// from `SplitMix64(seed)`.
    pub fn new(params: L7Params) -> Result<Self> {
        let s = params.sizes()?;
        let seed = params.rng_seed.unwrap_or_else(entropy_seed);
        let mut rng = SplitMix64::new(seed);
        let mut symbols = zeroed::<f64>(s.n, "n_symbols")?;
        for v in symbols.iter_mut() {
            *v = rng.uniform() * INITIAL_SYMBOL_SCALE;
        }
        let e8_state = (0..E8_DIM)
            .map(|_| rng.uniform() * INITIAL_E8_SCALE)
            .collect();
        let mut qi = zeroed::<f64>(s.meridians, "n_meridians")?;
        qi.fill(INITIAL_QI);
        Ok(L7SymbolicLayer {
            params,
            symbol_activations: symbols,
            metrics: Metrics::NEUTRAL,
            meridian_qi: qi,
            acupoint_activations: zeroed::<f64>(s.acupoints, "n_acupoints")?,
            glyph_vector: vec![0.0; GLYPH_DIMENSIONS],
            e8_state,
            time: 0.0,
            seed,
            rng,
        })
    }

    /// The generator's seed (`rng_seed`, or the one drawn when it was `None`).
    pub fn seed(&self) -> u64 {
        self.seed
    }

    fn check_qi(&self, s: &Sizes) -> Result<()> {
        state_values("meridian_qi", &self.meridian_qi, s.meridians, true)
    }

    fn check_acupoints(&self, s: &Sizes) -> Result<()> {
        let a = &self.acupoint_activations;
        state_values("acupoint_activations", a, s.acupoints, true)
    }

    fn check_state(&self, s: &Sizes) -> Result<f64> {
        state_values("symbol_activations", &self.symbol_activations, s.n, true)?;
        self.check_qi(s)?;
        self.check_acupoints(s)?;
        state_values("e8_state", &self.e8_state, E8_DIM, false)?;
        check_real("time", self.time, Bounds::ANY)
    }

    /// One step (the Python docstring's order); a refused step changes nothing.
    pub fn step(
        &mut self,
        dt: f64,
        l6_input: Option<&L6Input>,
        symbol_input: Option<&NdArray<f64>>,
        acupoint_stimulus: Option<&[(i64, f64)]>,
    ) -> Result<StepOutput> {
        let p = self.params;
        let s = p.sizes()?;
        let dt = check_dt(dt, Some(p.symbol_decay), Some(p.symbol_coupling))?;
        let time = self.check_state(&s)?;
        let drive = symbol_input
            .map(|x| check_symbol_input(x, s.n))
            .transpose()?;
        let (effect, key) = match l6_input {
            None => (0.0, ""),
            Some(l6) => l6_drive(l6)?,
        };
        let gain = if effect == 0.0 {
            1.0
        } else {
            qi_gain(effect, p.ecological_coupling, key)?
        };
        let stimulus = check_stimulus(acupoint_stimulus.unwrap_or(&[]), s.acupoints)?;

        let a = match &drive {
            Some(x) => add_drive(&self.symbol_activations, x),
            None => self.symbol_activations.clone(),
        };
        let phi = phi_of(&a);
        let fib = fibonacci_of(&a);
        let metatron = metatron_of(&a, self.rng.uniform());
        let platonic = platonic_of(&a);
        let e8_align = alignment_of(&self.e8_state);
        let e8: Vec<f64> = self
            .e8_state
            .iter()
            .map(|&v| clip_unit_ball(v + (E8_NOISE * self.rng.normal()) * dt))
            .collect();
        let metrics = Metrics {
            phi_alignment: phi,
            fibonacci_alignment: fib,
            metatron_flow: metatron,
            platonic_coherence: platonic,
            e8_alignment: e8_align,
            symbolic_health: health_of(&[phi, fib, metatron, platonic, e8_align], &p.weights),
        };
        let health = metrics.symbolic_health;
        let qi = flow_qi(&self.meridian_qi, dt, p.symbol_coupling, gain);
        let acupoints =
            stimulate_acupoints(&self.acupoint_activations, &stimulus, dt, p.symbol_decay);
        let glyph = vec![phi, fib, metatron, platonic, e8_align, health];
        let a = diffuse(&a, dt, p.symbol_decay, p.symbol_coupling);
        let bits = bernoulli_bitstreams(&a, s.length, &mut self.rng);

        self.time = time + dt;
        self.symbol_activations = a;
        self.metrics = metrics;
        self.e8_state = e8.clone();
        self.meridian_qi = qi.clone();
        self.acupoint_activations = acupoints.clone();
        self.glyph_vector = glyph.clone();
        Ok(StepOutput {
            glyph_vector: glyph,
            metrics,
            cosmic_phase_drive: p.cosmic_coupling * health,
            meridian_qi: qi,
            acupoint_activations: acupoints,
            e8_state: e8,
            output_bitstreams: NdArray::new("output_bitstreams", vec![s.n, s.length], bits)?,
        })
    }

    /// The symbolic health of the last step (`0.5` before the first).
    pub fn get_global_metric(&self) -> f64 {
        self.metrics.symbolic_health
    }

    /// `g / (max(g) + 1e-8)` of the glyph vector.
    pub fn get_glyph_vector_normalized(&self) -> Result<Vec<f64>> {
        normalize_glyph(&NdArray::from_vec(self.glyph_vector.clone()))
    }

    /// `meridian_qi[id] = clip01(meridian_qi[id] + intensity)`, `id` in
    /// `[0, n_meridians)`, `intensity` finite.
    pub fn stimulate_meridian(&mut self, meridian_id: i64, intensity: f64) -> Result<()> {
        let s = self.params.sizes()?;
        self.check_qi(&s)?;
        let i = check_int("meridian_id", meridian_id, 0, Some(s.meridians as i64))?;
        let x = check_real("intensity", intensity, Bounds::ANY)?;
        self.meridian_qi[i] = clip01(self.meridian_qi[i] + x);
        Ok(())
    }

    /// The named acupoints below `n_acupoints` with their activations.
    pub fn get_acupoint_map(&self) -> Result<Vec<(String, f64)>> {
        let s = self.params.sizes()?;
        self.check_acupoints(&s)?;
        Ok(named_points(&self.acupoint_activations))
    }
}
