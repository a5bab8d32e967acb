//! Equation systems run by forward Euler (`sc_neurocore.studio._analysis.equations`).
//!
//! Every refusal names the request field as the Python `ModelInputError`
//! does (`equations`, `threshold`, `reset`, `params.<name>`, `init.<name>`,
//! `dt`, `duration`, `max_steps`, ...); a run that leaves the finite doubles
//! is an error naming `equations` (Python raises `ModelSimulationFailure`).

use crate::error::{MirrorError, Result};

use super::expr::{
    EvalError, FUNCTIONS, Node, evaluate, holds, names_of, parse_condition, parse_expression,
};
use super::runs::{Drive, Run, step_count};

/// The name of the input current.
pub const INPUT_NAME: &str = "I";
/// The diffusion-noise symbol (0 in drift fields, refused in runs).
pub const NOISE_NAME: &str = "xi";

fn reserved(name: &str) -> bool {
    [INPUT_NAME, NOISE_NAME, "pi", "and", "or", "not"].contains(&name)
        || FUNCTIONS.iter().any(|(f, _)| *f == name)
}

/// A refused request field, as Python's `ModelInputError`: `"<field>: <reason>"`.
pub fn input_error(field: &str, reason: impl Into<String>) -> MirrorError {
    MirrorError::value(field, format!("{field}: {}", reason.into()))
}

/// A checked equation system.
#[derive(Debug, Clone, PartialEq)]
pub struct EquationSystem {
    /// State variables in equation order.
    pub variables: Vec<String>,
    /// Their right-hand sides.
    pub derivatives: Vec<Node>,
    /// The source text of each right-hand side.
    pub texts: Vec<String>,
    /// The spike condition.
    pub threshold: Option<Node>,
    /// Reset assignments in order.
    pub resets: Vec<(String, Node)>,
    /// Parameter values, in order.
    pub params: Vec<(String, f64)>,
    /// Initial value of every variable, in variable order.
    pub init: Vec<(String, f64)>,
}

fn equation(text: &str) -> Result<(String, Node, String)> {
    let (head, rhs) = text.split_once('=').unwrap_or((text, ""));
    let lhs: String = head.chars().filter(|c| !c.is_whitespace()).collect();
    let shape_ok = text.contains('=')
        && lhs.starts_with('d')
        && lhs.ends_with("/dt")
        && lhs.len() >= 4
        && !rhs.starts_with('=');
    if !shape_ok {
        return Err(input_error(
            "equations",
            format!("{text:?} is not of the form 'd<var>/dt = <expression>'"),
        ));
    }
    let name = &lhs[1..lhs.len() - 3];
    let identifier = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !identifier {
        return Err(input_error(
            "equations",
            format!("{text:?} does not name a variable as d<var>/dt"),
        ));
    }
    let node = parse_expression(rhs)
        .map_err(|e| input_error("equations", format!("{text:?} could not be parsed: {e}")))?;
    Ok((name.to_string(), node, rhs.trim().to_string()))
}

fn resets(text: Option<&str>, variables: &[String]) -> Result<Vec<(String, Node)>> {
    let mut out = Vec::new();
    for part in text.unwrap_or("").split(';') {
        if part.trim().is_empty() {
            continue;
        }
        let Some((head, rhs)) = part.split_once('=').filter(|(_, r)| !r.starts_with('=')) else {
            return Err(input_error(
                "reset",
                format!("{:?} is not of the form 'var = expression'", part.trim()),
            ));
        };
        let name = head.trim();
        if !variables.iter().any(|v| v == name) {
            return Err(input_error(
                "reset",
                format!("{name:?} is not a state variable"),
            ));
        }
        let node = parse_expression(rhs).map_err(|e| {
            input_error(
                "reset",
                format!("{:?} could not be parsed: {e}", part.trim()),
            )
        })?;
        out.push((name.to_string(), node));
    }
    Ok(out)
}

