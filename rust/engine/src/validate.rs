//! Every argument check of the engine, in one place.
//!
//! A check that Python's `sc_neurocore.accel` makes too (its shared
//! validation helpers: `check_int`, `as_packed`, `as_probabilities`,
//! `as_bits`, `check_rank`, `same_shape`, `validate_forward`) refuses the same
//! arguments with the same message, word for word, and in the same order, so
//! a user reads the same error whichever layer caught it; a test
//! (tests/accel/test_engine_messages.py) compares the two case by case. The Python
//! layer's `InputTypeError` (a `TypeError` and a `ValueError`) is an
//! [`EngineError::Type`] here, which the bindings raise as `TypeError`.
//!
//! The engine also has rules of its own, worded in the same style: it
//! borrows NumPy arrays without copying, so they must be C-contiguous,
//! aligned and of exactly its dtype in native byte order (Python converts
//! instead); every size must fit `usize`; `encode_packed` takes 1-D or 2-D
//! probabilities; and the Rust API, which passes data and shape separately,
//! checks that they agree.
//!
//! The bindings (`python.rs`) only describe what they found in a Python
//! object ([`IntArg`], [`ArrayArg`]); the rules and the messages are here.

use std::fmt;

use crate::error::{EngineError, Result};
use crate::forward::ForwardDims;
use crate::generators::{Generator, Role};
use crate::lfsr::n_words;
use crate::prepared::{PreparedDims, PreparedOperands};
use crate::simd::{Tier, available_tiers};

/// Exclusive upper bound of an encoder seed (`2**32`).
pub const SEED_LIMIT: u64 = 1 << 32;

// ---------------------------------------------------------------------------
// Formatting the way Python prints.

/// A shape or an index as Python prints a tuple: `()`, `(3,)`, `(2, 5)`.
pub fn format_shape(shape: &[usize]) -> String {
    match shape {
        [one] => format!("({one},)"),
        _ => {
            let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
            format!("({})", dims.join(", "))
        }
    }
}

/// A float as Python's `repr` (and NumPy's `str` of a `float64`) prints it:
/// the shortest digits that round-trip, `nan`, `inf`, and exponents written
/// `e+16` / `e-05`.
pub fn format_float(v: f64) -> String {
    if v.is_nan() {
        return "nan".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    // Rust's `Debug` picks the same digits and the same switch to scientific
    // notation (below 1e-4 or from 1e16 on), but writes the exponent bare.
    let text = format!("{v:?}");
    match text.split_once('e') {
        None => text,
        Some((mantissa, exp)) => {
            let (sign, digits) = match exp.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', exp),
            };
            format!("{mantissa}e{sign}{digits:0>2}")
        }
    }
}

/// The index of element `flat` of a C-ordered array of `shape`, as a tuple.
fn format_index(flat: usize, shape: &[usize]) -> String {
    let mut index = vec![0; shape.len()];
    let mut rest = flat;
    for (i, &d) in index.iter_mut().zip(shape).rev() {
        let d = d.max(1);
        *i = rest % d;
        rest /= d;
    }
    format_shape(&index)
}

// ---------------------------------------------------------------------------
// Integers.

/// An integer argument as the caller found it.
#[derive(Debug, Clone, Copy)]
pub enum IntArg<'a> {
    /// An int that fits in `i128`.
    Int(i128),
    /// An int beyond `i128`: its sign and its decimal digits.
    Huge {
        /// Whether it is below zero.
        negative: bool,
        /// Its decimal text.
        text: &'a str,
    },
    /// Not an int (`bool` included): the name of its type.
    NotInt {
        /// `type(value).__name__`.
        type_name: &'a str,
    },
}

