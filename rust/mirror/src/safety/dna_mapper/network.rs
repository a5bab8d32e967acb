//! `BitstreamToDNA`, `SCNetworkBridge` and `DualRailEncoder` (as
//! `_dna.network` and `_dna.dual_rail`).

use super::compilers::{compile_gate, is_enzymatic};
use super::constants::{MAX_CONCENTRATION_NM, TEMPERATURE_RANGE_C};
use super::design::SequenceDesigner;
use super::err;
use super::specs::{GateSpec, check_wiring, external_inputs};
use super::types::{Design, DnaStrand, GateType};
use crate::checks::{Bounds, check_real};
use crate::error::Result;

/// Largest adjacency-matrix side `SCNetworkBridge` takes.
pub const MAX_NODES: usize = 10_000;

/// The compilation methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Strand displacement: AND, OR, NOT, MUX, AMPLIFIER, BUFFER, THRESHOLD.
    Displacement,
    /// Enzymes: NAND, XOR.
    Enzymatic,
    /// Both.
    Hybrid,
}

impl Method {
    /// The method named `s` (`displacement`, `enzymatic`, `hybrid`), naming `method`.
    pub fn parse(s: &str) -> Result<Method> {
        match s {
            "displacement" => Ok(Method::Displacement),
            "enzymatic" => Ok(Method::Enzymatic),
            "hybrid" => Ok(Method::Hybrid),
            _ => err(
                "method",
                format!("method must be displacement, enzymatic or hybrid, got {s:?}"),
            ),
        }
    }

    fn compiles(self, t: GateType) -> bool {
        t != GateType::Catalytic
            && match self {
                Method::Displacement => !is_enzymatic(t),
                Method::Enzymatic => is_enzymatic(t),
                Method::Hybrid => true,
            }
    }
}

/// The network compiler: one designer across its compilations.
#[derive(Debug, Clone)]
pub struct BitstreamToDna {
    method: Method,
    designer: SequenceDesigner,
    temperature_c: f64,
}

impl BitstreamToDna {
    /// A compiler (errors name `temperature_c`).
    pub fn new(method: Method, seed: u64, temperature_c: f64) -> Result<Self> {
        let t = check_real(
            "temperature_c",
            temperature_c,
            Bounds::within(TEMPERATURE_RANGE_C.0, TEMPERATURE_RANGE_C.1),
        )?;
        Ok(BitstreamToDna {
            method,
            designer: SequenceDesigner::with_seed(seed),
            temperature_c: t,
        })
    }

    /// The designer's state.
    pub fn rng_state(&self) -> u64 {
        self.designer.rng_state()
    }

    /// `compile_network`: every check first, then inputs (recognition, then
    /// toehold), gates (id = index), outputs (recognition).
    pub fn compile_network(
        &mut self,
        specs: &[GateSpec],
        inputs: &[String],
        outputs: &[String],
    ) -> Result<Design> {
        check_wiring(specs, inputs, outputs)?;
        if let Some(s) = specs.iter().find(|s| !self.method.compiles(s.gate_type)) {
            return err(
                "gates",
                format!("the method cannot compile {} gates", s.gate_type.name()),
            );
        }
        let d = &mut self.designer;
        let mut input_strands = Vec::new();
        for x in inputs {
            let recognition = d.recognition()?;
            let toehold = d.toehold()?;
            input_strands.push(DnaStrand::new(
                &format!("signal_{x}"),
                &format!("{toehold}{recognition}"),
                "signal",
                MAX_CONCENTRATION_NM,
            )?);
        }
        let mut gates = Vec::new();
        for (k, s) in specs.iter().enumerate() {
            gates.push(compile_gate(
                d,
                "gates",
                s.gate_type,
                &s.inputs,
                &s.output,
                s.threshold,
                k,
                self.temperature_c,
            )?);
        }
        let mut output_strands = Vec::new();
        for y in outputs {
            output_strands.push(DnaStrand::new(
                &format!("output_{y}"),
                &d.recognition()?,
                "output",
                0.0,
            )?);
        }
        Ok(Design {
            gates,
            input_strands,
            output_strands,
            fuel_strands: Vec::new(),
            temperature_c: self.temperature_c,
            input_names: inputs.to_vec(),
            output_names: outputs.to_vec(),
        })
    }
}