/// The value last bound to `name` in `bindings` (a later binding wins, as in
/// a Python dict), 0 when there is none.
pub fn bound_value(bindings: &[(String, f64)], name: &str) -> f64 {
    bindings
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map_or(0.0, |(_, x)| *x)
}

fn check_value(field: &str, value: f64) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(input_error(
            field,
            format!("must be a finite number, got {value:?}"),
        ))
    }
}

/// A checked system from the request fields (`params`/`init` as name-value
/// pairs in order, already read as reals); `allow_noise` admits `xi`.
pub fn build_system(
    equations: &[String],
    threshold: Option<&str>,
    reset: Option<&str>,
    params: &[(String, f64)],
    init: &[(String, f64)],
    allow_noise: bool,
) -> Result<EquationSystem> {
    if equations.is_empty() {
        return Err(input_error(
            "equations",
            "must be a non-empty list of 'd<var>/dt = ...' strings",
        ));
    }
    let (mut variables, mut derivatives, mut texts) = (Vec::new(), Vec::new(), Vec::new());
    for text in equations {
        let (name, node, rhs) = equation(text)?;
        if variables.contains(&name) {
            return Err(input_error(
                "equations",
                format!("variable {name:?} has two equations"),
            ));
        }
        if reserved(&name) {
            return Err(input_error(
                "equations",
                format!("{name:?} is reserved and cannot be a variable"),
            ));
        }
        variables.push(name);
        derivatives.push(node);
        texts.push(rhs);
    }
    let mut values = Vec::new();
    for (name, value) in params {
        let field = format!("params.{name}");
        if variables.contains(name) || reserved(name) {
            return Err(input_error(
                &field,
                "the name is a state variable or reserved",
            ));
        }
        values.push((name.clone(), check_value(&field, *value)?));
    }
    let mut start = Vec::new();
    for (name, value) in init {
        let field = format!("init.{name}");
        if !variables.contains(name) {
            return Err(input_error(&field, "is not a state variable"));
        }
        start.push((name.clone(), check_value(&field, *value)?));
    }
    let condition = match threshold {
        None | Some("") => None,
        Some(t) => Some(
            parse_condition(t)
                .map_err(|e| input_error("threshold", format!("could not be parsed: {e}")))?,
        ),
    };
    let reset_rules = resets(reset, &variables)?;
    let known = |name: &str| {
        variables.iter().any(|v| v == name)
            || values.iter().any(|(p, _)| p == name)
            || name == INPUT_NAME
            || (allow_noise && name == NOISE_NAME)
    };
    let mut sources: Vec<(&str, &Node)> = derivatives.iter().map(|d| ("equations", d)).collect();
    if let Some(c) = &condition {
        sources.push(("threshold", c));
    }
    sources.extend(reset_rules.iter().map(|(_, n)| ("reset", n)));
    for (field, node) in sources {
        if let Some(name) = names_of(node).into_iter().find(|n| !known(n)) {
            return Err(input_error(
                field,
                format!("references unknown symbol {name:?}"),
            ));
        }
    }
    let init = variables
        .iter()
        .map(|v| (v.clone(), bound_value(&start, v)))
        .collect();
    Ok(EquationSystem {
        variables,
        derivatives,
        texts,
        threshold: condition,
        resets: reset_rules,
        params: values,
        init,
    })
}

