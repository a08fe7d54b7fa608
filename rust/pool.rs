//! The worker threads `sanitize_many` fans out over: one pool for the process, made on
//! first use. Long-lived threads keep their allocator caches warm (fresh threads for every
//! call paid for that on each batch), and work stealing evens out documents of unequal
//! cost, where fixed chunks left one core idle while the other finished.

use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use rayon::{ThreadPool, ThreadPoolBuilder};

/// The pool and the process it was made in.
static POOL: Mutex<Option<(u32, Arc<ThreadPool>)>> = Mutex::new(None);

/// The shared pool (one thread per core), or None if its threads cannot be started.
pub fn shared() -> Option<Arc<ThreadPool>> {
    let pid = std::process::id();
    let mut slot = POOL.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((owner, pool)) = slot.as_ref() {
        if *owner == pid {
            return Some(pool.clone());
        }
    }
    // A pool inherited through fork() (a pre-forking server that sanitized before forking)
    // has no threads in this process. Dropping it would wake threads that do not exist and
    // could wait on locks they held at the fork, so it is leaked instead.
    if let Some(inherited) = slot.take() {
        std::mem::forget(inherited);
    }
    let pool = ThreadPoolBuilder::new()
        .thread_name(|i| format!("htmlguard-{i}"))
        .build()
        .ok()?;
    let pool = Arc::new(pool);
    *slot = Some((pid, pool.clone()));
    Some(pool)
}

/// `f` of every item in order: on the shared pool when `threads > 1`, there are two items
/// or more and `work` (their bytes) is enough to pay for the hand-off, else on this thread.
pub fn map<I: Sync, T: Send>(
    items: &[I],
    threads: usize,
    work: usize,
    f: impl Fn(&I) -> T + Sync,
) -> Vec<T> {
    // Below ~32 KiB of work, handing it to other threads costs more than it saves.
    let parallel = threads > 1 && items.len() > 1 && work >= 32 * 1024;
    match parallel.then(shared).flatten() {
        // An indexed parallel iterator collects in input order.
        Some(pool) => pool.install(|| items.par_iter().map(&f).collect()),
        None => items.iter().map(f).collect(),
    }
}
