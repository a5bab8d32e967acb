//! Gate specifications and wiring (as `_dna.specs`). A spec travels in the
//! golden file as `"TYPE in1,in2 out [threshold=x]"`.

use std::collections::{BTreeMap, HashSet};

use super::err;
use super::sequences::check_signal_name;
use super::types::{DnaGate, GateType};
use crate::checks::{Bounds, check_real};
use crate::error::Result;

/// Threshold of a THRESHOLD spec without one.
pub const DEFAULT_THRESHOLD: f64 = 0.5;

/// One checked gate specification.
#[derive(Debug, Clone, PartialEq)]
pub struct GateSpec {
    /// Operation.
    pub gate_type: GateType,
    /// Input signals (distinct identifiers).
    pub inputs: Vec<String>,
    /// Output signal.
    pub output: String,
    /// Threshold (THRESHOLD only; 0 otherwise).
    pub threshold: f64,
}

impl GateSpec {
    /// `"TYPE in1,in2 out"` (the threshold travels apart).
    pub fn text(&self) -> String {
        format!(
            "{} {} {}",
            self.gate_type.name(),
            self.inputs.join(","),
            self.output
        )
    }
}

/// Parses and checks one spec string; errors name `arg`.
pub fn parse_spec(arg: &str, text: &str) -> Result<GateSpec> {
    let tokens: Vec<&str> = text.split(' ').collect();
    if tokens.len() < 3 || tokens.iter().any(|t| t.is_empty()) {
        return err(arg, format!("{arg}: malformed gate {text:?}"));
    }
    let gate_type = GateType::parse(arg, tokens[0])?;
    let inputs: Vec<String> = tokens[1].split(',').map(str::to_string).collect();
    let mut threshold: Option<f64> = None;
    for token in &tokens[3..] {
        match token.split_once('=') {
            Some(("threshold", v)) if threshold.is_none() => {
                let x: f64 = v
                    .parse()
                    .map_err(|_| crate::MirrorError::value(arg, "bad threshold"))?;
                threshold = Some(check_real(arg, x, Bounds::at_least(0.0))?);
            }
            _ => return err(arg, format!("{arg}: bad option {token:?}")),
        }
    }
    for s in &inputs {
        check_signal_name(arg, s)?;
    }
    if inputs.len() != gate_type.fan_in() {
        return err(
            arg,
            format!(
                "{arg}: a {} gate takes {} input(s)",
                gate_type.name(),
                gate_type.fan_in()
            ),
        );
    }
    let distinct: HashSet<&String> = inputs.iter().collect();
    if distinct.len() != inputs.len() {
        return err(arg, format!("{arg}: inputs must be distinct"));
    }
    let output = tokens[2].to_string();
    check_signal_name(arg, &output)?;
    if inputs.contains(&output) {
        return err(arg, format!("{arg}: output must not be an input"));
    }
    let threshold = match (gate_type, threshold) {
        (GateType::Threshold, Some(t)) => t,
        (GateType::Threshold, None) => DEFAULT_THRESHOLD,
        _ => 0.0,
    };
    Ok(GateSpec {
        gate_type,
        inputs,
        output,
        threshold,
    })
}

/// Parses every spec (errors name `gates`).
pub fn parse_specs(texts: &[String]) -> Result<Vec<GateSpec>> {
    texts.iter().map(|t| parse_spec("gates", t)).collect()
}

fn check_names(arg: &str, names: &[String]) -> Result<()> {
    for s in names {
        check_signal_name(arg, s)?;
    }
    if names.iter().collect::<HashSet<_>>().len() != names.len() {
        return err(arg, format!("{arg} must be distinct"));
    }
    Ok(())
}

/// The wiring rules of `check_wiring` (errors name `input_names`,
/// `output_names` or `gates`).
pub fn check_wiring(specs: &[GateSpec], inputs: &[String], outputs: &[String]) -> Result<()> {
    check_names("input_names", inputs)?;
    check_names("output_names", outputs)?;
    let mut driven: BTreeMap<&str, usize> = BTreeMap::new();
    for (k, s) in specs.iter().enumerate() {
        if inputs.contains(&s.output) || driven.contains_key(s.output.as_str()) {
            return err(
                "gates",
                format!("gates[{k}] drives {:?} twice or over an input", s.output),
            );
        }
        driven.insert(&s.output, k);
    }
    let known = |x: &String| inputs.contains(x) || driven.contains_key(x.as_str());
    if let Some(k) = specs.iter().position(|s| !s.inputs.iter().all(known)) {
        return err("gates", format!("gates[{k}] reads an undriven signal"));
    }
    if outputs.iter().any(|x| !known(x)) {
        return err("output_names", "output_names lists an undriven signal");
    }
    Ok(())
}

/// Gates with their inputs not driven by any gate, in order of first use.
pub fn external_inputs(gates: &[DnaGate]) -> Vec<String> {
    let driven: HashSet<&String> = gates.iter().map(|g| &g.output_name).collect();
    let mut out: Vec<String> = Vec::new();
    for g in gates {
        for s in &g.input_names {
            if !driven.contains(s) && !out.contains(s) {
                out.push(s.clone());
            }
        }
    }
    out
}

/// Refuses gates that drive one signal twice or form a feedback loop (naming `arg`).
pub fn check_feed_forward(arg: &str, gates: &[DnaGate]) -> Result<()> {
    let mut driver: BTreeMap<&str, usize> = BTreeMap::new();
    for (k, g) in gates.iter().enumerate() {
        if driver.insert(&g.output_name, k).is_some() {
            return err(arg, format!("two gates drive {:?}", g.output_name));
        }
    }
    let mut waiting: Vec<usize> = gates
        .iter()
        .map(|g| {
            g.input_names
                .iter()
                .filter(|s| driver.contains_key(s.as_str()))
                .count()
        })
        .collect();
    let mut ready: Vec<usize> = (0..gates.len()).filter(|&k| waiting[k] == 0).collect();
    let mut done = 0;
    while let Some(k) = ready.pop() {
        done += 1;
        for (c, g) in gates.iter().enumerate() {
            for s in &g.input_names {
                if driver.get(s.as_str()) == Some(&k) {
                    waiting[c] -= 1;
                    if waiting[c] == 0 {
                        ready.push(c);
                    }
                }
            }
        }
    }
    if done < gates.len() {
        return err(arg, "the gates form a feedback loop");
    }
    Ok(())
}
