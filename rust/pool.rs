//! The worker threads `sanitize_many` fans out over: one pool for the process, made on
//! first use. Long-lived threads keep their allocator caches warm (fresh threads for every
//! call paid for that on each batch), and work stealing evens out documents of unequal
//! cost, where fixed chunks left one core idle while the other finished.

use std::sync::{Arc, Mutex};

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
