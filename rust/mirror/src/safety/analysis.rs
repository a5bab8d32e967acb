//! Mirror of `sc_neurocore.studio.analysis`: analysis of single-neuron
//! simulations, checked against `parity/golden/analysis.txt`.
//!
//! Every function performs the Python surface's floating-point operations in
//! the same order (Rust never fuses a multiply and an add on its own), so the
//! results match bit for bit, except where the math library is called
//! (`sin`, `cos`, `atan2`, `powf`: the frequency response and driven traces),
//! which the golden file compares within `rtol` 1e-12. The shared exact rules:
//!
//! * grids: [`grid`] is `[lo]` for `n == 1`, else `step = (hi - lo) / (n - 1)`,
//!   `x_k = lo + k * step` for `k < n - 1`, and `x_(n-1) = hi`;
//! * [`round2`]: `(x * 100.0).round_ties_even() / 100.0 + 0.0` (NumPy's
//!   `np.round(x, 2)`, with `-0.0` turned into `0.0`);
//! * sums are left to right from `0.0` in the order given ([`sequential_sum`]).
//!
//! A simulator is any `Fn(&Config) -> Result<Simulation>`; [`lif_neuron`] and
//! [`fitzhugh_nagumo`] are the reference models ([`model`] finds them by the
//! golden file's `model` string). A [`Config`] holds Python's keyword
//! configuration: named floats and ints. Nothing here draws random numbers:
//! the surface uses no generator.
//!
//! Errors: every invalid input is an `Err` naming the argument (never a
//! panic). An error a simulator raises about a key that a sweep set is
//! reported against the sweep argument that supplied the value (`current` in
//! [`fi_curve_sweep`] -> `i_min`; the swept key -> `param_name`, `param_x`,
//! `param_y` or `param_names`; the drive keys -> `bias`, `depth`, `freq_min`);
//! a result that breaks the simulation protocol names `simulate_fn`.

use crate::array::{NdArray, format_shape};
use crate::checks::{
    Bounds, Form, check_finite, check_int, check_ndim, check_real, check_text, real_array,
};
use crate::error::{MirrorError, Result};

/// Most steps a reference simulator runs.
pub const MAX_STEPS: i64 = 1_000_000;
/// Most values of one sweep (`x_steps * y_steps` for [`heatmap_2d`]) and of [`grid`].
pub const MAX_POINTS: i64 = 1_000_000;
/// Largest `grid_size` of [`nullclines_2d`].
pub const MAX_GRID: i64 = 1024;
/// `2 pi` as a double (6.283185307179586).
pub const TAU: f64 = std::f64::consts::TAU;
/// `pi / 2` as a double (1.5707963267948966).
pub const HALF_PI: f64 = std::f64::consts::FRAC_PI_2;
/// `pi` as a double (the lower end of the phase-lag interval).
pub const PI: f64 = std::f64::consts::PI;
/// A Q8.8 value `v` is the code `v * Q_SCALE`.
pub const Q_SCALE: f64 = 256.0;
/// Smallest signed Q8.8 code (`-128`).
pub const Q_CODE_MIN: i64 = -32768;
/// Largest signed Q8.8 code (`127 + 255/256`).
pub const Q_CODE_MAX: i64 = 32767;

const MIN_LATE_SAMPLES: usize = 10;
const MAX_EXTREMA: usize = 20;
/// `2^53`: `f * duration` must stay below it to count cycles exactly.
const PHASE_LIMIT: f64 = 9_007_199_254_740_992.0;

/// The reasons [`sensitivity_analysis`] gives for an undefined sensitivity.
pub const REASON_ZERO_PARAM: &str = "parameter value is 0";
/// See [`REASON_ZERO_PARAM`].
pub const REASON_ZERO_RATE: &str = "base rate_hz is 0";
/// See [`REASON_ZERO_PARAM`].
pub const REASON_NO_CHANGE: &str = "perturbation does not change the parameter";

// ------------------------------------------------------------------ checks

fn real_range(lo: f64, hi: f64, lo_name: &str, hi_name: &str) -> Result<(f64, f64)> {
    let (lo, hi) = (
        check_real(lo_name, lo, Bounds::ANY)?,
        check_real(hi_name, hi, Bounds::ANY)?,
    );
    if lo > hi {
        return Err(MirrorError::value(
            hi_name,
            format!("{hi_name} must be >= {lo_name} = {lo:?}, got {hi:?}"),
        ));
    }
    if !(hi - lo).is_finite() {
        return Err(MirrorError::value(
            hi_name,
            format!("{hi_name} - {lo_name} must be finite, got {hi:?} - {lo:?}"),
        ));
    }
    Ok((lo, hi))
}

fn count(value: i64, name: &str) -> Result<usize> {
    check_int(name, value, 1, Some(MAX_POINTS + 1))
}

// ------------------------------------------------------------------ exact helpers

/// `n` evenly spaced values from `lo` to `hi`, both included (see the module doc).
/// Errors name `lo`, `hi` (non-finite, `lo > hi`, infinite width) or `n`
/// (outside `[1, MAX_POINTS]`).
pub fn grid(lo: f64, hi: f64, n: i64) -> Result<Vec<f64>> {
    let (lo, hi) = real_range(lo, hi, "lo", "hi")?;
    let n = check_int("n", n, 1, Some(MAX_POINTS + 1))?;
    Ok(grid_unchecked(lo, hi, n))
}

fn grid_unchecked(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if n == 1 {
        return vec![lo];
    }
    let step = (hi - lo) / (n - 1) as f64;
    let mut values: Vec<f64> = (0..n - 1).map(|k| lo + k as f64 * step).collect();
    values.push(hi);
    values
}

/// Rounds to 2 decimals: `(x * 100.0).round_ties_even() / 100.0 + 0.0`.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round_ties_even() / 100.0 + 0.0
}

/// `((0.0 + x_0) + x_1) + ...`.
pub fn sequential_sum(values: &[f64]) -> f64 {
    values.iter().fold(0.0, |acc, &x| acc + x)
}

// ------------------------------------------------------------------ configuration

/// One configuration value: a Python `float` or `int`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// A float.
    Float(f64),
    /// An int.
    Int(i64),
}

/// A keyword configuration (`simulate_fn(**config)`), in insertion order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    entries: Vec<(String, Value)>,
}

impl Config {
    /// An empty configuration.
    pub fn new() -> Self {
        Config::default()
    }

    /// Sets `name` (replacing an existing value in place).
    pub fn set(&mut self, name: &str, value: Value) {
        match self.entries.iter_mut().find(|(n, _)| n == name) {
            Some(entry) => entry.1 = value,
            None => self.entries.push((name.to_string(), value)),
        }
    }

    /// A copy with `name` set to `value`.
    pub fn with(&self, name: &str, value: Value) -> Config {
        let mut c = self.clone();
        c.set(name, value);
        c
    }

    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<Value> {
        self.entries.iter().find(|(n, _)| n == name).map(|e| e.1)
    }

    /// The keys, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(n, _)| n.as_str())
    }

    /// Refuses a key not in `known` (Python's `TypeError` for an unexpected
    /// keyword), naming it.
    fn check_known(&self, known: &[&str], what: &str) -> Result<()> {
        match self.names().find(|n| !known.contains(n)) {
            None => Ok(()),
            Some(n) => Err(MirrorError::type_error(
                n,
                format!("{what}() got an unexpected keyword argument {n:?}"),
            )),
        }
    }

    /// The real `name` (an int converts with round-half-even, as Python's
    /// `float(int)`), or `default`; checked finite.
    fn real(&self, name: &str, default: f64) -> Result<f64> {
        let v = match self.get(name) {
            None => default,
            Some(Value::Float(x)) => x,
            Some(Value::Int(i)) => i as f64,
        };
        check_real(name, v, Bounds::ANY)
    }

    /// The int `name`, or `default`; a float is a type error.
    fn int(&self, name: &str, default: i64) -> Result<i64> {
        match self.get(name) {
            None => Ok(default),
            Some(Value::Int(i)) => Ok(i),
            Some(Value::Float(x)) => Err(MirrorError::type_error(
                name,
                format!("{name} must be an int, got float {x:?}"),
            )),
        }
    }
}

// ------------------------------------------------------------------ simulations

/// One simulation result (the protocol of the Python module).
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    /// Mean firing rate (Hz), finite, `>= 0`.
    pub rate_hz: f64,
    /// Time step (ms), finite, `> 0`.
    pub dt_ms: f64,
    /// Number of steps, `>= 1`.
    pub n_steps: usize,
    /// `(name, trace)` pairs, each trace `n_steps` finite values.
    pub states: Vec<(String, Vec<f64>)>,
    /// Step indices in `[0, n_steps)`.
    pub spikes: Vec<usize>,
}

