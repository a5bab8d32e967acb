//! Counters of the pool's parallel regions: whether helpers join calls.
//!
//! A short call gains from a second thread only if a helper runs part of
//! it. These counters say how often one did and how much of the work it
//! took, so a study of short calls can tell a helper that came too late
//! (few regions helped) from two threads that both ran but together were
//! no faster than one (a helper's fair share of the tasks, and still no
//! speed-up: the CPUs themselves were slow, for example a virtual machine's
//! vCPUs sharing a busy host). They cover every parallel region of the
//! process ([`crate::threads::for_each_task`] with more than one thread and
//! task; serial runs are not counted), cumulatively: read them before and
//! after the calls of interest and subtract. A child made by `fork()`
//! starts from its parent's values. Each region costs a few relaxed atomic
//! additions, nothing next to a task of tens of microseconds.

use std::sync::atomic::{AtomicU64, Ordering};

static REGIONS: AtomicU64 = AtomicU64::new(0);
static REGIONS_HELPED: AtomicU64 = AtomicU64::new(0);
static TASKS: AtomicU64 = AtomicU64::new(0);
static HELPER_TASKS: AtomicU64 = AtomicU64::new(0);

/// The counters at one moment (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PoolCounters {
    /// Parallel regions run.
    pub regions: u64,
    /// Regions in which at least one helper ran a task.
    pub regions_helped: u64,
    /// Tasks those regions held (an interrupted region counts all of its
    /// tasks, run or not).
    pub tasks: u64,
    /// Tasks that helpers ran (the calling thread ran the others).
    pub helper_tasks: u64,
}

/// Counts one finished parallel region of `tasks` tasks, `helper_tasks` of
/// which helpers ran.
pub(crate) fn record_region(tasks: usize, helper_tasks: usize) {
    let widen = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
    REGIONS.fetch_add(1, Ordering::Relaxed);
    if helper_tasks > 0 {
        REGIONS_HELPED.fetch_add(1, Ordering::Relaxed);
    }
    TASKS.fetch_add(widen(tasks), Ordering::Relaxed);
    HELPER_TASKS.fetch_add(widen(helper_tasks), Ordering::Relaxed);
}

/// The counters now (each read on its own: a region finishing meanwhile may
/// be counted in some and not yet in others).
pub fn pool_counters() -> PoolCounters {
    PoolCounters {
        regions: REGIONS.load(Ordering::Relaxed),
        regions_helped: REGIONS_HELPED.load(Ordering::Relaxed),
        tasks: TASKS.load(Ordering::Relaxed),
        helper_tasks: HELPER_TASKS.load(Ordering::Relaxed),
    }
}
