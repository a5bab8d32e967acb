//! The effective kinetic model (as `_dna.kinetics`): Arrhenius factor
//! `exp(−(15000/1.987)(1/T − 1/310.15))`; gate rate `k_on k_bm/(k_on + k_bm)`
//! with `k_on = ((f k_hyb) c_gate) 1e-9`, `k_bm = f k_disp`; each output
//! `dy/dt = k_g (200 A(p) − y) + leak (200 − y)`; steps split into
//! `max(1, ceil(K h))` sub-steps, `K = max (k_g + leak)`, at most
//! [`MAX_SUBSTEPS`] in all (else an error naming `dt`); Euler or RK4.

use std::collections::BTreeMap;

use super::constants::{GAS_CONSTANT, MAX_CONCENTRATION_NM, T37_K, TEMPERATURE_RANGE_C};
use super::err;
use super::specs::{check_feed_forward, external_inputs};
use super::types::{Design, DnaGate, GateType};
use crate::checks::{Bounds, check_real};
use crate::error::Result;

/// AMPLIFIER gain.
pub const AMPLIFIER_GAIN: f64 = 5.0;
/// Activation energy (cal/mol).
pub const ACTIVATION_ENERGY: f64 = 15000.0;
/// Most output steps.
pub const MAX_STEPS: f64 = 1_000_000.0;
/// Most integration sub-steps.
pub const MAX_SUBSTEPS: u64 = 1_000_000;
/// Largest accepted rate constant.
pub const MAX_RATE: f64 = 1e15;
/// Gate concentration without a translator strand (nM).
pub const DEFAULT_GATE_NM: f64 = 200.0;

/// The gate's SC function on input probabilities (CATALYTIC has none).
pub fn gate_function(t: GateType, p: &[f64], threshold: f64) -> Result<f64> {
    Ok(match t {
        GateType::And => p[0] * p[1],
        GateType::Or => 1.0 - (1.0 - p[0]) * (1.0 - p[1]),
        GateType::Nand => 1.0 - p[0] * p[1],
        GateType::Xor => p[0] * (1.0 - p[1]) + p[1] * (1.0 - p[0]),
        GateType::Not => 1.0 - p[0],
        GateType::Mux => p[0] * p[1] + (1.0 - p[0]) * p[2],
        GateType::Threshold => {
            let excess = p[0] - threshold;
            if excess > 0.0 { excess } else { 0.0 }
        }
        GateType::Amplifier => {
            let g = AMPLIFIER_GAIN * p[0];
            if g < 1.0 { g } else { 1.0 }
        }
        GateType::Buffer => p[0],
        GateType::Catalytic => return err("gates", "a CATALYTIC gate has no kinetic model"),
    })
}

fn probability(x: f64) -> f64 {
    // NaN and every x <= 0 read as 0 (as the Python `not x > 0.0`).
    if x.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return 0.0;
    }
    (if x < MAX_CONCENTRATION_NM {
        x
    } else {
        MAX_CONCENTRATION_NM
    }) / MAX_CONCENTRATION_NM
}

/// The gate's first translator strand concentration, else 200 nM.
pub fn gate_concentration(g: &DnaGate) -> f64 {
    g.strands
        .iter()
        .find(|s| s.role == "translator")
        .map_or(DEFAULT_GATE_NM, |s| s.concentration_nm)
}

/// Integrators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Integrator {
    /// Forward Euler.
    Euler,
    /// Classical RK4.
    Rk4,
}

/// The simulator's constants.
#[derive(Debug, Clone, Copy)]
pub struct KineticSimulator {
    k_hyb: f64,
    k_disp: f64,
    temperature_c: f64,
    integrator: Integrator,
}

/// A simulation: sample times and one trace per gate (row-major `times x gates`).
#[derive(Debug, Clone)]
pub struct Trace {
    /// Sample times (s).
    pub time: Vec<f64>,
    /// `time.len() x gates` concentrations (nM).
    pub traces: Vec<f64>,
}