impl Simulation {
    /// Checks the protocol's rules (Python's `check_simulation`), naming `simulate_fn`.
    pub fn check(&self) -> Result<()> {
        let bad = |what: String| Err(MirrorError::value("simulate_fn", what));
        if !(self.rate_hz.is_finite() && self.rate_hz >= 0.0) {
            return bad(format!(
                "simulate_fn()['rate_hz'] must be finite and >= 0, got {:?}",
                self.rate_hz
            ));
        }
        if !(self.dt_ms.is_finite() && self.dt_ms > 0.0) {
            return bad(format!(
                "simulate_fn()['dt_ms'] must be finite and > 0, got {:?}",
                self.dt_ms
            ));
        }
        if self.n_steps < 1 {
            return bad("simulate_fn()['n_steps'] must be >= 1, got 0".to_string());
        }
        for (name, trace) in &self.states {
            if trace.len() != self.n_steps || trace.iter().any(|v| !v.is_finite()) {
                return bad(format!(
                    "simulate_fn()['states'][{name:?}] must hold n_steps = {} finite values",
                    self.n_steps
                ));
            }
        }
        if let Some(k) = self.spikes.iter().find(|&&k| k >= self.n_steps) {
            return bad(format!(
                "simulate_fn()['spikes'] must hold indices in [0, {}), got {k}",
                self.n_steps
            ));
        }
        Ok(())
    }

    /// The trace of state `name`.
    pub fn state(&self, name: &str) -> Option<&[f64]> {
        self.states
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.as_slice())
    }
}

/// `(n_spikes * 1000.0) / (n_steps * dt_ms)`.
/// The drive parameters every reference model shares, checked in Python's order.
struct Drive {
    dt_ms: f64,
    n_steps: usize,
    omega: f64,
    depth: f64,
}

impl Drive {
    fn read(cfg: &Config, n_default: i64) -> Result<Drive> {
        let dt_ms = check_real("dt_ms", cfg.real("dt_ms", 0.1)?, Bounds::POSITIVE)?;
        let n_steps = check_int(
            "n_steps",
            cfg.int("n_steps", n_default)?,
            1,
            Some(MAX_STEPS + 1),
        )?;
        let freq = check_real(
            "drive_freq_hz",
            cfg.real("drive_freq_hz", 0.0)?,
            Bounds::at_least(0.0),
        )?;
        let depth = check_real(
            "drive_depth",
            cfg.real("drive_depth", 0.0)?,
            Bounds::within(0.0, 1.0),
        )?;
        Ok(Drive {
            dt_ms,
            n_steps,
            omega: TAU * freq,
            depth,
        })
    }

    /// A reference model's result: `rate_hz = (n_spikes * 1000.0) / (n_steps * dt_ms)`.
    fn result(&self, spikes: Vec<usize>, states: Vec<(String, Vec<f64>)>) -> Simulation {
        Simulation {
            rate_hz: (spikes.len() as f64 * 1000.0) / (self.n_steps as f64 * self.dt_ms),
            dt_ms: self.dt_ms,
            n_steps: self.n_steps,
            states,
            spikes,
        }
    }

    /// `current * (1.0 + depth * sin(omega * ((k * dt_ms) / 1000.0)))`;
    /// `current` itself (no `sin`) when `depth` or `omega` is 0.
    fn input(&self, current: f64, k: usize) -> f64 {
        if self.depth == 0.0 || self.omega == 0.0 {
            return current;
        }
        let t_s = (k as f64 * self.dt_ms) / 1000.0;
        current * (1.0 + self.depth * (self.omega * t_s).sin())
    }
}

const LIF_KEYS: &[&str] = &[
    "current",
    "tau_ms",
    "v_rest",
    "v_reset",
    "v_threshold",
    "resistance",
    "dt_ms",
    "n_steps",
    "drive_freq_hz",
    "drive_depth",
];

/// Leaky integrate-and-fire neuron, forward Euler (Python's `lif_neuron`;
/// defaults `current 0`, `tau_ms 10`, `v_rest -65`, `v_reset -65`,
/// `v_threshold -50`, `resistance 2`, `dt_ms 0.1`, `n_steps 2000`, no drive).
/// With `a = dt_ms / tau_ms` and `v = v_rest`, step `k`:
/// `v = v + a * ((v_rest - v) + resistance * i_k)`; `v >= v_threshold` spikes
/// and resets to `v_reset`; the trace holds `v` after the reset.
pub fn lif_neuron(cfg: &Config) -> Result<Simulation> {
    cfg.check_known(LIF_KEYS, "lif_neuron")?;
    let drive = Drive::read(cfg, 2000)?;
    let current = cfg.real("current", 0.0)?;
    let tau = check_real("tau_ms", cfg.real("tau_ms", 10.0)?, Bounds::POSITIVE)?;
    let rest = cfg.real("v_rest", -65.0)?;
    let reset = cfg.real("v_reset", -65.0)?;
    let threshold = cfg.real("v_threshold", -50.0)?;
    let r = cfg.real("resistance", 2.0)?;
    if drive.dt_ms > tau {
        return Err(MirrorError::value(
            "dt_ms",
            format!("dt_ms must be <= tau_ms = {tau:?}, got {:?}", drive.dt_ms),
        ));
    }
    if reset >= threshold {
        return Err(MirrorError::value(
            "v_reset",
            format!("v_reset must be < v_threshold = {threshold:?}, got {reset:?}"),
        ));
    }
    let a = drive.dt_ms / tau;
    let mut v = rest;
    let mut trace = Vec::with_capacity(drive.n_steps);
    let mut spikes = Vec::new();
    for k in 0..drive.n_steps {
        let i_k = drive.input(current, k);
        v = v + a * ((rest - v) + r * i_k);
        if !v.is_finite() {
            return Err(MirrorError::value(
                "current",
                format!("current * resistance overflows: the potential is {v:?} at step {k}"),
            ));
        }
        if v >= threshold {
            spikes.push(k);
            v = reset;
        }
        trace.push(v);
    }
    Ok(drive.result(spikes, vec![("v".to_string(), trace)]))
}

/// FitzHugh–Nagumo `dv/dt`: `((v - (v * v * v) / 3.0) - w) + current`.
pub fn fhn_dv(v: f64, w: f64, current: f64) -> f64 {
    ((v - (v * v * v) / 3.0) - w) + current
}

/// FitzHugh–Nagumo `dw/dt`: `((v + a) - b * w) / tau`.
pub fn fhn_dw(v: f64, w: f64, a: f64, b: f64, tau: f64) -> f64 {
    ((v + a) - b * w) / tau
}

/// The checked parameters of the FitzHugh–Nagumo field (Python's
/// `fitzhugh_nagumo_fields`; defaults `current 0.5`, `a 0.7`, `b 0.8`, `tau 12.5`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FhnFields {
    /// Input current.
    pub current: f64,
    /// Recovery offset.
    pub a: f64,
    /// Recovery gain.
    pub b: f64,
    /// Recovery time constant (`> 0`).
    pub tau: f64,
}

impl FhnFields {
    /// Checks every parameter finite and `tau > 0`, naming the offender.
    pub fn new(current: f64, a: f64, b: f64, tau: f64) -> Result<Self> {
        let current = check_real("current", current, Bounds::ANY)?;
        let (a, b, tau) = (
            check_real("a", a, Bounds::ANY)?,
            check_real("b", b, Bounds::ANY)?,
            check_real("tau", tau, Bounds::POSITIVE)?,
        );
        Ok(FhnFields { current, a, b, tau })
    }

    /// `f(v, w)` ([`fhn_dv`]).
    pub fn f(&self, v: f64, w: f64) -> f64 {
        fhn_dv(v, w, self.current)
    }

    /// `g(v, w)` ([`fhn_dw`]).
    pub fn g(&self, v: f64, w: f64) -> f64 {
        fhn_dw(v, w, self.a, self.b, self.tau)
    }
}

const FHN_KEYS: &[&str] = &[
    "current",
    "a",
    "b",
    "tau",
    "v_threshold",
    "v0",
    "w0",
    "dt_ms",
    "n_steps",
    "drive_freq_hz",
    "drive_depth",
];

