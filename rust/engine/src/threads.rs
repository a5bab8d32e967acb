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
//! # Waking helpers in time
//!
//! A helper asleep on a condition variable takes tens to hundreds of
//! microseconds to run again once woken (an idle virtual CPU has to be
//! resumed by the hypervisor), as long as a whole short call. So helpers
//! are kept ready without burning a core:
//!
//! * a helper that finishes a region, is woken, or has just started polls
//!   for the next region for at most [`HELPER_POLL`], yielding its CPU
//!   between polls, before it sleeps: back-to-back calls find it running;
//! * a kernel calls [`ready_helpers`] at the start of a call, before its
//!   set-up, so that sleeping helpers are on their way while it prepares;
//! * the caller, once out of tasks, polls for at most [`CALLER_POLL`] for
//!   helpers finishing their last task before it blocks (its own wake-up
//!   would cost as much again).
//!
//! Any poll stops at once when a pause between two polls shows that the
//! thread lost its CPU to another ([`PREEMPTED`]), and then nobody in the
//! pool polls or rouses for [`BUSY_BACKOFF`]: on a machine whose cores are
//! all busy a polling thread only takes time from the others (and a helper
//! that has used up its share of the CPU polling is the one descheduled in
//! the middle of a task), so there helpers sleep between regions and are
//! woken by the offer alone. An idle process polls for at most
//! [`HELPER_POLL`] after its last call, then takes no CPU time at all.
//!
//! # `fork()`
//!
//! A child process created by `fork()` has only the thread that forked; any
//! lock another thread of the parent held at that moment stays locked in the
//! child for ever. So no lock of the pool is global: the requested thread
//! count is an atomic, and the pool with its lock lives in a per-process
//! record ([`ProcessPool`]) found through an atomic pointer and tagged with
//! the process id. A child sees a record of another process, replaces it
//! with a fresh one (leaking the parent's: its helper threads and any lock
//! held in it do not exist here) and builds its own helpers, never touching
//! a lock it did not take. The pool is built lazily on first parallel use;
//! if no helper thread can be started, work runs on the calling thread alone
//! instead of failing.
//!
//! # Interrupts
//!
//! [`interruptible`] runs a computation with a check (the Python module's:
//! "is a signal handler raising, e.g. for Ctrl-C?") that the calling thread
//! consults between its tasks (and long tasks at their [`check_interrupt`]
//! points), at most every [`CHECK_INTERVAL`]. When the check asks to stop,
//! the region hands out no further task, the helpers leave theirs at their
//! next [`check_interrupt`] point and the caller waits for them (so none is
//! left busy), and the computation unwinds to [`interruptible`], which
//! returns [`Interrupted`].

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::validate::{self, IntArg};

/// Requested number of threads (>= 1); 0 means "not set yet" (use CPUs).
/// An atomic, not a locked field: a child process inherits it without any
/// lock (see the module documentation).
static REQUESTED: AtomicUsize = AtomicUsize::new(0);

/// The helper pool of one process.
struct ProcessPool {
    /// The process this record belongs to.
    pid: u32,
    /// The pool, built on first parallel use for the thread count it holds.
    pool: Mutex<Option<Arc<Pool>>>,
}

/// This process's [`ProcessPool`] (or, just after `fork()`, the parent's).
/// Every non-null value comes from `Box::into_raw` and is never freed.
static CURRENT: AtomicPtr<ProcessPool> = AtomicPtr::new(std::ptr::null_mut());

