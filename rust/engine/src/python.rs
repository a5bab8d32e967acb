//! The PyO3 module `sc_neurocore._engine`.
//!
//! Every function validates its arguments (type, dtype, rank, shape,
//! C-contiguity, values) before any kernel runs, borrows NumPy arrays without
//! copying, releases the GIL while computing, and runs inside
//! `std::panic::catch_unwind`, so an internal bug surfaces as a `RuntimeError`
//! instead of unwinding across the FFI boundary. The checks and their
//! messages are those of `validate` (the messages of Python's own checks);
//! this module only reads what it finds in the Python objects. Errors name
//! the argument and the expected form: `TypeError` for a wrong type or dtype,
//! `ValueError` for a wrong rank, shape, layout or value, `MemoryError` when a
//! result cannot be allocated.
//!
//! Interrupts: a kernel called from Python's main thread checks, between its
//! tasks and at most every `threads::CHECK_INTERVAL`, whether a signal
//! handler raises (Ctrl-C's `KeyboardInterrupt`); if one does, the kernel
//! stops (no helper thread is left busy) and the call raises that exception.
//! Other threads do not check: Python runs signal handlers on the main
//! thread only, and a check would make them wait for the GIL.

use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};

use numpy::ndarray::{Array, IxDyn};
use numpy::{
    Element, IntoPyArray, PyArrayDescrMethods, PyArrayDyn, PyArrayMethods, PyReadonlyArrayDyn,
    PyUntypedArray, PyUntypedArrayMethods, dtype,
};
use pyo3::exceptions::{PyMemoryError, PyOverflowError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyString};

use crate::error::{EngineError, Result as EngineResult};
use crate::generators::{Generator, Role};
use crate::ops::Op;
use crate::validate::{self, ArrayArg, ArrayInfo, Elem, IntArg, StrArg};
use crate::{forward, lfsr, ops, pack, prepared, simd, threads};

impl From<EngineError> for PyErr {
    fn from(e: EngineError) -> PyErr {
        match e {
            EngineError::Value { message, .. } => PyValueError::new_err(message),
            EngineError::Type { message, .. } => PyTypeError::new_err(message),
            e @ EngineError::Memory { .. } => PyMemoryError::new_err(e.to_string()),
        }
    }
}

thread_local! {
    /// The exception a signal handler raised during this thread's kernel call.
    static PENDING_SIGNAL_ERROR: RefCell<Option<PyErr>> = const { RefCell::new(None) };
    /// `(pid, whether this thread is Python's main thread)`, 0 before the
    /// first call (a forked child's main thread is the one that forked).
    static MAIN_THREAD: Cell<(u32, bool)> = const { Cell::new((0, false)) };
}

/// The interrupt check of a kernel call (run without the GIL, between tasks):
/// runs Python's pending signal handlers; `true` (stop) when one raised.
fn signal_handler_raised() -> bool {
    match Python::attach(|py| py.check_signals()) {
        Ok(()) => false,
        Err(err) => {
            PENDING_SIGNAL_ERROR.with(|slot| *slot.borrow_mut() = Some(err));
            true
        }
    }
}

/// Whether the calling thread is Python's main thread, the only one that
/// runs signal handlers (asked once per thread and process).
fn on_main_thread(py: Python<'_>) -> bool {
    let pid = std::process::id();
    let (known_pid, main) = MAIN_THREAD.with(Cell::get);
    if known_pid == pid {
        return main;
    }
    let asked = || -> PyResult<bool> {
        let threading = py.import("threading")?;
        let main = threading.call_method0("main_thread")?.getattr("ident")?;
        let me = threading.call_method0("get_ident")?;
        main.eq(me)
    };
    let main = asked().unwrap_or(false);
    MAIN_THREAD.with(|c| c.set((pid, main)));
    main
}

