//! The threads `sanitize_async` hands large inputs to: one per core, made on first use,
//! each blocked on the queue while idle (rayon's workers spin for a while first, which on
//! two cores slows the event loop's own thread). Each keeps one Python thread state while
//! it lives and lets go of the GIL while it waits or sanitizes: taking a fresh thread state
//! for every answer cost more than the rest of the hand-off. At exit (`atexit`, before the
//! interpreter finalizes) they finish what was queued and end, so no thread of ours holds
//! a Python thread state while the interpreter is being torn down.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use pyo3::prelude::*;

/// Work for a background thread: run detached from Python (without the GIL), it returns
/// what to run attached (delivering the answer). Taking the GIL only once per job matters:
/// right after queueing, the event loop's thread still holds it for a while, and a worker
/// that needed it before starting would wait for that instead of working.
pub(super) type Job = Box<dyn FnOnce() -> Finish + Send + 'static>;
pub(super) type Finish = Box<dyn FnOnce(Python<'_>) + Send + 'static>;

enum Message {
    Run(Job),
    Stop,
}

struct Threads {
    /// The process that started them: a forked child has none of them.
    pid: u32,
    queue: Sender<Message>,
    handles: Vec<JoinHandle<()>>,
}

static THREADS: Mutex<Option<Threads>> = Mutex::new(None);
/// Set at exit: no thread is started any more.
static STOPPED: AtomicBool = AtomicBool::new(false);

/// Queue `job`; false when no background thread can take it (none could be started, or
/// the interpreter is exiting).
pub(super) fn submit(job: Job) -> bool {
    if STOPPED.load(Ordering::Acquire) {
        return false;
    }
    let pid = std::process::id();
    let mut slot = THREADS.lock().unwrap_or_else(|e| e.into_inner());
    if !matches!(slot.as_ref(), Some(t) if t.pid == pid) {
        // Threads inherited through fork() do not exist in this process, and the queue's
        // receiver may be held locked by one of them: leaked, not dropped.
        if let Some(inherited) = slot.take() {
            std::mem::forget(inherited);
        }
        *slot = start(pid);
    }
    slot.as_ref()
        .is_some_and(|t| t.queue.send(Message::Run(job)).is_ok())
}

fn start(pid: u32) -> Option<Threads> {
    let (queue, messages) = channel::<Message>();
    let messages = Arc::new(Mutex::new(messages));
    let n = std::thread::available_parallelism().map_or(1, |n| n.get());
    let handles: Vec<_> = (0..n)
        .filter_map(|i| {
            let messages = messages.clone();
            std::thread::Builder::new()
                .name(format!("htmlguard-async-{i}"))
                .spawn(move || serve(&messages))
                .ok()
        })
        .collect();
    (!handles.is_empty()).then_some(Threads {
        pid,
        queue,
        handles,
    })
}

fn serve(messages: &Mutex<Receiver<Message>>) {
    Python::attach(|py| loop {
        let finish = py.detach(|| {
            let next = messages.lock().unwrap_or_else(|e| e.into_inner()).recv();
            match next {
                Ok(Message::Run(job)) => Some(job()),
                Ok(Message::Stop) | Err(_) => None,
            }
        });
        match finish {
            Some(finish) => finish(py),
            None => return,
        }
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
        let _ = threads.queue.send(Message::Stop);
    }
    // Each may need the GIL to deliver its last answer.
    py.detach(|| {
        for handle in threads.handles {
            let _ = handle.join();
        }
    });
}
