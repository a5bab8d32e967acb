//! Signed fixed-point words and the bit-true run of an equation system
//! (`sc_neurocore.studio._analysis.fixed_point`; the rules are in its docstring).
//! Every operation is on integers, so Python and Rust agree bit for bit.

use crate::error::Result;

use super::equations::{EquationSystem, INPUT_NAME, input_error};
use super::expr::{Node, PI, compare, evaluate, names_of};

/// Overflow policies.
pub const SUPPORTED_OVERFLOW: [&str; 2] = ["saturate", "wrap"];
/// Product rounding policies.
pub const SUPPORTED_ROUNDING: [&str; 2] = ["truncate", "nearest"];
/// Fewest bits of a word.
pub const MIN_DATA_WIDTH: i64 = 8;
/// Most bits of a word.
pub const MAX_DATA_WIDTH: i64 = 32;
/// Largest literal exponent of `a ** n`.
pub const MAX_INTEGER_POWER: i64 = 16;

/// `(data_width, fraction)` of a `Q<m>.<f>` label; errors name `q_format`.
pub fn resolve_word_format(q_format: &str) -> Result<(u32, u32)> {
    let parsed = q_format
        .strip_prefix('Q')
        .and_then(|rest| rest.split_once('.'))
        .filter(|(m, f)| {
            [m, f]
                .iter()
                .all(|p| (1..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
        })
        .and_then(|(m, f)| Some((m.parse::<i64>().ok()?, f.parse::<i64>().ok()?)));
    let Some((integer, fraction)) = parsed else {
        return Err(input_error(
            "q_format",
            format!("{q_format:?} is not a Q<int>.<frac> label"),
        ));
    };
    let width = integer + fraction;
    if !(MIN_DATA_WIDTH..=MAX_DATA_WIDTH).contains(&width) {
        return Err(input_error(
            "q_format",
            format!("{q_format} has {width} bits; supported: {MIN_DATA_WIDTH} to {MAX_DATA_WIDTH}"),
        ));
    }
    if integer < 1 {
        return Err(input_error(
            "q_format",
            format!("{q_format} leaves no integer bit"),
        ));
    }
    Ok((width as u32, fraction as u32))
}

/// A signed word format with its overflow and rounding policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WordFormat {
    /// Bits per word.
    pub data_width: u32,
    /// Fractional bits.
    pub fraction: u32,
    /// `true`: saturate; `false`: wrap.
    pub saturate: bool,
    /// `true`: round products to nearest (ties up); `false`: truncate (floor).
    pub nearest: bool,
}

impl WordFormat {
    /// Smallest word.
    pub fn min_word(self) -> i64 {
        -(1i64 << (self.data_width - 1))
    }

    /// Largest word.
    pub fn max_word(self) -> i64 {
        (1i64 << (self.data_width - 1)) - 1
    }

    /// `2^f`.
    pub fn scale(self) -> f64 {
        (1u64 << self.fraction) as f64
    }

    /// `2^-f`.
    pub fn resolution(self) -> f64 {
        1.0 / self.scale()
    }

    /// Whether `x` is finite and within the representable values.
    pub fn representable(self, x: f64) -> bool {
        self.min_word() as f64 / self.scale() <= x && x <= self.max_word() as f64 / self.scale()
    }

    /// `rint(x * 2^f)` (ties to even) of a representable `x`.
    pub fn encode(self, x: f64) -> i64 {
        (x * self.scale()).round_ties_even() as i64
    }

    /// `word / 2^f`.
    pub fn decode(self, word: i64) -> f64 {
        word as f64 / self.scale()
    }

    /// `n` brought into the word range by the overflow policy.
    pub fn fit(self, n: i64) -> i64 {
        if self.saturate {
            n.clamp(self.min_word(), self.max_word())
        } else {
            (n - self.min_word()).rem_euclid(1i64 << self.data_width) + self.min_word()
        }
    }

    /// The product of two words (rounding, then the overflow policy).
    pub fn mul(self, a: i64, b: i64) -> i64 {
        let mut p = a * b;
        if self.fraction == 0 {
            return self.fit(p);
        }
        if self.nearest {
            p += 1i64 << (self.fraction - 1);
        }
        self.fit(p >> self.fraction)
    }

    fn label(self) -> String {
        format!("Q{}.{}", self.data_width - self.fraction, self.fraction)
    }
}

/// A compiled expression on words.
#[derive(Debug, Clone, PartialEq)]
pub enum Fixed {
    /// A constant word.
    Word(i64),
    /// A state variable or `I`.
    Name(String),
    /// An operation: `neg abs add sub mul min max clip not and or cmp<op>`.
    Op(String, Vec<Fixed>),
}

/// An equation system compiled to words.
#[derive(Debug, Clone, PartialEq)]
pub struct FixedProgram {
    /// The word format.
    pub fmt: WordFormat,
    /// State variables.
    pub variables: Vec<String>,
    /// Compiled right-hand sides.
    pub derivatives: Vec<Fixed>,
    /// Compiled condition.
    pub threshold: Option<Fixed>,
    /// Compiled resets, `(variable index, expression)`.
    pub resets: Vec<(usize, Fixed)>,
    /// Initial words.
    pub init: Vec<i64>,
    /// The time step's word.
    pub dt_word: i64,
}

struct Compiler<'s> {
    system: &'s EquationSystem,
    fmt: WordFormat,
    field: &'static str,
    text: String,
}

