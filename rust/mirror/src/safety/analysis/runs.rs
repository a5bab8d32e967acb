//! Simulation runs: keyword configurations, the drive protocols, the run
//! result and the step count (`sc_neurocore.studio._analysis.runs`).

use crate::checks::{Bounds, check_int, check_real};
use crate::error::{MirrorError, Result};

use super::exact::{linspace, whole_steps};

/// Most steps one run may take (a longer request is refused, never shortened).
pub const MAX_STEPS: i64 = 100_000;
/// The drive protocols of [`drive_samples`].
pub const SUPPORTED_PROTOCOLS: [&str; 5] = ["constant", "step", "ramp", "pulse", "sine"];
/// `2 pi` as a double.
pub const TAU: f64 = std::f64::consts::TAU;

/// One keyword value: a Python `float`, `int` or `str`, or something else
/// (an array), which every check refuses.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A float.
    Float(f64),
    /// An int.
    Int(i64),
    /// A str.
    Str(String),
    /// An array or other value no argument accepts.
    Other,
}

impl Value {
    /// The value as a real number (an int converts as Python's `float(int)`);
    /// a type error naming `name` for a str or array.
    pub fn real(&self, name: &str) -> Result<f64> {
        match self {
            Value::Float(x) => Ok(*x),
            Value::Int(i) => Ok(*i as f64),
            _ => Err(MirrorError::type_error(
                name,
                format!("{name} must be a real number"),
            )),
        }
    }

    /// The value as a str; a type error naming `name` otherwise.
    pub fn text(&self, name: &str) -> Result<&str> {
        match self {
            Value::Str(s) => Ok(s),
            _ => Err(MirrorError::type_error(
                name,
                format!("{name} must be a str"),
            )),
        }
    }
}

/// Named values in insertion order (a Python `dict` of keyword arguments).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Named {
    entries: Vec<(String, Value)>,
}

impl Named {
    /// An empty mapping.
    pub fn new() -> Self {
        Named::default()
    }

    /// Sets `name` (replacing an existing value in place, as a dict does).
    pub fn set(&mut self, name: &str, value: Value) {
        match self.entries.iter_mut().find(|(n, _)| n == name) {
            Some(entry) => entry.1 = value,
            None => self.entries.push((name.to_string(), value)),
        }
    }

    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.entries.iter().find(|(n, _)| n == name).map(|e| &e.1)
    }

    /// The entries, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries.iter().map(|(n, v)| (n.as_str(), v))
    }

    /// Whether it holds no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A `simulate_fn` configuration: top-level keys and the `params` mapping.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// Top-level keys (`current`, `bias`, `protocol`, `frequency_hz`, `dt`, `duration`, ...).
    pub keys: Named,
    /// The `params` mapping.
    pub params: Named,
}

impl Config {
    /// A copy with top-level `name` set to `value`.
    pub fn with(&self, name: &str, value: Value) -> Config {
        let mut c = self.clone();
        c.keys.set(name, value);
        c
    }

    /// A copy with `params[name]` set to `value`.
    pub fn with_param(&self, name: &str, value: f64) -> Config {
        let mut c = self.clone();
        c.params.set(name, Value::Float(value));
        c
    }

    /// Refuses a top-level key outside `known` (Python's `TypeError` for an
    /// unexpected keyword), naming it.
    pub fn check_known(&self, known: &[&str], what: &str) -> Result<()> {
        match self.keys.iter().find(|(n, _)| !known.contains(n)) {
            None => Ok(()),
            Some((n, _)) => Err(MirrorError::type_error(
                n,
                format!("{what}() got an unexpected keyword argument {n:?}"),
            )),
        }
    }

    /// The real top-level `name`, or `default`, checked finite.
    pub fn real(&self, name: &str, default: f64) -> Result<f64> {
        let v = match self.keys.get(name) {
            None => default,
            Some(v) => v.real(name)?,
        };
        check_real(name, v, Bounds::ANY)
    }

    /// The str top-level `name`, or `default`.
    pub fn text(&self, name: &str, default: &str) -> Result<String> {
        match self.keys.get(name) {
            None => Ok(default.to_string()),
            Some(v) => Ok(v.text(name)?.to_string()),
        }
    }
}

/// The result of one run in the `simulate_fn` protocol.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Step (ms).
    pub dt: f64,
    /// Number of steps.
    pub n_steps: usize,
    /// `(name, trace)` of every state, in order, one value per step.
    pub states: Vec<(String, Vec<f64>)>,
    /// The drive sample of every step.
    pub drive: Vec<f64>,
    /// Spike step indices.
    pub spikes: Vec<usize>,
    /// `stats.rate_hz`.
    pub rate_hz: f64,
}

impl Run {
    /// A run result; `rate_hz = n_spikes / ((n_steps * dt) / 1000.0)`.
    pub fn new(
        dt: f64,
        states: Vec<(String, Vec<f64>)>,
        drive: Vec<f64>,
        spikes: Vec<usize>,
    ) -> Run {
        let n_steps = drive.len();
        let rate_hz = spike_rate(spikes.len(), n_steps, dt);
        Run {
            dt,
            n_steps,
            states,
            drive,
            spikes,
            rate_hz,
        }
    }