/// The [`ProcessPool`] of the calling process, created on first use in each
/// process. Lock-free: a child after `fork()` swaps in a fresh record
/// instead of taking any lock of the parent's.
fn this_process() -> &'static ProcessPool {
    let pid = std::process::id();
    loop {
        let seen = CURRENT.load(Ordering::Acquire);
        // SAFETY: `seen` is null or came from `Box::into_raw` below and is
        // never freed (a replaced record is leaked on purpose), so it is
        // valid for the rest of the process's life.
        if let Some(record) = unsafe { seen.as_ref() }
            && record.pid == pid
        {
            return record;
        }
        let fresh = Box::into_raw(Box::new(ProcessPool {
            pid,
            pool: Mutex::new(None),
        }));
        match CURRENT.compare_exchange(seen, fresh, Ordering::AcqRel, Ordering::Acquire) {
            // SAFETY: `fresh` is now published and, like every published
            // record, never freed.
            Ok(_) => return unsafe { &*fresh },
            Err(_) => {
                // Another thread of this process published its record first:
                // `fresh` was never shared, so it is freed here, and the loop
                // takes the published one.
                // SAFETY: `fresh` came from `Box::into_raw` above and no other
                // thread has seen it.
                drop(unsafe { Box::from_raw(fresh) });
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every critical section here leaves the data consistent even if it
    // panicked half-way, so a poisoned lock is still usable.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// [`default_num_threads`] once known (0 before): asking the operating
/// system reads cgroup files, tens of microseconds, too slow for every call.
static DEFAULT_THREADS: AtomicUsize = AtomicUsize::new(0);

/// Number of CPUs the process may use (at least 1): on Linux the CPU
/// affinity mask (and cgroup quota), not the machine's CPU count. Asked
/// once, on first use (a forked child keeps its parent's answer).
pub fn default_num_threads() -> usize {
    match DEFAULT_THREADS.load(Ordering::Relaxed) {
        0 => {
            let n = std::thread::available_parallelism().map_or(1, |n| n.get());
            DEFAULT_THREADS.store(n, Ordering::Relaxed);
            n
        }
        n => n,
    }
}

/// The number of threads parallel kernels use (the caller included).
pub fn get_num_threads() -> usize {
    match REQUESTED.load(Ordering::Relaxed) {
        0 => default_num_threads(),
        n => n,
    }
}

/// Sets the number of threads parallel kernels use (`n >= 1`), for every
/// thread of the process.
pub fn set_num_threads(n: i128) -> Result<()> {
    let n = validate::thread_count(IntArg::Int(n))?;
    if REQUESTED.swap(n, Ordering::Relaxed) != n {
        // Dropping the old pool (once no running call holds it) stops its
        // helpers; the new one is built on first use. A call that read the
        // old count concurrently may still build a pool of the old size; the
        // next call sees the size mismatch and rebuilds.
        let old = lock(&this_process().pool).take();
        drop(old);
    }
    Ok(())
}

/// Regions waiting for a helper, and whether the helpers should exit.
struct Queue {
    jobs: VecDeque<Arc<Region>>,
    stop: bool,
    /// Helpers blocked on [`Shared::wake`]: an offer wakes no more than it
    /// needs, and [`ready_helpers`] none when every helper is polling.
    sleeping: usize,
    /// Bumped by [`Shared::rouse`]: a sleeping helper that sees it change gets
    /// up and polls for the region about to come.
    rouse: u64,
}

/// What the helpers of one pool share.
struct Shared {
    queue: Mutex<Queue>,
    wake: Condvar,
    /// `queue.jobs.len()` (stored under the lock): what a polling helper
    /// watches without taking the lock.
    queued: AtomicUsize,
    /// `queue.stop` (stored under the lock), for polling helpers.
    stopping: AtomicBool,
    /// Until when (nanoseconds after `epoch`) nobody polls: see [`BUSY_BACKOFF`].
    busy_until: AtomicU64,
    epoch: Instant,
}

/// What a helper found when it looked for work.
enum Next {
    Job(Arc<Region>),
    /// Woken by [`Shared::rouse`]: a region is about to be offered.
    Roused,
    Stop,
}

impl Shared {
    /// Whether a polling helper should look at the queue.
    fn has_news(&self) -> bool {
        self.queued.load(Ordering::Acquire) > 0 || self.stopping.load(Ordering::Acquire)
    }

    /// The next job, sleeping until there is one, a rouse, or the pool stops.
    fn next(&self) -> Next {
        let mut q = lock(&self.queue);
        let seen = q.rouse;
        loop {
            if q.stop {
                return Next::Stop;
            }
            if let Some(job) = q.jobs.pop_front() {
                self.queued.store(q.jobs.len(), Ordering::Release);
                return Next::Job(job);
            }
            if q.rouse != seen {
                return Next::Roused;
            }
            q.sleeping += 1;
            q = self
                .wake
                .wait(q)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            q.sleeping -= 1;
        }
    }

    /// Nanoseconds since `epoch` (saturating).
    fn now_ns(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    /// Whether threads may poll now (no poll lost its CPU in the last
    /// [`BUSY_BACKOFF`]).
    fn may_poll(&self) -> bool {
        self.now_ns() >= self.busy_until.load(Ordering::Relaxed)
    }

    /// Polls `ready` as [`poll_until`] does, if polls are allowed now; a poll
    /// that lost its CPU stops all polling for [`BUSY_BACKOFF`].
    fn poll(&self, limit: Duration, polite: bool, ready: impl Fn() -> bool) {
        if !self.may_poll() {
            return;
        }
        if poll_until(limit, polite, ready) == Poll::Preempted {
            let until = self
                .now_ns()
                .saturating_add(u64::try_from(BUSY_BACKOFF.as_nanos()).unwrap_or(u64::MAX));
            self.busy_until.fetch_max(until, Ordering::Relaxed);
        }
    }

    /// Wakes every sleeping helper to poll for a region about to be offered
    /// (unless polls are off, see [`BUSY_BACKOFF`]).
    fn rouse(&self) {
        if !self.may_poll() {
            return;
        }
        let mut q = lock(&self.queue);
        if q.sleeping == 0 {
            return;
        }
        q.rouse = q.rouse.wrapping_add(1);
        drop(q);
        self.wake.notify_all();
    }
}

/// Helper threads that take regions from a queue (see the module
/// documentation for how they wait).
struct Pool {
    shared: Arc<Shared>,
    /// Helper threads started.
    helpers: usize,
    /// The thread count ([`get_num_threads`]) the pool was built for.
    requested: usize,
}

impl Pool {
    /// Starts up to `helpers` threads; `None` if not even one starts.
    fn start(helpers: usize, requested: usize) -> Option<Pool> {
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue {
                jobs: VecDeque::new(),
                stop: false,
                sleeping: 0,
                rouse: 0,
            }),
            wake: Condvar::new(),
            queued: AtomicUsize::new(0),
            stopping: AtomicBool::new(false),
            busy_until: AtomicU64::new(0),
            epoch: Instant::now(),
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
            requested,
        })
    }

    /// Offers `region` to `count` helpers (at most one region per helper).
    fn offer(&self, region: &Arc<Region>, count: usize) {
        let count = count.min(self.helpers);
        let mut q = lock(&self.shared.queue);
        for _ in 0..count {
            q.jobs.push_back(Arc::clone(region));
        }
        self.shared.queued.store(q.jobs.len(), Ordering::Release);
        // Polling helpers take their job without being woken; a helper that
        // stops polling takes the lock and finds the job before it sleeps.
        let sleepers = q.sleeping.min(count);
        drop(q);
        for _ in 0..sleepers {
            self.shared.wake.notify_one();
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        // Helpers exit when they next look at the queue. (A pool inherited
        // through fork() is never dropped: its record is leaked.)
        let mut q = lock(&self.shared.queue);
        q.stop = true;
        self.shared.stopping.store(true, Ordering::Release);
        drop(q);
        self.shared.wake.notify_all();
    }
}

/// How long a helper polls for the next region (after a region, a rouse,
/// or its start) before it sleeps: longer than the pause between
/// back-to-back calls from Python, even when the caller's own thread is
/// briefly descheduled by the hypervisor (on a 2-vCPU VM 200 us let helpers
/// fall asleep between calls often enough that W1's prepared path gained
/// nothing from a second thread), short enough that an idle process gives
/// its CPUs back within a millisecond.
pub const HELPER_POLL: Duration = Duration::from_micros(1000);

/// How long the calling thread polls for helpers still running a task of its
/// region before it blocks: a task is sized to take tens of microseconds.
pub const CALLER_POLL: Duration = Duration::from_micros(100);

/// A pause this long between two polls means the polling thread lost its
/// CPU to another thread for a time slice: the core is in demand, so the
/// poll ends. (Interrupts and the hypervisor take the CPU for pauses of up to
/// about 100 us several hundred times a second even on a quiet virtual
/// machine, and now and then for several hundred: at 250 us such pauses
/// turned polling off on a quiet 2-vCPU VM. Another runnable thread takes
/// the CPU for a whole slice, a few milliseconds when every core is busy;
/// the contended W1 call stays within 2x its quiet time at 2 ms.)
pub const PREEMPTED: Duration = Duration::from_micros(2000);

/// After a poll lost its CPU, the pool's threads neither poll nor rouse for
/// this long (then they try again): long enough that a busy machine sees a
/// few polls a second at most, short enough that a machine that has become
/// quiet gets its parallel short calls back at once.
pub const BUSY_BACKOFF: Duration = Duration::from_millis(20);

/// How a [`poll_until`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Poll {
    Ready,
    TimedOut,
    /// A pause between two polls exceeded [`PREEMPTED`].
    Preempted,
}

/// Polls `ready` until it returns `true`, for at most `limit`; between polls
/// the thread yields its CPU when `polite` (a helper with nothing to do),
/// else it spins (the caller, which must not hand its CPU to another
/// process for a whole time slice). Stops early once a pause between two
/// polls exceeds [`PREEMPTED`].
fn poll_until(limit: Duration, polite: bool, ready: impl Fn() -> bool) -> Poll {
    let start = Instant::now();
    let mut last = start;
    loop {
        if ready() {
            return Poll::Ready;
        }
        if polite {
            std::thread::yield_now();
        } else {
            for _ in 0..64 {
                std::hint::spin_loop();
            }
        }
        let now = Instant::now();
        if now.duration_since(last) >= PREEMPTED {
            return Poll::Preempted;
        }
        if now.duration_since(start) >= limit {
            return Poll::TimedOut;
        }
        last = now;
    }
}

/// Body of a helper thread: run the regions offered; between them poll for
/// a while, then sleep.
fn serve(shared: &Shared) {
    loop {
        // A helper just started, done with a region or roused expects a
        // region soon; whatever the poll saw, `next` looks at the queue.
        shared.poll(HELPER_POLL, true, || shared.has_news());
        match shared.next() {
            Next::Job(job) => job.help(),
            Next::Roused => {}
            Next::Stop => return,
        }
    }
}

/// The helper pool and the total number of participating threads, or `None`
/// when one thread is requested or no helper could be started.
fn helper_pool() -> Option<(Arc<Pool>, usize)> {
    let n = get_num_threads();
    if n <= 1 {
        return None;
    }
    let mut slot = lock(&this_process().pool);
    if let Some(pool) = slot.as_ref()
        && pool.requested == n
    {
        return Some((Arc::clone(pool), pool.helpers + 1));
    }
    // No pool yet, or one built for another thread count.
    let old = slot.take();
    let pool = Pool::start(n - 1, n).map(Arc::new);
    slot.clone_from(&pool);
    drop(slot);
    drop(old);
    let pool = pool?;
    let total = pool.helpers + 1;
    Some((pool, total))
}

/// Number of threads a parallel region would use now (at least 1).
pub fn effective_threads() -> usize {
    helper_pool().map(|(_, n)| n).unwrap_or(1)
}

/// Gets the helpers going for a parallel region about to start (building the
/// pool on first use, waking the helpers that sleep) and returns the number
/// of threads it will use, as [`effective_threads`]. A kernel calls it at the
/// start of a call, before its set-up, so that the helpers' wake-up overlaps
/// that work instead of the region's; woken helpers that get no region poll
/// for [`HELPER_POLL`] and sleep again.
pub fn ready_helpers() -> usize {
    match helper_pool() {
        Some((pool, n)) => {
            pool.shared.rouse();
            n
        }
        None => 1,
    }
}

/// How often, at most, the calling thread of an [`interruptible`]
/// computation runs its check (between two of its tasks).
pub const CHECK_INTERVAL: Duration = Duration::from_millis(10);

/// An [`interruptible`] computation stopped because its check asked it to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

/// An interrupt check and when it is next due.
type DueCheck = Option<(fn() -> bool, Instant)>;

thread_local! {
    /// The check of the [`interruptible`] computation running on this
    /// thread, and when it is next due.
    static CHECK: Cell<DueCheck> = const { Cell::new(None) };
}

/// Puts the previous check back when an [`interruptible`] call ends.
struct RestoreCheck(DueCheck);

impl Drop for RestoreCheck {
    fn drop(&mut self) {
        CHECK.with(|c| c.set(self.0));
    }
}

/// Runs `f` on this thread; while it runs, the parallel regions it starts
/// call `check` between the tasks this thread runs, at most every
/// [`CHECK_INTERVAL`] (never before the first interval has passed, so short
/// calls never run it). When `check` returns `true` the region stops handing
/// out tasks, waits for the helpers still running one, and `f` is abandoned.
///
/// Returns `f`'s result, or [`Interrupted`] when `check` stopped it (whatever
/// `check` wants to report, it keeps itself). A panic in `f` propagates.
pub fn interruptible<R>(
    check: fn() -> bool,
    f: impl FnOnce() -> R,
) -> std::result::Result<R, Interrupted> {
    let previous = CHECK.with(|c| c.replace(Some((check, Instant::now() + CHECK_INTERVAL))));
    let _restore = RestoreCheck(previous);
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(value) => Ok(value),
        Err(payload) if payload.is::<Interrupted>() => Err(Interrupted),
        Err(payload) => resume_unwind(payload),
    }
}