impl Compiler<'_> {
    fn word(&self, value: f64, what: &str) -> Result<Fixed> {
        if !self.fmt.representable(value) {
            return Err(input_error(
                self.field,
                format!(
                    "{what} in {:?} is not representable in {}",
                    self.text,
                    self.fmt.label()
                ),
            ));
        }
        Ok(Fixed::Word(self.fmt.encode(value)))
    }

    fn param(&self, name: &str) -> Option<f64> {
        self.system
            .params
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
    }

    fn compile(&self, node: &Node) -> Result<Fixed> {
        let op = |name: &str, args: Vec<Fixed>| Ok(Fixed::Op(name.to_string(), args));
        match node {
            Node::Num(v) => self.word(*v, &format!("literal {v:?}")),
            Node::Var(name) if name == "pi" => self.word(PI, "pi"),
            Node::Var(name) => match self.param(name) {
                Some(v) => Ok(Fixed::Word(self.fmt.encode(v))),
                None => Ok(Fixed::Name(name.clone())),
            },
            Node::Neg(a) => op("neg", vec![self.compile(a)?]),
            Node::Bin(o, a, b) => self.binary(*o, a, b),
            Node::Call(func, args) => {
                if !["abs", "min", "max", "clip"].contains(&func.as_str()) {
                    return Err(input_error(
                        self.field,
                        format!(
                            "{func} in {:?} has no bit-true fixed-point arithmetic",
                            self.text
                        ),
                    ));
                }
                let args = args
                    .iter()
                    .map(|a| self.compile(a))
                    .collect::<Result<_>>()?;
                op(func, args)
            }
            Node::Cmp(c, a, b) => op(&format!("cmp{c}"), vec![self.compile(a)?, self.compile(b)?]),
            Node::Not(a) => op("not", vec![self.compile(a)?]),
            Node::BoolOp(and, a, b) => op(
                if *and { "and" } else { "or" },
                vec![self.compile(a)?, self.compile(b)?],
            ),
        }
    }

    fn binary(&self, o: char, a: &Node, b: &Node) -> Result<Fixed> {
        let left = self.compile(a)?;
        match o {
            '+' | '-' | '*' => {
                let name = match o {
                    '+' => "add",
                    '-' => "sub",
                    _ => "mul",
                };
                Ok(Fixed::Op(name.into(), vec![left, self.compile(b)?]))
            }
            '/' => {
                if let Some(free) = names_of(b).into_iter().find(|n| self.param(n).is_none()) {
                    return Err(input_error(
                        self.field,
                        format!(
                            "division by {free:?} in {:?}: only by a constant",
                            self.text
                        ),
                    ));
                }
                let divisor = evaluate(b, &self.system.params).map_err(|e| {
                    input_error(
                        self.field,
                        format!("a divisor in {:?} fails: {e}", self.text),
                    )
                })?;
                if divisor == 0.0 {
                    return Err(input_error(
                        self.field,
                        format!("a divisor in {:?} is 0", self.text),
                    ));
                }
                let reciprocal = 1.0 / divisor;
                let word = self.word(reciprocal, &format!("the reciprocal {reciprocal:?}"))?;
                if word == Fixed::Word(0) {
                    return Err(input_error(
                        self.field,
                        format!(
                            "the reciprocal {reciprocal:?} in {:?} underflows",
                            self.text
                        ),
                    ));
                }
                Ok(Fixed::Op("mul".into(), vec![left, word]))
            }
            _ => {
                let n = match b {
                    Node::Num(x)
                        if x.fract() == 0.0 && (0.0..=MAX_INTEGER_POWER as f64).contains(x) =>
                    {
                        *x as usize
                    }
                    _ => {
                        return Err(input_error(
                            self.field,
                            format!(
                                "a power in {:?} needs an integer literal exponent",
                                self.text
                            ),
                        ));
                    }
                };
                if n == 0 {
                    return self.word(1.0, "the power's 1.0");
                }
                let mut out = left.clone();
                for _ in 1..n {
                    out = Fixed::Op("mul".into(), vec![out, left.clone()]);
                }
                Ok(out)
            }
        }
    }
}