/// `(traces, spikes)` of a forward-Euler run over the drive samples; an
/// evaluation failure or a non-finite state is an error naming `equations`.
pub fn run_system(
    system: &EquationSystem,
    drive: &[f64],
    dt: f64,
) -> Result<(Vec<Vec<f64>>, Vec<usize>)> {
    let nv = system.variables.len();
    let mut state: Vec<f64> = system.init.iter().map(|(_, x)| *x).collect();
    let mut traces = vec![vec![0.0; drive.len()]; nv];
    let mut spikes = Vec::new();
    let fail = |k: usize, e: EvalError| {
        input_error(
            "equations",
            format!(
                "the run failed at step {k} (t = {:?} ms): {e}",
                k as f64 * dt
            ),
        )
    };
    for (k, &current) in drive.iter().enumerate() {
        let env = environment(system, &state, current);
        let rates = system
            .derivatives
            .iter()
            .map(|d| evaluate(d, &env))
            .collect::<std::result::Result<Vec<f64>, EvalError>>()
            .map_err(|e| fail(k, e))?;
        for j in 0..nv {
            state[j] += rates[j] * dt;
            if !state[j].is_finite() {
                let e = EvalError(format!("state {:?} is not finite", system.variables[j]));
                return Err(fail(k, e));
            }
        }
        if let Some(threshold) = &system.threshold {
            let env = environment(system, &state, current);
            if holds(threshold, &env).map_err(|e| fail(k, e))? {
                spikes.push(k);
                let mut values = Vec::with_capacity(system.resets.len());
                for (name, node) in &system.resets {
                    values.push((name, evaluate(node, &env).map_err(|e| fail(k, e))?));
                }
                for (name, value) in values {
                    let j = system.variables.iter().position(|v| v == name).unwrap_or(0);
                    state[j] = value;
                }
            }
        }
        for j in 0..nv {
            traces[j][k] = state[j];
        }
    }
    Ok((traces, spikes))
}

/// `{**params, **state, I: current}` as name-value pairs (later ones win).
pub fn environment(system: &EquationSystem, state: &[f64], current: f64) -> Vec<(String, f64)> {
    let mut env = system.params.clone();
    env.extend(system.variables.iter().cloned().zip(state.iter().copied()));
    env.push((INPUT_NAME.to_string(), current));
    env
}

/// The request fields of an equation system (see [`build_system`]).
#[derive(Debug, Clone, Copy)]
pub struct SystemSpec<'a> {
    /// `"d<var>/dt = <expression>"` lines.
    pub equations: &'a [String],
    /// The spike condition.
    pub threshold: Option<&'a str>,
    /// Reset assignments.
    pub reset: Option<&'a str>,
    /// Parameter values, in order.
    pub params: &'a [(String, f64)],
    /// Initial values, in order.
    pub init: &'a [(String, f64)],
}

impl SystemSpec<'_> {
    /// The checked system (no noise symbol).
    pub fn build(&self) -> Result<EquationSystem> {
        build_system(
            self.equations,
            self.threshold,
            self.reset,
            self.params,
            self.init,
            false,
        )
    }
}

/// The experiment of an equation run: step, length, drive and step ceiling.
#[derive(Debug, Clone, Copy)]
pub struct ExperimentSpec<'a> {
    /// Step (ms).
    pub dt: f64,
    /// Run length (ms).
    pub duration: f64,
    /// The drive.
    pub drive: &'a Drive,
    /// Step ceiling, `>= 1`.
    pub max_steps: i64,
}

impl ExperimentSpec<'_> {
    /// `(n_steps, dt, drive samples)`; errors name the field.
    pub fn samples(&self) -> Result<(usize, f64, Vec<f64>)> {
        if self.max_steps < 1 {
            return Err(input_error(
                "max_steps",
                format!("must be a positive int, got {}", self.max_steps),
            ));
        }
        let (step, n) = step_count(self.duration, self.dt, self.max_steps)?;
        Ok((n, step, self.drive.samples(n, step)))
    }
}

/// The forward-Euler run of an equation system over an experiment (see the
/// Python `simulate_equations`).
pub fn simulate_equations(system: &SystemSpec<'_>, experiment: &ExperimentSpec<'_>) -> Result<Run> {
    let system = system.build()?;
    let (_, step, samples) = experiment.samples()?;
    let (traces, spikes) = run_system(&system, &samples, step)?;
    let states = system.variables.iter().cloned().zip(traces).collect();
    Ok(Run::new(step, states, samples, spikes))
}