    /// The trace of state `name`, if the run has it.
    pub fn state(&self, name: &str) -> Option<&[f64]> {
        self.states
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.as_slice())
    }
}

/// `n_spikes / ((n_steps * dt) / 1000.0)`.
pub fn spike_rate(n_spikes: usize, n_steps: usize, dt: f64) -> f64 {
    n_spikes as f64 / ((n_steps as f64 * dt) / 1000.0)
}

/// A checked drive request: `bias + shape_k` per step.
#[derive(Debug, Clone, PartialEq)]
pub struct Drive {
    /// One of [`SUPPORTED_PROTOCOLS`].
    pub protocol: String,
    /// The protocol's amplitude.
    pub current: f64,
    /// Offset of every sample.
    pub bias: f64,
    /// Sine frequency (Hz), `>= 0`.
    pub frequency_hz: f64,
}

impl Drive {
    /// Checks the drive arguments (errors name each argument).
    pub fn new(protocol: &str, current: f64, bias: f64, frequency_hz: f64) -> Result<Drive> {
        if !SUPPORTED_PROTOCOLS.contains(&protocol) {
            return Err(MirrorError::value(
                "protocol",
                format!(
                    "protocol must be one of {}; got {protocol:?}",
                    SUPPORTED_PROTOCOLS.join(", ")
                ),
            ));
        }
        Ok(Drive {
            protocol: protocol.to_string(),
            current: check_real("current", current, Bounds::ANY)?,
            bias: check_real("bias", bias, Bounds::ANY)?,
            frequency_hz: check_real("frequency_hz", frequency_hz, Bounds::at_least(0.0))?,
        })
    }

    /// The drive keys of a configuration (defaults: constant, 0, 0, 10 Hz).
    pub fn from_config(cfg: &Config, current_default: f64) -> Result<Drive> {
        let protocol = cfg.text("protocol", "constant")?;
        let current = cfg.real("current", current_default)?;
        let bias = cfg.real("bias", 0.0)?;
        let frequency_hz = cfg.real("frequency_hz", 10.0)?;
        Drive::new(&protocol, current, bias, frequency_hz)
    }

    /// The `n` samples of a run of step `dt` (see the Python docstring):
    /// constant; step on `[floor(n * 0.2), floor(n * 0.8))`; ramp
    /// `linspace(0, current, n)`; pulse of period `max(n / 5, 10)` and width
    /// `max(period / 5, 2)`; sine `current * sin(((TAU * f) * (k * dt)) / 1000)`.
    pub fn samples(&self, n: usize, dt: f64) -> Vec<f64> {
        let amp = self.current;
        let shape: Vec<f64> = match self.protocol.as_str() {
            "constant" => vec![amp; n],
            "step" => {
                let on = (n as f64 * 0.2).floor() as usize;
                let off = (n as f64 * 0.8).floor() as usize;
                (0..n)
                    .map(|k| if on <= k && k < off { amp } else { 0.0 })
                    .collect()
            }
            "ramp" => linspace(0.0, amp, n),
            "pulse" => {
                let period = (n / 5).max(10);
                let width = (period / 5).max(2);
                (0..n)
                    .map(|k| if k % period < width { amp } else { 0.0 })
                    .collect()
            }
            _ => {
                let omega = TAU * self.frequency_hz;
                (0..n)
                    .map(|k| amp * ((omega * (k as f64 * dt)) / 1000.0).sin())
                    .collect()
            }
        };
        shape.into_iter().map(|s| self.bias + s).collect()
    }
}

/// The drive samples of a run (see [`Drive::samples`]); errors name each argument.
pub fn drive_samples(
    protocol: &str,
    current: f64,
    n_steps: i64,
    dt: f64,
    frequency_hz: f64,
    bias: f64,
) -> Result<Vec<f64>> {
    let drive = Drive::new(protocol, current, bias, frequency_hz)?;
    let n = check_int("n_steps", n_steps, 1, Some(MAX_STEPS + 1))?;
    let dt = check_real("dt", dt, Bounds::POSITIVE)?;
    Ok(drive.samples(n, dt))
}

/// `(dt, n_steps)` of a run: `n_steps = floor(duration / dt + 1e-9)` in
/// `[1, max_steps]`; errors name `dt` or `duration`.
pub fn step_count(duration: f64, dt: f64, max_steps: i64) -> Result<(f64, usize)> {
    let step = check_real("dt", dt, Bounds::POSITIVE)?;
    let length = check_real("duration", duration, Bounds::POSITIVE)?;
    let ratio = length / step;
    if ratio >= (max_steps + 1) as f64 {
        return Err(MirrorError::value(
            "duration",
            format!("duration must give at most {max_steps} steps of dt = {step:?}, got {ratio:?}"),
        ));
    }
    let n = whole_steps(length, step);
    if n < 1 {
        return Err(MirrorError::value(
            "duration",
            format!("duration must hold at least one step of dt = {step:?}, got {length:?}"),
        ));
    }
    if n > max_steps {
        return Err(MirrorError::value(
            "duration",
            format!("duration must give at most {max_steps} steps, got {n}"),
        ));
    }
    Ok((step, n as usize))
}