/// The specs `SCNetworkBridge.from_adjacency` builds from an `n x n` row-major
/// weight matrix (inputs skipped; one source: BUFFER/NOT; several: inhibitory
/// ones negated, then an AND chain).
pub fn adjacency_specs(adjacency: &[f64], n: usize, inputs: &[usize]) -> Vec<GateSpec> {
    let spec = |t: GateType, ins: Vec<String>, out: String| GateSpec {
        gate_type: t,
        inputs: ins,
        output: out,
        threshold: 0.0,
    };
    let mut specs = Vec::new();
    for j in (0..n).filter(|j| !inputs.contains(j)) {
        let sources: Vec<(usize, f64)> = (0..n)
            .map(|i| (i, adjacency[i * n + j]))
            .filter(|&(_, w)| w != 0.0)
            .collect();
        let node = format!("n{j}");
        match sources.as_slice() {
            [] => {}
            [(i, w)] => {
                let t = if *w < 0.0 {
                    GateType::Not
                } else {
                    GateType::Buffer
                };
                specs.push(spec(t, vec![format!("n{i}")], node));
            }
            _ => {
                let mut terms = Vec::new();
                for &(i, w) in &sources {
                    if w < 0.0 {
                        specs.push(spec(
                            GateType::Not,
                            vec![format!("n{i}")],
                            format!("{node}_not{i}"),
                        ));
                        terms.push(format!("{node}_not{i}"));
                    } else {
                        terms.push(format!("n{i}"));
                    }
                }
                let mut previous = terms[0].clone();
                for k in 1..terms.len() {
                    let out = if k < terms.len() - 1 {
                        format!("{node}_stage{k}")
                    } else {
                        node.clone()
                    };
                    specs.push(spec(
                        GateType::And,
                        vec![previous, terms[k].clone()],
                        out.clone(),
                    ));
                    previous = out;
                }
            }
        }
    }
    specs
}

/// The dual-rail specs of a design, with its dual inputs and outputs.
pub fn dual_rail_specs(design: &Design) -> Result<(Vec<GateSpec>, Vec<String>, Vec<String>)> {
    let mut specs = Vec::new();
    for g in &design.gates {
        let t: Vec<String> = g.input_names.iter().map(|x| format!("{x}_T")).collect();
        let c: Vec<String> = g.input_names.iter().map(|x| format!("{x}_C")).collect();
        let (ct, ci) = match g.gate_type {
            GateType::And => (GateType::Or, c),
            GateType::Or => (GateType::And, c),
            GateType::Not => (GateType::Not, c),
            GateType::Nand => (GateType::And, t.clone()),
            GateType::Xor => (GateType::Xor, vec![t[0].clone(), c[1].clone()]),
            GateType::Mux => (
                GateType::Mux,
                vec![t[0].clone(), c[1].clone(), c[2].clone()],
            ),
            GateType::Buffer => (GateType::Buffer, c),
            other => {
                return err(
                    "gates",
                    format!("a {} gate has no complement rail", other.name()),
                );
            }
        };
        specs.push(GateSpec {
            gate_type: g.gate_type,
            inputs: t,
            output: format!("{}_T", g.output_name),
            threshold: 0.0,
        });
        specs.push(GateSpec {
            gate_type: ct,
            inputs: ci,
            output: format!("{}_C", g.output_name),
            threshold: 0.0,
        });
    }
    let inputs = if design.input_names.is_empty() {
        external_inputs(&design.gates)
    } else {
        design.input_names.clone()
    };
    let outputs: Vec<String> = if design.output_names.is_empty() {
        design
            .gates
            .iter()
            .map(|g| g.output_name.clone())
            .filter(|o| !design.gates.iter().any(|g| g.input_names.contains(o)))
            .collect()
    } else {
        design.output_names.clone()
    };
    let rails = |names: &[String]| -> Vec<String> {
        names
            .iter()
            .flat_map(|x| [format!("{x}_T"), format!("{x}_C")])
            .collect()
    };
    Ok((specs, rails(&inputs), rails(&outputs)))
}
