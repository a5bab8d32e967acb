//! Analyses built on the kinetic model (as `_dna.degradation`, `_dna.noise`,
//! `_dna.optimization`, `_dna.precision`, `_dna.stats`).

use super::constants::TEMPERATURE_RANGE_C;
use super::err;
use super::kinetics::KineticSimulator;
use super::types::Design;
use crate::checks::{Bounds, check_int, check_real};
use crate::error::Result;
use crate::splitmix::SplitMix64;

/// Extra decay rate per nucleotide beyond [`LENGTH_FREE_NT`].
pub const LENGTH_SLOPE: f64 = 0.02;
/// Strands up to this length decay at the base rate.
pub const LENGTH_FREE_NT: usize = 20;
/// Decay-rate growth per °C above 37 °C.
pub const TEMPERATURE_SLOPE: f64 = 0.05;
/// A strand with less than this percentage left is critical (Python's `analyze_design`).
pub const CRITICAL_PCT: f64 = 50.0;
/// Coefficient of variation below which an output is robust.
pub const ROBUST_CV: f64 = 0.15;
/// Most Monte Carlo trials.
pub const MAX_TRIALS: i64 = 10_000;
/// Smallest residual variation the precision analysis uses (nM).
pub const NOISE_FLOOR_NM: f64 = 1e-6;
/// Target of an expected `high` / `low` output (nM).
pub const LEVELS_NM: (f64, f64) = (150.0, 20.0);
/// The input scale factors the optimiser searches.
pub const SCALE_RANGE: (f64, f64) = (0.5, 2.0);

/// `(((v0 + v1) + …) / n`.
pub fn mean(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |a, &x| a + x) / v.len() as f64
}

/// `sqrt(Σ (v − mean)² / n)`, left to right.
pub fn population_std(v: &[f64]) -> f64 {
    let m = mean(v);
    (v.iter().fold(0.0, |a, &x| a + (x - m) * (x - m)) / v.len() as f64).sqrt()
}

/// `DegradationModel(half_life_hr, temperature_c).predict_concentration` over strands.
pub fn degradation(
    half_life_hr: f64,
    temperature_c: f64,
    time_hr: f64,
    lengths: &[i64],
    initial: &[f64],
) -> Result<Vec<f64>> {
    let half = check_real("half_life_hr", half_life_hr, Bounds::POSITIVE)?;
    let t_c = check_real(
        "temperature_c",
        temperature_c,
        Bounds::within(TEMPERATURE_RANGE_C.0, TEMPERATURE_RANGE_C.1),
    )?;
    let k_decay = 2.0f64.ln() / (half * 3600.0);
    let mut out = Vec::new();
    for (&n, &c0) in lengths.iter().zip(initial) {
        let c0 = check_real("initial_nM", c0, Bounds::at_least(0.0))?;
        let n = check_int("strand_lengths", n, 1, None)?;
        let factor = 1.0 + LENGTH_SLOPE * n.saturating_sub(LENGTH_FREE_NT) as f64;
        let k = k_decay * factor * (TEMPERATURE_SLOPE * (t_c - 37.0)).exp();
        let t = check_real("time_hr", time_hr, Bounds::at_least(0.0))?;
        out.push(c0 * (-k * t * 3600.0).exp());
    }
    Ok(out)
}

/// Per output: mean, std, cv, min, max, robust.
pub type Summary = (f64, f64, f64, f64, f64, bool);

fn summarise(v: &[f64]) -> Summary {
    let m = mean(v);
    let s = population_std(v);
    let cv = s / m.max(1e-12);
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (m, s, cv, lo, hi, cv < ROBUST_CV)
}

