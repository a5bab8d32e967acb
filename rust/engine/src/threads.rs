//! The engine's private rayon thread pool and its task runner.
//!
//! Rayon's global pool can be configured only once per process, so the engine
//! keeps its own pool behind a mutex and rebuilds it when `set_num_threads`
//! changes the size. With `n` threads requested, the pool has `n - 1` helper
//! threads and the calling thread works too: a parallel region
//! ([`for_each_task`]) hands out tasks from a shared counter, the caller starts
//! on them at once, helpers join as soon as they wake up, and a helper that has
//! not started by the time the tasks run out is not waited for. That keeps the
//! cost of waking pool threads (tens to hundreds of microseconds on a VM) off
//! the critical path of short calls.
//!
//! The pool is built lazily on first parallel use. A pool inherited through
//! `fork()` has no live worker threads in the child, so the pool remembers the
//! process id that built it and is rebuilt in a new process (the stale pool is
//! leaked, never joined). If a pool cannot be built at all, work runs on the
//! calling thread alone instead of failing.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use rayon::{ThreadPool, ThreadPoolBuilder};

use crate::error::{EngineError, Result};

struct PoolState {
    /// Requested number of threads (>= 1); 0 means "not set yet" (use CPUs).
    requested: usize,
    /// Helper pool (`requested - 1` threads) and the pid that built it.
    pool: Option<(Arc<ThreadPool>, u32)>,
}

static STATE: Mutex<PoolState> = Mutex::new(PoolState {
    requested: 0,
    pool: None,
});

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every critical section here leaves the data consistent even if it
    // panicked half-way, so a poisoned lock is still usable.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Number of CPUs the process may use (at least 1).
pub fn default_num_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

fn requested(st: &PoolState) -> usize {
    if st.requested == 0 {
        default_num_threads()
    } else {
        st.requested
    }
}

/// The number of threads parallel kernels use (the caller included).
pub fn get_num_threads() -> usize {
    requested(&lock(&STATE))
}

/// Sets the number of threads parallel kernels use (`n >= 1`).
pub fn set_num_threads(n: i128) -> Result<()> {
    if n < 1 {
        return Err(EngineError::value(
            "n",
            format!("n must be an int >= 1, got {n}"),
        ));
    }
    let n = usize::try_from(n).map_err(|_| {
        EngineError::value(
            "n",
            format!("n must be an int >= 1 that fits in usize, got {n}"),
        )
    })?;
    let mut st = lock(&STATE);
    if st.requested != n {
        st.requested = n;
        // Dropping the old pool (once no running call holds it) stops its
        // workers; the new one is built on first use.
        st.pool = None;
    }
    Ok(())
}

/// The helper pool and the total number of participating threads, or `None`
/// when one thread is requested or no pool could be built.
fn helper_pool() -> Option<(Arc<ThreadPool>, usize)> {
    let mut st = lock(&STATE);
    let n = requested(&st);
    if n <= 1 {
        return None;
    }
    let pid = std::process::id();
    if let Some((pool, owner)) = &st.pool {
        if *owner == pid && pool.current_num_threads() == n - 1 {
            return Some((Arc::clone(pool), n));
        }
        if *owner != pid {
            // Inherited through fork(): its workers do not exist here, and
            // dropping it could wait for them, so leak it.
            if let Some((stale, _)) = st.pool.take() {
                std::mem::forget(stale);
            }
        }
    }
    match ThreadPoolBuilder::new()
        .num_threads(n - 1)
        .thread_name(|i| format!("sc-neurocore-{i}"))
        .build()
    {
        Ok(pool) => {
            let pool = Arc::new(pool);
            st.pool = Some((Arc::clone(&pool), pid));
            Some((pool, n))
        }
        Err(_) => None,
    }
}

/// Number of threads a parallel region would use now (at least 1).
pub fn effective_threads() -> usize {
    helper_pool().map(|(_, n)| n).unwrap_or(1)
}