/// FitzHugh–Nagumo neuron, forward Euler (Python's `fitzhugh_nagumo`;
/// defaults `current 0.5`, `a 0.7`, `b 0.8`, `tau 12.5`, `v_threshold 1`,
/// `v0 -1.2`, `w0 -0.625`, `dt_ms 0.1`, `n_steps 5000`, no drive). Step `k`:
/// `dv = fhn_dv(v, w, i_k)`, `dw = fhn_dw(v, w, ...)`, `v' = v + dt_ms * dv`,
/// `w = w + dt_ms * dw`; an upward crossing `v < v_threshold <= v'` spikes.
pub fn fitzhugh_nagumo(cfg: &Config) -> Result<Simulation> {
    cfg.check_known(FHN_KEYS, "fitzhugh_nagumo")?;
    let drive = Drive::read(cfg, 5000)?;
    let p = FhnFields::new(
        cfg.real("current", 0.5)?,
        cfg.real("a", 0.7)?,
        cfg.real("b", 0.8)?,
        cfg.real("tau", 12.5)?,
    )?;
    let threshold = cfg.real("v_threshold", 1.0)?;
    let mut v = cfg.real("v0", -1.2)?;
    let mut w = cfg.real("w0", -0.625)?;
    let dt = drive.dt_ms;
    let mut trace_v = Vec::with_capacity(drive.n_steps);
    let mut trace_w = Vec::with_capacity(drive.n_steps);
    let mut spikes = Vec::new();
    for k in 0..drive.n_steps {
        let i_k = drive.input(p.current, k);
        let dv = fhn_dv(v, w, i_k);
        let dw = p.g(v, w);
        let v_new = v + dt * dv;
        w += dt * dw;
        if !(v_new.is_finite() && w.is_finite()) {
            return Err(MirrorError::value(
                "dt_ms",
                format!("dt_ms = {dt:?} is too large: the Euler steps diverged at step {k}"),
            ));
        }
        if v < threshold && threshold <= v_new {
            spikes.push(k);
        }
        v = v_new;
        trace_v.push(v);
        trace_w.push(w);
    }
    Ok(drive.result(
        spikes,
        vec![("v".to_string(), trace_v), ("w".to_string(), trace_w)],
    ))
}

/// A reference simulator.
pub type Model = fn(&Config) -> Result<Simulation>;

/// The reference simulator called `name` (Python's `MODELS`): `lif` or
/// `fitzhugh_nagumo`.
pub fn model(name: &str) -> Option<Model> {
    match name {
        "lif" => Some(lif_neuron),
        "fitzhugh_nagumo" => Some(fitzhugh_nagumo),
        _ => None,
    }
}

/// Runs `simulate` on `cfg`; an error about a key in `renames` is reported
/// against the argument that supplied it; the result is checked.
fn run(
    simulate: &dyn Fn(&Config) -> Result<Simulation>,
    cfg: &Config,
    renames: &[(&str, &str)],
) -> Result<Simulation> {
    let sim = simulate(cfg).map_err(|mut e| {
        if let Some(&(_, to)) = renames.iter().find(|(from, _)| *from == e.arg) {
            e.message = format!("{to}: {}", e.message);
            e.arg = to.to_string();
        }
        e
    })?;
    sim.check()?;
    Ok(sim)
}

// ------------------------------------------------------------------ sweeps

/// Result of [`fi_curve_sweep`].
#[derive(Debug, Clone, PartialEq)]
pub struct FiCurve {
    /// `grid(i_min, i_max, i_steps)`.
    pub currents: Vec<f64>,
    /// The rate (Hz) at each current.
    pub rates: Vec<f64>,
}

/// Firing rate against `current` over `grid(i_min, i_max, i_steps)`.
pub fn fi_curve_sweep(
    simulate: &dyn Fn(&Config) -> Result<Simulation>,
    base: &Config,
    i_min: f64,
    i_max: f64,
    i_steps: i64,
) -> Result<FiCurve> {
    let (lo, hi) = real_range(i_min, i_max, "i_min", "i_max")?;
    let n = count(i_steps, "i_steps")?;
    let currents = grid_unchecked(lo, hi, n);
    let mut rates = Vec::with_capacity(n);
    for &c in &currents {
        let sim = run(
            simulate,
            &base.with("current", Value::Float(c)),
            &[("current", "i_min")],
        )?;
        rates.push(sim.rate_hz);
    }
    Ok(FiCurve { currents, rates })
}

/// The rounded, sorted, distinct late-half extrema of one trace (Python's
/// `bifurcation_sweep` steps 1-4).
pub fn late_extrema(trace: &[f64]) -> Vec<f64> {
    let late = &trace[trace.len() / 2..];
    if late.len() < MIN_LATE_SAMPLES {
        return Vec::new();
    }
    let (mut maxima, mut minima) = (Vec::new(), Vec::new());
    for i in 1..late.len() - 1 {
        let before = late[i] - late[i - 1];
        let after = late[i + 1] - late[i];
        if before > 0.0 && after < 0.0 {
            maxima.push(late[i]);
        } else if before < 0.0 && after > 0.0 {
            minima.push(late[i]);
        }
    }
    if maxima.is_empty() && minima.is_empty() {
        return vec![round2(sequential_sum(late) / late.len() as f64)];
    }
    let last = |v: &[f64]| v[v.len().saturating_sub(MAX_EXTREMA)..].to_vec();
    let mut out: Vec<f64> = last(&maxima)
        .into_iter()
        .chain(last(&minima))
        .map(round2)
        .collect();
    out.sort_by(f64::total_cmp);
    out.dedup();
    out
}

/// Result of [`bifurcation_sweep`].
#[derive(Debug, Clone, PartialEq)]
pub struct BifurcationDiagram {
    /// The swept values.
    pub param_values: Vec<f64>,
    /// Per value, [`late_extrema`] of the chosen state.
    pub extrema: Vec<Vec<f64>>,
}

/// Late-time extrema of `variable` (default: the first state) against
/// `param_name` over `grid(param_min, param_max, n_values)`.
pub fn bifurcation_sweep(
    simulate: &dyn Fn(&Config) -> Result<Simulation>,
    base: &Config,
    param_name: &str,
    param_min: f64,
    param_max: f64,
    n_values: i64,
    variable: Option<&str>,
) -> Result<BifurcationDiagram> {
    check_text("param_name", param_name)?;
    let (lo, hi) = real_range(param_min, param_max, "param_min", "param_max")?;
    let n = count(n_values, "n_values")?;
    if let Some(v) = variable {
        check_text("variable", v)?;
    }
    let param_values = grid_unchecked(lo, hi, n);
    let mut extrema = Vec::with_capacity(n);
    for &p in &param_values {
        let cfg = base.with(param_name, Value::Float(p));
        let sim = run(simulate, &cfg, &[(param_name, "param_name")])?;
        let name = match variable {
            Some(v) => v,
            None => sim.states.first().map(|(n, _)| n.as_str()).unwrap_or(""),
        };
        let trace = sim.state(name).ok_or_else(|| {
            MirrorError::value(
                "variable",
                format!("variable must name a state of the simulation, got {name:?}"),
            )
        })?;
        extrema.push(late_extrema(trace));
    }
    Ok(BifurcationDiagram {
        param_values,
        extrema,
    })
}

/// One parameter's entry of [`sensitivity_analysis`].
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityEntry {
    /// The parameter's name.
    pub param: String,
    /// Its base value.
    pub value: f64,
    /// `((|r+ - r-| / (2 delta)) * |p|) / r0`, or `None`.
    pub sensitivity: Option<f64>,
    /// Why the sensitivity is `None`.
    pub reason: Option<&'static str>,
    /// `r0`.
    pub base_rate: f64,
    /// The rate at `p - delta` (when simulated).
    pub rate_minus: Option<f64>,
    /// The rate at `p + delta` (when simulated).
    pub rate_plus: Option<f64>,
}