/// `NoiseModel(cv, std, n_trials, seed).sensitivity_analysis(design, inputs, duration)`.
pub fn noise(
    design: &Design,
    inputs: &[(String, f64)],
    cv: f64,
    t_std: f64,
    n_trials: i64,
    seed: u64,
    duration_s: f64,
) -> Result<Vec<Summary>> {
    let cv = check_real("concentration_cv", cv, Bounds::at_least(0.0))?;
    let t_std = check_real("temperature_std_c", t_std, Bounds::at_least(0.0))?;
    let n = check_int("n_trials", n_trials, 1, Some(MAX_TRIALS + 1))?;
    let mut rng = SplitMix64::new(seed);
    KineticSimulator::at(design.temperature_c).simulate(design, inputs, 0.0, 1.0)?;
    check_real("duration_s", duration_s, Bounds::at_least(0.0))?;
    let mut finals: Vec<Vec<f64>> = vec![Vec::new(); design.gates.len()];
    for _ in 0..n {
        let mut perturbed = Vec::new();
        for (name, value) in inputs {
            let z = rng.normal();
            let c = value * (1.0 + cv * z);
            perturbed.push((name.clone(), if c > 0.0 { c } else { 0.0 }));
        }
        let t = design.temperature_c + t_std * rng.normal();
        let t = t.clamp(TEMPERATURE_RANGE_C.0, TEMPERATURE_RANGE_C.1);
        let trace = KineticSimulator::at(t).simulate(design, &perturbed, duration_s, 1.0)?;
        let g = design.gates.len();
        for (j, f) in finals.iter_mut().enumerate() {
            f.push(trace.traces[trace.traces.len() - g + j]);
        }
    }
    Ok(finals.iter().map(|v| summarise(v)).collect())
}

/// The search stops when its two vertices are this close.
pub const VERTEX_TOLERANCE: f64 = 1e-9;
/// Smallest SNR the decibel figure uses.
pub const SNR_FLOOR: f64 = 1e-12;

fn clip(x: f64) -> f64 {
    x.clamp(SCALE_RANGE.0, SCALE_RANGE.1)
}

/// One truth-table entry: inputs (name, nM) and (gate index, target nM).
pub type Entry = (Vec<(String, f64)>, Vec<(usize, f64)>);

/// `ConcentrationOptimizer(n_evaluations, seed).optimize(design, table, duration)`:
/// `(best_score, initial_score, improvement_pct, evaluations, best_scale)`.
pub fn optimize_concentrations(
    design: &Design,
    table: &[Entry],
    n_eval: i64,
    seed: u64,
    duration_s: f64,
) -> Result<(f64, f64, f64, usize, f64)> {
    let budget = check_int("n_evaluations", n_eval, 1, Some(100_001))?;
    if table.is_empty() {
        return err("truth_table", "truth_table must have at least one entry");
    }
    let sim = KineticSimulator::at(37.0);
    check_real("duration_s", duration_s, Bounds::at_least(0.0))?;
    for (inputs, _) in table {
        sim.simulate(design, inputs, 0.0, 1.0)?;
    }
    let g = design.gates.len();
    let score = |scale: f64| -> Result<f64> {
        let mut total = 0.0;
        for (inputs, targets) in table {
            let scaled: Vec<(String, f64)> =
                inputs.iter().map(|(k, v)| (k.clone(), v * scale)).collect();
            let trace = sim.simulate(design, &scaled, duration_s, 1.0)?;
            for &(j, target) in targets {
                let miss = trace.traces[trace.traces.len() - g + j] - target;
                total += miss * miss;
            }
        }
        Ok(total)
    };
    let mut rng = SplitMix64::new(seed);
    let x1 = SCALE_RANGE.0 + (SCALE_RANGE.1 - SCALE_RANGE.0) * rng.uniform();
    let mut seen: Vec<(f64, f64)> = Vec::new();
    let f = |x: f64, seen: &mut Vec<(f64, f64)>| -> Result<Option<f64>> {
        if seen.len() >= budget {
            return Ok(None);
        }
        let v = score(x)?;
        seen.push((x, v));
        Ok(Some(v))
    };
    'search: {
        let Some(mut fa) = f(1.0, &mut seen)? else {
            break 'search;
        };
        let mut a = 1.0;
        let mut b = x1;
        let Some(mut fb) = f(x1, &mut seen)? else {
            break 'search;
        };
        loop {
            if fb < fa {
                std::mem::swap(&mut a, &mut b);
                std::mem::swap(&mut fa, &mut fb);
            }
            if (b - a).abs() <= VERTEX_TOLERANCE {
                break;
            }
            let xr = clip(a + (a - b));
            let Some(fr) = f(xr, &mut seen)? else { break };
            if fr < fa {
                let xe = clip(a + 2.0 * (xr - a));
                let Some(fe) = f(xe, &mut seen)? else { break };
                (b, fb) = if fe < fr { (xe, fe) } else { (xr, fr) };
            } else if fr < fb {
                let xc = clip(a + 0.5 * (xr - a));
                let Some(fc) = f(xc, &mut seen)? else { break };
                if fc <= fr {
                    (b, fb) = (xc, fc);
                } else {
                    b = a + 0.5 * (b - a);
                    let Some(v) = f(b, &mut seen)? else { break };
                    fb = v;
                }
            } else {
                b = a + 0.5 * (b - a);
                let Some(v) = f(b, &mut seen)? else { break };
                fb = v;
            }
        }
    }
    let (mut best_x, mut best_f) = seen[0];
    for &(x, v) in &seen[1..] {
        if v < best_f {
            best_x = x;
            best_f = v;
        }
    }
    let initial = seen[0].1;
    let improvement = (1.0 - best_f / initial.max(1e-12)) * 100.0;
    Ok((best_f, initial, improvement.max(0.0), seen.len(), best_x))
}

