//! The mirror's one error type: an argument that was refused, by name.

use std::fmt;

/// What kind of refusal an error is (mirrors Python's exception classes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Wrong value, rank or shape (Python `ValueError`).
    Value,
    /// Wrong dtype (Python `TypeError`).
    Type,
    /// A result too large to allocate (Python `MemoryError`).
    Memory,
    /// A matrix that must be factored is not positive definite (Python
    /// `numpy.linalg.LinAlgError`, itself a `ValueError`).
    LinAlg,
    /// A numerical failure that is not the caller's input at fault, such as an
    /// EM likelihood decrease beyond rounding (Python `RuntimeError`).
    Runtime,
}

/// A refused argument: `arg` is its name, `message` says what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MirrorError {
    /// The kind of refusal.
    pub kind: ErrorKind,
    /// Name of the offending argument (FORMAT.md's names, e.g. `"probs"`).
    pub arg: String,
    /// Human-readable message; it starts with the argument's name.
    pub message: String,
}

impl MirrorError {
    /// A value / rank / shape error on `arg`.
    pub fn value(arg: &str, message: impl Into<String>) -> Self {
        MirrorError {
            kind: ErrorKind::Value,
            arg: arg.to_string(),
            message: message.into(),
        }
    }

    /// A dtype error on `arg`.
    pub fn type_error(arg: &str, message: impl Into<String>) -> Self {
        MirrorError {
            kind: ErrorKind::Type,
            arg: arg.to_string(),
            message: message.into(),
        }
    }

    /// A matrix named by `arg` that is not positive definite where it must be.
    pub fn linalg(arg: &str, message: impl Into<String>) -> Self {
        MirrorError {
            kind: ErrorKind::LinAlg,
            arg: arg.to_string(),
            message: message.into(),
        }
    }

    /// A numerical failure while computing from `arg` (not an invalid input).
    pub fn runtime(arg: &str, message: impl Into<String>) -> Self {
        MirrorError {
            kind: ErrorKind::Runtime,
            arg: arg.to_string(),
            message: message.into(),
        }
    }

    /// The same error reported against `to` when it names `from` (the
    /// argument that supplied the value under another name), else unchanged.
    pub fn renamed(self, from: &str, to: &str) -> Self {
        if self.arg == from {
            MirrorError {
                arg: to.to_string(),
                ..self
            }
        } else {
            self
        }
    }

    /// A result for `arg` that could not be allocated.
    pub fn memory(arg: &str, message: impl Into<String>) -> Self {
        MirrorError {
            kind: ErrorKind::Memory,
            arg: arg.to_string(),
            message: message.into(),
        }
    }
}

impl fmt::Display for MirrorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MirrorError {}

/// Result alias of every fallible mirror function.
pub type Result<T> = std::result::Result<T, MirrorError>;

/// A vector of `len` default values, or a [`ErrorKind::Memory`] error on
/// `arg` instead of aborting when the allocation cannot be made.
pub(crate) fn zeroed<T: Clone + Default>(len: usize, arg: &str) -> Result<Vec<T>> {
    let mut v = Vec::new();
    if v.try_reserve_exact(len).is_err() {
        return Err(MirrorError::memory(
            arg,
            format!("{arg} asks for a result of {len} elements, which cannot be allocated"),
        ));
    }
    v.resize(len, T::default());
    Ok(v)
}

/// `a * b`, or a value error on `arg` when the size cannot be addressed.
pub(crate) fn mul_size(a: usize, b: usize, arg: &str) -> Result<usize> {
    a.checked_mul(b).ok_or_else(|| {
        MirrorError::value(
            arg,
            format!("{arg} describes a result too large to address ({a} x {b} elements)"),
        )
    })
}
