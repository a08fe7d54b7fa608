//! How `sanitize_async`'s answers get from the background threads to the awaiting task.
//!
//! Each job has its own `Pending` answer. The awaiting task looks at it on the event
//! loop's turns for about as long as the job should take (a sleeping loop on an idle CPU
//! takes tens of microseconds to wake, on some VMs over a millisecond), and returns as soon
//! as it is there: no future, no callback, no extra turn. A task that stops looking first
//! says so (`sleep`), and the worker that finishes its job then leaves the job's key in the
//! loop's `Mailbox` and one byte in a socket the loop watches (`loop.add_reader`): the
//! worker needs neither the GIL nor a Python call for that.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use pyo3::prelude::*;
use pyo3::types::PyString;

/// What the workers and one event loop share: the keys of finished jobs whose tasks sleep.
pub(super) struct Slot {
    /// The keys not yet taken. The first after a take rings the bell, so a burst of
    /// answers costs one byte and one wake-up.
    keys: Mutex<Vec<u64>>,
    bell: bell::Bell,
}

impl Slot {
    /// Tell the loop that the job `key` is done (from any thread, without the GIL).
    fn post(&self, key: u64) {
        let wake = {
            let mut keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
            keys.push(key);
            keys.len() == 1
        };
        if wake {
            self.bell.ring();
        }
    }
}

/// One event loop's mailbox (`htmlguard._policy` keeps one per loop).
#[pyclass(module = "htmlguard._core", name = "_Mailbox", frozen)]
pub struct Mailbox {
    slot: Arc<Slot>,
}

#[pymethods]
impl Mailbox {
    #[new]
    fn new() -> PyResult<Self> {
        Ok(Mailbox {
            slot: Arc::new(Slot {
                keys: Mutex::new(Vec::new()),
                bell: bell::Bell::new()?,
            }),
        })
    }

    /// The file descriptor that becomes readable when a sleeping task's answer arrives.
    fn fileno(&self) -> i64 {
        self.slot.bell.fileno()
    }

    /// The keys of the jobs done since the last take whose tasks sleep.
    fn take(&self) -> Vec<u64> {
        // The bytes first: a byte rung after this is for a key the lock below may
        // already take (a spare wake-up finds nothing), never for one it leaves behind.
        self.slot.bell.silence();
        std::mem::take(&mut *self.slot.keys.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// One job's answer, shared by the worker that computes it and the task that awaits it.
pub(super) struct Answer {
    value: Mutex<Option<PyResult<String>>>,
    /// Set when the task stops looking: the worker must tell the loop.
    asleep: AtomicBool,
    key: u64,
    mailbox: Arc<Slot>,
}

impl Answer {
    /// Leave the job's answer (from the worker, without the GIL).
    pub(super) fn post(&self, answer: PyResult<String>) {
        *self.value.lock().unwrap_or_else(|e| e.into_inner()) = Some(answer);
        // Read after the answer is stored, as `sleep` sets the flag before it looks: of
        // the two threads, whichever locks the value last sees what the other did, so
        // either the task finds the answer or the loop is told.
        if self.asleep.load(Ordering::SeqCst) {
            self.mailbox.post(self.key);
        }
    }
}

/// What `sanitize_async` awaits for a job handed to a background thread.
#[pyclass(module = "htmlguard._core", name = "_Pending", frozen)]
pub struct Pending {
    pub(super) answer: Arc<Answer>,
    /// How long the job should take in seconds, at the pace of recent jobs (0.0 before
    /// any was timed).
    #[pyo3(get)]
    expected: f64,
}

impl Pending {
    /// A job whose task, once asleep, is woken through `mailbox` under `key`.
    pub(super) fn new(mailbox: &Mailbox, key: u64, expected: f64) -> Self {
        Pending {
            answer: Arc::new(Answer {
                value: Mutex::new(None),
                asleep: AtomicBool::new(false),
                key,
                mailbox: mailbox.slot.clone(),
            }),
            expected,
        }
    }
}

#[pymethods]
impl Pending {
    /// The sanitized text, once (None before the job is done, and after it was taken);
    /// raises the job's error.
    fn answer<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyString>>> {
        let value = self
            .answer
            .value
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        value
            .map(|answer| answer.map(|html| PyString::new(py, &html)))
            .transpose()
    }

    /// Stop looking: from now on the worker tells the loop's mailbox when the job is
    /// done. True when the answer is already there (no wake-up will come for it).
    fn sleep(&self) -> bool {
        self.answer.asleep.store(true, Ordering::SeqCst);
        self.answer
            .value
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }
}

#[cfg(unix)]
mod bell {
    use std::io::{ErrorKind, Read, Write};
    use std::os::fd::AsRawFd;
    use std::os::unix::net::UnixStream;

    use pyo3::PyResult;

    /// A connected socket pair: the workers write, the loop watches and reads.
    pub(super) struct Bell {
        ring: UnixStream,
        watch: UnixStream,
    }

    impl Bell {
        pub(super) fn new() -> PyResult<Self> {
            let (ring, watch) = UnixStream::pair()?;
            ring.set_nonblocking(true)?;
            watch.set_nonblocking(true)?;
            Ok(Bell { ring, watch })
        }

        pub(super) fn fileno(&self) -> i64 {
            self.watch.as_raw_fd().into()
        }

        /// A full socket (nobody reads: the loop closed) already has a byte waiting.
        pub(super) fn ring(&self) {
            let _ = (&self.ring).write(&[1]);
        }

        pub(super) fn silence(&self) {
            let mut buf = [0u8; 64];
            loop {
                match (&self.watch).read(&mut buf) {
                    Ok(n) if n == buf.len() => continue,
                    Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                    _ => return,
                }
            }
        }
    }
}

#[cfg(not(unix))]
mod bell {
    use pyo3::exceptions::PyNotImplementedError;
    use pyo3::PyResult;

    /// No socket pair here: `sanitize_async` uses asyncio's executor instead.
    pub(super) enum Bell {}

    impl Bell {
        pub(super) fn new() -> PyResult<Self> {
            Err(PyNotImplementedError::new_err(
                "no socket pair on this platform",
            ))
        }

        pub(super) fn fileno(&self) -> i64 {
            match *self {}
        }

        pub(super) fn ring(&self) {
            match *self {}
        }

        pub(super) fn silence(&self) {
            match *self {}
        }
    }
}