/// The precision figures of one trace: final, noise, snr, snr_db, bits, dynamic range, resolution.
pub fn trace_precision(trace: &[f64], max_conc: f64) -> [f64; 7] {
    let tail = &trace[(9 * trace.len()) / 10..];
    let noise = if tail.len() > 1 {
        population_std(tail)
    } else {
        NOISE_FLOOR_NM
    };
    let noise = noise.max(NOISE_FLOOR_NM);
    let snr = mean(tail) / noise;
    let lowest = trace
        .iter()
        .copied()
        .filter(|&v| v > 0.0)
        .fold(f64::INFINITY, f64::min);
    let lowest = if lowest.is_finite() {
        lowest
    } else {
        NOISE_FLOOR_NM
    };
    let top = trace.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    [
        trace[trace.len() - 1],
        noise,
        snr,
        20.0 * snr.max(SNR_FLOOR).log10(),
        (max_conc / noise).max(1.0).log2(),
        20.0 * (top / lowest).max(1.0).log10(),
        2.0 * noise,
    ]
}

/// `SCPrecisionAnalyzer().analyze(design, inputs, max_conc_nM, duration_s)`.
pub fn precision(
    design: &Design,
    inputs: &[(String, f64)],
    max_conc: f64,
    duration_s: f64,
) -> Result<Vec<[f64; 7]>> {
    let top = check_real("max_conc_nM", max_conc, Bounds::POSITIVE)?;
    if design.gates.is_empty() {
        // Nothing to simulate: no outputs (0 effective bits), as the reference.
        check_real("duration_s", duration_s, Bounds::at_least(0.0))?;
        return Ok(Vec::new());
    }
    let trace = KineticSimulator::at(37.0).simulate(design, inputs, duration_s, 1.0)?;
    let g = design.gates.len();
    Ok((0..g)
        .map(|j| {
            let column: Vec<f64> = trace.traces.iter().skip(j).step_by(g).copied().collect();
            trace_precision(&column, top)
        })
        .collect())
}

/// The level of an expected output: `high` 150 nM, `low` 20 nM, or a number.
pub fn level(text: &str) -> Result<f64> {
    match text {
        "high" => Ok(LEVELS_NM.0),
        "low" => Ok(LEVELS_NM.1),
        _ => {
            let v: f64 = text
                .parse()
                .map_err(|_| crate::MirrorError::value("truth_table", "bad level"))?;
            check_real("truth_table", v, Bounds::at_least(0.0))
        }
    }
}
