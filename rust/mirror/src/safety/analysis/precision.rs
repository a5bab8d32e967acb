//! Float64 against bit-true fixed point: three runs of one equation
//! experiment, compared (`sc_neurocore.studio._analysis.precision`).

use crate::error::Result;

use super::equations::{EquationSystem, ExperimentSpec, SystemSpec, input_error, run_system};
use super::exact::{round_decimals, sequential_sum};
use super::expr::{first_max, first_min};
use super::fixed::{
    SUPPORTED_OVERFLOW, SUPPORTED_ROUNDING, WordFormat, compile_fixed, resolve_word_format,
    run_fixed,
};

/// Decimals of the `error` summary.
pub const ERROR_DECIMALS: usize = 6;

/// The errors of one candidate trace against the float64 reference.
#[derive(Debug, Clone, PartialEq)]
pub struct VariableComparison {
    /// `[max, mean, rms, final]` of `|float - candidate|` (sums left to right).
    pub metrics: [f64; 4],
    /// The first step whose error exceeds half a word resolution.
    pub first_divergence_step: Option<usize>,
    /// The error of every step.
    pub trace: Vec<f64>,
}

fn compare(reference: &[f64], candidate: &[f64], resolution: f64) -> VariableComparison {
    let error: Vec<f64> = reference
        .iter()
        .zip(candidate)
        .map(|(a, b)| (a - b).abs())
        .collect();
    let n = error.len() as f64;
    let max = error[1..]
        .iter()
        .fold(error[0], |m, &e| if e > m { e } else { m });
    VariableComparison {
        metrics: [
            max,
            sequential_sum(error.iter().copied()) / n,
            (sequential_sum(error.iter().map(|e| e * e)) / n).sqrt(),
            error[error.len() - 1],
        ],
        first_divergence_step: error.iter().position(|&e| e > resolution / 2.0),
        trace: error,
    }
}

/// `[identical, reference_count, candidate_count, paired, max_paired_step_offset,
/// first divergent index (-1: none)]` of two spike trains.
pub fn event_comparison(reference: &[usize], candidate: &[usize]) -> [i64; 6] {
    let paired = reference.len().min(candidate.len());
    let offset = (0..paired)
        .map(|k| reference[k].abs_diff(candidate[k]))
        .max()
        .unwrap_or(0);
    let first = (0..reference.len().max(candidate.len()))
        .find(|&k| reference.get(k) != candidate.get(k))
        .map_or(-1, |k| k as i64);
    [
        i64::from(reference == candidate),
        reference.len() as i64,
        candidate.len() as i64,
        paired as i64,
        offset as i64,
        first,
    ]
}

/// One run's traces and spikes.
#[derive(Debug, Clone, PartialEq)]
pub struct Traces {
    /// One trace per variable, in variable order.
    pub states: Vec<Vec<f64>>,
    /// Spike steps.
    pub spikes: Vec<usize>,
}

/// What [`precision_compare`] computes (the numbers of the Python payload).
#[derive(Debug, Clone, PartialEq)]
pub struct PrecisionComparison {
    /// State variables.
    pub variables: Vec<String>,
    /// The float64 run.
    pub float: Traces,
    /// The bit-true run's words, per variable.
    pub words: Vec<Vec<i64>>,
    /// Its spikes.
    pub fixed_spikes: Vec<usize>,
    /// The parameter-quantisation run.
    pub quantised: Traces,
    /// The drive's words.
    pub drive_words: Vec<i64>,
    /// The time step's word.
    pub dt_word: i64,
    /// Parameter words, in order.
    pub param_words: Vec<i64>,
    /// Initial words, in variable order.
    pub init_words: Vec<i64>,
    /// Bit-true errors per variable.
    pub bit_true: Vec<VariableComparison>,
    /// Parameter-quantisation errors per variable.
    pub parameter_quantisation: Vec<VariableComparison>,
    /// Events of the bit-true and the quantised runs.
    pub events: [[i64; 6]; 2],
    /// `[steps at the largest word, steps at the smallest]` per variable.
    pub saturation: Vec<[i64; 2]>,
    /// The first variable's bit-true `[max, mean, rms]`, rounded to `ERROR_DECIMALS`.
    pub error: [f64; 3],
}

