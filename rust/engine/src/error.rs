//! The one error type of the engine.
//!
//! Every fallible kernel entry point validates its arguments completely before
//! it touches any data and reports a problem as an [`EngineError`] whose message
//! names the offending argument and the form that was expected. The Python
//! bindings map [`EngineError::Value`] to `ValueError`, [`EngineError::Type`] to
//! `TypeError` and [`EngineError::Memory`] to `MemoryError`.

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

/// A zero-filled `Vec` of `len` elements, or [`EngineError::Memory`] instead of
/// aborting the process when the allocation cannot be satisfied.
pub fn try_zeroed<T: Copy + Default>(len: usize, what: &'static str) -> Result<Vec<T>> {
    let bytes = len.saturating_mul(std::mem::size_of::<T>());
    let mut v: Vec<T> = Vec::new();
    v.try_reserve_exact(len)
        .map_err(|_| EngineError::Memory { what, bytes })?;
    v.resize(len, T::default());
    Ok(v)
}
