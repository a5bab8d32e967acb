//! The engine's private thread pool and its task runner.
//!
//! The pool holds `n - 1` helper threads when `n` threads are requested (see
//! [`set_num_threads`]); the calling thread is the `n`-th. A parallel region
//! ([`for_each_task`]) hands out small tasks from a shared counter: the caller
//! starts on them at once, helpers join as soon as the operating system runs
//! them, and once the caller runs out of tasks it waits only for helpers that
//! are running a task at that moment, never for one that has not started. So
//! a helper descheduled because other processes keep every core busy costs
//! at most the task it holds, not a fixed share of the work, and the cost of
//! waking helpers (tens to hundreds of microseconds on a VM) stays off the
//! critical path of short calls.
//!
//! Helpers wait for work on a condition variable: an idle helper never spins
//! or yields in a loop, so it takes no CPU time from other processes.
//!
//! The pool is built lazily on first parallel use. A pool inherited through
//! `fork()` has no live threads in the child, so the pool remembers the
//! process id that built it and is rebuilt in a new process. If no helper
//! thread can be started, work runs on the calling thread alone instead of
//! failing.

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use crate::error::{EngineError, Result};

struct PoolState {
    /// Requested number of threads (>= 1); 0 means "not set yet" (use CPUs).
    requested: usize,
    /// Helper pool and the pid that built it.
    pool: Option<(Arc<Pool>, u32)>,
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

/// Number of CPUs the process may use (at least 1): on Linux the CPU
/// affinity mask (and cgroup quota), not the machine's CPU count.
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
        // helpers; the new one is built on first use.
        st.pool = None;
    }
    Ok(())
}

/// Regions waiting for a helper, and whether the helpers should exit.
struct Queue {
    jobs: VecDeque<Arc<Region>>,
    stop: bool,
}

/// What the helpers of one pool share.
struct Shared {
    queue: Mutex<Queue>,
    wake: Condvar,
}

/// Helper threads that take regions from a queue, waiting passively.
struct Pool {
    shared: Arc<Shared>,
    helpers: usize,
}

impl Pool {
    /// Starts up to `helpers` threads; `None` if not even one starts.
    fn start(helpers: usize) -> Option<Pool> {
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue {
                jobs: VecDeque::new(),
                stop: false,
            }),
            wake: Condvar::new(),
        });
        let mut started = 0;
        for i in 0..helpers {
            let mine = Arc::clone(&shared);
            let spawned = std::thread::Builder::new()
                .name(format!("sc-neurocore-{i}"))
                .spawn(move || serve(&mine));
            if spawned.is_err() {
                break;
            }
            started += 1;
        }
        (started > 0).then_some(Pool {
            shared,
            helpers: started,
        })
    }

    /// Offers `region` to `count` helpers (at most one region per helper).
    fn offer(&self, region: &Arc<Region>, count: usize) {
        let count = count.min(self.helpers);
        let mut q = lock(&self.shared.queue);
        for _ in 0..count {
            q.jobs.push_back(Arc::clone(region));
        }
        drop(q);
        for _ in 0..count {
            self.shared.wake.notify_one();
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        // Helpers exit when they next look at the queue. In a child process
        // after fork() they do not exist, and nothing waits for them.
        lock(&self.shared.queue).stop = true;
        self.shared.wake.notify_all();
    }
}

/// Body of a helper thread: run the regions offered, sleep while there are none.
fn serve(shared: &Shared) {
    loop {
        let job = {
            let mut q = lock(&shared.queue);
            loop {
                if q.stop {
                    return;
                }
                if let Some(job) = q.jobs.pop_front() {
                    break job;
                }
                q = shared
                    .wake
                    .wait(q)
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
            }
        };
        job.help();
    }
}

/// The helper pool and the total number of participating threads, or `None`
/// when one thread is requested or no helper could be started.
fn helper_pool() -> Option<(Arc<Pool>, usize)> {
    let mut st = lock(&STATE);
    let n = requested(&st);
    if n <= 1 {
        return None;
    }
    let pid = std::process::id();
    if let Some((pool, owner)) = &st.pool
        && *owner == pid
    {
        return Some((Arc::clone(pool), pool.helpers + 1));
    }
    // No pool yet, or one inherited through fork() whose threads do not exist
    // here (dropping it only sets its stop flag).
    st.pool = None;
    let pool = Arc::new(Pool::start(n - 1)?);
    st.pool = Some((Arc::clone(&pool), pid));
    let total = pool.helpers + 1;
    Some((pool, total))
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
/// are not waited for (their wake-up latency, or their being descheduled,
/// stays off the critical path), only those already running a task are. Otherwise the calling thread runs
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
    pool.offer(&region, (n - 1).min(n_tasks - 1));
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
    fn every_task_runs_once_for_each_thread_count() {
        for n in [1i128, 2, 3, 5, 8] {
            set_num_threads(n).unwrap();
            for n_tasks in [1usize, 2, 7, 64, 1001] {
                let hits: Vec<AtomicUsize> = (0..n_tasks).map(|_| AtomicUsize::new(0)).collect();
                for_each_task(true, n_tasks, |t| {
                    hits[t].fetch_add(1, Ordering::Relaxed);
                });
                assert!(
                    hits.iter().all(|h| h.load(Ordering::Relaxed) == 1),
                    "threads={n} tasks={n_tasks}"
                );
            }
        }
        set_num_threads(default_num_threads() as i128).unwrap();
    }

    #[test]
    fn caller_finishes_while_every_helper_is_held_elsewhere() {
        // One helper, kept busy by another region until this one is done: the
        // caller must run all of its tasks alone instead of waiting for it.
        set_num_threads(2).unwrap();
        let gate = Arc::new((Mutex::new(false), Condvar::new()));
        let started = Arc::new(AtomicUsize::new(0));
        let (g, s) = (Arc::clone(&gate), Arc::clone(&started));
        let blocker = std::thread::spawn(move || {
            for_each_task(true, 2, |_| {
                s.fetch_add(1, Ordering::SeqCst);
                let (m, cv) = &*g;
                let mut open = lock(m);
                while !*open {
                    open = cv.wait(open).unwrap();
                }
            });
        });
        while started.load(Ordering::SeqCst) == 0 {
            std::thread::yield_now();
        }
        let hits: Vec<AtomicUsize> = (0..100).map(|_| AtomicUsize::new(0)).collect();
        for_each_task(true, 100, |t| {
            hits[t].fetch_add(1, Ordering::Relaxed);
        });
        assert!(hits.iter().all(|h| h.load(Ordering::Relaxed) == 1));
        let (m, cv) = &*gate;
        *lock(m) = true;
        cv.notify_all();
        blocker.join().unwrap();
        set_num_threads(default_num_threads() as i128).unwrap();
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