/// Normalised central-difference sensitivity of the rate to each parameter,
/// sorted descending (stable), the undefined ones last in `param_names` order.
pub fn sensitivity_analysis(
    simulate: &dyn Fn(&Config) -> Result<Simulation>,
    base: &Config,
    param_names: &[String],
    perturbation: f64,
) -> Result<Vec<SensitivityEntry>> {
    if param_names.is_empty() {
        return Err(MirrorError::value(
            "param_names",
            "param_names must name at least one parameter",
        ));
    }
    for (k, name) in param_names.iter().enumerate() {
        if base.get(name).is_none() {
            return Err(MirrorError::value(
                "param_names",
                format!("param_names must be keys of base_config, got {name:?}"),
            ));
        }
        if param_names[..k].contains(name) {
            return Err(MirrorError::value(
                "param_names",
                format!("param_names must not repeat a name, got {name:?} twice"),
            ));
        }
    }
    let rel = check_real("perturbation", perturbation, Bounds::ANY)?;
    if !(rel > 0.0 && rel < 1.0) {
        return Err(MirrorError::value(
            "perturbation",
            format!("perturbation must be in (0, 1), got {rel:?}"),
        ));
    }
    let mut values = Vec::with_capacity(param_names.len());
    for name in param_names {
        values.push(base.real(name, 0.0)?);
    }
    let r0 = run(simulate, base, &[])?.rate_hz;
    let (mut defined, mut undefined) = (Vec::new(), Vec::new());
    for (name, &p) in param_names.iter().zip(&values) {
        let mut entry = SensitivityEntry {
            param: name.clone(),
            value: p,
            sensitivity: None,
            reason: None,
            base_rate: r0,
            rate_minus: None,
            rate_plus: None,
        };
        let delta = rel * p.abs();
        entry.reason = if p == 0.0 {
            Some(REASON_ZERO_PARAM)
        } else if r0 <= 0.0 {
            Some(REASON_ZERO_RATE)
        } else if p + delta == p || p - delta == p {
            Some(REASON_NO_CHANGE)
        } else {
            None
        };
        if entry.reason.is_some() {
            undefined.push(entry);
            continue;
        }
        let renames = [(name.as_str(), "param_names")];
        let r_plus = run(
            simulate,
            &base.with(name, Value::Float(p + delta)),
            &renames,
        )?
        .rate_hz;
        let r_minus = run(
            simulate,
            &base.with(name, Value::Float(p - delta)),
            &renames,
        )?
        .rate_hz;
        entry.rate_plus = Some(r_plus);
        entry.rate_minus = Some(r_minus);
        entry.sensitivity = Some((((r_plus - r_minus).abs() / (2.0 * delta)) * p.abs()) / r0);
        defined.push(entry);
    }
    let key = |e: &SensitivityEntry| e.sensitivity.unwrap_or(0.0);
    defined.sort_by(|a, b| key(b).total_cmp(&key(a)));
    defined.extend(undefined);
    Ok(defined)
}

/// Result of [`heatmap_2d`].
#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    /// `grid(x_min, x_max, x_steps)`.
    pub x_values: Vec<f64>,
    /// `grid(y_min, y_max, y_steps)`.
    pub y_values: Vec<f64>,
    /// `rates[j * x_steps + i]` at `(x_values[i], y_values[j])`: row-major `(y_steps, x_steps)`.
    pub rates: NdArray<f64>,
}

/// Firing rate over a 2-D parameter grid, `rates[y][x]`.
#[allow(clippy::too_many_arguments)]
pub fn heatmap_2d(
    simulate: &dyn Fn(&Config) -> Result<Simulation>,
    base: &Config,
    param_x: &str,
    x_min: f64,
    x_max: f64,
    x_steps: i64,
    param_y: &str,
    y_min: f64,
    y_max: f64,
    y_steps: i64,
) -> Result<Heatmap> {
    check_text("param_x", param_x)?;
    let (xlo, xhi) = real_range(x_min, x_max, "x_min", "x_max")?;
    let nx = count(x_steps, "x_steps")?;
    check_text("param_y", param_y)?;
    let (ylo, yhi) = real_range(y_min, y_max, "y_min", "y_max")?;
    let ny = count(y_steps, "y_steps")?;
    if param_x == param_y {
        return Err(MirrorError::value(
            "param_y",
            format!("param_y must differ from param_x, got {param_y:?} twice"),
        ));
    }
    if nx
        .checked_mul(ny)
        .is_none_or(|total| total > MAX_POINTS as usize)
    {
        return Err(MirrorError::value(
            "y_steps",
            format!("y_steps must keep x_steps * y_steps <= {MAX_POINTS}, got {nx} * {ny}"),
        ));
    }
    let xs = grid_unchecked(xlo, xhi, nx);
    let ys = grid_unchecked(ylo, yhi, ny);
    let mut rates = Vec::with_capacity(nx * ny);
    for &y in &ys {
        for &x in &xs {
            let cfg = base
                .with(param_x, Value::Float(x))
                .with(param_y, Value::Float(y));
            let renames = [(param_x, "param_x"), (param_y, "param_y")];
            rates.push(run(simulate, &cfg, &renames)?.rate_hz);
        }
    }
    Ok(Heatmap {
        x_values: xs,
        y_values: ys,
        rates: NdArray::new("rates", vec![ny, nx], rates)?,
    })
}

// ------------------------------------------------------------------ trace analyses

/// Result of [`spike_triggered_average`].
#[derive(Debug, Clone, PartialEq)]
pub struct SpikeTriggeredAverage {
    /// `(j - hw) * dt` for `j < 2 hw` (empty for an empty result).
    pub time_ms: Vec<f64>,
    /// The averaged snippet (empty for an empty result).
    pub sta: Vec<f64>,
    /// Snippets averaged (0 for an empty result).
    pub n_spikes: usize,
}

/// Average of `voltage[k - hw .. k + hw]` over the spikes whose window fits,
/// `hw = max(1, trunc((window_ms / dt) / 2))`; fewer than two such spikes
/// (or `(window_ms / dt) / 2 > len`) give an empty result.
pub fn spike_triggered_average(
    time: &NdArray<f64>,
    voltage: &NdArray<f64>,
    spikes: &NdArray<i64>,
    dt: f64,
    window_ms: f64,
) -> Result<SpikeTriggeredAverage> {
    let v = real_array("voltage", voltage, Form::Ndim(1))?;
    let t = real_array("time", time, Form::Ndim(1))?;
    if t.len() != v.len() {
        return Err(MirrorError::value(
            "time",
            format!(
                "time must have the shape of voltage ({},), got ({},)",
                v.len(),
                t.len()
            ),
        ));
    }
    check_ndim("spikes", spikes, 1)?;
    let len = v.len();
    let mut idx = Vec::with_capacity(spikes.len());
    for (k, &s) in spikes.data().iter().enumerate() {
        match usize::try_from(s) {
            Ok(i) if i < len => idx.push(i),
            _ => {
                return Err(MirrorError::value(
                    "spikes",
                    format!("spikes must hold indices in [0, {len}), got {s} at index {k}"),
                ));
            }
        }
    }
    let step = check_real("dt", dt, Bounds::POSITIVE)?;
    let window = check_real("window_ms", window_ms, Bounds::POSITIVE)?;
    let empty = SpikeTriggeredAverage {
        time_ms: Vec::new(),
        sta: Vec::new(),
        n_spikes: 0,
    };
    let h = (window / step) / 2.0;
    if h > len as f64 {
        return Ok(empty);
    }
    let hw = (h as usize).max(1);
    let used: Vec<usize> = idx
        .into_iter()
        .filter(|&k| k >= hw && k + hw <= len)
        .collect();
    if used.len() < 2 {
        return Ok(empty);
    }
    let mut acc = vec![0.0; 2 * hw];
    for &k in &used {
        for (a, &x) in acc.iter_mut().zip(&v[k - hw..k + hw]) {
            *a += x;
        }
    }
    let n = used.len() as f64;
    Ok(SpikeTriggeredAverage {
        time_ms: (0..2 * hw)
            .map(|j| (j as i64 - hw as i64) as f64 * step)
            .collect(),
        sta: acc.into_iter().map(|s| s / n).collect(),
        n_spikes: used.len(),
    })
}

/// Result of [`frequency_response`] (one entry per frequency).
#[derive(Debug, Clone, PartialEq)]
pub struct FrequencyResponse {
    /// Log-spaced frequencies (Hz).
    pub frequencies: Vec<f64>,
    /// `((2 |Z|) / (C / f)) / (bias * depth)`.
    pub gain: Vec<f64>,
    /// `atan2(im, re) - pi/2`, wrapped into `(-pi, pi]`.
    pub phase_lag: Vec<f64>,
    /// `|Z| / N`.
    pub vector_strength: Vec<f64>,
    /// `N`, the spikes in whole cycles.
    pub n_spikes: Vec<i64>,
    /// `C`, the whole cycles.
    pub n_cycles: Vec<i64>,
    /// The simulator's `rate_hz`.
    pub rates: Vec<f64>,
}

fn log_frequencies(fmin: f64, fmax: f64, n: usize) -> Result<Vec<f64>> {
    if n == 1 {
        return Ok(vec![fmin]);
    }
    let ratio = fmax / fmin;
    if !ratio.is_finite() {
        return Err(MirrorError::value(
            "freq_max",
            format!("freq_max / freq_min must be finite, got {fmax:?} / {fmin:?}"),
        ));
    }
    let mut values: Vec<f64> = (0..n - 1)
        .map(|k| fmin * ratio.powf(k as f64 / (n - 1) as f64))
        .collect();
    values.push(fmax);
    Ok(values)
}

