//! Gate compilers (as `_dna.compilers`): the reference's strand layouts,
//! domains drawn from the designer in the documented order, and the AND leak
//! estimate `min(1e-6 · exp(ΔG/RT), 1e-6)`.

use super::constants::{GAS_CONSTANT, MAX_CONCENTRATION_NM};
use super::design::{SequenceDesigner, complement};
use super::err;
use super::sequences::check_signal_name;
use super::thermo::delta_g_37;
use super::types::{DnaGate, DnaStrand, GateType};
use crate::error::Result;

/// Largest leak estimate (1/s).
pub const LEAK_CEILING: f64 = 1e-6;

/// Most negative ΔG37 of a run of >= 2 equal positions of `query` and
/// `target` along any diagonal (0 when none is stable).
pub fn strongest_complementary_delta_g(query: &str, target: &str) -> f64 {
    let (q, t) = (query.as_bytes(), target.as_bytes());
    let mut best = 0.0f64;
    for offset in -(t.len() as i64) + 1..q.len() as i64 {
        let mut start: Option<usize> = None;
        for i in 0..=q.len() {
            let j = i as i64 - offset;
            let equal = i < q.len() && j >= 0 && (j as usize) < t.len() && q[i] == t[j as usize];
            match (equal, start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    if i - s >= 2 {
                        // A run of >= 2 valid bases always has a ΔG.
                        if let Ok(dg) = delta_g_37("sequence", &query[s..i]) {
                            best = best.min(dg);
                        }
                    }
                    start = None;
                }
                _ => {}
            }
        }
    }
    best
}

/// The leak estimate of `strand` against `blocker`'s partner at `temperature_c`.
pub fn leak_rate(strand: &DnaStrand, blocker: &DnaStrand, temperature_c: f64) -> f64 {
    let dg = strongest_complementary_delta_g(&strand.sequence, &blocker.complement());
    let rt = (GAS_CONSTANT / 1000.0) * (temperature_c + 273.15);
    (LEAK_CEILING * (dg / rt).exp()).min(LEAK_CEILING)
}

/// Which compiler a gate type belongs to.
pub fn is_enzymatic(t: GateType) -> bool {
    matches!(t, GateType::Nand | GateType::Xor)
}

/// One strand of a layout: its part name, sequence, role and concentration (nM).
type Part = (&'static str, String, &'static str, f64);

/// A gate's leak: fixed, or estimated from two of its strands (translator, blocker).
enum Leak {
    Fixed(f64),
    Between(usize, usize),
}