/// Runs the kernel `f` with the GIL released. On the main thread `f` stops
/// when a signal handler raises (see the module documentation), and the call
/// raises the handler's exception.
fn compute<T: Send>(py: Python<'_>, f: impl FnOnce() -> T + Send) -> PyResult<T> {
    if !on_main_thread(py) {
        return Ok(py.detach(f));
    }
    match py.detach(|| threads::interruptible(signal_handler_raised, f)) {
        Ok(value) => Ok(value),
        Err(threads::Interrupted) => Err(PENDING_SIGNAL_ERROR
            .with(|slot| slot.borrow_mut().take())
            .unwrap_or_else(|| {
                PyRuntimeError::new_err("internal error: a kernel stopped without a reason")
            })),
    }
}

/// Runs `f`, turning a panic into `RuntimeError` (a panic must never cross
/// into Python or abort the interpreter).
fn guard<T>(func: &str, f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(PyRuntimeError::new_err(format!(
                "internal error in sc_neurocore._engine.{func}: {msg}"
            )))
        }
    }
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "<unknown>".to_string())
}

/// Borrows `obj` as a C-contiguous, aligned NumPy array of element type `T`
/// (what `elem` names), without copying, after the checks of
/// [`validate::check_array`] (ranks `ranks`, any when empty).
fn borrow_array<'py, T: Element>(
    obj: &Bound<'py, PyAny>,
    name: &'static str,
    elem: Elem,
    ranks: &[usize],
) -> PyResult<PyReadonlyArrayDyn<'py, T>> {
    let py = obj.py();
    match obj.cast::<PyUntypedArray>() {
        Err(_) => {
            let type_name = type_name(obj);
            validate::check_array(
                name,
                elem,
                &ArrayArg::NotArray {
                    type_name: &type_name,
                },
                ranks,
            )?;
        }
        Ok(untyped) => {
            let dt = untyped.dtype();
            let mut info = ArrayInfo {
                dtype: "",
                kind: char::from(dt.kind()),
                itemsize: dt.itemsize(),
                exact: dt.is_equiv_to(&dtype::<T>(py)),
                c_contiguous: untyped.is_c_contiguous(),
                aligned: untyped.is_aligned(),
                shape: untyped.shape(),
            };
            // The dtype's text (NumPy makes it in Python: microseconds) is
            // made only for a refusal's message.
            if validate::check_array(name, elem, &ArrayArg::Array(info), ranks).is_err() {
                let dtype_text = dt.to_string();
                info.dtype = &dtype_text;
                validate::check_array(name, elem, &ArrayArg::Array(info), ranks)?;
            }
        }
    }
    let typed = obj.cast::<PyArrayDyn<T>>().map_err(|e| {
        PyRuntimeError::new_err(format!("internal error: {name} passed its checks: {e}"))
    })?;
    typed
        .try_readonly()
        .map_err(|e| PyValueError::new_err(format!("{name} cannot be borrowed for reading: {e}")))
}

/// The data of a borrowed array as a slice (contiguity and alignment were
/// checked by `borrow_array`).
fn slice_of<'a, T: Element>(a: &'a PyReadonlyArrayDyn<'_, T>, name: &str) -> PyResult<&'a [T]> {
    a.as_slice().map_err(|_| {
        PyRuntimeError::new_err(format!(
            "internal error: {name} passed its checks: {name} is not contiguous"
        ))
    })
}

/// A new NumPy array of `shape` owning `data` (no copy).
fn to_numpy<T: Element>(
    py: Python<'_>,
    data: Vec<T>,
    shape: Vec<usize>,
) -> PyResult<Bound<'_, PyArrayDyn<T>>> {
    let arr = Array::from_shape_vec(IxDyn(&shape), data)
        .map_err(|e| PyRuntimeError::new_err(format!("internal error: result shape: {e}")))?;
    Ok(arr.into_pyarray(py))
}