/// Python's `check_int(value, name, minimum=..., below=...)`, then the
/// engine's limit: the value must fit `usize`.
fn int_arg(
    arg: IntArg<'_>,
    name: &'static str,
    minimum: Option<i128>,
    below: Option<i128>,
) -> Result<usize> {
    let (text, too_small, too_large) = match arg {
        IntArg::NotInt { type_name } => {
            return Err(EngineError::type_error(
                name,
                format!("{name} must be an int, got {type_name}"),
            ));
        }
        IntArg::Int(v) => (
            v.to_string(),
            minimum.is_some_and(|m| v < m),
            below.is_some_and(|b| v >= b),
        ),
        IntArg::Huge { negative, text } => (
            text.to_string(),
            negative && minimum.is_some(),
            !negative && below.is_some(),
        ),
    };
    if let (true, Some(m)) = (too_small, minimum) {
        let bound = match below {
            Some(b) => format!("in [{m}, {b})"),
            None => format!(">= {m}"),
        };
        return Err(EngineError::value(
            name,
            format!("{name} must be an int {bound}, got {text}"),
        ));
    }
    if let (true, Some(b)) = (too_large, below) {
        let lower = minimum.map_or_else(|| "-inf".to_string(), |m| m.to_string());
        return Err(EngineError::value(
            name,
            format!("{name} must be an int in [{lower}, {b}), got {text}"),
        ));
    }
    match arg {
        IntArg::Int(v) => usize::try_from(v).ok(),
        _ => None,
    }
    .ok_or_else(|| {
        EngineError::value(
            name,
            format!(
                "{name} must be an int <= {} (the engine's limit), got {text}",
                usize::MAX
            ),
        )
    })
}

/// The stream `length`: an int `>= 1`.
pub fn length_arg(length: IntArg<'_>) -> Result<usize> {
    int_arg(length, "length", Some(1), None)
}

/// The encoder `seed`: an int in `[0, 2**32)`.
pub fn seed_arg(seed: IntArg<'_>) -> Result<u32> {
    let seed = int_arg(seed, "seed", Some(0), Some(i128::from(SEED_LIMIT)))?;
    Ok(u32::try_from(seed).expect("checked against SEED_LIMIT"))
}

/// `n_bits` of `unpack_bitstream`: an int `>= 0`.
pub fn n_bits_arg(n_bits: IntArg<'_>) -> Result<usize> {
    int_arg(n_bits, "n_bits", Some(0), None)
}

/// The thread count `n` of `set_num_threads`: an int `>= 1`.
pub fn thread_count(n: IntArg<'_>) -> Result<usize> {
    int_arg(n, "n", Some(1), None)
}

/// [`length_arg`] for the Rust API's `usize`.
pub fn check_length(length: usize) -> Result<()> {
    length_arg(IntArg::Int(length as i128)).map(drop)
}

/// [`seed_arg`] for the Rust API's `u64`.
pub fn check_seed(seed: u64) -> Result<u32> {
    seed_arg(IntArg::Int(i128::from(seed)))
}

// ---------------------------------------------------------------------------
// Stream generators (Python's check_generator and check_role, both check_choice).

/// A str argument as the caller found it.
#[derive(Debug, Clone, Copy)]
pub enum StrArg<'a> {
    /// A str: its text and its `repr`.
    Str {
        /// The text.
        text: &'a str,
        /// `repr(value)`.
        repr: &'a str,
    },
    /// Not a str: the name of its type.
    NotStr {
        /// `type(value).__name__`.
        type_name: &'a str,
    },
}

/// Python's `check_choice(value, name, names)`: the index of the option.
fn choice_arg(arg: StrArg<'_>, name: &'static str, names: &[&str]) -> Result<usize> {
    let options = names.join(", ");
    match arg {
        StrArg::NotStr { type_name } => Err(EngineError::type_error(
            name,
            format!("{name} must be a str, one of {options}; got {type_name}"),
        )),
        StrArg::Str { text, repr } => names.iter().position(|n| *n == text).ok_or_else(|| {
            EngineError::value(name, format!("{name} must be one of {options}; got {repr}"))
        }),
    }
}