/// The strand layout of `gate_type` (domains drawn from `d` in the documented
/// order) and its leak; `None` for a type no compiler makes.
#[rustfmt::skip] // one strand per line: part, sequence, role, concentration
fn layout(
    d: &mut SequenceDesigner,
    gate_type: GateType,
    threshold: f64,
) -> Result<Option<(Vec<Part>, Leak)>> {
    const TRANSLATOR: &str = "translator";
    Ok(Some(match gate_type {
        GateType::And => {
            let (ta, tb) = (d.toehold()?, d.toehold()?);
            let (ra, rb) = (d.recognition()?, d.recognition()?);
            let (ro, to) = (d.recognition()?, d.toehold()?);
            (vec![
                ("translator_top", format!("{ta}{ra}{rb}{tb}"), TRANSLATOR, 200.0),
                ("translator_bot", complement(&format!("{ra}{rb}")), TRANSLATOR, 200.0),
                ("output", format!("{to}{ro}"), "output", 0.0),
                ("fuel", format!("{}{ta}", complement(&ra)), "fuel", 500.0),
                ("threshold", complement(&format!("{ta}{}", &ra[..8])), "threshold", 50.0),
            ], Leak::Between(0, 4))
        }
        GateType::Or => {
            let (ta, tb) = (d.toehold()?, d.toehold()?);
            let stem = d.recognition()?;
            let lp = d.generate(8)?;
            let ro = d.recognition()?;
            let closing = complement(&stem);
            (vec![
                ("hairpin_a", format!("{ta}{stem}{lp}{closing}"), TRANSLATOR, 200.0),
                ("hairpin_b", format!("{tb}{stem}{lp}{closing}"), TRANSLATOR, 200.0),
                ("output", ro, "output", 0.0),
                ("fuel", format!("{closing}{ta}"), "fuel", 500.0),
            ], Leak::Fixed(1e-9))
        }
        GateType::Not => {
            let (t, r, ro) = one_input_domains(d)?;
            (vec![
                ("blocker", format!("{t}{r}"), TRANSLATOR, 200.0),
                ("output_complex", format!("{}{ro}", complement(&r)), TRANSLATOR, 200.0),
                ("output", ro, "output", 0.0),
            ], Leak::Fixed(5e-10))
        }
        GateType::Threshold => {
            let (t, r, ro) = one_input_domains(d)?;
            (vec![
                ("absorber", complement(&format!("{t}{r}")), "threshold",
                 threshold * MAX_CONCENTRATION_NM),
                ("translator", format!("{t}{r}{ro}"), TRANSLATOR, 200.0),
                ("output", ro, "output", 0.0),
            ], Leak::Fixed(2e-9))
        }
        GateType::Mux => {
            let ts = d.toehold()?;
            let (ta, tb) = (d.toehold()?, d.toehold()?);
            let (ra, rb) = (d.recognition()?, d.recognition()?);
            let ro = d.recognition()?;
            (vec![
                ("path_a", format!("{ts}{ra}{ta}"), TRANSLATOR, 200.0),
                ("path_b", format!("{}{rb}{tb}", complement(&ts)), TRANSLATOR, 200.0),
                ("combiner", ro.clone(), TRANSLATOR, 200.0),
                ("output", ro, "output", 0.0),
                ("fuel", format!("{}{ts}", complement(&ra)), "fuel", 500.0),
            ], Leak::Fixed(2e-9))
        }
        GateType::Amplifier => {
            let (t, r, ro) = one_input_domains(d)?;
            let tc = d.toehold()?;
            (vec![
                ("catalyst_complex", format!("{t}{r}{tc}"), TRANSLATOR, 200.0),
                ("substrate", format!("{}{ro}", complement(&r)), TRANSLATOR, 500.0),
                ("fuel", complement(&format!("{t}{r}")), "fuel", 1000.0),
                ("output", ro, "output", 0.0),
            ], Leak::Fixed(1e-9))
        }
        GateType::Buffer => {
            let (t, r, ro) = one_input_domains(d)?;
            (vec![
                ("threshold", complement(&format!("{t}{}", &r[..8])), "threshold", 80.0),
                ("translator", format!("{t}{r}{ro}"), TRANSLATOR, 200.0),
                ("output", ro, "output", 0.0),
            ], Leak::Fixed(5e-10))
        }
        GateType::Nand => {
            let (f5, f3) = (d.generate(20)?, d.generate(20)?);
            let spacer = d.generate(10)?;
            let ro = d.recognition()?;
            (vec![
                ("substrate", format!("{f5}GAATTC{spacer}{ro}{spacer}GGATCC{f3}"), TRANSLATOR,
                 100.0),
                ("output", ro, "output", 0.0),
            ], Leak::Fixed(1e-9))
        }
        GateType::Xor => {
            let (left, right) = (d.generate(20)?, d.generate(20)?);
            let ro = d.recognition()?;
            (vec![
                ("nick_a", format!("{left}{}", &ro[..7]), TRANSLATOR, 100.0),
                ("nick_b", format!("{}{right}", &ro[7..]), TRANSLATOR, 100.0),
                ("template", complement(&format!("{left}{ro}{right}")), TRANSLATOR, 100.0),
                ("output", ro, "output", 0.0),
            ], Leak::Fixed(1e-9))
        }
        GateType::Catalytic => return Ok(None),
    }))
}

/// A one-input gate's toehold `t`, recognition `r` and output recognition
/// `ro`, drawn in that order.
fn one_input_domains(d: &mut SequenceDesigner) -> Result<(String, String, String)> {
    Ok((d.toehold()?, d.recognition()?, d.recognition()?))
}

/// Compile one gate (signals checked first, naming `arg`): the displacement
/// layouts for AND, OR, NOT, MUX, THRESHOLD, AMPLIFIER, BUFFER (leak estimates
/// at `temperature_c`), the enzymatic ones for NAND, XOR.
#[allow(clippy::too_many_arguments)]
pub fn compile_gate(
    d: &mut SequenceDesigner,
    arg: &str,
    gate_type: GateType,
    inputs: &[String],
    output: &str,
    threshold: f64,
    gid: usize,
    temperature_c: f64,
) -> Result<DnaGate> {
    for s in inputs.iter().map(String::as_str).chain([output]) {
        check_signal_name(arg, s)?;
    }
    let mut all: Vec<&str> = inputs.iter().map(String::as_str).collect();
    all.push(output);
    let mut sorted = all.clone();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() != all.len() || inputs.len() != gate_type.fan_in() {
        return err(
            arg,
            format!("{arg}: a gate's signals must be distinct and match its fan-in"),
        );
    }
    let Some((parts, leak)) = layout(d, gate_type, threshold)? else {
        return err(arg, format!("{arg}: no compiler makes CATALYTIC gates"));
    };
    let strands = parts
        .into_iter()
        .map(|(part, seq, role, c)| DnaStrand::new(&format!("g{gid}_{part}"), &seq, role, c))
        .collect::<Result<Vec<_>>>()?;
    let leak = match leak {
        Leak::Fixed(rate) => rate,
        Leak::Between(a, b) => leak_rate(&strands[a], &strands[b], temperature_c),
    };
    Ok(DnaGate {
        gate_id: gid,
        gate_type,
        input_names: inputs.to_vec(),
        output_name: output.to_string(),
        strands,
        threshold: if gate_type == GateType::Threshold {
            threshold
        } else {
            0.0
        },
        leak_rate: leak,
    })
}