/// A task closure with its lifetime erased, so `'static` pool jobs can carry
/// it. Only dereferenced by helpers registered in a live [`Region`] (see the
/// SAFETY argument in [`for_each_task`]).
struct TaskPtr(*const (dyn Fn(usize) + Sync + 'static));

// SAFETY: the pointee is `Sync`, so sharing the pointer between threads is
// as safe as sharing `&dyn Fn + Sync`; validity of dereferences is ensured by
// the registration protocol of `Region`, not by the pointer's type.
unsafe impl Send for TaskPtr {}
// SAFETY: as above.
unsafe impl Sync for TaskPtr {}

struct RegionState {
    /// Set by the caller once it has run out of tasks: helpers arriving later
    /// must not touch the task.
    closed: bool,
    /// Helpers currently running tasks.
    active: usize,
    /// The first panic a helper caught, re-raised on the caller's thread.
    panic: Option<Box<dyn std::any::Any + Send + 'static>>,
}

struct Region {
    next: AtomicUsize,
    n_tasks: usize,
    task: TaskPtr,
    state: Mutex<RegionState>,
    done: Condvar,
}

impl Region {
    fn run_tasks(&self, task: &(dyn Fn(usize) + Sync)) {
        loop {
            let t = self.next.fetch_add(1, Ordering::Relaxed);
            if t >= self.n_tasks {
                break;
            }
            task(t);
        }
    }

    /// Body of a helper job on a pool thread.
    fn help(&self) {
        {
            let mut st = lock(&self.state);
            if st.closed {
                return;
            }
            st.active += 1;
        }
        // SAFETY: this helper registered (`active += 1`) while the region was
        // open; the caller closes the region and then waits until `active`
        // is 0 before its stack frame (which owns the closure) can end, so
        // the closure outlives this use.
        let task = unsafe { &*self.task.0 };
        let result = catch_unwind(AssertUnwindSafe(|| self.run_tasks(task)));
        let mut st = lock(&self.state);
        if let Err(payload) = result {
            // Stop handing out tasks and keep the first panic.
            self.next.store(self.n_tasks, Ordering::Relaxed);
            st.panic.get_or_insert(payload);
        }
        st.active -= 1;
        if st.active == 0 {
            self.done.notify_all();
        }
    }

    /// Closes the region and waits for every registered helper.
    fn close_and_wait(&self) -> Option<Box<dyn std::any::Any + Send + 'static>> {
        let mut st = lock(&self.state);
        st.closed = true;
        while st.active > 0 {
            st = self
                .done
                .wait(st)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        st.panic.take()
    }
}

/// Closes the region when the caller leaves `for_each_task`, even by
/// unwinding, so no helper can outlive the task closure.
struct CloseOnDrop<'a>(&'a Region);

impl Drop for CloseOnDrop<'_> {
    fn drop(&mut self) {
        let _ = self.0.close_and_wait();
    }
}