/// The stream generator named by `generator`.
pub fn generator_arg(generator: StrArg<'_>) -> Result<Generator> {
    let names = Generator::ALL.map(Generator::name);
    Ok(Generator::ALL[choice_arg(generator, "generator", &names)?])
}

/// The side named by `role`.
pub fn role_arg(role: StrArg<'_>) -> Result<Role> {
    let names = Role::ALL.map(Role::name);
    Ok(Role::ALL[choice_arg(role, "role", &names)?])
}

// ---------------------------------------------------------------------------
// SIMD tier names.

/// The tier called `name`, which this CPU must support.
pub fn tier_name(name: &str) -> Result<Tier> {
    let quoted = |names: &[&str]| {
        let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
        quoted.join(", ")
    };
    let known: Vec<&str> = Tier::ALL.iter().map(|t| t.name()).collect();
    let tier = Tier::from_name(name).ok_or_else(|| {
        EngineError::value(
            "name",
            format!(
                "name must be one of {} or None, got '{name}'",
                quoted(&known)
            ),
        )
    })?;
    if !tier.is_supported() {
        return Err(EngineError::value(
            "name",
            format!(
                "name must be a SIMD tier this CPU supports ({}) or None, got '{name}'",
                quoted(&available_tiers())
            ),
        ));
    }
    Ok(tier)
}

/// The refusal of a tier name that is not a `str`.
pub fn tier_name_type(type_name: &str) -> EngineError {
    EngineError::type_error(
        "name",
        format!("name must be a str or None, got {type_name}"),
    )
}

// ---------------------------------------------------------------------------
// Array arguments.

/// What an array argument must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Elem {
    /// Packed bitstream words, `uint64` (Python's `as_packed`).
    Packed,
    /// Probabilities, `float64` (Python's `as_probabilities`).
    Probabilities,
    /// 0/1 bits, `uint8` (Python's `as_bits`).
    Bits,
    /// A prepared layer's bit counts `k`, `uint32`.
    Counts,
    /// A prepared layer's ordered input states, `uint16`.
    States,
    /// Quantised input probabilities, `int64`.
    Thresholds,
}

impl Elem {
    /// The NumPy dtype the engine borrows.
    fn dtype(self) -> &'static str {
        match self {
            Elem::Packed => "uint64",
            Elem::Probabilities => "float64",
            Elem::Bits => "uint8",
            Elem::Counts => "uint32",
            Elem::States => "uint16",
            Elem::Thresholds => "int64",
        }
    }
}

/// What the caller found in a `numpy.ndarray` argument.
#[derive(Debug, Clone, Copy)]
pub struct ArrayInfo<'a> {
    /// `str(arr.dtype)`, e.g. `"int64"` or `">u8"`.
    pub dtype: &'a str,
    /// `arr.dtype.kind`, e.g. `'f'`.
    pub kind: char,
    /// `arr.dtype.itemsize` in bytes.
    pub itemsize: usize,
    /// Whether the dtype is exactly the engine's, in native byte order.
    pub exact: bool,
    /// Whether the data is C-contiguous.
    pub c_contiguous: bool,
    /// Whether the data is aligned for its dtype.
    pub aligned: bool,
    /// `arr.shape`.
    pub shape: &'a [usize],
}

/// An array argument as the caller found it.
#[derive(Debug, Clone, Copy)]
pub enum ArrayArg<'a> {
    /// Not a `numpy.ndarray`: the name of its type.
    NotArray {
        /// `type(value).__name__`.
        type_name: &'a str,
    },
    /// A `numpy.ndarray`.
    Array(ArrayInfo<'a>),
}