/// Whether the computation on this thread must stop: runs the check of
/// [`interruptible`] when one is set and due.
fn interrupt_requested() -> bool {
    CHECK.with(|c| {
        let Some((check, due)) = c.get() else {
            return false;
        };
        let now = Instant::now();
        if now < due {
            return false;
        }
        c.set(Some((check, now + CHECK_INTERVAL)));
        check()
    })
}

/// Abandons the computation of [`interruptible`] (caught there).
fn stop_computation() -> ! {
    resume_unwind(Box::new(Interrupted))
}

thread_local! {
    /// On a helper thread running a task: its region's `abandoned` flag.
    static HELPING: RefCell<Option<Arc<AtomicBool>>> = const { RefCell::new(None) };
}

/// An interrupt point inside a long task. On the calling thread of an
/// [`interruptible`] computation it stops the computation when its check is
/// due and asks to (the region hands out no further task and waits for its
/// helpers, as between tasks); on a helper whose region was abandoned it
/// leaves the task at once (so the caller does not wait for the rest of a
/// long task nobody needs); anywhere else it does nothing. Costs a
/// thread-local read (and a clock read once the interval has passed).
pub fn check_interrupt() {
    let abandoned = HELPING.with(|h| {
        h.borrow()
            .as_ref()
            .is_some_and(|flag| flag.load(Ordering::Relaxed))
    });
    if abandoned || interrupt_requested() {
        stop_computation();
    }
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
    /// Whether the caller is blocked on [`Region::done`] (only then does
    /// the last helper to leave wake it).
    waiting: bool,
    /// The first panic a helper caught, re-raised on the caller's thread.
    panic: Option<Box<dyn std::any::Any + Send + 'static>>,
}