impl KineticSimulator {
    /// A simulator (errors name its arguments).
    pub fn new(k_hyb: f64, k_disp: f64, temperature_c: f64, integrator: &str) -> Result<Self> {
        let k_hyb = check_real(
            "rate_hybridization",
            k_hyb,
            Bounds::POSITIVE.at_most(MAX_RATE),
        )?;
        let k_disp = check_real(
            "rate_displacement",
            k_disp,
            Bounds::POSITIVE.at_most(MAX_RATE),
        )?;
        let t = check_real(
            "temperature_c",
            temperature_c,
            Bounds::within(TEMPERATURE_RANGE_C.0, TEMPERATURE_RANGE_C.1),
        )?;
        let integrator = match integrator {
            "euler" => Integrator::Euler,
            "rk4" => Integrator::Rk4,
            _ => {
                return err(
                    "integrator",
                    format!("integrator must be euler or rk4, got {integrator:?}"),
                );
            }
        };
        Ok(KineticSimulator {
            k_hyb,
            k_disp,
            temperature_c: t,
            integrator,
        })
    }

    /// `KineticSimulator(temperature_c=t)` with the default rates and Euler.
    pub fn at(temperature_c: f64) -> Self {
        KineticSimulator {
            k_hyb: 3e5,
            k_disp: 1.0,
            temperature_c,
            integrator: Integrator::Euler,
        }
    }

    /// The Arrhenius factor.
    pub fn temperature_factor(&self) -> f64 {
        let t = self.temperature_c + 273.15;
        (-(ACTIVATION_ENERGY / GAS_CONSTANT) * (1.0 / t - 1.0 / T37_K)).exp()
    }

    /// The rate of a gate of concentration `c` (nM).
    pub fn rate(&self, c: f64) -> f64 {
        let f = self.temperature_factor();
        let k_on = f * self.k_hyb * c * 1e-9;
        let k_bm = f * self.k_disp;
        k_on * k_bm / (k_on + k_bm)
    }