/// Checks an array argument `name` before the engine borrows it: its type,
/// its dtype and rank (allowed ranks `ranks`, any when empty) as Python
/// checks them, then the engine's own rules (exact dtype, C order, alignment).
pub fn check_array(
    name: &'static str,
    elem: Elem,
    arg: &ArrayArg<'_>,
    ranks: &[usize],
) -> Result<()> {
    let want = elem.dtype();
    let info = match *arg {
        ArrayArg::Array(info) => info,
        ArrayArg::NotArray { type_name } => {
            return Err(EngineError::type_error(
                name,
                format!("{name} must be a numpy.ndarray of dtype {want}, got {type_name}"),
            ));
        }
    };
    let ArrayInfo {
        dtype,
        kind,
        itemsize,
        exact,
        c_contiguous,
        aligned,
        shape,
    } = info;
    let kind_error = match elem {
        Elem::Packed if !(kind == 'u' && itemsize == 8) => {
            Some(format!("{name} must have dtype uint64, got {dtype}"))
        }
        Elem::Probabilities if !"iuf".contains(kind) => Some(format!(
            "{name} must hold real numbers (float64), got dtype {dtype}"
        )),
        Elem::Bits if !"biu".contains(kind) => Some(format!(
            "{name} must hold integers 0/1 (or bool), got dtype {dtype}"
        )),
        Elem::Counts | Elem::States | Elem::Thresholds if !exact => {
            Some(format!("{name} must have dtype {want}, got {dtype}"))
        }
        _ => None,
    };
    if let Some(message) = kind_error {
        return Err(EngineError::type_error(name, message));
    }
    if elem == Elem::Bits {
        check_bits_rank(shape)?;
    } else {
        check_rank(name, shape, ranks)?;
    }
    if !exact {
        return Err(EngineError::type_error(
            name,
            format!("{name} must have dtype {want} in native byte order, got dtype {dtype}"),
        ));
    }
    if !c_contiguous {
        return Err(EngineError::value(
            name,
            format!("{name} must be C-contiguous (pass numpy.ascontiguousarray({name}))"),
        ));
    }
    if !aligned {
        return Err(EngineError::value(
            name,
            format!(
                "{name} must be aligned for dtype {want} (pass numpy.ascontiguousarray({name}))"
            ),
        ));
    }
    Ok(())
}

/// Python's `check_rank`: an array of `shape` must have one of the ranks
/// `ranks` (any when empty).
pub fn check_rank(name: &'static str, shape: &[usize], ranks: &[usize]) -> Result<()> {
    if ranks.is_empty() || ranks.contains(&shape.len()) {
        return Ok(());
    }
    let forms: Vec<String> = ranks.iter().map(|d| format!("{d}-D")).collect();
    Err(EngineError::value(
        name,
        format!(
            "{name} must be {}, got shape {}",
            forms.join(" or "),
            format_shape(shape)
        ),
    ))
}

/// Python's `as_bits` rank rule: `bits` is 1-D or 2-D.
fn check_bits_rank(shape: &[usize]) -> Result<()> {
    if matches!(shape.len(), 1 | 2) {
        return Ok(());
    }
    Err(EngineError::value(
        "bits",
        format!(
            "bits must be 1-D (N,) or 2-D (B, N), got shape {}",
            format_shape(shape)
        ),
    ))
}

/// The Rust API's consistency rule: `len` elements fill `shape`.
fn check_data_len(name: &'static str, len: usize, shape: &[usize]) -> Result<()> {
    let size = shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
    if size == Some(len) {
        return Ok(());
    }
    Err(EngineError::value(
        name,
        format!(
            "{name} has {len} elements, which does not match its shape {}",
            format_shape(shape)
        ),
    ))
}

/// `a * b`, or a refusal of `arg` saying that the size overflows.
pub fn checked_size(a: usize, b: usize, arg: &'static str) -> Result<usize> {
    a.checked_mul(b).ok_or_else(|| {
        EngineError::value(
            arg,
            format!("{arg} describes a result too large to address ({a} x {b} elements)"),
        )
    })
}

// ---------------------------------------------------------------------------
// Array values.