struct Region {
    next: AtomicUsize,
    n_tasks: usize,
    task: TaskPtr,
    state: Mutex<RegionState>,
    done: Condvar,
    /// `state.active` (stored under the lock), for the caller to poll.
    running: AtomicUsize,
    /// Set when the computation is abandoned (an interrupt, or a panic on the
    /// calling thread): helpers leave their task at its next
    /// [`check_interrupt`].
    abandoned: Arc<AtomicBool>,
    /// Tasks that helpers ran (for [`crate::pool_stats`]).
    helper_tasks: AtomicUsize,
}

impl Region {
    /// A helper's share: tasks until none is left.
    fn run_tasks(&self, task: &(dyn Fn(usize) + Sync)) {
        loop {
            let t = self.next.fetch_add(1, Ordering::Relaxed);
            if t >= self.n_tasks {
                break;
            }
            task(t);
            self.helper_tasks.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The calling thread's share: like `run_tasks`, with the interrupt
    /// check between tasks. Returns `true` when the check stopped the region
    /// (no further task is handed out to anyone).
    fn run_tasks_as_caller(&self, task: &(dyn Fn(usize) + Sync)) -> bool {
        loop {
            let t = self.next.fetch_add(1, Ordering::Relaxed);
            if t >= self.n_tasks {
                return false;
            }
            task(t);
            if interrupt_requested() {
                self.abandon();
                return true;
            }
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
            self.running.store(st.active, Ordering::Release);
        }
        // SAFETY: this helper registered (`active += 1`) while the region was
        // open; the caller closes the region and then waits until `active`
        // is 0 before its stack frame (which owns the closure) can end, so
        // the closure outlives this use.
        let task = unsafe { &*self.task.0 };
        HELPING.with(|h| *h.borrow_mut() = Some(Arc::clone(&self.abandoned)));
        let result = catch_unwind(AssertUnwindSafe(|| self.run_tasks(task)));
        HELPING.with(|h| *h.borrow_mut() = None);
        let mut st = lock(&self.state);
        if let Err(payload) = result {
            // Stop handing out tasks and keep the first panic (a task left
            // because the computation was abandoned is no panic).
            self.next.store(self.n_tasks, Ordering::Relaxed);
            if !payload.is::<Interrupted>() {
                st.panic.get_or_insert(payload);
            }
        }
        st.active -= 1;
        self.running.store(st.active, Ordering::Release);
        if st.active == 0 && st.waiting {
            self.done.notify_all();
        }
    }

    /// Hands out no further task and tells the helpers to leave theirs.
    fn abandon(&self) {
        self.next.store(self.n_tasks, Ordering::Relaxed);
        self.abandoned.store(true, Ordering::Relaxed);
    }

    /// Closes the region and waits for every registered helper. With the
    /// pool's `shared` state, polls for [`CALLER_POLL`] first (a helper's
    /// last task is usually a few microseconds from its end), then blocks.
    fn close_and_wait(
        &self,
        shared: Option<&Shared>,
    ) -> Option<Box<dyn std::any::Any + Send + 'static>> {
        let mut st = lock(&self.state);
        st.closed = true;
        if st.active > 0 {
            drop(st);
            // The lock taken again below orders the helpers' writes (their
            // results, a panic) before the caller's reads, whatever the poll saw.
            if let Some(shared) = shared {
                shared.poll(CALLER_POLL, false, || {
                    self.running.load(Ordering::Acquire) == 0
                });
            }
            st = lock(&self.state);
            while st.active > 0 {
                st.waiting = true;
                st = self
                    .done
                    .wait(st)
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
            }
            st.waiting = false;
        }
        st.panic.take()
    }
}

/// Closes the region when the caller leaves `for_each_task`, even by
/// unwinding (a panic, or an interrupt inside one of its tasks), so no
/// helper can outlive the task closure; the tasks not yet handed out are
/// dropped, so no helper stays busy with them either.
struct CloseOnDrop<'a>(&'a Region);

