//! The PyO3 module `sc_neurocore._engine`.
//!
//! Every function validates its arguments (type, dtype, rank, shape,
//! C-contiguity, values) before any kernel runs, borrows NumPy arrays without
//! copying, releases the GIL while computing, and runs inside
//! `std::panic::catch_unwind`, so an internal bug surfaces as a `RuntimeError`
//! instead of unwinding across the FFI boundary. Errors name the argument and
//! the expected form: `TypeError` for a wrong type or dtype, `ValueError` for a
//! wrong rank, shape, layout or value, `MemoryError` when a result cannot be
//! allocated.
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
use pyo3::types::PyBool;

use crate::error::EngineError;
use crate::ops::{Op, format_shape};
use crate::{forward, lfsr, ops, pack, simd, threads};

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
/// (called `dtype_name` in messages), without copying. `form` describes the
/// expected shape for messages, e.g. `"shape (n_out, n_in, n_words)"`.
fn borrow_array<'py, T: Element>(
    obj: &Bound<'py, PyAny>,
    arg: &'static str,
    dtype_name: &str,
    form: &str,
) -> PyResult<PyReadonlyArrayDyn<'py, T>> {
    let py = obj.py();
    let Ok(untyped) = obj.cast::<PyUntypedArray>() else {
        return Err(PyTypeError::new_err(format!(
            "{arg} must be a numpy.ndarray of dtype {dtype_name} with {form}, got {}",
            type_name(obj)
        )));
    };
    let dt = untyped.dtype();
    if !dt.is_equiv_to(&dtype::<T>(py)) {
        return Err(PyTypeError::new_err(format!(
            "{arg} must have dtype {dtype_name} (native byte order), got dtype {dt}"
        )));
    }
    let Ok(typed) = obj.cast::<PyArrayDyn<T>>() else {
        return Err(PyTypeError::new_err(format!(
            "{arg} must be a numpy.ndarray of dtype {dtype_name} with {form}, got dtype {dt}"
        )));
    };
    if !typed.is_c_contiguous() {
        return Err(PyValueError::new_err(format!(
            "{arg} must be C-contiguous (pass numpy.ascontiguousarray({arg}))"
        )));
    }
    if !typed.is_aligned() {
        return Err(PyValueError::new_err(format!(
            "{arg} must be aligned for dtype {dtype_name} (pass numpy.ascontiguousarray({arg}))"
        )));
    }
    typed
        .try_readonly()
        .map_err(|e| PyValueError::new_err(format!("{arg} cannot be borrowed for reading: {e}")))
}

/// The data of a borrowed array as a slice (contiguity and alignment were
/// checked by `borrow_array`).
fn slice_of<'a, T: Element>(a: &'a PyReadonlyArrayDyn<'_, T>, arg: &str) -> PyResult<&'a [T]> {
    a.as_slice()
        .map_err(|_| PyValueError::new_err(format!("{arg} must be a C-contiguous, aligned array")))
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

/// An integer argument (anything with `__index__`, but not `bool`); an int
/// too large for `i128` is reported as a range error in `range`.
fn int_arg(obj: &Bound<'_, PyAny>, arg: &str, range: &str) -> PyResult<i128> {
    if obj.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(format!(
            "{arg} must be an int {range}, got bool"
        )));
    }
    obj.extract::<i128>().map_err(|e| {
        if e.is_instance_of::<PyOverflowError>(obj.py()) {
            PyValueError::new_err(format!("{arg} must be an int {range}, got {obj}"))
        } else {
            PyTypeError::new_err(format!(
                "{arg} must be an int {range}, got {}",
                type_name(obj)
            ))
        }
    })
}

fn length_arg(obj: &Bound<'_, PyAny>) -> PyResult<usize> {
    let v = int_arg(obj, "length", ">= 1")?;
    if v < 1 {
        return Err(PyValueError::new_err(format!(
            "length must be a positive int (>= 1), got {v}"
        )));
    }
    usize::try_from(v).map_err(|_| {
        PyValueError::new_err(format!(
            "length must be a positive int that fits in usize, got {v}"
        ))
    })
}

