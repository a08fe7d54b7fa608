//! The threads `sanitize_async` hands large inputs to: one per core, made on first use,
//! taking jobs from a `handoff::Queue`. A job never touches Python: it leaves its answer in
//! the loop's mailbox (`mailbox.rs`), so these threads take no GIL and hold no thread
//! state. At exit (`atexit`) they finish what was queued and end.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use pyo3::prelude::*;

use crate::handoff::{Job, Message, Pace, Queue};

struct Threads {
    /// The process that started them: a forked child has none of them.
    pid: u32,
    queue: Arc<Queue>,
    handles: Vec<JoinHandle<()>>,
}

static THREADS: Mutex<Option<Threads>> = Mutex::new(None);
/// How fast these threads' recent jobs went, per input byte.
pub(super) static PACE: Pace = Pace::new();
/// Set at exit: no thread is started any more.
static STOPPED: AtomicBool = AtomicBool::new(false);

/// Queue `job`; false when no background thread can take it (none could be started, or
/// the interpreter is exiting).
pub(super) fn submit(job: Job) -> bool {
    if STOPPED.load(Ordering::Acquire) {
        return false;
    }
    let pid = std::process::id();
    let queue = {
        let mut slot = THREADS.lock().unwrap_or_else(|e| e.into_inner());
        if !matches!(slot.as_ref(), Some(t) if t.pid == pid) {
            // Threads inherited through fork() do not exist in this process, and the
            // queue's lock may be held by one of them: leaked, not dropped.
            if let Some(inherited) = slot.take() {
                std::mem::forget(inherited);
            }
            *slot = start(pid);
        }
        match slot.as_ref() {
            Some(t) => t.queue.clone(),
            None => return false,
        }
    };
    queue.push(Message::Run(job));
    true
}

fn start(pid: u32) -> Option<Threads> {
    let queue = Arc::new(Queue::default());
    let n = std::thread::available_parallelism().map_or(1, |n| n.get());
    let handles: Vec<_> = (0..n)
        .filter_map(|i| {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("htmlguard-async-{i}"))
                .spawn(move || queue.serve())
                .ok()
        })
        .collect();
    (!handles.is_empty()).then_some(Threads {
        pid,
        queue,
        handles,
    })
}

/// Let the background threads finish what was queued and end (registered with `atexit`
/// by `htmlguard._policy`). Later large `sanitize_async` calls use asyncio's executor.
#[pyfunction]
pub(super) fn _stop_background(py: Python<'_>) {
    STOPPED.store(true, Ordering::Release);
    let threads = THREADS.lock().unwrap_or_else(|e| e.into_inner()).take();
    let Some(threads) = threads else { return };
    if threads.pid != std::process::id() {
        std::mem::forget(threads);
        return;
    }
    for _ in &threads.handles {
        threads.queue.push(Message::Stop);
    }
    // Other Python threads run while the queued work finishes.
    py.detach(|| {
        for handle in threads.handles {
            let _ = handle.join();
        }
    });
}