impl Drop for CloseOnDrop<'_> {
    fn drop(&mut self) {
        // After a normal return every helper has finished already (this
        // changes nothing then); when unwinding, it stops them early.
        self.0.abandon();
        let _ = self.0.close_and_wait(None);
    }
}

/// Runs `task(t)` for every `t` in `0..n_tasks`, each exactly once, in no
/// particular order. With `parallel` and more than one thread, the calling
/// thread starts on the tasks at once and pool helpers join as soon as they
/// wake; once the caller runs out of tasks, helpers that have not started yet
/// are not waited for (their wake-up latency, or their being descheduled,
/// stays off the critical path), only those already running a task are.
/// Otherwise the calling thread runs the tasks in order. A panic in any task
/// reaches the caller. Inside [`interruptible`], the calling thread checks
/// for an interrupt between its tasks (and stops the computation on one).
pub fn for_each_task(parallel: bool, n_tasks: usize, task: impl Fn(usize) + Sync) {
    let pool = if parallel && n_tasks > 1 {
        helper_pool()
    } else {
        None
    };
    match pool {
        Some((pool, n)) => run_region(&pool, n, n_tasks, &task),
        None => run_serial(n_tasks, task),
    }
}

/// Runs the `n_tasks > 1` tasks on the calling thread and up to `n - 1`
/// helpers of `pool` (see [`for_each_task`]).
fn run_region(pool: &Pool, n: usize, n_tasks: usize, task: &(dyn Fn(usize) + Sync)) {
    let erased: *const (dyn Fn(usize) + Sync + '_) = task;
    // SAFETY: only the trait object's lifetime bound changes (same fat-pointer
    // layout). The pointer is dereferenced solely in `Region::help` by helpers
    // that registered before `close_and_wait`, which this function always
    // runs (via `CloseOnDrop`, also when unwinding) before it returns, and
    // `task` outlives this call.
    let erased: *const (dyn Fn(usize) + Sync + 'static) = unsafe { std::mem::transmute(erased) };
    let region = Arc::new(Region {
        next: AtomicUsize::new(0),
        n_tasks,
        task: TaskPtr(erased),
        state: Mutex::new(RegionState {
            closed: false,
            active: 0,
            waiting: false,
            panic: None,
        }),
        done: Condvar::new(),
        running: AtomicUsize::new(0),
        abandoned: Arc::new(AtomicBool::new(false)),
        helper_tasks: AtomicUsize::new(0),
    });
    let guard = CloseOnDrop(&region);
    pool.offer(&region, (n - 1).min(n_tasks - 1));
    let stopped = region.run_tasks_as_caller(task);
    let panic = region.close_and_wait(Some(&pool.shared));
    drop(guard);
    // Every helper has left the region: its count is final.
    crate::pool_stats::record_region(n_tasks, region.helper_tasks.load(Ordering::Relaxed));
    if let Some(payload) = panic {
        resume_unwind(payload);
    }
    if stopped {
        stop_computation();
    }
}

/// Runs `task(t)` for `t` in `0..n_tasks` in order on this thread, checking
/// for an interrupt between tasks (see [`interruptible`]).
fn run_serial(n_tasks: usize, task: impl Fn(usize)) {
    for t in 0..n_tasks {
        task(t);
        if t + 1 < n_tasks && interrupt_requested() {
            stop_computation();
        }
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
        let n = data.len().div_ceil(chunk_len);
        for (i, c) in data.chunks_mut(chunk_len).enumerate() {
            f(i, c);
            if i + 1 < n && interrupt_requested() {
                stop_computation();
            }
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

    thread_local! {
        static CHECKS: Cell<usize> = const { Cell::new(0) };
    }

    /// An interrupt check that asks to stop on its third call.
    fn stop_on_third_check() -> bool {
        CHECKS.with(|c| {
            c.set(c.get() + 1);
            c.get() >= 3
        })
    }

    fn never_stop() -> bool {
        false
    }

    #[test]
    fn an_interrupt_stops_the_region_and_leaves_no_helper_busy() {
        for parallel in [false, true] {
            CHECKS.with(|c| c.set(0));
            let n_tasks = 100_000;
            let running = AtomicUsize::new(0);
            let ran = AtomicUsize::new(0);
            let result = interruptible(stop_on_third_check, || {
                for_each_task(parallel, n_tasks, |_| {
                    running.fetch_add(1, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(1));
                    ran.fetch_add(1, Ordering::SeqCst);
                    running.fetch_sub(1, Ordering::SeqCst);
                });
                "finished"
            });
            assert_eq!(result, Err(Interrupted), "parallel={parallel}");
            assert_eq!(CHECKS.with(Cell::get), 3);
            // No helper is still in a task, and none starts another one later.
            assert_eq!(running.load(Ordering::SeqCst), 0, "parallel={parallel}");
            let done = ran.load(Ordering::SeqCst);
            assert!(done > 0 && done < n_tasks, "{done} tasks ran");
            std::thread::sleep(Duration::from_millis(30));
            assert_eq!(ran.load(Ordering::SeqCst), done);
            // The next computation on this thread runs to the end.
            let hits: Vec<AtomicUsize> = (0..500).map(|_| AtomicUsize::new(0)).collect();
            let ok = interruptible(never_stop, || {
                for_each_task(parallel, hits.len(), |t| {
                    hits[t].fetch_add(1, Ordering::Relaxed);
                })
            });
            assert_eq!(ok, Ok(()));
            assert!(hits.iter().all(|h| h.load(Ordering::Relaxed) == 1));
        }
    }

    #[test]
    fn helpers_leave_a_long_task_when_the_caller_is_interrupted() {
        // Every task is 300 steps of 1 ms with an interrupt point each. The
        // caller's check stops the computation about 30 ms in; the helper
        // must leave its task then, not 300 ms later.
        set_num_threads(2).unwrap();
        CHECKS.with(|c| c.set(0));
        let running = AtomicUsize::new(0);
        let start = Instant::now();
        let result = interruptible(stop_on_third_check, || {
            for_each_task(true, 4, |_| {
                running.fetch_add(1, Ordering::SeqCst);
                let _leave = LeaveOnDrop(&running);
                for _ in 0..300 {
                    std::thread::sleep(Duration::from_millis(1));
                    check_interrupt();
                }
            })
        });
        let took = start.elapsed();
        assert_eq!(result, Err(Interrupted));
        assert_eq!(running.load(Ordering::SeqCst), 0);
        assert!(took < Duration::from_millis(250), "{took:?}");
        // A region whose helper left a task is no panic for the next one.
        let hits: Vec<AtomicUsize> = (0..64).map(|_| AtomicUsize::new(0)).collect();
        for_each_task(true, hits.len(), |t| {
            hits[t].fetch_add(1, Ordering::Relaxed);
        });
        assert!(hits.iter().all(|h| h.load(Ordering::Relaxed) == 1));
        set_num_threads(default_num_threads() as i128).unwrap();
    }

    /// Counts a task as finished however it ends (returning or unwinding).
    struct LeaveOnDrop<'a>(&'a AtomicUsize);

    impl Drop for LeaveOnDrop<'_> {
        fn drop(&mut self) {
            self.0.fetch_sub(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn an_interrupt_stops_chunked_serial_work() {
        CHECKS.with(|c| c.set(0));
        let mut data = vec![0u8; 100_000];
        let result = interruptible(stop_on_third_check, || {
            for_each_chunk_mut(false, &mut data, 10, |_, chunk| {
                std::thread::sleep(Duration::from_micros(200));
                chunk.fill(1);
            })
        });
        assert_eq!(result, Err(Interrupted));
        let filled = data.iter().filter(|&&b| b == 1).count();
        assert!(filled > 0 && filled < data.len(), "{filled}");
    }

    #[test]
    fn checks_are_per_call_and_panics_still_propagate() {
        // Outside `interruptible` nothing is checked.
        CHECKS.with(|c| c.set(0));
        for_each_task(true, 50, |_| std::thread::sleep(Duration::from_millis(1)));
        assert_eq!(CHECKS.with(Cell::get), 0);
        // A call shorter than CHECK_INTERVAL never runs the check.
        assert_eq!(interruptible(stop_on_third_check, || 7), Ok(7));
        assert_eq!(CHECKS.with(Cell::get), 0);
        // A panic is not an interrupt.
        let panicked = catch_unwind(|| {
            interruptible(never_stop, || for_each_task(true, 8, |t| assert_ne!(t, 5)))
        });
        assert!(panicked.is_err());
        // The check of an outer call is back after an inner one.
        let outer = interruptible(stop_on_third_check, || {
            let inner = interruptible(never_stop, || 1);
            assert_eq!(inner, Ok(1));
            for_each_task(false, 100_000, |_| {
                std::thread::sleep(Duration::from_micros(500))
            });
        });
        assert_eq!(outer, Err(Interrupted));
    }

    /// The reproducer of a hang after `fork()`: another thread keeps running
    /// parallel regions (taking the pool's locks) while this one forks; each
    /// child runs a region of its own. A child blocked on a lock that the
    /// parent's thread held at the fork never exits: it is killed after 10 s
    /// and the test fails.
    #[test]
    fn a_forked_child_never_waits_for_the_parents_locks() {
        use std::sync::atomic::AtomicBool;

        let stop = Arc::new(AtomicBool::new(false));
        let busy = Arc::clone(&stop);
        let hammer = std::thread::spawn(move || {
            while !busy.load(Ordering::Relaxed) {
                let hits: Vec<AtomicUsize> = (0..64).map(|_| AtomicUsize::new(0)).collect();
                for_each_task(true, hits.len(), |t| {
                    hits[t].fetch_add(1, Ordering::Relaxed);
                });
                for_each_chunk_mut(true, &mut [0u8; 4096], 64, |_, c| c.fill(1));
            }
        });
        let mut hung = 0;
        for _ in 0..40 {
            // SAFETY: fork() has no memory-safety preconditions; the child
            // only runs engine code (as a forked Python process would) and
            // leaves with _exit, never returning into the test harness.
            let pid = unsafe { libc::fork() };
            assert!(pid >= 0, "fork failed");
            if pid == 0 {
                let hits: Vec<AtomicUsize> = (0..64).map(|_| AtomicUsize::new(0)).collect();
                for_each_task(true, hits.len(), |t| {
                    hits[t].fetch_add(1, Ordering::Relaxed);
                });
                let ok = hits.iter().all(|h| h.load(Ordering::Relaxed) == 1);
                // SAFETY: _exit ends the child without running the parent's
                // destructors or atexit handlers; always sound.
                unsafe { libc::_exit(if ok { 0 } else { 3 }) };
            }
            let start = Instant::now();
            let mut status = 0;
            loop {
                // SAFETY: waits for our own child; `status` is a valid out-pointer.
                let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
                if r == pid {
                    assert!(
                        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
                        "child status {status}"
                    );
                    break;
                }
                if start.elapsed() > Duration::from_secs(10) {
                    hung += 1;
                    // SAFETY: kills and reaps our own (hung) child.
                    unsafe {
                        libc::kill(pid, libc::SIGKILL);
                        libc::waitpid(pid, &mut status, 0);
                    }
                    break;
                }
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        stop.store(true, Ordering::Relaxed);
        hammer.join().unwrap();
        assert_eq!(hung, 0, "{hung} of 40 forked children hung");
    }

    /// Waits up to 10 s for `cond` (a generous bound: this checks that
    /// something happens, not how fast).
    fn eventually(what: &str, cond: impl Fn() -> bool) {
        let start = Instant::now();
        while !cond() {
            assert!(start.elapsed() < Duration::from_secs(10), "never: {what}");
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    fn sleeping(pool: &Pool) -> usize {
        lock(&pool.shared.queue).sleeping
    }

    fn runs_every_task_once(pool: &Pool, n_tasks: usize) {
        let hits: Vec<AtomicUsize> = (0..n_tasks).map(|_| AtomicUsize::new(0)).collect();
        run_region(pool, pool.helpers + 1, n_tasks, &|t| {
            hits[t].fetch_add(1, Ordering::Relaxed);
        });
        assert!(hits.iter().all(|h| h.load(Ordering::Relaxed) == 1));
    }

    #[test]
    fn idle_helpers_stop_polling_and_sleep() {
        // A pool of its own, so other tests' regions cannot keep it busy.
        let pool = Pool::start(2, 3).expect("helpers start");
        assert_eq!(pool.helpers, 2);
        // Helpers poll after they start, after each region and after a
        // rouse, and in every case end up asleep (no CPU time) when no
        // region comes; the regions run in between are complete.
        eventually("both new helpers asleep", || sleeping(&pool) == 2);
        for n_tasks in [2, 3, 64, 1000] {
            runs_every_task_once(&pool, n_tasks);
        }
        eventually("both helpers asleep after regions", || sleeping(&pool) == 2);
        pool.shared.rouse();
        runs_every_task_once(&pool, 100);
        pool.shared.rouse();
        eventually("both roused helpers asleep again", || sleeping(&pool) == 2);
        runs_every_task_once(&pool, 100);
    }

    #[test]
    fn a_poll_that_loses_its_cpu_stops_polling_in_the_pool_for_a_while() {
        assert_eq!(poll_until(HELPER_POLL, true, || true), Poll::Ready);
        assert_ne!(poll_until(HELPER_POLL, false, || false), Poll::Ready);
        // A pause between two polls (here: `ready` itself sleeping) is taken
        // for a lost CPU.
        let sleepy = || {
            std::thread::sleep(PREEMPTED * 4);
            false
        };
        assert_eq!(
            poll_until(Duration::from_secs(5), true, sleepy),
            Poll::Preempted
        );
        let pool = Pool::start(1, 2).expect("a helper starts");
        let shared = &pool.shared;
        let before = shared.now_ns();
        shared.poll(Duration::from_secs(5), false, sleepy);
        assert!(
            shared.busy_until.load(Ordering::Relaxed) >= before + BUSY_BACKOFF.as_nanos() as u64
        );
        // While polls are off nobody is roused, and regions still run.
        shared.busy_until.store(u64::MAX, Ordering::Relaxed);
        assert!(!shared.may_poll());
        eventually("the helper asleep", || sleeping(&pool) == 1);
        let rouses = lock(&shared.queue).rouse;
        shared.rouse();
        assert_eq!(lock(&shared.queue).rouse, rouses);
        runs_every_task_once(&pool, 64);
        // Once they are back on, a sleeping helper is roused.
        shared.busy_until.store(0, Ordering::Relaxed);
        eventually("the helper asleep again", || sleeping(&pool) == 1);
        shared.rouse();
        assert_ne!(lock(&shared.queue).rouse, rouses);
        runs_every_task_once(&pool, 64);
    }

    #[test]
    fn helpers_exit_with_their_pool_whether_polling_or_asleep() {
        for wait_for_sleep in [false, true] {
            let pool = Pool::start(2, 3).expect("helpers start");
            let shared = Arc::downgrade(&pool.shared);
            if wait_for_sleep {
                eventually("helpers asleep", || sleeping(&pool) == 2);
            } else {
                runs_every_task_once(&pool, 16); // they are polling now
            }
            drop(pool);
            // Every helper holds the shared state until it exits.
            eventually("every helper exited", || shared.upgrade().is_none());
        }
    }

    #[test]
    fn pool_counters_count_regions_and_their_tasks() {
        let before = crate::pool_stats::pool_counters();
        let pool = Pool::start(1, 2).expect("a helper starts");
        let mut helped = false;
        // A helper that polls joins some region of long enough tasks.
        for _ in 0..200 {
            let start = crate::pool_stats::pool_counters();
            run_region(&pool, 2, 8, &|_| {
                std::thread::sleep(Duration::from_micros(200))
            });
            let end = crate::pool_stats::pool_counters();
            // Other tests' regions may be counted too (they run in parallel),
            // so only lower bounds hold.
            assert!(end.regions > start.regions);
            assert!(end.tasks >= start.tasks + 8);
            if end.regions_helped > start.regions_helped {
                helped = true;
                break;
            }
        }
        assert!(helped, "no helper ran a task of 200 regions");
        let after = crate::pool_stats::pool_counters();
        assert!(after.helper_tasks > before.helper_tasks);
        assert!(after.helper_tasks - before.helper_tasks <= after.tasks - before.tasks);
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