/// Reads an integer argument (anything with `__index__`, but not `bool`) and
/// hands it to `check`, which names it and applies its rules.
fn int_arg<T>(
    obj: &Bound<'_, PyAny>,
    check: impl FnOnce(IntArg<'_>) -> EngineResult<T>,
) -> PyResult<T> {
    let type_name = type_name(obj);
    let text;
    let arg = if obj.is_instance_of::<PyBool>() {
        IntArg::NotInt {
            type_name: &type_name,
        }
    } else {
        match obj.extract::<i128>() {
            Ok(v) => IntArg::Int(v),
            Err(e) if e.is_instance_of::<PyOverflowError>(obj.py()) => {
                text = obj.str()?.to_string();
                IntArg::Huge {
                    negative: obj.lt(0)?,
                    text: &text,
                }
            }
            Err(_) => IntArg::NotInt {
                type_name: &type_name,
            },
        }
    };
    Ok(check(arg)?)
}

/// The SIMD tier automatic dispatch uses now (or the forced one):
/// "avx512-vpopcntdq", "avx2" or "portable".
#[pyfunction]
fn simd_tier() -> &'static str {
    simd::active_tier().name()
}

/// The SIMD tiers this CPU supports, best first (always includes "portable").
#[pyfunction]
fn available_simd_tiers() -> Vec<&'static str> {
    simd::available_tiers()
}

/// Forces every kernel onto the named SIMD tier; None restores automatic
/// dispatch. A tier this CPU lacks is a ValueError.
#[pyfunction]
#[pyo3(signature = (name))]
fn force_simd_tier(name: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    guard("force_simd_tier", || {
        let name: Option<String> = match name {
            None => None,
            Some(obj) if obj.is_none() => None,
            Some(obj) => Some(
                obj.extract::<String>()
                    .map_err(|_| validate::tier_name_type(&type_name(obj)))?,
            ),
        };
        simd::force_tier(name.as_deref())?;
        Ok(())
    })
}

/// Sets the number of threads the engine's private pool uses (n >= 1).
#[pyfunction]
fn set_num_threads(n: &Bound<'_, PyAny>) -> PyResult<()> {
    guard("set_num_threads", || {
        let n = int_arg(n, validate::thread_count)?;
        threads::set_num_threads(n as i128)?;
        Ok(())
    })
}

/// The number of threads the engine uses (default: number of CPUs).
#[pyfunction]
fn get_num_threads() -> usize {
    threads::get_num_threads()
}

/// The counters of the engine pool's parallel regions since the process
/// started (see `pool_stats`): a dict of `regions`, `regions_helped`,
/// `tasks` and `helper_tasks`.
#[pyfunction]
fn pool_counters(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let c = crate::pool_stats::pool_counters();
    let out = PyDict::new(py);
    out.set_item("regions", c.regions)?;
    out.set_item("regions_helped", c.regions_helped)?;
    out.set_item("tasks", c.tasks)?;
    out.set_item("helper_tasks", c.helper_tasks)?;
    Ok(out)
}

/// The row count, row length and 2-D-ness of a 1-D `(n,)` or 2-D `(b, n)`
/// shape (the rank was checked).
fn rows_of(shape: &[usize]) -> (usize, usize, bool) {
    match *shape {
        [b, n] => (b, n, true),
        [n] => (1, n, false),
        _ => unreachable!("the rank was checked"),
    }
}

/// The stream `length`, the encoder `seed` and the stream `generator` (the
/// reference LFSR when `None`), checked in that order as Python checks them.
fn stream_args(
    length: &Bound<'_, PyAny>,
    seed: &Bound<'_, PyAny>,
    generator: Option<&Bound<'_, PyAny>>,
) -> PyResult<(usize, u64, Generator)> {
    let length = int_arg(length, validate::length_arg)?;
    let seed = int_arg(seed, validate::seed_arg)?;
    let generator =
        generator.map_or(Ok(Generator::Lfsr), |g| str_arg(g, validate::generator_arg))?;
    Ok((length, u64::from(seed), generator))
}

