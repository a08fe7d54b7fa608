//! Where the background threads leave `sanitize_async`'s answers for one event loop, and
//! how they wake it: the answer goes into a list and one byte into a socket the loop
//! watches (`loop.add_reader`). The worker needs neither the GIL nor a Python call for
//! that, where handing each answer over with `call_soon_threadsafe` took both: the GIL
//! from the loop's thread, a thread state, and a Python call on the worker.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};

/// A finished job's answer, by the key its caller gave.
type Answer = (u64, PyResult<String>);

/// What the workers and the loop share.
pub(super) struct Slot {
    /// The answers not yet taken. The first answer after a take rings the bell, so a
    /// burst of answers costs one byte and one wake-up.
    answers: Mutex<Vec<Answer>>,
    bell: bell::Bell,
    /// Set while the loop looks for answers on its turns: they need no bell then.
    polling: AtomicBool,
}

impl Slot {
    /// Leave an answer (from any thread, without the GIL) and wake the loop if no
    /// wake-up is pending and the loop is not polling.
    pub(super) fn post(&self, key: u64, answer: PyResult<String>) {
        let wake = {
            let mut answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
            answers.push((key, answer));
            // Read under the lock: a loop that stops polling clears the flag and then
            // looks (under this lock) once more, so it either finds this answer or the
            // flag read here is already clear and the bell rings.
            answers.len() == 1 && !self.polling.load(Ordering::SeqCst)
        };
        if wake {
            self.bell.ring();
        }
    }
}

/// One event loop's answers (`htmlguard._policy` keeps one per loop).
#[pyclass(module = "htmlguard._core", name = "_Mailbox", frozen)]
pub struct Mailbox {
    pub(super) slot: Arc<Slot>,
}

#[pymethods]
impl Mailbox {
    #[new]
    fn new() -> PyResult<Self> {
        Ok(Mailbox {
            slot: Arc::new(Slot {
                answers: Mutex::new(Vec::new()),
                bell: bell::Bell::new()?,
                polling: AtomicBool::new(false),
            }),
        })
    }

    /// The file descriptor that becomes readable when answers arrive.
    fn fileno(&self) -> i64 {
        self.slot.bell.fileno()
    }

    /// Whether the loop is polling (`arrived` on each of its turns): answers posted
    /// meanwhile do not ring the bell, which would wake the loop for answers it already
    /// took. A loop that stops must look once more after clearing this.
    fn polling(&self, on: bool) {
        self.slot.polling.store(on, Ordering::SeqCst);
    }

    /// Whether answers are waiting: what a polling loop asks on each turn, without the
    /// system call `take` makes. (`take` itself must always read the bell: a byte rung
    /// just after a take is read by the next one, or the socket stays readable.)
    fn arrived(&self) -> bool {
        !self
            .slot
            .answers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_empty()
    }

    /// The answers that arrived, as `(key, html, None)` or `(key, None, exception)`.
    fn take<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        // The bytes first: a byte rung after this is for an answer the lock below may
        // already take (a spare wake-up finds nothing), never for one it leaves behind.
        self.slot.bell.silence();
        let answers =
            std::mem::take(&mut *self.slot.answers.lock().unwrap_or_else(|e| e.into_inner()));
        let items = answers.into_iter().map(|(key, answer)| {
            let key = key.into_pyobject(py)?.into_any();
            let (html, error) = match answer {
                Ok(html) => (
                    PyString::new(py, &html).into_any(),
                    py.None().into_bound(py),
                ),
                Err(e) => (
                    py.None().into_bound(py),
                    e.into_value(py).into_bound(py).into_any(),
                ),
            };
            PyTuple::new(py, [key, html, error])
        });
        PyList::new(py, items.collect::<PyResult<Vec<_>>>()?)
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