/// Compiles `system` for the fixed-point run; errors name the field a value
/// or operation comes from (`params.<name>`, `init.<name>`, `dt`, `equations`,
/// `threshold`, `reset`).
pub fn compile_fixed(
    system: &EquationSystem,
    fmt: WordFormat,
    dt: f64,
    threshold_text: &str,
    reset_text: &str,
) -> Result<FixedProgram> {
    for (prefix, values) in [("params", &system.params), ("init", &system.init)] {
        if let Some((name, v)) = values.iter().find(|(_, v)| !fmt.representable(*v)) {
            let field = format!("{prefix}.{name}");
            return Err(input_error(
                &field,
                format!("{v:?} is not representable in {}", fmt.label()),
            ));
        }
    }
    if !fmt.representable(dt) {
        return Err(input_error("dt", format!("{dt:?} is not representable")));
    }
    let dt_word = fmt.encode(dt);
    if dt_word == 0 {
        return Err(input_error(
            "dt",
            format!("{dt:?} underflows the resolution"),
        ));
    }
    let mut c = Compiler {
        system,
        fmt,
        field: "equations",
        text: String::new(),
    };
    let mut derivatives = Vec::new();
    for (node, text) in system.derivatives.iter().zip(&system.texts) {
        c.text = text.clone();
        derivatives.push(c.compile(node)?);
    }
    c.field = "threshold";
    c.text = threshold_text.to_string();
    let threshold = system
        .threshold
        .as_ref()
        .map(|t| c.compile(t))
        .transpose()?;
    c.field = "reset";
    c.text = reset_text.to_string();
    let mut resets = Vec::new();
    for (name, node) in &system.resets {
        let j = system.variables.iter().position(|v| v == name).unwrap_or(0);
        resets.push((j, c.compile(node)?));
    }
    Ok(FixedProgram {
        fmt,
        variables: system.variables.clone(),
        derivatives,
        threshold,
        resets,
        init: system.init.iter().map(|(_, v)| fmt.encode(*v)).collect(),
        dt_word,
    })
}

fn value(node: &Fixed, fmt: WordFormat, env: &[(String, i64)]) -> i64 {
    match node {
        Fixed::Word(w) => *w,
        Fixed::Name(n) => env
            .iter()
            .rev()
            .find(|(k, _)| k == n)
            .map_or(0, |(_, w)| *w),
        Fixed::Op(op, args) => {
            let v = |k: usize| value(&args[k], fmt, env);
            match op.as_str() {
                "neg" => fmt.fit(-v(0)),
                "abs" => fmt.fit(v(0).abs()),
                "add" => fmt.fit(v(0) + v(1)),
                "sub" => fmt.fit(v(0) - v(1)),
                "mul" => fmt.mul(v(0), v(1)),
                "min" => (1..args.len()).map(v).fold(v(0), i64::min),
                "max" => (1..args.len()).map(v).fold(v(0), i64::max),
                _ => v(0).max(v(1)).min(v(2)), // clip
            }
        }
    }
}

fn holds(node: &Fixed, fmt: WordFormat, env: &[(String, i64)]) -> bool {
    let Fixed::Op(op, args) = node else {
        return false;
    };
    match op.as_str() {
        "not" => !holds(&args[0], fmt, env),
        "and" => holds(&args[0], fmt, env) && holds(&args[1], fmt, env),
        "or" => holds(&args[0], fmt, env) || holds(&args[1], fmt, env),
        _ => {
            let (a, b) = (value(&args[0], fmt, env), value(&args[1], fmt, env));
            compare(&op[3..], a, b)
        }
    }
}

fn environment(program: &FixedProgram, state: &[i64], drive: i64) -> Vec<(String, i64)> {
    let mut env: Vec<(String, i64)> = program
        .variables
        .iter()
        .cloned()
        .zip(state.iter().copied())
        .collect();
    env.push((INPUT_NAME.to_string(), drive));
    env
}

/// The bit-true run: `(state words per variable and step, spike steps)`.
pub fn run_fixed(program: &FixedProgram, drive_words: &[i64]) -> (Vec<Vec<i64>>, Vec<usize>) {
    let fmt = program.fmt;
    let mut state = program.init.clone();
    let mut words = vec![vec![0i64; drive_words.len()]; state.len()];
    let mut spikes = Vec::new();
    for (k, &drive) in drive_words.iter().enumerate() {
        let env = environment(program, &state, drive);
        let rates: Vec<i64> = program
            .derivatives
            .iter()
            .map(|d| value(d, fmt, &env))
            .collect();
        for (s, r) in state.iter_mut().zip(rates) {
            *s = fmt.fit(*s + fmt.mul(r, program.dt_word));
        }
        if let Some(t) = &program.threshold {
            let env = environment(program, &state, drive);
            if holds(t, fmt, &env) {
                spikes.push(k);
                let values: Vec<(usize, i64)> = program
                    .resets
                    .iter()
                    .map(|(j, node)| (*j, value(node, fmt, &env)))
                    .collect();
                for (j, w) in values {
                    state[j] = w;
                }
            }
        }
        for (j, s) in state.iter().enumerate() {
            words[j][k] = *s;
        }
    }
    (words, spikes)
}
