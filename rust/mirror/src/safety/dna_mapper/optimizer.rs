//! `GateOptimizer` (as `_dna.gate_optimizer`): identity buffers, duplicates
//! (repeated until none), dead gates (repeated until none); a removal is kept
//! only when no remaining gate then reads a signal twice or its own output.

use std::collections::{BTreeMap, HashSet};

use super::err;
use super::specs::GateSpec;
use super::types::GateType;
use crate::error::Result;

/// What makes two gates duplicates: type, inputs (sorted when commutative), threshold bits.
type DuplicateKey = (GateType, Vec<String>, u64);

/// The optimised specs (rewired, original order) and the removals `(index, reason)`.
pub type Optimized = (Vec<GateSpec>, Vec<(usize, &'static str)>);

fn resolve(alias: &BTreeMap<String, String>, x: &str) -> String {
    let mut x = x.to_string();
    while let Some(next) = alias.get(&x) {
        x = next.clone();
    }
    x
}

fn rewired(spec: &GateSpec, alias: &BTreeMap<String, String>) -> GateSpec {
    GateSpec {
        inputs: spec.inputs.iter().map(|x| resolve(alias, x)).collect(),
        ..spec.clone()
    }
}

fn distinct(spec: &GateSpec) -> bool {
    spec.inputs.iter().collect::<HashSet<_>>().len() == spec.inputs.len()
        && !spec.inputs.contains(&spec.output)
}

/// `optimize(gates, output_names)` on checked specs (errors name `gates`, `output_names`).
pub fn optimize(specs: &[GateSpec], required: &[String]) -> Result<Optimized> {
    if required.iter().collect::<HashSet<_>>().len() != required.len() {
        return err("output_names", "output_names must be distinct");
    }
    for s in required {
        super::sequences::check_signal_name("output_names", s)?;
    }
    let mut drivers = HashSet::new();
    if !specs.iter().all(|s| drivers.insert(s.output.clone())) {
        return err("gates", "a signal is driven twice");
    }
    let mut live: Vec<usize> = (0..specs.len()).collect();
    let mut alias: BTreeMap<String, String> = BTreeMap::new();
    let mut removals: Vec<(usize, &'static str)> = Vec::new();
    let try_remove = |k: usize,
                      target: &str,
                      reason: &'static str,
                      live: &mut Vec<usize>,
                      alias: &mut BTreeMap<String, String>,
                      removals: &mut Vec<(usize, &'static str)>| {
        let mut trial = alias.clone();
        trial.insert(specs[k].output.clone(), target.to_string());
        if !live
            .iter()
            .filter(|&&j| j != k)
            .all(|&j| distinct(&rewired(&specs[j], &trial)))
        {
            return false;
        }
        *alias = trial;
        live.retain(|&j| j != k);
        removals.push((k, reason));
        true
    };
    for k in live.clone() {
        let s = &specs[k];
        if s.gate_type == GateType::Buffer && !required.contains(&s.output) {
            try_remove(
                k,
                &s.inputs[0],
                "identity_buffer",
                &mut live,
                &mut alias,
                &mut removals,
            );
        }
    }
    let mut changed = true;
    while changed {
        changed = false;
        let mut seen: Vec<(DuplicateKey, usize)> = Vec::new();
        for k in live.clone() {
            let s = rewired(&specs[k], &alias);
            let mut inputs = s.inputs.clone();
            if s.gate_type.commutative() {
                inputs.sort();
            }
            let key = (s.gate_type, inputs, (s.threshold + 0.0).to_bits());
            if let Some(&(_, first)) = seen.iter().find(|(kk, _)| *kk == key) {
                if !required.contains(&s.output) {
                    let target = specs[first].output.clone();
                    if try_remove(
                        k,
                        &target,
                        "duplicate",
                        &mut live,
                        &mut alias,
                        &mut removals,
                    ) {
                        changed = true;
                        break;
                    }
                }
            } else {
                seen.push((key, k));
            }
        }
    }
    changed = true;
    while changed {
        changed = false;
        let read: HashSet<String> = live
            .iter()
            .flat_map(|&j| rewired(&specs[j], &alias).inputs)
            .collect();
        for k in live.clone() {
            if !required.contains(&specs[k].output) && !read.contains(&specs[k].output) {
                live.retain(|&j| j != k);
                removals.push((k, "dead_output"));
                changed = true;
            }
        }
    }
    Ok((
        live.iter().map(|&k| rewired(&specs[k], &alias)).collect(),
        removals,
    ))
}