/// The refusal of element `bad` (`value`) of `name`, an array of `shape`:
/// "`name` must `rule`, got `value` at index ...", as Python words it.
fn refuse_at(
    name: &'static str,
    rule: &str,
    value: impl fmt::Display,
    bad: usize,
    shape: &[usize],
) -> EngineError {
    let index = format_index(bad, shape);
    EngineError::value(
        name,
        format!("{name} must {rule}, got {value} at index {index}"),
    )
}

/// Python's `check_finite` then `check_unit_interval` on probabilities of
/// `shape`: the first non-finite value, else the first one outside `[0, 1]`.
fn check_probabilities(name: &'static str, probs: &[f64], shape: &[usize]) -> Result<()> {
    let refuse =
        |bad: usize, rule: &str| Err(refuse_at(name, rule, format_float(probs[bad]), bad, shape));
    if let Some(bad) = probs.iter().position(|p| !p.is_finite()) {
        return refuse(bad, "be finite");
    }
    if let Some(bad) = probs.iter().position(|p| !(0.0..=1.0).contains(p)) {
        return refuse(bad, "be in [0, 1]");
    }
    Ok(())
}

/// Python's `check_binary` on bits of `shape`.
fn check_binary(name: &'static str, bits: &[u8], shape: &[usize]) -> Result<()> {
    match bits.iter().position(|&v| v > 1) {
        None => Ok(()),
        Some(bad) => Err(refuse_at(
            name,
            "contain only 0 and 1",
            bits[bad],
            bad,
            shape,
        )),
    }
}

/// The shape of `rows` rows of `n` values: `(rows, n)` when `two_d`, else `(n,)`.
fn rows_shape(rows: usize, n: usize, two_d: bool) -> Vec<usize> {
    if two_d { vec![rows, n] } else { vec![n] }
}

// ---------------------------------------------------------------------------
// The arguments of each kernel (Rust API).

/// Python's `same_shape`: operand `b` must have the shape of operand `a`.
fn same_shape(a: &str, shape_a: &[usize], b: &'static str, shape_b: &[usize]) -> Result<()> {
    if shape_a == shape_b {
        return Ok(());
    }
    Err(EngineError::value(
        b,
        format!(
            "{a} and {b} must have the same shape, got {} and {}",
            format_shape(shape_a),
            format_shape(shape_b)
        ),
    ))
}

