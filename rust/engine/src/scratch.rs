//! Reusable buffers: allocating (and page-faulting) megabytes on every
//! call costs more than the work that fills them.

use std::sync::{Mutex, MutexGuard, TryLockError};

use crate::error::{Result, Zeroable, try_zeroed};

/// Buffers up to this many bytes (64 MiB) are kept for the next call.
const KEEP_BYTES: usize = 1 << 26;

/// One kept buffer. Only ever `try_lock`ed: a call never waits for it (a
/// call running concurrently, or a thread of the parent that held it when
/// this process was forked, just means a fresh buffer).
pub(crate) struct Scratch<T> {
    slot: Mutex<Vec<T>>,
    /// What the buffer holds, for the out-of-memory message.
    what: &'static str,
}

impl<T: Zeroable> Scratch<T> {
    /// An empty slot for buffers that hold `what`.
    pub(crate) const fn new(what: &'static str) -> Scratch<T> {
        Scratch {
            slot: Mutex::new(Vec::new()),
            what,
        }
    }

    /// The kept buffer, or `None` when another thread (or a thread of the
    /// parent at `fork()`) holds it.
    fn lock(&self) -> Option<MutexGuard<'_, Vec<T>>> {
        match self.slot.try_lock() {
            Ok(guard) => Some(guard),
            Err(TryLockError::Poisoned(p)) => Some(p.into_inner()),
            Err(TryLockError::WouldBlock) => None,
        }
    }

    /// A buffer of at least `len` words (contents unspecified: the caller
    /// writes every word it reads).
    pub(crate) fn take(&self, len: usize) -> Result<Vec<T>> {
        let mut v = self
            .lock()
            .map(|mut s| std::mem::take(&mut *s))
            .unwrap_or_default();
        if v.len() < len {
            // Freed before the new one is allocated; zeroed by the allocator
            // (fresh pages for a large buffer: see `try_zeroed`).
            drop(v);
            v = try_zeroed(len, self.what)?;
        }
        Ok(v)
    }

    /// Keeps `v` for the next call when it is not too large and larger than
    /// the buffer kept now.
    pub(crate) fn give_back(&self, v: Vec<T>) {
        if v.len().saturating_mul(std::mem::size_of::<T>()) <= KEEP_BYTES
            && let Some(mut slot) = self.lock()
            && slot.len() < v.len()
        {
            *slot = v;
        }
    }
}