/// `shape` (1-D or 2-D) with its rows resized to `len`.
fn rows_resized(shape: &[usize], len: usize) -> Vec<usize> {
    let mut out = shape.to_vec();
    *out.last_mut().expect("the rank was checked") = len;
    out
}

/// Reads a str argument and hands it to `check`, which names it and applies
/// its rules.
fn str_arg<T>(
    obj: &Bound<'_, PyAny>,
    check: impl FnOnce(StrArg<'_>) -> EngineResult<T>,
) -> PyResult<T> {
    match obj.cast::<PyString>() {
        Ok(text) => {
            let text = text.to_str()?;
            let repr = obj.repr()?.to_string();
            Ok(check(StrArg::Str { text, repr: &repr })?)
        }
        Err(_) => {
            let type_name = type_name(obj);
            Ok(check(StrArg::NotStr {
                type_name: &type_name,
            })?)
        }
    }
}

/// Encodes probabilities into packed bitstreams (docs/design.md#encoder)
/// with the `role` side (`"input"` or `"weight"`) of the stream generator
/// `generator` (`"lfsr"`, `"sobol"` or `"lfsr_pair"`;
/// docs/design.md#stream-generators).
///
/// probs: float64 (n,) or (B, n); returns uint64 (n, n_words) or
/// (B, n, n_words) with n_words = ceil(length / 64).
#[pyfunction]
#[pyo3(signature = (probs, length, seed, generator = None, role = None))]
fn encode_packed<'py>(
    py: Python<'py>,
    probs: &Bound<'py, PyAny>,
    length: &Bound<'py, PyAny>,
    seed: &Bound<'py, PyAny>,
    generator: Option<&Bound<'py, PyAny>>,
    role: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyArrayDyn<u64>>> {
    guard("encode_packed", || {
        let (length, seed, generator) = stream_args(length, seed, generator)?;
        let role = role.map_or(Ok(Role::Input), |r| str_arg(r, validate::role_arg))?;
        let arr = borrow_array::<f64>(probs, "probs", Elem::Probabilities, &[1, 2])?;
        let shape = arr.shape().to_vec();
        let (_, n, two_d) = rows_of(&shape);
        let data = slice_of(&arr, "probs")?;
        let words = compute(py, || {
            let tier = simd::active_tier();
            lfsr::encode_stream_with(tier, data, n, two_d, length, seed, generator, role)
        })??;
        let mut out_shape = shape;
        out_shape.push(lfsr::n_words(length));
        to_numpy(py, words, out_shape)
    })
}

/// Packs 0/1 uint8 bits, (N,) or (B, N), into uint64 (ceil(N/64),) or
/// (B, ceil(N/64)); bit t goes to word t // 64, bit t % 64.
#[pyfunction]
fn pack_bitstream<'py>(
    py: Python<'py>,
    bits: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyArrayDyn<u64>>> {
    guard("pack_bitstream", || {
        let arr = borrow_array::<u8>(bits, "bits", Elem::Bits, &[1, 2])?;
        let shape = arr.shape().to_vec();
        let (rows, n, two_d) = rows_of(&shape);
        let data = slice_of(&arr, "bits")?;
        let words = compute(py, || pack::pack_bits(data, rows, n, two_d))??;
        to_numpy(py, words, rows_resized(&shape, n.div_ceil(64)))
    })
}

/// Unpacks uint64 words, (W,) or (B, W), into uint8 bits (n_bits,) or
/// (B, n_bits); n_bits counts bits per row and needs ceil(n_bits/64) <= W.
#[pyfunction]
fn unpack_bitstream<'py>(
    py: Python<'py>,
    packed: &Bound<'py, PyAny>,
    n_bits: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyArrayDyn<u8>>> {
    guard("unpack_bitstream", || {
        let arr = borrow_array::<u64>(packed, "packed", Elem::Packed, &[1, 2])?;
        let n_bits = int_arg(n_bits, validate::n_bits_arg)?;
        let shape = arr.shape().to_vec();
        let (rows, words, _) = rows_of(&shape);
        let data = slice_of(&arr, "packed")?;
        let bits = compute(py, || pack::unpack_bits(data, rows, words, n_bits))??;
        to_numpy(py, bits, rows_resized(&shape, n_bits))
    })
}

/// Total number of set bits of a uint64 array of any shape (a Python int).
#[pyfunction]
fn popcount(py: Python<'_>, packed: &Bound<'_, PyAny>) -> PyResult<u64> {
    guard("popcount", || {
        let arr = borrow_array::<u64>(packed, "packed", Elem::Packed, &[])?;
        let data = slice_of(&arr, "packed")?;
        compute(py, || ops::popcount(data))
    })
}

/// Per-word popcounts of a uint64 array, as a uint64 array of the same shape.
#[pyfunction]
fn popcount_per_word<'py>(
    py: Python<'py>,
    packed: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyArrayDyn<u64>>> {
    guard("popcount_per_word", || {
        let arr = borrow_array::<u64>(packed, "packed", Elem::Packed, &[])?;
        let shape = arr.shape().to_vec();
        let data = slice_of(&arr, "packed")?;
        let counts = compute(py, || ops::popcount_per_word(data))??;
        to_numpy(py, counts, shape)
    })
}

/// Runs the element-wise operation `op` on the uint64 operands `args`
/// (`(name, object)`), which must have one shape; `func` names the binding.
fn elementwise<'py>(
    py: Python<'py>,
    func: &str,
    op: Op,
    args: &[(&'static str, &Bound<'py, PyAny>)],
) -> PyResult<Bound<'py, PyArrayDyn<u64>>> {
    guard(func, || {
        let mut arrays = Vec::with_capacity(args.len());
        for &(name, obj) in args {
            arrays.push((name, borrow_array::<u64>(obj, name, Elem::Packed, &[])?));
        }
        let shapes: Vec<Vec<usize>> = arrays.iter().map(|(_, a)| a.shape().to_vec()).collect();
        let mut operands = Vec::with_capacity(arrays.len());
        for ((name, a), shape) in arrays.iter().zip(&shapes) {
            operands.push((*name, slice_of(a, name)?, shape.as_slice()));
        }
        let out = compute(py, || ops::apply(op, &operands))??;
        to_numpy(py, out, shapes[0].clone())
    })
}