    /// `simulate(design, inputs, duration_s, dt)`; inputs as (name, nM) in
    /// mapping order (errors name `input_concentrations_nM`,
    /// `concentration_names`, `duration_s`, `dt`, `gates`).
    pub fn simulate(
        &self,
        design: &Design,
        inputs: &[(String, f64)],
        duration_s: f64,
        dt: f64,
    ) -> Result<Trace> {
        let gates = &design.gates;
        if gates.is_empty() {
            return err("gates", "design has no gates to simulate");
        }
        for g in gates {
            if g.gate_type == GateType::Catalytic || g.output_name == "time" {
                return err("gates", "a CATALYTIC gate or a signal named time");
            }
        }
        check_feed_forward("gates", gates)?;
        let required = external_inputs(gates);
        let mut values: BTreeMap<&str, f64> = BTreeMap::new();
        for (name, v) in inputs {
            if !required.contains(name) && !design.input_names.contains(name) {
                return err(
                    "concentration_names",
                    format!("{name:?} is not a primary input"),
                );
            }
            values.insert(
                name,
                check_real("input_concentrations_nM", *v, Bounds::at_least(0.0))?,
            );
        }
        if required.iter().any(|s| !values.contains_key(s.as_str())) {
            return err("concentration_names", "an input lacks its concentration");
        }
        let duration = check_real("duration_s", duration_s, Bounds::at_least(0.0))?;
        let step = check_real("dt", dt, Bounds::POSITIVE)?;
        let ratio = duration / step;
        if ratio
            .partial_cmp(&MAX_STEPS)
            .is_none_or(|o| o == std::cmp::Ordering::Greater)
        {
            return err(
                "dt",
                format!("dt {step:?} makes more than {MAX_STEPS} steps"),
            );
        }
        let n_steps = ratio.ceil() as usize;
        let rates: Vec<f64> = gates
            .iter()
            .map(|g| self.rate(gate_concentration(g)))
            .collect();
        let leaks: Vec<f64> = gates.iter().map(|g| g.leak_rate).collect();
        let mut k_max = 0.0f64;
        for (r, l) in rates.iter().zip(&leaks) {
            let total = r + l;
            if !total.is_finite() {
                return err("rate_hybridization", "a gate rate is not finite");
            }
            if total > k_max {
                k_max = total;
            }
        }
        let lengths: Vec<f64> = (0..n_steps)
            .map(|k| {
                if k + 1 < n_steps {
                    step
                } else {
                    let rest = duration - (n_steps - 1) as f64 * step;
                    if rest > 0.0 { rest } else { 0.0 }
                }
            })
            .collect();
        let subs: Vec<f64> = lengths
            .iter()
            .map(|h| (k_max * h).ceil().max(1.0))
            .collect();
        let total: f64 = subs.iter().sum();
        if total > MAX_SUBSTEPS as f64 {
            return err(
                "dt",
                format!(
                    "dt = {step:?} s exceeds the stability bound 1/k_max = {:?} s",
                    1.0 / k_max
                ),
            );
        }
        // Signal slots: the given inputs (mapping order), then gate outputs.
        let mut names: Vec<&str> = inputs.iter().map(|(n, _)| n.as_str()).collect();
        let mut state: Vec<f64> = inputs.iter().map(|(n, _)| values[n.as_str()]).collect();
        let first_out = names.len();
        names.extend(gates.iter().map(|g| g.output_name.as_str()));
        state.extend(gates.iter().map(|_| 0.0));
        let slot = |s: &str| names.iter().rposition(|n| *n == s).unwrap_or(0);
        let wires: Vec<Vec<usize>> = gates
            .iter()
            .map(|g| g.input_names.iter().map(|x| slot(x)).collect())
            .collect();
        let outs: Vec<usize> = (0..gates.len()).map(|j| first_out + j).collect();
        let deriv = |st: &[f64]| -> Result<Vec<f64>> {
            let mut d = Vec::with_capacity(gates.len());
            for (j, g) in gates.iter().enumerate() {
                let p: Vec<f64> = wires[j].iter().map(|&i| probability(st[i])).collect();
                let target = MAX_CONCENTRATION_NM * gate_function(g.gate_type, &p, g.threshold)?;
                let y = st[outs[j]];
                d.push(rates[j] * (target - y) + leaks[j] * (MAX_CONCENTRATION_NM - y));
            }
            Ok(d)
        };
        let moved = |st: &[f64], h: f64, d: &[f64]| -> Vec<f64> {
            let mut new = st.to_vec();
            for (j, &o) in outs.iter().enumerate() {
                new[o] = st[o] + h * d[j];
            }
            new
        };
        let mut traces: Vec<f64> = outs.iter().map(|&o| state[o]).collect();
        let mut time = vec![0.0];
        for (k, (&h, &m)) in lengths.iter().zip(&subs).enumerate() {
            let hs = h / m;
            for _ in 0..m as u64 {
                let d1 = deriv(&state)?;
                state = match self.integrator {
                    Integrator::Euler => moved(&state, hs, &d1),
                    Integrator::Rk4 => {
                        let d2 = deriv(&moved(&state, 0.5 * hs, &d1))?;
                        let d3 = deriv(&moved(&state, 0.5 * hs, &d2))?;
                        let d4 = deriv(&moved(&state, hs, &d3))?;
                        let c: Vec<f64> = (0..d1.len())
                            .map(|j| ((d1[j] + 2.0 * d2[j]) + 2.0 * d3[j]) + d4[j])
                            .collect();
                        moved(&state, hs / 6.0, &c)
                    }
                };
            }
            traces.extend(outs.iter().map(|&o| state[o]));
            time.push(if k + 1 < n_steps {
                (k + 1) as f64 * step
            } else {
                duration
            });
        }
        Ok(Trace { time, traces })
    }
}