/// Response of the firing to `bias * (1 + depth * sin(2 pi f t))` at
/// log-spaced `f` (the exact formulas are in the Python docstring).
#[allow(clippy::too_many_arguments)]
pub fn frequency_response(
    simulate: &dyn Fn(&Config) -> Result<Simulation>,
    base: &Config,
    freq_min: f64,
    freq_max: f64,
    n_freqs: i64,
    bias: f64,
    depth: f64,
) -> Result<FrequencyResponse> {
    let fmin = check_real("freq_min", freq_min, Bounds::POSITIVE)?;
    let (fmin, fmax) = real_range(fmin, freq_max, "freq_min", "freq_max")?;
    let n = count(n_freqs, "n_freqs")?;
    let amp = check_real("bias", bias, Bounds::POSITIVE)?;
    let m = check_real("depth", depth, Bounds::POSITIVE)?;
    if m > 1.0 {
        return Err(MirrorError::value(
            "depth",
            format!("depth must be in (0, 1], got {m:?}"),
        ));
    }
    let frequencies = log_frequencies(fmin, fmax, n)?;
    let mut out = FrequencyResponse {
        frequencies: Vec::new(),
        gain: Vec::with_capacity(n),
        phase_lag: Vec::with_capacity(n),
        vector_strength: Vec::with_capacity(n),
        n_spikes: Vec::with_capacity(n),
        n_cycles: Vec::with_capacity(n),
        rates: Vec::with_capacity(n),
    };
    let renames = [
        ("current", "bias"),
        ("drive_depth", "depth"),
        ("drive_freq_hz", "freq_min"),
    ];
    for &f in &frequencies {
        let cfg = base
            .with("current", Value::Float(amp))
            .with("drive_depth", Value::Float(m))
            .with("drive_freq_hz", Value::Float(f));
        let sim = run(simulate, &cfg, &renames)?;
        let total = f * ((sim.n_steps as f64 * sim.dt_ms) / 1000.0);
        if total >= PHASE_LIMIT {
            return Err(MirrorError::value(
                "freq_max",
                format!(
                    "freq_max is too high for the simulated duration: \
                     freq * n_steps * dt_ms / 1000 = {total:?} cycles, over 2**53"
                ),
            ));
        }
        let c = total.floor();
        let (mut re, mut im, mut count) = (0.0f64, 0.0f64, 0usize);
        for &k in &sim.spikes {
            let u = f * ((k as f64 * sim.dt_ms) / 1000.0);
            if u < c {
                let theta = TAU * (u - u.floor());
                re += theta.cos();
                im += theta.sin();
                count += 1;
            }
        }
        let abs_z = (re * re + im * im).sqrt();
        if c == 0.0 {
            out.gain.push(f64::NAN);
            out.phase_lag.push(f64::NAN);
            out.vector_strength.push(f64::NAN);
        } else if count == 0 {
            out.gain.push(0.0);
            out.phase_lag.push(f64::NAN);
            out.vector_strength.push(f64::NAN);
        } else {
            out.gain.push(((2.0 * abs_z) / (c / f)) / (amp * m));
            let phase = im.atan2(re) - HALF_PI;
            out.phase_lag
                .push(if phase <= -PI { phase + TAU } else { phase });
            out.vector_strength.push(abs_z / count as f64);
        }
        out.n_spikes.push(count as i64);
        out.n_cycles.push(c as i64);
        out.rates.push(sim.rate_hz);
    }
    out.frequencies = frequencies;
    Ok(out)
}

// ------------------------------------------------------------------ phase plane

/// Result of [`nullclines_2d`].
#[derive(Debug, Clone, PartialEq)]
pub struct Nullclines {
    /// The x grid.
    pub x_grid: Vec<f64>,
    /// The y grid.
    pub y_grid: Vec<f64>,
    /// Cell centres where `f` changes sign, `(x, y)` pairs, row by row.
    pub f_points: Vec<(f64, f64)>,
    /// Cell centres where `g` changes sign.
    pub g_points: Vec<(f64, f64)>,
}

fn range_pair(a: &NdArray<f64>, name: &str) -> Result<(f64, f64)> {
    if a.shape() != [2] {
        return Err(MirrorError::value(
            name,
            format!(
                "{name} must be a (min, max) pair, got shape {}",
                format_shape(a.shape())
            ),
        ));
    }
    let (lo, hi) = real_range(a.data()[0], a.data()[1], name, name)?;
    if lo == hi {
        return Err(MirrorError::value(
            name,
            format!("{name} must have min < max, got ({lo:?}, {hi:?})"),
        ));
    }
    Ok((lo, hi))
}

fn field_values(
    field: &dyn Fn(f64, f64) -> f64,
    xs: &[f64],
    ys: &[f64],
    name: &str,
) -> Result<Vec<f64>> {
    let mut values = Vec::with_capacity(xs.len() * ys.len());
    for &y in ys {
        for &x in xs {
            let v = field(x, y);
            if !v.is_finite() {
                return Err(MirrorError::value(
                    name,
                    format!(
                        "{name} must be finite on the grid, got {v:?} at (x, y) = ({x:?}, {y:?})"
                    ),
                ));
            }
            values.push(v);
        }
    }
    Ok(values)
}

fn sign_change_points(values: &[f64], n: usize, cx: &[f64], cy: &[f64]) -> Vec<(f64, f64)> {
    let at = |j: usize, i: usize| values[j * n + i];
    let mut points = Vec::new();
    for (j, &y) in cy.iter().enumerate() {
        for (i, &x) in cx.iter().enumerate() {
            let (c0, c1, c2, c3) = (at(j, i), at(j, i + 1), at(j + 1, i), at(j + 1, i + 1));
            let low = c0.min(c1).min(c2.min(c3));
            let high = c0.max(c1).max(c2.max(c3));
            if low <= 0.0 && high >= 0.0 {
                points.push((x, y));
            }
        }
    }
    points
}

/// The grid cells where `f` and `g` change sign (the Python docstring has the
/// exact rule): corners' minimum `<= 0` and maximum `>= 0`; points are cell
/// centres `x_i + (x_(i+1) - x_i) / 2`, row by row.
pub fn nullclines_2d(
    f: &dyn Fn(f64, f64) -> f64,
    g: &dyn Fn(f64, f64) -> f64,
    x_range: &NdArray<f64>,
    y_range: &NdArray<f64>,
    grid_size: i64,
) -> Result<Nullclines> {
    let (xlo, xhi) = range_pair(x_range, "x_range")?;
    let (ylo, yhi) = range_pair(y_range, "y_range")?;
    let n = check_int("grid_size", grid_size, 2, Some(MAX_GRID + 1))?;
    let xs = grid_unchecked(xlo, xhi, n);
    let ys = grid_unchecked(ylo, yhi, n);
    let fv = field_values(f, &xs, &ys, "f")?;
    let gv = field_values(g, &xs, &ys, "g")?;
    let centres =
        |v: &[f64]| -> Vec<f64> { v.windows(2).map(|p| p[0] + (p[1] - p[0]) / 2.0).collect() };
    let (cx, cy) = (centres(&xs), centres(&ys));
    Ok(Nullclines {
        f_points: sign_change_points(&fv, n, &cx, &cy),
        g_points: sign_change_points(&gv, n, &cx, &cy),
        x_grid: xs,
        y_grid: ys,
    })
}

// ------------------------------------------------------------------ fixed point

/// Result of [`precision_compare`].
#[derive(Debug, Clone, PartialEq)]
pub struct PrecisionReport {
    /// `code / 256.0`, the shape of the input.
    pub quantized: NdArray<f64>,
    /// The Q8.8 codes.
    pub codes: NdArray<i64>,
    /// `max |q - v|`.
    pub max_abs_error: f64,
    /// `sqrt(sequential_sum((q - v)^2) / n)`.
    pub rmse: f64,
    /// Values whose rounded code was outside `[Q_CODE_MIN, Q_CODE_MAX]`.
    pub n_saturated: usize,
    /// `n`.
    pub n_values: usize,
}