/// Defines the binding `$func` of an element-wise operation on the uint64
/// arrays `$arg...` (one shape).
macro_rules! elementwise_binding {
    ($(#[$doc:meta])* $func:ident, $op:expr, $($arg:ident),+) => {
        $(#[$doc])*
        #[pyfunction]
        fn $func<'py>(
            py: Python<'py>,
            $($arg: &Bound<'py, PyAny>),+
        ) -> PyResult<Bound<'py, PyArrayDyn<u64>>> {
            elementwise(py, stringify!($func), $op, &[$((stringify!($arg), $arg)),+])
        }
    };
}

elementwise_binding!(
    /// a & b (SC unipolar multiply); a and b are uint64 arrays of one shape.
    vec_and, Op::And, a, b
);
elementwise_binding!(
    /// ~(a ^ b) (SC bipolar multiply); a and b are uint64 arrays of one shape.
    vec_xnor, Op::Xnor, a, b
);
elementwise_binding!(
    /// ~a (complement) of a uint64 array.
    vec_not, Op::Not, a
);
elementwise_binding!(
    /// (sel & a) | (~sel & b) (SC scaled addition); uint64 arrays of one shape.
    vec_mux, Op::Mux, sel, a, b
);

/// Stochastic-computing inference (docs/design.md#forward-pass).
///
/// weights_packed: uint64 (n_out, n_in, n_words), n_words = ceil(length/64);
/// input_probs: float64 (n_in,) or (batch, n_in), finite, in [0, 1];
/// returns float64 (n_out,) or (batch, n_out):
/// out[o] = sum_i,w popcount(W[o,i,w] & X[i,w]) / length, X encoded by
/// the input side of `generator` (default `"lfsr"`).
#[pyfunction]
#[pyo3(signature = (weights_packed, input_probs, length, seed, generator = None))]
fn sc_forward<'py>(
    py: Python<'py>,
    weights_packed: &Bound<'py, PyAny>,
    input_probs: &Bound<'py, PyAny>,
    length: &Bound<'py, PyAny>,
    seed: &Bound<'py, PyAny>,
    generator: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
    guard("sc_forward", || {
        // In the order of Python's validate_forward.
        let (length, seed, generator) = stream_args(length, seed, generator)?;
        let w = borrow_array::<u64>(weights_packed, "weights_packed", Elem::Packed, &[3])?;
        let p = borrow_array::<f64>(input_probs, "input_probs", Elem::Probabilities, &[1, 2])?;
        let w_shape = w.shape().to_vec();
        let p_shape = p.shape().to_vec();
        let wd = slice_of(&w, "weights_packed")?;
        let pd = slice_of(&p, "input_probs")?;
        let (out, dims) = compute(py, || {
            let tier = simd::active_tier();
            forward::sc_forward_stream_with(
                tier, wd, &w_shape, pd, &p_shape, length, seed, generator,
            )
        })??;
        to_numpy(py, out, dims.out_shape())
    })
}