fn seed_arg(obj: &Bound<'_, PyAny>) -> PyResult<u64> {
    let v = int_arg(obj, "seed", "in [0, 2**32)")?;
    if !(0..(1i128 << 32)).contains(&v) {
        return Err(PyValueError::new_err(format!(
            "seed must be an int in [0, 2**32), got {v}"
        )));
    }
    Ok(v as u64)
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
            Some(obj) => Some(obj.extract::<String>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "name must be a str or None, got {}",
                    type_name(obj)
                ))
            })?),
        };
        simd::force_tier(name.as_deref())?;
        Ok(())
    })
}

/// Sets the number of threads the engine's private pool uses (n >= 1).
#[pyfunction]
fn set_num_threads(n: &Bound<'_, PyAny>) -> PyResult<()> {
    guard("set_num_threads", || {
        let v = int_arg(n, "n", ">= 1")?;
        threads::set_num_threads(v)?;
        Ok(())
    })
}

/// The number of threads the engine uses (default: number of CPUs).
#[pyfunction]
fn get_num_threads() -> usize {
    threads::get_num_threads()
}

/// Encodes probabilities into packed LFSR bitstreams (docs/design.md#encoder).
///
/// probs: float64 (n,) or (B, n); returns uint64 (n, n_words) or
/// (B, n, n_words) with n_words = ceil(length / 64).
#[pyfunction]
fn encode_packed<'py>(
    py: Python<'py>,
    probs: &Bound<'py, PyAny>,
    length: &Bound<'py, PyAny>,
    seed: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyArrayDyn<u64>>> {
    guard("encode_packed", || {
        let arr = borrow_array::<f64>(probs, "probs", "float64", "shape (n,) or (batch, n)")?;
        let length = length_arg(length)?;
        let seed = seed_arg(seed)?;
        let shape = arr.shape().to_vec();
        let (n, two_d) = match shape[..] {
            [n] => (n, false),
            [_, n] => (n, true),
            _ => {
                return Err(PyValueError::new_err(format!(
                    "probs must have shape (n,) or (batch, n), got a {}-D array of shape {}",
                    shape.len(),
                    format_shape(&shape)
                )));
            }
        };
        let data = slice_of(&arr, "probs")?;
        let words = compute(py, || lfsr::encode_packed(data, n, two_d, length, seed))??;
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
        let arr = borrow_array::<u8>(bits, "bits", "uint8", "shape (N,) or (batch, N)")?;
        let shape = arr.shape().to_vec();
        let (rows, n, out_shape) = match shape[..] {
            [n] => (1, n, vec![n.div_ceil(64)]),
            [b, n] => (b, n, vec![b, n.div_ceil(64)]),
            _ => {
                return Err(PyValueError::new_err(format!(
                    "bits must have shape (N,) or (batch, N), got a {}-D array of shape {}",
                    shape.len(),
                    format_shape(&shape)
                )));
            }
        };
        let data = slice_of(&arr, "bits")?;
        let words = compute(py, || pack::pack_bits(data, rows, n, shape.len() == 2))??;
        to_numpy(py, words, out_shape)
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
        let arr = borrow_array::<u64>(packed, "packed", "uint64", "shape (W,) or (batch, W)")?;
        let nb = int_arg(n_bits, "n_bits", ">= 0")?;
        let nb = usize::try_from(nb)
            .map_err(|_| PyValueError::new_err(format!("n_bits must be an int >= 0, got {nb}")))?;
        let shape = arr.shape().to_vec();
        let (rows, words, out_shape) = match shape[..] {
            [w] => (1, w, vec![nb]),
            [b, w] => (b, w, vec![b, nb]),
            _ => {
                return Err(PyValueError::new_err(format!(
                    "packed must have shape (W,) or (batch, W), got a {}-D array of shape {}",
                    shape.len(),
                    format_shape(&shape)
                )));
            }
        };
        let data = slice_of(&arr, "packed")?;
        let bits = compute(py, || pack::unpack_bits(data, rows, words, nb))??;
        to_numpy(py, bits, out_shape)
    })
}

