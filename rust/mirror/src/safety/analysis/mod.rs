//! Mirror of `sc_neurocore.studio.analysis`, checked against
//! `parity/golden/analysis.txt`: the reference project's analyses of
//! single-neuron simulations (f-I curve, extrema sweep, rate elasticities,
//! rate map, spike-triggered average, frequency response, nullclines and the
//! float-versus-fixed-point comparison) with the simulators, equation systems
//! and exact helpers they use.
//!
//! Every function performs the Python surface's floating-point operations in
//! the same order (Rust never fuses a multiply and an add on its own), so
//! results match bit for bit, except where the math library is called (`sin`,
//! `cos`, `atan2`, `log10`, `powf`, `exp`, `ln`, ...), which the golden file
//! compares within `rtol` 1e-12. Fixed-point runs are integer arithmetic.
//! Shared rules ([`exact`]): grids are `linspace`, rounding is Python's
//! `round` (the exact decimal value, ties to even), sums run left to right,
//! step counts are `floor(duration / dt + 1e-9)`.
//!
//! A simulator is any `Fn(&Config) -> Result<Run>`; [`models::lif_neuron`]
//! and [`models::fitzhugh_nagumo`] are the reference models
//! ([`models::model`] finds them by the golden file's `model` string). Every
//! invalid input is an `Err` naming the argument (never a panic).

pub mod equations;
pub mod exact;
pub mod expr;
pub mod fixed;
pub mod models;
pub mod nullclines;
pub mod precision;
pub mod responses;
pub mod runs;
pub mod sweeps;

#[cfg(test)]
mod golden_cases;
#[cfg(test)]
mod golden_outputs;
#[cfg(test)]
mod tests;

pub use equations::{
    EquationSystem, ExperimentSpec, SystemSpec, build_system, run_system, simulate_equations,
};
pub use exact::{STEP_TOLERANCE, linspace, logspace, round_decimals, sequential_sum, whole_steps};
pub use fixed::{
    MAX_DATA_WIDTH, MAX_INTEGER_POWER, MIN_DATA_WIDTH, SUPPORTED_OVERFLOW, SUPPORTED_ROUNDING,
    WordFormat, resolve_word_format,
};
pub use models::{FITZHUGH_NAGUMO_DEFAULTS, LIF_DEFAULTS, fitzhugh_nagumo, lif_neuron, model};
pub use nullclines::{DEFAULT_RANGES, MAX_GRID, Nullclines, nullclines_2d};
pub use precision::{ERROR_DECIMALS, PrecisionComparison, precision_compare};
pub use responses::{
    DEGREES_PER_RADIAN, FREQUENCY_RESPONSE_DEPTH, FREQUENCY_RESPONSE_MIN_CYCLES, HALF_PI,
    frequency_response, half_window, rate_modulation, spike_triggered_average,
};
pub use runs::{Config, Drive, MAX_STEPS, Run, SUPPORTED_PROTOCOLS, TAU, Value, drive_samples};
pub use sweeps::{
    ATTRACTOR_DECIMALS, ATTRACTOR_EXTREMA_KEPT, ATTRACTOR_MIN_SAMPLES, Domain, MAX_POINTS,
    SENSITIVITY_DECIMALS, SENSITIVITY_PERTURBATION, attractor_sample, bifurcation_sweep,
    fi_curve_sweep, heatmap_2d, sensitivity_analysis,
};