/// Signed Q8.8 against float64: `code = clamp(round_ties_even(v * 256.0),
/// -32768, 32767)`, `q = code / 256.0`, and the error statistics.
pub fn precision_compare(values: &NdArray<f64>) -> Result<PrecisionReport> {
    check_finite("values", values)?;
    if values.is_empty() {
        return Err(MirrorError::value(
            "values",
            format!(
                "values must hold at least one value, got shape {}",
                format_shape(values.shape())
            ),
        ));
    }
    let (lo, hi) = (Q_CODE_MIN as f64, Q_CODE_MAX as f64);
    let mut codes = Vec::with_capacity(values.len());
    let mut quantized = Vec::with_capacity(values.len());
    let mut squares = Vec::with_capacity(values.len());
    let (mut max_abs, mut saturated) = (0.0f64, 0usize);
    for &v in values.data() {
        let scaled = (v * Q_SCALE).round_ties_even();
        if scaled < lo || scaled > hi {
            saturated += 1;
        }
        let code = scaled.clamp(lo, hi) as i64;
        let q = code as f64 / Q_SCALE;
        let e = q - v;
        max_abs = max_abs.max(e.abs());
        squares.push(e * e);
        codes.push(code);
        quantized.push(q);
    }
    let n = values.len();
    Ok(PrecisionReport {
        quantized: NdArray::new("values", values.shape().to_vec(), quantized)?,
        codes: NdArray::new("values", values.shape().to_vec(), codes)?,
        max_abs_error: max_abs,
        rmse: (sequential_sum(&squares) / n as f64).sqrt(),
        n_saturated: saturated,
        n_values: n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::{self, op};
    use crate::golden::{Field, Values};
    use crate::golden_check::check_golden;

    // ---------------------------------------------------------- case inputs
    //
    // Python hands a 0-D input to the surface as a Python scalar, so an int
    // is accepted where a float is expected; these readers do the same.

    fn input<'a>(x: &'a [Field], name: &str) -> Result<&'a Field> {
        fields::find(x, name)
    }

    fn scalar(f: &Field) -> Result<()> {
        if f.shape.is_empty() {
            Ok(())
        } else {
            Err(MirrorError::value(
                &f.name,
                format!("{} must be a scalar", f.name),
            ))
        }
    }

    fn real_in(x: &[Field], name: &str) -> Result<f64> {
        let f = input(x, name)?;
        scalar(f)?;
        match &f.values {
            Values::F64(v) => Ok(v[0]),
            Values::I64(v) => Ok(v[0] as f64),
            Values::U64(v) => Ok(v[0] as f64),
            Values::U8(v) => Ok(f64::from(v[0])),
            Values::Str(_) => Err(MirrorError::type_error(
                name,
                format!("{name} must be real"),
            )),
        }
    }

    fn int_in(x: &[Field], name: &str) -> Result<i64> {
        let f = input(x, name)?;
        scalar(f)?;
        match &f.values {
            Values::I64(v) => Ok(v[0]),
            Values::U64(v) => i64::try_from(v[0])
                .map_err(|_| MirrorError::value(name, format!("{name} is too large"))),
            Values::U8(v) => Ok(i64::from(v[0])),
            _ => Err(MirrorError::type_error(
                name,
                format!("{name} must be an int"),
            )),
        }
    }

    fn opt<T>(
        x: &[Field],
        name: &str,
        read: fn(&[Field], &str) -> Result<T>,
        default: T,
    ) -> Result<T> {
        Ok(fields::optional(x, name, read)?.unwrap_or(default))
    }

    fn array_in(x: &[Field], name: &str) -> Result<NdArray<f64>> {
        let f = input(x, name)?;
        let data: Vec<f64> = match &f.values {
            Values::F64(v) => v.clone(),
            Values::I64(v) => v.iter().map(|&i| i as f64).collect(),
            Values::U64(v) => v.iter().map(|&i| i as f64).collect(),
            Values::U8(v) => v.iter().map(|&i| f64::from(i)).collect(),
            Values::Str(_) => {
                return Err(MirrorError::type_error(
                    name,
                    format!("{name} must hold real numbers"),
                ));
            }
        };
        NdArray::new(name, f.shape.clone(), data)
    }

    /// Spike indices: integers, or an empty 1-D array of any dtype (as Python).
    fn index_in(x: &[Field], name: &str) -> Result<NdArray<i64>> {
        let f = input(x, name)?;
        let data: Vec<i64> = match &f.values {
            Values::I64(v) => v.clone(),
            Values::U8(v) => v.iter().map(|&i| i64::from(i)).collect(),
            Values::U64(v) => v
                .iter()
                .map(|&i| i64::try_from(i).unwrap_or(i64::MAX))
                .collect(),
            _ if f.values.is_empty() => Vec::new(),
            _ => {
                return Err(MirrorError::type_error(
                    name,
                    format!("{name} must hold integers"),
                ));
            }
        };
        NdArray::new(name, f.shape.clone(), data)
    }

    /// Every input not in `skip`, as a keyword configuration.
    fn config_in(x: &[Field], skip: &[&str]) -> Result<Config> {
        let mut cfg = Config::new();
        for f in x.iter().filter(|f| !skip.contains(&f.name.as_str())) {
            scalar(f)?;
            let value = match &f.values {
                Values::F64(v) => Value::Float(v[0]),
                Values::Str(_) => {
                    return Err(MirrorError::type_error(
                        &f.name,
                        format!("{} must be a number", f.name),
                    ));
                }
                _ => Value::Int(int_in(x, &f.name)?),
            };
            cfg.set(&f.name, value);
        }
        Ok(cfg)
    }

    // ---------------------------------------------------------- ops

    const MODEL_OPS: &[(&str, &[&str])] = &[
        ("simulate", &[]),
        ("fi_curve_sweep", &["i_min", "i_max", "i_steps"]),
        (
            "bifurcation_sweep",
            &[
                "param_name",
                "param_min",
                "param_max",
                "n_values",
                "variable",
            ],
        ),
        ("sensitivity_analysis", &["param_names", "perturbation"]),
        (
            "heatmap_2d",
            &[
                "param_x", "x_min", "x_max", "x_steps", "param_y", "y_min", "y_max", "y_steps",
            ],
        ),
        (
            "frequency_response",
            &["freq_min", "freq_max", "n_freqs", "bias", "depth"],
        ),
    ];

    fn simulate_outputs(sim: &Simulation, driven: bool) -> Vec<Field> {
        let mut out = vec![
            Field::f64_scalar("rate_hz", sim.rate_hz),
            Field::f64_scalar("dt_ms", sim.dt_ms),
            Field::i64_scalar("n_steps", sim.n_steps as i64),
            Field::i64s("spikes", sim.spikes.iter().map(|&k| k as i64).collect()),
        ];
        let prefix = if driven { "driven" } else { "state" };
        for (name, trace) in &sim.states {
            out.push(Field::f64s(&format!("{prefix}_{name}"), trace.clone()));
        }
        out
    }

    fn nonzero(cfg: &Config, name: &str) -> bool {
        match cfg.get(name) {
            Some(Value::Float(v)) => v != 0.0,
            Some(Value::Int(i)) => i != 0,
            None => false,
        }
    }

    fn model_case(name: &str, args: &[&str], x: &[Field]) -> Result<Vec<Field>> {
        let model_name = fields::str_scalar(x, "model")?;
        let m = model(&model_name)
            .ok_or_else(|| MirrorError::value("model", format!("unknown model {model_name:?}")))?;
        let mut skip = vec!["op", "model"];
        skip.extend_from_slice(args);
        let cfg = config_in(x, &skip)?;
        let sim: &dyn Fn(&Config) -> Result<Simulation> = &m;
        Ok(match name {
            "simulate" => {
                let driven = nonzero(&cfg, "drive_depth") && nonzero(&cfg, "drive_freq_hz");
                simulate_outputs(&m(&cfg)?, driven)
            }
            "fi_curve_sweep" => {
                let fi = fi_curve_sweep(
                    sim,
                    &cfg,
                    real_in(x, "i_min")?,
                    real_in(x, "i_max")?,
                    int_in(x, "i_steps")?,
                )?;
                vec![
                    Field::f64s("currents", fi.currents),
                    Field::f64s("rates", fi.rates),
                ]
            }
            "bifurcation_sweep" => {
                let variable = match fields::has(x, "variable") {
                    true => Some(fields::str_scalar(x, "variable")?),
                    false => None,
                };
                let b = bifurcation_sweep(
                    sim,
                    &cfg,
                    &fields::str_scalar(x, "param_name")?,
                    real_in(x, "param_min")?,
                    real_in(x, "param_max")?,
                    opt(x, "n_values", int_in, 30)?,
                    variable.as_deref(),
                )?;
                vec![
                    Field::f64s("param_values", b.param_values),
                    Field::i64s("counts", b.extrema.iter().map(|e| e.len() as i64).collect()),
                    Field::f64s("extrema", b.extrema.concat()),
                ]
            }
            "sensitivity_analysis" => {
                let names = fields::str_array(x, "param_names")?;
                if names.ndim() != 1 {
                    return Err(MirrorError::type_error(
                        "param_names",
                        "param_names must be a sequence of str",
                    ));
                }
                let entries = sensitivity_analysis(
                    sim,
                    &cfg,
                    names.data(),
                    opt(x, "perturbation", real_in, 0.1)?,
                )?;
                let col = |f: &dyn Fn(&SensitivityEntry) -> f64| {
                    entries.iter().map(f).collect::<Vec<f64>>()
                };
                vec![
                    Field::strs("params", entries.iter().map(|e| e.param.clone()).collect()),
                    Field::f64s("values", col(&|e| e.value)),
                    Field::u8s(
                        "defined",
                        entries
                            .iter()
                            .map(|e| u8::from(e.sensitivity.is_some()))
                            .collect(),
                    ),
                    Field::f64s("sensitivities", col(&|e| e.sensitivity.unwrap_or(0.0))),
                    Field::f64s("rates_minus", col(&|e| e.rate_minus.unwrap_or(0.0))),
                    Field::f64s("rates_plus", col(&|e| e.rate_plus.unwrap_or(0.0))),
                    Field::strs(
                        "reasons",
                        entries
                            .iter()
                            .map(|e| e.reason.unwrap_or("").to_string())
                            .collect(),
                    ),
                    Field::f64_scalar("base_rate", entries[0].base_rate),
                ]
            }
            "heatmap_2d" => {
                let h = heatmap_2d(
                    sim,
                    &cfg,
                    &fields::str_scalar(x, "param_x")?,
                    real_in(x, "x_min")?,
                    real_in(x, "x_max")?,
                    int_in(x, "x_steps")?,
                    &fields::str_scalar(x, "param_y")?,
                    real_in(x, "y_min")?,
                    real_in(x, "y_max")?,
                    int_in(x, "y_steps")?,
                )?;
                vec![
                    Field::f64s("x_values", h.x_values),
                    Field::f64s("y_values", h.y_values),
                    Field::from_f64("rates", h.rates),
                ]
            }
            _ => {
                let r = frequency_response(
                    sim,
                    &cfg,
                    opt(x, "freq_min", real_in, 1.0)?,
                    opt(x, "freq_max", real_in, 100.0)?,
                    opt(x, "n_freqs", int_in, 20)?,
                    opt(x, "bias", real_in, 10.0)?,
                    opt(x, "depth", real_in, 0.5)?,
                )?;
                vec![
                    Field::f64s("frequencies", r.frequencies),
                    Field::f64s("gain", r.gain),
                    Field::f64s("phase_lag", r.phase_lag),
                    Field::f64s("vector_strength", r.vector_strength),
                    Field::i64s("n_spikes", r.n_spikes),
                    Field::i64s("n_cycles", r.n_cycles),
                    Field::f64s("rates", r.rates),
                ]
            }
        })
    }

    type FieldFn = Box<dyn Fn(f64, f64) -> f64>;

    /// The named fields of the golden file (the case module's `FIELDS`).
    fn field_fn(x: &[Field], which: &str, p: FhnFields) -> Result<FieldFn> {
        let name = fields::str_scalar(x, which)?;
        Ok(match name.as_str() {
            "fhn_dv" => Box::new(move |v, w| p.f(v, w)),
            "fhn_dw" => Box::new(move |v, w| p.g(v, w)),
            "x_minus_y" => Box::new(|x, y| x - y),
            "circle" => Box::new(|x, y| (x * x + y * y) - 1.0),
            "zero" => Box::new(|_, _| 0.0),
            _ => return Err(MirrorError::value(which, format!("unknown field {name:?}"))),
        })
    }

    fn points(name: &str, p: Vec<(f64, f64)>) -> Result<Field> {
        let n = p.len();
        let flat = p.into_iter().flat_map(|(x, y)| [x, y]).collect();
        Ok(Field::from_f64(name, NdArray::new(name, vec![n, 2], flat)?))
    }

    fn nullcline_case(x: &[Field]) -> Result<Vec<Field>> {
        const ARGS: &[&str] = &["op", "f", "g", "x_range", "y_range", "grid_size"];
        let params: Vec<&Field> = x
            .iter()
            .filter(|f| !ARGS.contains(&f.name.as_str()))
            .collect();
        if let Some(f) = params
            .iter()
            .find(|f| !["current", "a", "b", "tau"].contains(&f.name.as_str()))
        {
            return Err(MirrorError::type_error(
                &f.name,
                format!("unexpected field parameter {}", f.name),
            ));
        }
        let p = FhnFields::new(
            opt(x, "current", real_in, 0.5)?,
            opt(x, "a", real_in, 0.7)?,
            opt(x, "b", real_in, 0.8)?,
            opt(x, "tau", real_in, 12.5)?,
        )?;
        let (f, g) = (field_fn(x, "f", p)?, field_fn(x, "g", p)?);
        let nc = nullclines_2d(
            &*f,
            &*g,
            &array_in(x, "x_range")?,
            &array_in(x, "y_range")?,
            opt(x, "grid_size", int_in, 80)?,
        )?;
        Ok(vec![
            Field::f64s("x_grid", nc.x_grid),
            Field::f64s("y_grid", nc.y_grid),
            points("f_points", nc.f_points)?,
            points("g_points", nc.g_points)?,
        ])
    }

    fn direct_case(name: &str, x: &[Field]) -> Result<Vec<Field>> {
        Ok(match name {
            "spike_triggered_average" => {
                fields::check_names(
                    x,
                    &["op", "time", "voltage", "spikes", "dt", "window_ms"],
                    name,
                )?;
                let s = spike_triggered_average(
                    &array_in(x, "time")?,
                    &array_in(x, "voltage")?,
                    &index_in(x, "spikes")?,
                    real_in(x, "dt")?,
                    opt(x, "window_ms", real_in, 20.0)?,
                )?;
                vec![
                    Field::f64s("time_ms", s.time_ms),
                    Field::f64s("sta", s.sta),
                    Field::i64_scalar("n_spikes", s.n_spikes as i64),
                ]
            }
            "nullclines_2d" => nullcline_case(x)?,
            "precision_compare" => {
                fields::check_names(x, &["op", "values"], name)?;
                let r = precision_compare(&array_in(x, "values")?)?;
                vec![
                    Field::from_f64("quantized", r.quantized),
                    Field::from_i64("codes", r.codes),
                    Field::f64_scalar("max_abs_error", r.max_abs_error),
                    Field::f64_scalar("rmse", r.rmse),
                    Field::i64_scalar("n_saturated", r.n_saturated as i64),
                    Field::i64_scalar("n_values", r.n_values as i64),
                ]
            }
            "grid" => {
                fields::check_names(x, &["op", "lo", "hi", "n"], name)?;
                let g = grid(real_in(x, "lo")?, real_in(x, "hi")?, int_in(x, "n")?)?;
                vec![Field::f64s("values", g)]
            }
            "round2" => {
                fields::check_names(x, &["op", "values"], name)?;
                let v = array_in(x, "values")?;
                let shape = v.shape().to_vec();
                let data = v.data().iter().map(|&e| round2(e)).collect();
                vec![Field::from_f64(
                    "values",
                    NdArray::new("values", shape, data)?,
                )]
            }
            other => return Err(MirrorError::value("op", format!("unknown op {other:?}"))),
        })
    }

    fn run_case(x: &[Field]) -> Result<Vec<Field>> {
        let name = op(x)?;
        match MODEL_OPS.iter().find(|(n, _)| *n == name) {
            Some((n, args)) => model_case(n, args, x),
            None => direct_case(&name, x),
        }
    }

    #[test]
    fn golden_analysis() {
        let counts = check_golden("analysis", |case| run_case(&case.inputs));
        assert!(counts.valid > 0 && counts.invalid > 0);
    }

    // ---------------------------------------------------------- unit tests

    #[test]
    fn sta_worked_example() {
        let v = NdArray::from_vec((0..10).map(f64::from).collect());
        let s = NdArray::from_vec(vec![3i64, 6]);
        let r = spike_triggered_average(&v, &v, &s, 1.0, 4.0).unwrap();
        assert_eq!(r.sta, vec![2.5, 3.5, 4.5, 5.5]);
        assert_eq!(r.time_ms, vec![-2.0, -1.0, 0.0, 1.0]);
        assert_eq!(r.n_spikes, 2);
    }

    #[test]
    fn round2_is_numpy_round_half_even_on_the_product() {
        assert_eq!(round2(0.125), 0.12);
        assert_eq!(round2(0.375), 0.38);
        assert_eq!(round2(0.005), 0.0); // 0.005 * 100.0 == 0.5 exactly
        assert_eq!(round2(-0.004).to_bits(), 0.0f64.to_bits()); // no -0.0
        assert_eq!(round2(2.675), 2.68); // 267.49999999999997 rounds to 267.5 first
    }

    #[test]
    fn grid_ends_exactly_and_refuses_bad_ranges() {
        let g = grid(0.1, 0.7, 7).unwrap();
        assert_eq!((g[0], g[6]), (0.1, 0.7));
        assert_eq!(grid(2.0, 5.0, 1).unwrap(), vec![2.0]);
        assert_eq!(grid(1.0, 0.0, 3).unwrap_err().arg, "hi");
        assert_eq!(grid(0.0, 1.0, 0).unwrap_err().arg, "n");
        assert_eq!(grid(-1e308, 1e308, 2).unwrap_err().arg, "hi");
        assert_eq!(grid(f64::NAN, 1.0, 2).unwrap_err().arg, "lo");
    }

    #[test]
    fn q8_8_bounds_and_ties() {
        let v = NdArray::from_vec(vec![32767.5 / 256.0, -32768.5 / 256.0, 1.5 / 256.0, 1e308]);
        let r = precision_compare(&v).unwrap();
        assert_eq!(r.codes.data(), &[32767, -32768, 2, 32767]);
        assert_eq!(r.n_saturated, 2);
        assert!(precision_compare(&NdArray::from_vec(vec![])).is_err());
        assert_eq!(
            precision_compare(&NdArray::from_vec(vec![f64::NAN]))
                .unwrap_err()
                .arg,
            "values"
        );
    }

    #[test]
    fn late_extrema_rules() {
        // 9 late samples: none; a monotone trace: its rounded mean.
        assert!(late_extrema(&[0.0; 18]).is_empty());
        let ramp: Vec<f64> = (0..20).map(f64::from).collect();
        assert_eq!(late_extrema(&ramp), vec![14.5]);
        // A flat step is no extremum; a strict peak is.
        let mut t = vec![0.0; 10];
        t.extend([0.0, 1.0, 1.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0]);
        assert_eq!(late_extrema(&t), vec![0.0, 0.5]);
    }

    #[test]
    fn config_replaces_in_place_and_models_refuse_unknown_keys() {
        let mut c = Config::new();
        c.set("current", Value::Float(1.0));
        c.set("tau_ms", Value::Int(5));
        c.set("current", Value::Float(2.0));
        assert_eq!(c.names().collect::<Vec<_>>(), ["current", "tau_ms"]);
        assert_eq!(c.get("current"), Some(Value::Float(2.0)));
        let e = lif_neuron(&c.with("gain", Value::Float(1.0))).unwrap_err();
        assert_eq!((e.arg.as_str(), e.kind), ("gain", crate::ErrorKind::Type));
        let e = lif_neuron(&c.with("n_steps", Value::Float(10.0))).unwrap_err();
        assert_eq!(
            (e.arg.as_str(), e.kind),
            ("n_steps", crate::ErrorKind::Type)
        );
    }

    #[test]
    fn sweep_errors_name_the_argument_that_set_the_key() {
        // The model names `current` (it overflows); the sweep set it from i_min..i_max.
        let base = Config::new().with("resistance", Value::Float(1e300));
        let e = lif_neuron(&base.with("current", Value::Float(1e300))).unwrap_err();
        assert_eq!(e.arg, "current");
        assert_eq!(
            fi_curve_sweep(&lif_neuron, &base, 0.0, 1e300, 2)
                .unwrap_err()
                .arg,
            "i_min"
        );
        let e = bifurcation_sweep(&lif_neuron, &Config::new(), "tau_ms", -1.0, 1.0, 2, None);
        assert_eq!(e.unwrap_err().arg, "param_name");
    }

    #[test]
    fn a_broken_simulator_is_refused_not_a_panic() {
        let bad = |_: &Config| -> Result<Simulation> {
            Ok(Simulation {
                rate_hz: 1.0,
                dt_ms: 0.1,
                n_steps: 3,
                states: vec![("v".to_string(), vec![0.0; 2])],
                spikes: vec![],
            })
        };
        assert_eq!(
            fi_curve_sweep(&bad, &Config::new(), 0.0, 1.0, 2)
                .unwrap_err()
                .arg,
            "simulate_fn"
        );
        let nan_rate = |_: &Config| -> Result<Simulation> {
            Ok(Simulation {
                rate_hz: f64::NAN,
                dt_ms: 0.1,
                n_steps: 1,
                states: vec![],
                spikes: vec![5],
            })
        };
        let e = frequency_response(&nan_rate, &Config::new(), 1.0, 2.0, 2, 1.0, 0.5);
        assert_eq!(e.unwrap_err().arg, "simulate_fn");
        let e = bifurcation_sweep(&nan_rate, &Config::new(), "x", 0.0, 1.0, 1, None);
        assert_eq!(e.unwrap_err().arg, "simulate_fn");
    }

    /// A simulator that ignores its drive and spikes at fixed steps (dt 0.1 ms, 1500 steps).
    fn fixed_spikes(spikes: Vec<usize>) -> impl Fn(&Config) -> Result<Simulation> {
        move |_| {
            Ok(Simulation {
                rate_hz: 1.0,
                dt_ms: 0.1,
                n_steps: 1500,
                states: vec![],
                spikes: spikes.clone(),
            })
        }
    }

    #[test]
    fn frequency_response_counts_spikes_strictly_inside_whole_cycles() {
        // At 10 Hz the 0.15 s run holds C = 1 whole cycle; step 1000 is u = 1.0 exactly
        // (the start of the unfinished cycle) and is not counted; step 250 is u = 0.25.
        let sim = fixed_spikes(vec![250, 1000, 1250]);
        let r = frequency_response(&sim, &Config::new(), 10.0, 10.0, 1, 2.0, 1.5);
        assert_eq!(r.unwrap_err().arg, "depth"); // refused before any simulator check
        let r = frequency_response(&sim, &Config::new(), 10.0, 10.0, 1, 2.0, 0.5).unwrap();
        assert_eq!((r.n_cycles[0], r.n_spikes[0]), (1, 1));
        assert_eq!(r.vector_strength[0], 1.0);
        assert!(r.phase_lag[0].abs() < 1e-15); // the spike sits on the drive's peak
        assert!((r.gain[0] - 2.0 * 10.0 / (2.0 * 0.5)).abs() < 1e-12);
    }

    #[test]
    fn sensitivity_order_and_reasons() {
        let base = Config::new()
            .with("current", Value::Float(10.0))
            .with("resistance", Value::Float(2.0))
            .with("drive_depth", Value::Float(0.0))
            .with("n_steps", Value::Int(1000));
        let names: Vec<String> = ["drive_depth", "resistance", "current"]
            .map(String::from)
            .to_vec();
        let e = sensitivity_analysis(&lif_neuron, &base, &names, 0.1).unwrap();
        let order: Vec<&str> = e.iter().map(|x| x.param.as_str()).collect();
        // resistance and current tie (R * I is what matters): they keep their order.
        assert_eq!(order, ["resistance", "current", "drive_depth"]);
        assert_eq!(e[0].sensitivity, e[1].sensitivity);
        assert_eq!(e[2].reason, Some(REASON_ZERO_PARAM));
    }

    #[test]
    fn fields_and_ranges_refuse_bad_input() {
        let fhn = FhnFields::new(0.5, 0.7, 0.8, 12.5).unwrap();
        let r = NdArray::from_vec(vec![-1e150, 1e150]);
        let ok = NdArray::from_vec(vec![0.0, 1.0]);
        let f = |v: f64, w: f64| fhn.f(v, w);
        let g = |v: f64, w: f64| fhn.g(v, w);
        assert_eq!(nullclines_2d(&f, &g, &r, &ok, 3).unwrap_err().arg, "f");
        assert_eq!(
            nullclines_2d(&f, &g, &ok, &ok, 1).unwrap_err().arg,
            "grid_size"
        );
        let three = NdArray::from_vec(vec![0.0, 1.0, 2.0]);
        assert_eq!(
            nullclines_2d(&f, &g, &ok, &three, 3).unwrap_err().arg,
            "y_range"
        );
        assert_eq!(FhnFields::new(0.5, 0.7, 0.8, 0.0).unwrap_err().arg, "tau");
    }
}