/// Total number of set bits of a uint64 array of any shape (a Python int).
#[pyfunction]
fn popcount(py: Python<'_>, packed: &Bound<'_, PyAny>) -> PyResult<u64> {
    guard("popcount", || {
        let arr = borrow_array::<u64>(packed, "packed", "uint64", "any shape")?;
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
        let arr = borrow_array::<u64>(packed, "packed", "uint64", "any shape")?;
        let shape = arr.shape().to_vec();
        let data = slice_of(&arr, "packed")?;
        let counts = compute(py, || ops::popcount_per_word(data))??;
        to_numpy(py, counts, shape)
    })
}

fn elementwise<'py>(
    py: Python<'py>,
    func: &str,
    op: Op,
    args: &[(&'static str, &Bound<'py, PyAny>)],
) -> PyResult<Bound<'py, PyArrayDyn<u64>>> {
    guard(func, || {
        let mut arrays = Vec::with_capacity(args.len());
        for &(name, obj) in args {
            arrays.push((name, borrow_array::<u64>(obj, name, "uint64", "any shape")?));
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

/// a & b (SC unipolar multiply); a and b are uint64 arrays of one shape.
#[pyfunction]
fn vec_and<'py>(
    py: Python<'py>,
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyArrayDyn<u64>>> {
    elementwise(py, "vec_and", Op::And, &[("a", a), ("b", b)])
}

/// ~(a ^ b) (SC bipolar multiply); a and b are uint64 arrays of one shape.
#[pyfunction]
fn vec_xnor<'py>(
    py: Python<'py>,
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyArrayDyn<u64>>> {
    elementwise(py, "vec_xnor", Op::Xnor, &[("a", a), ("b", b)])
}

/// ~a (complement) of a uint64 array.
#[pyfunction]
fn vec_not<'py>(py: Python<'py>, a: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArrayDyn<u64>>> {
    elementwise(py, "vec_not", Op::Not, &[("a", a)])
}

/// (sel & a) | (~sel & b) (SC scaled addition); uint64 arrays of one shape.
#[pyfunction]
fn vec_mux<'py>(
    py: Python<'py>,
    sel: &Bound<'py, PyAny>,
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyArrayDyn<u64>>> {
    elementwise(py, "vec_mux", Op::Mux, &[("sel", sel), ("a", a), ("b", b)])
}

/// Stochastic-computing inference (docs/design.md#forward-pass).
///
/// weights_packed: uint64 (n_out, n_in, n_words), n_words = ceil(length/64);
/// input_probs: float64 (n_in,) or (batch, n_in), finite, in [0, 1];
/// returns float64 (n_out,) or (batch, n_out):
/// out[o] = sum_i,w popcount(W[o,i,w] & X[i,w]) / length.
#[pyfunction]
fn sc_forward<'py>(
    py: Python<'py>,
    weights_packed: &Bound<'py, PyAny>,
    input_probs: &Bound<'py, PyAny>,
    length: &Bound<'py, PyAny>,
    seed: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
    guard("sc_forward", || {
        let w = borrow_array::<u64>(
            weights_packed,
            "weights_packed",
            "uint64",
            "shape (n_out, n_in, n_words)",
        )?;
        let p = borrow_array::<f64>(
            input_probs,
            "input_probs",
            "float64",
            "shape (n_in,) or (batch, n_in)",
        )?;
        let length = length_arg(length)?;
        let seed = seed_arg(seed)?;
        let w_shape = w.shape().to_vec();
        let p_shape = p.shape().to_vec();
        let wd = slice_of(&w, "weights_packed")?;
        let pd = slice_of(&p, "input_probs")?;
        let (out, dims) = compute(py, || {
            forward::sc_forward(wd, &w_shape, pd, &p_shape, length, seed)
        })??;
        to_numpy(py, out, dims.out_shape())
    })
}

/// The Rust engine of sc_neurocore.accel (LFSR encoder, packed bit ops,
/// SIMD popcount, multi-threaded sc_forward).
#[pymodule(name = "_engine")]
mod engine_module {
    #[pymodule_export]
    use super::{
        available_simd_tiers, encode_packed, force_simd_tier, get_num_threads, pack_bitstream,
        popcount, popcount_per_word, sc_forward, set_num_threads, simd_tier, unpack_bitstream,
        vec_and, vec_mux, vec_not, vec_xnor,
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