/// The operands `(name, data, shape)` of an element-wise operation: each
/// fills its shape, and every shape equals the first one.
pub fn elementwise_operands(operands: &[(&'static str, &[u64], &[usize])]) -> Result<()> {
    let Some(&(name0, _, shape0)) = operands.first() else {
        return Ok(());
    };
    for &(name, data, shape) in operands {
        check_data_len(name, data.len(), shape)?;
        same_shape(name0, shape0, name, shape)?;
    }
    Ok(())
}

/// `encode_packed`'s arguments: `length`, `seed`, then `probs` as `rows` rows
/// of `n` (`two_d` says whether they came as a 2-D array). Returns the seed.
pub fn encode_args(probs: &[f64], n: usize, two_d: bool, length: usize, seed: u64) -> Result<u32> {
    check_length(length)?;
    let seed = check_seed(seed)?;
    if n == 0 && !probs.is_empty() {
        return Err(EngineError::value(
            "probs",
            "probs has elements but rows of length 0",
        ));
    }
    if n != 0 && !probs.len().is_multiple_of(n) {
        return Err(EngineError::value(
            "probs",
            format!(
                "probs has {} elements, not a multiple of the row length {n}",
                probs.len()
            ),
        ));
    }
    let rows = probs.len().checked_div(n).unwrap_or(0);
    check_probabilities("probs", probs, &rows_shape(rows, n, two_d))?;
    Ok(seed)
}

/// `sc_forward`'s arguments, in the order of Python's `validate_forward`:
/// `length`, `seed`, the weights' rank, the probabilities' rank and values,
/// then `n_words` and `n_in` (`weights_len` words fill `w_shape`). Returns
/// the dimensions and the seed.
pub fn forward_args(
    weights_len: usize,
    w_shape: &[usize],
    probs: &[f64],
    p_shape: &[usize],
    length: usize,
    seed: u64,
) -> Result<(ForwardDims, u32)> {
    check_length(length)?;
    let seed = check_seed(seed)?;
    check_rank("weights_packed", w_shape, &[3])?;
    check_data_len("weights_packed", weights_len, w_shape)?;
    check_rank("input_probs", p_shape, &[1, 2])?;
    check_data_len("input_probs", probs.len(), p_shape)?;
    check_probabilities("input_probs", probs, p_shape)?;
    let &[n_out, n_in, w_words] = w_shape else {
        unreachable!("the rank was checked")
    };
    let nw = n_words(length);
    if w_words != nw {
        return Err(EngineError::value(
            "weights_packed",
            format!(
                "weights_packed must have shape (n_out, n_in, n_words) with n_words = \
                 ceil(length / 64) = {nw}, got shape {}",
                format_shape(w_shape)
            ),
        ));
    }
    let (batch, row_len, batched) = match *p_shape {
        [n] => (1, n, false),
        [b, n] => (b, n, true),
        _ => unreachable!("the rank was checked"),
    };
    if row_len != n_in {
        return Err(EngineError::value(
            "input_probs",
            format!(
                "input_probs must have n_in = {n_in} values per row to match weights_packed {}, \
                 got shape {}",
                format_shape(w_shape),
                format_shape(p_shape)
            ),
        ));
    }
    let dims = ForwardDims {
        n_out,
        n_in,
        n_words: nw,
        batch,
        batched,
    };
    Ok((dims, seed))
}

/// The operands of a prepared layer's counts (`prepared::prepared_counts`):
/// `k` `(n_out, n_in)` with every count in `[0, length]`, `states`
/// `(n_in, length)` with `length >= 1`, `thresholds` `(batch, n_in)` with
/// every threshold in `[0, 65536]`; each fills its shape. `max_of` gives
/// the largest value of a slice of counts (the caller's fastest way; the
/// counts are read only after every shape was checked).
pub fn prepared_args(
    operands: &PreparedOperands<'_>,
    max_of: impl FnOnce(&[u32]) -> u32,
) -> Result<PreparedDims> {
    checked_prepared_args(operands, Some(max_of))
}

/// [`prepared_args`] without the range of `k`'s counts: for a caller that
/// checks each block of `k` itself before it reads it (one pass over `k`
/// instead of two), and has any refusal worded by [`prepared_args`], which
/// checks `k`'s range before the thresholds'.
pub fn prepared_args_but_k_range(operands: &PreparedOperands<'_>) -> Result<PreparedDims> {
    checked_prepared_args(operands, None::<fn(&[u32]) -> u32>)
}

/// [`prepared_args`], with `k`'s range checked only when `max_of` is given.
fn checked_prepared_args(
    operands: &PreparedOperands<'_>,
    max_of: Option<impl FnOnce(&[u32]) -> u32>,
) -> Result<PreparedDims> {
    let &PreparedOperands {
        k,
        k_shape,
        states,
        s_shape,
        thresholds,
        t_shape,
    } = operands;
    for (name, len, shape) in [
        ("k", k.len(), k_shape),
        ("states", states.len(), s_shape),
        ("thresholds", thresholds.len(), t_shape),
    ] {
        check_rank(name, shape, &[2])?;
        check_data_len(name, len, shape)?;
    }
    let (&[n_out, n_in], &[s_rows, length], &[batch, t_cols]) = (k_shape, s_shape, t_shape) else {
        unreachable!("the ranks were checked")
    };
    if s_rows != n_in || length == 0 {
        return Err(EngineError::value(
            "states",
            format!(
                "states must have shape (n_in, length) = ({n_in}, length >= 1) to match k {}, \
                 got shape {}",
                format_shape(k_shape),
                format_shape(s_shape)
            ),
        ));
    }
    if t_cols != n_in {
        return Err(EngineError::value(
            "thresholds",
            format!(
                "thresholds must have n_in = {n_in} values per row to match k {}, got shape {}",
                format_shape(k_shape),
                format_shape(t_shape)
            ),
        ));
    }
    // The maxima first (a fast pass), the position only for the message.
    let too_big = |&v: &u32| v as usize > length;
    if !k.is_empty()
        && let Some(max_of) = max_of
        && too_big(&max_of(k))
        && let Some(bad) = k.iter().position(too_big)
    {
        let rule = format!("be in [0, {length}] (the stream length)");
        return Err(refuse_at("k", &rule, k[bad], bad, k_shape));
    }
    let outside = |v: &i64| !(0..=65536).contains(v);
    let (lo, hi) = thresholds
        .iter()
        .fold((0i64, 0i64), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    if (outside(&lo) || outside(&hi))
        && let Some(bad) = thresholds.iter().position(outside)
    {
        let rule = "be in [0, 65536]";
        return Err(refuse_at("thresholds", rule, thresholds[bad], bad, t_shape));
    }
    Ok(PreparedDims {
        n_out,
        n_in,
        length,
        batch,
    })
}

/// `pack_bitstream`'s argument: `rows` rows of `n` bits (`two_d` says
/// whether they came as a 2-D array), each 0 or 1.
pub fn pack_args(bits: &[u8], rows: usize, n: usize, two_d: bool) -> Result<()> {
    let shape = rows_shape(rows, n, two_d);
    if checked_size(rows, n, "bits")? != bits.len() {
        return Err(EngineError::value(
            "bits",
            format!("bits has {} elements, expected {rows} x {n}", bits.len()),
        ));
    }
    check_binary("bits", bits, &shape)
}

/// `unpack_bitstream`'s arguments: `len` words as `rows` rows of
/// `words_per_row`, and `n_bits` bits to take from each row.
pub fn unpack_args(len: usize, rows: usize, words_per_row: usize, n_bits: usize) -> Result<()> {
    if checked_size(rows, words_per_row, "packed")? != len {
        return Err(EngineError::value(
            "packed",
            format!("packed has {len} elements, expected {rows} x {words_per_row}"),
        ));
    }
    let need = n_bits.div_ceil(64);
    if need > words_per_row {
        return Err(EngineError::value(
            "n_bits",
            format!("n_bits needs {need} words per row, packed has {words_per_row}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_python() {
        for (v, want) in [
            (0.5, "0.5"),
            (-0.0, "-0.0"),
            (2.0, "2.0"),
            (1e16, "1e+16"),
            (1e-5, "1e-05"),
            (3e-5, "3e-05"),
            (-1e-300, "-1e-300"),
            (5e-324, "5e-324"),
            (1.2345678901234568e17, "1.2345678901234568e+17"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (f64::NAN, "nan"),
            (f64::NEG_INFINITY, "-inf"),
        ] {
            assert_eq!(format_float(v), want);
        }
    }

    #[test]
    fn shapes_and_indices_print_like_tuples() {
        assert_eq!(format_shape(&[]), "()");
        assert_eq!(format_shape(&[3]), "(3,)");
        assert_eq!(format_shape(&[2, 3]), "(2, 3)");
        assert_eq!(format_index(5, &[2, 3]), "(1, 2)");
        assert_eq!(format_index(4, &[7]), "(4,)");
    }

    #[test]
    fn ints_follow_check_int() {
        let msg = |r: Result<usize>| r.unwrap_err().to_string();
        assert_eq!(
            msg(length_arg(IntArg::Int(0))),
            "length must be an int >= 1, got 0"
        );
        assert_eq!(
            msg(length_arg(IntArg::NotInt { type_name: "bool" })),
            "length must be an int, got bool"
        );
        assert_eq!(
            msg(seed_arg(IntArg::Int(-1)).map(|s| s as usize)),
            "seed must be an int in [0, 4294967296), got -1"
        );
        assert_eq!(
            msg(seed_arg(IntArg::Int(1 << 32)).map(|s| s as usize)),
            "seed must be an int in [0, 4294967296), got 4294967296"
        );
        let huge = IntArg::Huge {
            negative: false,
            text: "1267650600228229401496703205376",
        };
        assert!(msg(seed_arg(huge).map(|s| s as usize)).contains("in [0, 4294967296)"));
        assert!(msg(length_arg(huge)).contains("the engine's limit"));
        assert_eq!(n_bits_arg(IntArg::Int(0)), Ok(0));
        assert_eq!(thread_count(IntArg::Int(3)), Ok(3));
        assert_eq!(
            msg(thread_count(IntArg::Int(0))),
            "n must be an int >= 1, got 0"
        );
    }

    #[test]
    fn arrays_follow_python_then_engine_rules() {
        let info = |dtype, kind, itemsize, exact, shape| ArrayInfo {
            dtype,
            kind,
            itemsize,
            exact,
            c_contiguous: true,
            aligned: true,
            shape,
        };
        let array = |dtype, kind, itemsize, exact, shape| {
            ArrayArg::Array(info(dtype, kind, itemsize, exact, shape))
        };
        let msg = |r: Result<()>| r.unwrap_err().to_string();
        let list = ArrayArg::NotArray { type_name: "list" };
        assert_eq!(
            msg(check_array("a", Elem::Packed, &list, &[])),
            "a must be a numpy.ndarray of dtype uint64, got list"
        );
        let i64_2d = array("int64", 'i', 8, false, &[2, 2]);
        assert_eq!(
            msg(check_array("a", Elem::Packed, &i64_2d, &[])),
            "a must have dtype uint64, got int64"
        );
        // Python accepts int64 probabilities, but checks the rank first.
        assert_eq!(
            msg(check_array("p", Elem::Probabilities, &i64_2d, &[1])),
            "p must be 1-D, got shape (2, 2)"
        );
        assert!(msg(check_array("p", Elem::Probabilities, &i64_2d, &[2])).contains("native"));
        let c128 = array("complex128", 'c', 16, false, &[2]);
        assert_eq!(
            msg(check_array("p", Elem::Probabilities, &c128, &[1])),
            "p must hold real numbers (float64), got dtype complex128"
        );
        let f32_3d = array("float32", 'f', 4, false, &[1, 1, 1]);
        assert_eq!(
            msg(check_array("bits", Elem::Bits, &f32_3d, &[1, 2])),
            "bits must hold integers 0/1 (or bool), got dtype float32"
        );
        let u8_3d = array("uint8", 'u', 1, true, &[1, 1, 1]);
        assert_eq!(
            msg(check_array("bits", Elem::Bits, &u8_3d, &[1, 2])),
            "bits must be 1-D (N,) or 2-D (B, N), got shape (1, 1, 1)"
        );
        let strided = ArrayArg::Array(ArrayInfo {
            c_contiguous: false,
            ..info("uint64", 'u', 8, true, &[3])
        });
        assert!(msg(check_array("a", Elem::Packed, &strided, &[])).contains("C-contiguous"));
        assert!(check_array("a", Elem::Packed, &array("uint64", 'u', 8, true, &[3]), &[]).is_ok());
    }

    #[test]
    fn values_name_the_first_bad_index() {
        let e = encode_args(&[0.5, 0.1, 0.2, 1.5], 2, true, 10, 1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "probs must be in [0, 1], got 1.5 at index (1, 1)"
        );
        // Non-finite values are reported before out-of-range ones.
        let e = encode_args(&[2.0, f64::NAN], 2, false, 10, 1).unwrap_err();
        assert_eq!(e.to_string(), "probs must be finite, got nan at index (1,)");
        let e = pack_args(&[0, 1, 1, 255], 2, 2, true).unwrap_err();
        assert_eq!(
            e.to_string(),
            "bits must contain only 0 and 1, got 255 at index (1, 1)"
        );
    }
}