/// The counts of a prepared layer's forward pass (docs/design.md#prepared-layers).
///
/// k: uint32 (n_out, n_in), each <= length; states: uint16 (n_in, length),
/// each input's states in the layer's order; thresholds: int64 (batch, n_in),
/// each in [0, 65536]; returns uint64 (batch, n_out):
/// counts[b, o] = sum_i #{j < k[o, i] : states[i, j] < thresholds[b, i]}.
#[pyfunction]
fn prepared_counts<'py>(
    py: Python<'py>,
    k: &Bound<'py, PyAny>,
    states: &Bound<'py, PyAny>,
    thresholds: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyArrayDyn<u64>>> {
    guard("prepared_counts", || {
        let k = borrow_array::<u32>(k, "k", Elem::Counts, &[2])?;
        let s = borrow_array::<u16>(states, "states", Elem::States, &[2])?;
        let x = borrow_array::<i64>(thresholds, "thresholds", Elem::Thresholds, &[2])?;
        let (k_shape, s_shape, x_shape) =
            (k.shape().to_vec(), s.shape().to_vec(), x.shape().to_vec());
        let (kd, sd, xd) = (
            slice_of(&k, "k")?,
            slice_of(&s, "states")?,
            slice_of(&x, "thresholds")?,
        );
        let (counts, dims) = compute(py, || {
            prepared::prepared_counts(prepared::PreparedOperands {
                k: kd,
                k_shape: &k_shape,
                states: sd,
                s_shape: &s_shape,
                thresholds: xd,
                t_shape: &x_shape,
            })
        })??;
        to_numpy(py, counts, vec![dims.batch, dims.n_out])
    })
}

/// The Rust engine of sc_neurocore.accel (LFSR encoder, packed bit ops,
/// SIMD popcount, multi-threaded sc_forward).
#[pymodule(name = "_engine")]
mod engine_module {
    #[pymodule_export]
    use super::{
        available_simd_tiers, encode_packed, force_simd_tier, get_num_threads, pack_bitstream,
        pool_counters, popcount, popcount_per_word, prepared_counts, sc_forward, set_num_threads,
        simd_tier, unpack_bitstream, vec_and, vec_mux, vec_not, vec_xnor,
    };

    // The LGSSM mirror's bindings (src/lgssm.rs).
    #[pymodule_export]
    use crate::lgssm::{lgssm_em_fit, lgssm_filter, lgssm_smooth};

    use pyo3::prelude::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("__version__", env!("CARGO_PKG_VERSION"))
    }
}
