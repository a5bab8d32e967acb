//! The reference simulators (`sc_neurocore.studio._analysis.models`): forward
//! Euler, no noise, the same operations in the same order as Python.

use crate::checks::{Bounds, check_real};
use crate::error::{MirrorError, Result};

use super::runs::{Config, Drive, MAX_STEPS, Run, step_count};

/// The parameters of [`lif_neuron`] and their defaults, in order.
pub const LIF_DEFAULTS: [(&str, f64); 5] = [
    ("tau_ms", 10.0),
    ("v_rest", -65.0),
    ("v_reset", -65.0),
    ("v_threshold", -50.0),
    ("resistance", 2.0),
];
/// The parameters of [`fitzhugh_nagumo`] and their defaults, in order.
pub const FITZHUGH_NAGUMO_DEFAULTS: [(&str, f64); 6] = [
    ("a", 0.7),
    ("b", 0.8),
    ("tau", 12.5),
    ("v_threshold", 1.0),
    ("v0", -1.2),
    ("w0", -0.625),
];

/// A simulator: `simulate_fn(**config)`.
pub type Model = fn(&Config) -> Result<Run>;

const KEYS: &[&str] = &[
    "current",
    "params",
    "bias",
    "protocol",
    "frequency_hz",
    "dt",
    "duration",
];

/// The defaults updated from `cfg.params` (known names only, finite reals).
fn parameters<const N: usize>(cfg: &Config, defaults: &[(&str, f64); N]) -> Result<[f64; N]> {
    let mut out = defaults.map(|(_, v)| v);
    for (key, value) in cfg.params.iter() {
        let name = format!("params.{key}");
        let slot = defaults
            .iter()
            .position(|(n, _)| *n == key)
            .ok_or_else(|| {
                MirrorError::value(&name, format!("{name} is not a parameter of this model"))
            })?;
        out[slot] = check_real(&name, value.real(&name)?, Bounds::ANY)?;
    }
    Ok(out)
}

struct Setup<const N: usize> {
    p: [f64; N],
    drive: Drive,
    dt: f64,
    n: usize,
}

fn setup<const N: usize>(
    cfg: &Config,
    defaults: &[(&str, f64); N],
    current: f64,
    duration: f64,
    what: &str,
) -> Result<Setup<N>> {
    cfg.check_known(KEYS, what)?;
    let p = parameters(cfg, defaults)?;
    let drive = Drive::from_config(cfg, current)?;
    let (dt, n) = step_count(
        cfg.real("duration", duration)?,
        cfg.real("dt", 0.1)?,
        MAX_STEPS,
    )?;
    Ok(Setup { p, drive, dt, n })
}

/// Leaky integrate-and-fire neuron: `v = v + a * ((v_rest - v) + resistance * I_k)`
/// with `a = dt / tau_ms`, spike when `v >= v_threshold` (then `v = v_reset`).
/// Errors name the argument (`params.resistance` for a resistance `<= 0`).
pub fn lif_neuron(cfg: &Config) -> Result<Run> {
    let s = setup(cfg, &LIF_DEFAULTS, 0.0, 200.0, "lif_neuron")?;
    let [tau, rest, reset, threshold, r] = s.p;
    if tau <= 0.0 {
        return Err(MirrorError::value(
            "params.tau_ms",
            format!("params.tau_ms must be > 0, got {tau:?}"),
        ));
    }
    if r <= 0.0 {
        return Err(MirrorError::value(
            "params.resistance",
            format!("params.resistance must be > 0 (a membrane resistance), got {r:?}"),
        ));
    }
    if s.dt > tau {
        // The bound ties two arguments: name the one the caller set.
        let arg = if cfg.keys.get("dt").is_some() {
            "dt"
        } else {
            "params.tau_ms"
        };
        return Err(MirrorError::value(
            arg,
            format!(
                "dt must be <= params.tau_ms = {tau:?} (forward Euler), got {:?}",
                s.dt
            ),
        ));
    }
    if reset >= threshold {
        return Err(MirrorError::value(
            "params.v_reset",
            format!("params.v_reset must be < params.v_threshold = {threshold:?}, got {reset:?}"),
        ));
    }
    let samples = s.drive.samples(s.n, s.dt);
    let a = s.dt / tau;
    let mut v = rest;
    let mut trace = vec![0.0; s.n];
    let mut spikes = Vec::new();
    for k in 0..s.n {
        v = v + a * ((rest - v) + r * samples[k]);
        if !v.is_finite() {
            return Err(MirrorError::value(
                "current",
                format!("current is too large: the potential is {v:?} at step {k}"),
            ));
        }
        if v >= threshold {
            spikes.push(k);
            v = reset;
        }
        trace[k] = v;
    }
    Ok(Run::new(s.dt, vec![("v".into(), trace)], samples, spikes))
}

/// FitzHugh–Nagumo neuron: `dv = ((v - (v * v * v) / 3.0) - w) + I_k`,
/// `dw = ((v + a) - b * w) / tau`, `v' = v + dt * dv`, `w = w + dt * dw`;
/// a spike on an upward crossing `v < v_threshold <= v'`.
pub fn fitzhugh_nagumo(cfg: &Config) -> Result<Run> {
    let s = setup(
        cfg,
        &FITZHUGH_NAGUMO_DEFAULTS,
        0.5,
        500.0,
        "fitzhugh_nagumo",
    )?;
    let [a, b, tau, threshold, v0, w0] = s.p;
    if tau <= 0.0 {
        return Err(MirrorError::value(
            "params.tau",
            format!("params.tau must be > 0, got {tau:?}"),
        ));
    }
    let samples = s.drive.samples(s.n, s.dt);
    let (mut v, mut w) = (v0, w0);
    let mut trace_v = vec![0.0; s.n];
    let mut trace_w = vec![0.0; s.n];
    let mut spikes = Vec::new();
    for k in 0..s.n {
        let dv = ((v - (v * v * v) / 3.0) - w) + samples[k];
        let dw = ((v + a) - b * w) / tau;
        let v_new = v + s.dt * dv;
        w += s.dt * dw;
        if !(v_new.is_finite() && w.is_finite()) {
            return Err(MirrorError::value(
                "dt",
                format!(
                    "dt = {:?} is too large: the Euler steps diverged at step {k}",
                    s.dt
                ),
            ));
        }
        if v < threshold && threshold <= v_new {
            spikes.push(k);
        }
        v = v_new;
        trace_v[k] = v;
        trace_w[k] = w;
    }
    Ok(Run::new(
        s.dt,
        vec![("v".into(), trace_v), ("w".into(), trace_w)],
        samples,
        spikes,
    ))
}

/// The reference simulator called `name` (the golden file's `model` strings).
pub fn model(name: &str) -> Option<Model> {
    match name {
        "lif" => Some(lif_neuron),
        "fitzhugh_nagumo" => Some(fitzhugh_nagumo),
        _ => None,
    }
}
