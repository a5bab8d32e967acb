//! The one error type of the engine.
//!
//! Every fallible kernel entry point validates its arguments completely before
//! it touches any data and reports a problem as an [`EngineError`] whose message
//! names the offending argument and the form that was expected. The Python
//! bindings map [`EngineError::Value`] to `ValueError`, [`EngineError::Type`] to
//! `TypeError` and [`EngineError::Memory`] to `MemoryError`.

use std::alloc::{self, Layout};
use std::fmt;

/// An invalid argument, a wrong argument type, or an allocation that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineError {
    /// The argument has the right type but a wrong value, rank or shape
    /// (maps to Python `ValueError`).
    Value {
        /// Name of the offending argument, e.g. `"weights_packed"`.
        arg: &'static str,
        /// Full human-readable message; it starts with the argument's name.
        message: String,
    },
    /// The argument has the wrong type or dtype (maps to Python `TypeError`).
    Type {
        /// Name of the offending argument.
        arg: &'static str,
        /// Full human-readable message; it starts with the argument's name.
        message: String,
    },
    /// A result buffer could not be allocated (maps to Python `MemoryError`).
    Memory {
        /// What was being allocated.
        what: &'static str,
        /// How many bytes were requested (saturated at `usize::MAX`).
        bytes: usize,
    },
}

impl EngineError {
    /// A value/shape error for `arg`. `message` should start with `arg`.
    pub fn value(arg: &'static str, message: impl Into<String>) -> Self {
        EngineError::Value {
            arg,
            message: message.into(),
        }
    }

    /// A type/dtype error for `arg`. `message` should start with `arg`.
    pub fn type_error(arg: &'static str, message: impl Into<String>) -> Self {
        EngineError::Type {
            arg,
            message: message.into(),
        }
    }

    /// The name of the offending argument (`None` for allocation failures).
    pub fn arg(&self) -> Option<&'static str> {
        match self {
            EngineError::Value { arg, .. } | EngineError::Type { arg, .. } => Some(arg),
            EngineError::Memory { .. } => None,
        }
    }
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::Value { message, .. } | EngineError::Type { message, .. } => {
                f.write_str(message)
            }
            EngineError::Memory { what, bytes } => {
                write!(f, "cannot allocate {bytes} bytes for {what}")
            }
        }
    }
}

impl std::error::Error for EngineError {}

/// Result alias used by every fallible engine function.
pub type Result<T> = std::result::Result<T, EngineError>;

/// Element types whose all-zero bit pattern is a valid value (their zero).
///
/// # Safety
///
/// Implement only for types for which every byte being 0 is a valid,
/// initialised value: [`try_zeroed`] hands out such memory as `T`s.
pub unsafe trait Zeroable: Copy {}

// SAFETY: all-zero bytes are the integer 0 / the float +0.0 of each type
// (only the element types the engine allocates are listed).
unsafe impl Zeroable for u8 {}
// SAFETY: as above.
unsafe impl Zeroable for u32 {}
// SAFETY: as above.
unsafe impl Zeroable for u64 {}
// SAFETY: as above.
unsafe impl Zeroable for f64 {}

/// A zero-filled `Vec` of `len` elements, or [`EngineError::Memory`] instead of
/// aborting the process when the allocation cannot be satisfied.
///
/// The memory comes zeroed from the allocator (`calloc`): a large buffer is
/// fresh pages that the kernel zeroes on first touch, so the cost of clearing
/// it lands in the parallel, interruptible work that first writes it, not in
/// a serial fill before that work starts (a few hundred milliseconds for the
/// half-gigabyte of encoded inputs of a large batch, during which a Ctrl-C
/// could not be noticed).
pub fn try_zeroed<T: Zeroable>(len: usize, what: &'static str) -> Result<Vec<T>> {
    let bytes = len.saturating_mul(std::mem::size_of::<T>());
    let oom = || EngineError::Memory { what, bytes };
    let layout = Layout::array::<T>(len).map_err(|_| oom())?;
    if layout.size() == 0 {
        return Ok(Vec::new());
    }
    // SAFETY: `layout` has a non-zero size (checked above), as `alloc_zeroed`
    // requires.
    let ptr = unsafe { alloc::alloc_zeroed(layout) }.cast::<T>();
    if ptr.is_null() {
        return Err(oom());
    }
    // SAFETY: `ptr` comes from the global allocator with the layout of
    // `[T; len]` (`T`'s alignment, `len * size_of::<T>()` bytes), so it may be
    // owned by a `Vec<T>` of capacity `len`; all `len` elements are
    // initialised, being all-zero bytes, which `Zeroable` guarantees are valid
    // values of `T`.
    Ok(unsafe { Vec::from_raw_parts(ptr, len, len) })
}