/// Runs `task(t)` for every `t` in `0..n_tasks`, each exactly once, in no
/// particular order. With `parallel` and more than one thread, the calling
/// thread starts on the tasks at once and pool helpers join as soon as they
/// wake; once the caller runs out of tasks, helpers that have not started yet
/// are not waited for (their wake-up latency stays off the critical path),
/// only those already running tasks are. Otherwise the calling thread runs
/// the tasks in order. A panic in any task reaches the caller.
pub fn for_each_task(parallel: bool, n_tasks: usize, task: impl Fn(usize) + Sync) {
    let pool = if parallel && n_tasks > 1 {
        helper_pool()
    } else {
        None
    };
    let Some((pool, n)) = pool else {
        (0..n_tasks).for_each(task);
        return;
    };
    let task: &(dyn Fn(usize) + Sync) = &task;
    let erased: *const (dyn Fn(usize) + Sync + '_) = task;
    // SAFETY: only the trait object's lifetime bound changes (same fat-pointer
    // layout). The pointer is dereferenced solely in `Region::help` by helpers
    // that registered before `close_and_wait`, which this function always
    // runs (via `CloseOnDrop`, also when unwinding) before `task` goes out of
    // scope.
    let erased: *const (dyn Fn(usize) + Sync + 'static) = unsafe { std::mem::transmute(erased) };
    let region = Arc::new(Region {
        next: AtomicUsize::new(0),
        n_tasks,
        task: TaskPtr(erased),
        state: Mutex::new(RegionState {
            closed: false,
            active: 0,
            panic: None,
        }),
        done: Condvar::new(),
    });
    let guard = CloseOnDrop(&region);
    for _ in 0..(n - 1).min(n_tasks - 1) {
        let r = Arc::clone(&region);
        pool.spawn(move || r.help());
    }
    region.run_tasks(task);
    let panic = region.close_and_wait();
    drop(guard);
    if let Some(payload) = panic {
        std::panic::resume_unwind(payload);
    }
}

/// Splits `data` into consecutive chunks of `chunk_len` elements (the last
/// may be shorter) and runs `f(index, chunk)` for each, as [`for_each_task`].
pub fn for_each_chunk_mut<T: Send>(
    parallel: bool,
    data: &mut [T],
    chunk_len: usize,
    f: impl Fn(usize, &mut [T]) + Sync,
) {
    let chunk_len = chunk_len.max(1);
    if !parallel || data.len() <= chunk_len {
        for (i, c) in data.chunks_mut(chunk_len).enumerate() {
            f(i, c);
        }
        return;
    }
    // Each chunk sits behind its own (never contended) lock so that whichever
    // thread draws task `i` can take chunk `i` mutably without `unsafe`.
    let chunks: Vec<Mutex<&mut [T]>> = data.chunks_mut(chunk_len).map(Mutex::new).collect();
    for_each_task(true, chunks.len(), |i| {
        let mut guard = lock(&chunks[i]);
        f(i, &mut guard);
    });
}

/// Splits `0..len` into `parts` near-equal contiguous pieces (≥ 1 element
/// each) and returns the piece length for chunking.
pub fn chunk_len(len: usize, parts: usize) -> usize {
    len.div_ceil(parts.max(1)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_non_positive() {
        for bad in [0i128, -1, -1000] {
            let err = set_num_threads(bad).unwrap_err();
            assert_eq!(err.arg(), Some("n"));
            assert!(err.to_string().contains(">= 1"));
        }
        assert!(default_num_threads() >= 1);
        assert!(get_num_threads() >= 1);
    }

    #[test]
    fn every_task_runs_once() {
        for parallel in [false, true] {
            for n_tasks in [0usize, 1, 2, 3, 17, 100] {
                let hits: Vec<AtomicUsize> = (0..n_tasks).map(|_| AtomicUsize::new(0)).collect();
                for_each_task(parallel, n_tasks, |t| {
                    hits[t].fetch_add(1, Ordering::Relaxed);
                });
                assert!(hits.iter().all(|h| h.load(Ordering::Relaxed) == 1));
            }
        }
    }

    #[test]
    fn chunks_cover_data() {
        for parallel in [false, true] {
            let mut v = vec![0usize; 1000];
            for_each_chunk_mut(parallel, &mut v, 64, |i, c| {
                for (j, x) in c.iter_mut().enumerate() {
                    *x = i * 64 + j;
                }
            });
            assert!(v.iter().enumerate().all(|(i, &x)| i == x));
        }
        assert_eq!(chunk_len(10, 3), 4);
        assert_eq!(chunk_len(0, 3), 1);
    }

    #[test]
    fn task_panic_propagates() {
        let r = std::panic::catch_unwind(|| {
            for_each_task(true, 8, |t| {
                if t == 5 {
                    panic!("task five");
                }
            })
        });
        assert!(r.is_err());
    }
}