fn float_run(system: &EquationSystem, drive: &[f64], dt: f64) -> Result<Traces> {
    let (states, spikes) = run_system(system, drive, dt)?;
    Ok(Traces { states, spikes })
}

/// Runs one experiment three ways (float64, bit-true `q_format`,
/// float64 with quantised parameters and initial state) and compares them.
pub fn precision_compare(
    spec: &SystemSpec<'_>,
    experiment: &ExperimentSpec<'_>,
    q_format: &str,
    overflow: &str,
    rounding: &str,
) -> Result<PrecisionComparison> {
    let (_, step, samples) = experiment.samples()?;
    if !SUPPORTED_OVERFLOW.contains(&overflow) {
        return Err(input_error(
            "overflow",
            format!("{overflow:?} is not a policy"),
        ));
    }
    if !SUPPORTED_ROUNDING.contains(&rounding) {
        return Err(input_error(
            "rounding",
            format!("{rounding:?} is not a policy"),
        ));
    }
    let (data_width, fraction) = resolve_word_format(q_format)?;
    let fmt = WordFormat {
        data_width,
        fraction,
        saturate: overflow == "saturate",
        nearest: rounding == "nearest",
    };
    let system = spec.build()?;
    let program = compile_fixed(
        &system,
        fmt,
        step,
        spec.threshold.unwrap_or(""),
        spec.reset.unwrap_or(""),
    )?;
    let (first, last) = (first_min(&samples), first_max(&samples));
    if !(fmt.representable(first) && fmt.representable(last)) {
        return Err(input_error(
            "current",
            format!("drive samples in [{first:?}, {last:?}] are not representable"),
        ));
    }
    let drive_words: Vec<i64> = samples.iter().map(|&x| fmt.encode(x)).collect();
    let float = float_run(&system, &samples, step)?;
    let (words, fixed_spikes) = run_fixed(&program, &drive_words);
    let decoded: Vec<Vec<f64>> = words
        .iter()
        .map(|ws| ws.iter().map(|&w| fmt.decode(w)).collect())
        .collect();
    let quantise = |values: &[(String, f64)]| -> Vec<(String, f64)> {
        values
            .iter()
            .map(|(n, v)| (n.clone(), fmt.decode(fmt.encode(*v))))
            .collect()
    };
    let (q_params, q_init) = (quantise(&system.params), quantise(&system.init));
    let q_system = SystemSpec {
        params: &q_params,
        init: &q_init,
        ..*spec
    }
    .build()?;
    let quantised = float_run(&q_system, &samples, step)?;
    let resolution = fmt.resolution();
    let bit_true: Vec<VariableComparison> = float
        .states
        .iter()
        .zip(&decoded)
        .map(|(a, b)| compare(a, b, resolution))
        .collect();
    let parameter_quantisation = float
        .states
        .iter()
        .zip(&quantised.states)
        .map(|(a, b)| compare(a, b, resolution))
        .collect();
    let error = [
        round_decimals(bit_true[0].metrics[0], ERROR_DECIMALS),
        round_decimals(bit_true[0].metrics[1], ERROR_DECIMALS),
        round_decimals(bit_true[0].metrics[2], ERROR_DECIMALS),
    ];
    let count = |ws: &[i64], w: i64| ws.iter().filter(|&&x| x == w).count() as i64;
    Ok(PrecisionComparison {
        variables: system.variables.clone(),
        events: [
            event_comparison(&float.spikes, &fixed_spikes),
            event_comparison(&float.spikes, &quantised.spikes),
        ],
        saturation: words
            .iter()
            .map(|ws| [count(ws, fmt.max_word()), count(ws, fmt.min_word())])
            .collect(),
        param_words: system.params.iter().map(|(_, v)| fmt.encode(*v)).collect(),
        init_words: program.init.clone(),
        dt_word: program.dt_word,
        float,
        words,
        fixed_spikes,
        quantised,
        drive_words,
        bit_true,
        parameter_quantisation,
        error,
    })
}
